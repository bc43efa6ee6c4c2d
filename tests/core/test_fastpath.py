"""What every request reads with prepared SQL (core/fastpath.py, core/sessions.py,
accounts/backends.py): the same answers as the ORM, and log-outs that end sessions."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from linli.accounts.backends import PhoneOrUsernameBackend
from linli.accounts.models import User
from linli.core import notifications
from linli.core.models import Notification
from linli.core.sessions import SessionStore


def test_user_row_and_unread_count_equal_the_orm(world):
    u = world.secretary
    notifications.notify(recipients=[u], verb="test.a", title="A", body="a")
    notifications.notify(recipients=[u], verb="test.b", title="B", body="b")
    got = PhoneOrUsernameBackend().get_user(u.pk)
    orm = User.objects.get(pk=u.pk)
    fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(got, f) for f in fields] == [getattr(orm, f) for f in fields]
    expected = Notification.objects.filter(
        recipient=u, channel="in_app", read_at__isnull=True
    ).count()
    assert expected == 2
    assert notifications.unread_count_for(got) == expected
    notifications.notification_mark_all_read(actor=got)
    assert notifications.unread_count_for(got) == 0  # forgotten on the object, counted again


def test_inactive_or_missing_users_are_not_loaded(world):
    u = world.staff
    User.objects.filter(pk=u.pk).update(is_active=False)
    assert PhoneOrUsernameBackend().get_user(u.pk) is None
    assert PhoneOrUsernameBackend().get_user(999_999) is None


def test_db_sessions_load_and_expire(db):
    s = SessionStore()
    s["k"] = "v"
    s.create()
    assert SessionStore(s.session_key).load() == {"k": "v"}
    Session.objects.filter(session_key=s.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    gone = SessionStore(s.session_key)
    assert gone.load() == {}
    assert gone.session_key is None
    assert SessionStore("no-such-key-0123456789abcdef").load() == {}


def test_a_log_out_ends_the_session(world, client):
    client.force_login(world.secretary, backend="linli.accounts.backends.PhoneOrUsernameBackend")
    key = client.cookies["sessionid"].value
    assert client.get("/requests/queue/").status_code == 200
    client.post("/accounts/logout/")
    assert SessionStore(key).load() == {}


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.2).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_with_redis_a_log_out_in_one_process_ends_the_session_in_all(db, settings):
    """cached_db on a shared Redis: process B reads the session from the cache; A's log-out
    deletes it there, so B's next read finds nothing."""
    from django.contrib.sessions.backends import cached_db
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": "linli-test-sessions",
        },
    }
    try:
        a = cached_db.SessionStore()
        a["k"] = "v"
        a.create()
        b = cached_db.SessionStore(a.session_key)
        assert b.load() == {"k": "v"}
        cached_db.SessionStore(a.session_key).flush()  # the log-out, in "process A"
        assert cached_db.SessionStore(a.session_key).load() == {}
    finally:
        caches["default"].clear()


def test_remembered_session_values_are_copies_and_a_changed_session_is_read_anew(db):
    s = SessionStore()
    s["k"], s["filter"] = "v", {"status": ["open"]}
    s.create()
    first = SessionStore(s.session_key).load()
    first["filter"]["status"].append("closed")  # a caller changing what it was handed
    first["k"] = "changed"
    assert SessionStore(s.session_key).load() == {"k": "v", "filter": {"status": ["open"]}}
    s["k"] = "w"
    s.save()
    assert SessionStore(s.session_key).load()["k"] == "w"


def test_a_session_signed_with_another_key_is_refused_even_after_it_was_read(db, settings):
    s = SessionStore()
    s["k"] = "v"
    s.create()
    assert SessionStore(s.session_key).load() == {"k": "v"}  # remembered
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert SessionStore(s.session_key).load() == {}
