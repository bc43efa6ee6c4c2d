"""What every request reads with prepared SQL (core/fastpath.py, core/sessions.py,
accounts/backends.py): the same answers as the ORM, and log-outs that end sessions."""

from __future__ import annotations

import datetime as dt

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


def test_with_redis_a_log_out_in_one_process_ends_the_session_in_all(db, settings, test_redis_url):
    """cached_db on a shared Redis: process B reads the session from the cache; A's log-out
    deletes it there, so B's next read finds nothing."""
    from django.contrib.sessions.backends import cached_db
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": test_redis_url,
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


# --- the reads and writes of a resident's submit (compiled once) -----------------------------

_COMPARED = ("created_at", "actor_id", "actor_name", "verb", "community_id", "object_type_id",
             "object_id", "parent_type_id", "parent_id", "object_repr", "data")  # fmt: skip


def _event(world, **over):
    from django.contrib.contenttypes.models import ContentType

    from linli.core.models import Event

    fields = {
        "created_at": timezone.now(),
        "actor": world.staff,
        "actor_name": "王",
        "verb": "test.done",
        "community_id": world.xincun.pk,
        "object_type": ContentType.objects.get_for_model(User),
        "object_id": world.staff.pk,
        "object_repr": "x",
        "data": {"n": 1, "words": "中文"},
        **over,
    }
    return Event(**fields)


def test_insert_writes_the_row_save_writes(world):
    from django.db.models import Value

    from linli.core import fastpath
    from linli.core.models import Event

    at = timezone.now()
    by_orm, fast = _event(world, created_at=at), _event(world, created_at=at)
    by_orm.save()
    assert fastpath.insert(fast) is fast
    assert fast.pk and fast.pk != by_orm.pk
    assert not fast._state.adding and fast._state.db == "default"
    rows = Event.objects.filter(pk__in=[by_orm.pk, fast.pk]).order_by("pk")
    assert rows.values(*_COMPARED)[0] == rows.values(*_COMPARED)[1]
    # A value the ORM computes in SQL, and a key set by hand: the ORM writes them.
    odd = fastpath.insert(_event(world, object_id=Value(7)))
    assert Event.objects.get(pk=odd.pk).object_id == 7
    chosen = fastpath.insert(_event(world, pk=fast.pk + 1000))
    assert Event.objects.filter(pk=chosen.pk).exists()


def test_the_new_key_is_the_rows_own_without_returning_on_sqlite(world):
    """On SQLite the key of a new row is the cursor's row id, not ``RETURNING`` (~0.13 ms a
    row there): the object gets its own row's key, as after ``save()``, one after another
    and between rows the ORM writes; on PostgreSQL the key is still returned."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.core import fastpath
    from linli.core.models import Event

    written = []
    for i in range(3):
        by_orm = _event(world, verb=f"test.orm.{i}")
        by_orm.save()
        with CaptureQueriesContext(connection) as q:
            fast = fastpath.insert(_event(world, verb=f"test.fast.{i}"))
        (insert,) = [x["sql"] for x in q.captured_queries if x["sql"].startswith("INSERT")]
        assert ("RETURNING" in insert) == (connection.vendor != "sqlite")
        assert fast.pk == by_orm.pk + 1
        written += [by_orm, fast]
    assert [Event.objects.get(pk=e.pk).verb for e in written] == [e.verb for e in written]


def test_insert_sends_the_signals_save_sends(world):
    from django.db.models.signals import post_save, pre_save

    from linli.core import fastpath, versions
    from linli.core.models import ChangeCounter, Holiday

    heard: list[tuple] = []

    def hear(signal):
        def receiver(sender, **kw):
            heard.append((signal, sender, kw.get("created"), kw["raw"], kw["using"]))

        return receiver

    on_pre, on_post = hear("pre"), hear("post")
    pre_save.connect(on_pre, sender=Holiday)
    post_save.connect(on_post, sender=Holiday)
    try:
        Holiday(community_id=world.xincun.pk, date=dt.date(2026, 5, 1), name="a").save()
        by_orm, heard[:] = list(heard), []
        fastpath.insert(Holiday(community_id=world.xincun.pk, date=dt.date(2026, 5, 2), name="b"))
        assert (
            heard
            == by_orm
            == [
                ("pre", Holiday, None, False, "default"),
                ("post", Holiday, True, False, "default"),
            ]
        )
    finally:
        pre_save.disconnect(on_pre, sender=Holiday)
        post_save.disconnect(on_post, sender=Holiday)
    # The project's own receivers run too: a community's row bumps its change counter.
    from linli.registry.models import Building

    before = versions.version_of([world.xincun.pk])
    fast = fastpath.insert(Building(community=world.xincun, name="99号楼", number="99"))
    assert versions.version_of([world.xincun.pk]) == before + 1
    # … and the fields' own ``pre_save`` (the building's sort key).
    by_orm = Building.objects.create(community=world.nancun, name="99号楼", number="99")
    assert Building.objects.get(pk=fast.pk).sort_key == by_orm.sort_key != ""
    assert ChangeCounter.objects.filter(key=world.xincun.pk).exists()


def test_insert_rows_writes_what_bulk_create_writes(world):
    from linli.core import fastpath

    def note(verb):
        return Notification(
            recipient=world.staff, channel="in_app", verb=verb, title="t", body="b",
            message={"title": "t"}, created_at=timezone.now(), status="sent",
        )  # fmt: skip

    (by_orm,) = Notification.objects.bulk_create([note("test.orm")])
    (fast,) = fastpath.insert_rows([note("test.fast")])
    assert fast.pk and not fast._state.adding
    fields = [f.attname for f in Notification._meta.concrete_fields if f.attname != "id"]
    a, b = (Notification.objects.values(*fields).get(pk=n.pk) for n in (by_orm, fast))
    assert {**a, "verb": "", "created_at": None} == {**b, "verb": "", "created_at": None}
    several = fastpath.insert_rows([note("test.1"), note("test.2")])
    assert all(n.pk for n in several) and fastpath.insert_rows([]) == []


def test_objects_reads_what_the_queryset_reads(world):
    from django.db.models import Count

    from linli.core import fastpath
    from linli.registry.models import Household

    def build(pk):
        return (
            Household.objects.select_related("building", "unit")
            .annotate(n=Count("residents"))
            .filter(pk=pk)
        )

    for hh in (world.hh_3_2_501, world.hh_nancun):
        (got,) = fastpath.objects(Household, "test.household", build, hh.pk)
        orm = build(hh.pk).get()
        fields = [f.attname for f in Household._meta.concrete_fields]
        assert [getattr(got, f) for f in fields] == [getattr(orm, f) for f in fields]
        assert got.n == orm.n
        assert got.building == orm.building and got.building.name == orm.building.name
        assert Household.building.is_cached(got) and Household.unit.is_cached(got)
    assert fastpath.objects(Household, "test.household", build, 10**12) == []


def test_insert_parameters_are_what_the_fields_make_of_the_values(world, monkeypatch):
    """``fastpath._params`` takes most values as they are instead of calling each field's
    ``pre_save`` and ``get_db_prep_save``: the same parameters, of the same types (psycopg's
    typed integers on PostgreSQL included), for the rows a submit writes and for values the
    fields convert (a lazy string, a bool in an integer column, a number in a text column)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils.translation import gettext_lazy

    from linli.core import fastpath
    from linli.core.models import Event
    from linli.tickets.models import Category, Ticket, TicketRequester

    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # (``auto_now`` fields, set twice here)
    category = Category.objects.create(community=world.xincun, code="water", name="水")
    ticket = Ticket(
        community=world.xincun,
        category=category,
        description="漏水",
        created_at=now,
        respond_by=now,
        resolve_by=now,
        attributes={"floor": "5"},
        created_by=world.staff,
    )
    ticket.pk = 10**6  # (a key for the rows below to point to; the ticket is not saved)
    odd = Ticket(
        community_id=world.xincun.pk,
        category_id=category.pk,
        created_at=now,
        respond_by=now,
        resolve_by=now,
        description=gettext_lazy("Request"),
        location_text=12,
        reopen_count=True,
        emergency=1,
    )
    rows = [
        ticket,
        odd,
        TicketRequester(ticket=ticket, user=world.staff, name="王", phone="139", primary=True),
        Event(
            actor=world.staff,
            actor_name="x",
            verb="ticket.submitted",
            community_id=None,
            object_type=ContentType.objects.get_for_model(Ticket),
            object_id=ticket.pk,
            object_repr="#1",
            data={"n": 1},
        ),
        Notification(
            recipient=world.staff,
            channel="in_app",
            verb="v",
            title="t",
            body="b",
            message={"title": "t"},
            created_at=now,
            status="sent",
            sent_at=now,
        ),
    ]
    for obj in rows:
        plan = fastpath._insert_plan("default", obj)
        assert plan is not None, type(obj)
        _sql, fields, _returning, _converters, preparations, _returns = plan
        fast = fastpath._params(obj, fields, preparations, connection)
        orm = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in fields]
        assert fast is not None
        # (psycopg's JSON wrapper compares by identity: its ``obj``)
        assert [(type(v), getattr(v, "obj", v)) for v in fast] == [
            (type(v), getattr(v, "obj", v)) for v in orm
        ], type(obj)
    assert any(p is not None for p in preparations)  # (the shortcut is taken)


# --- page_rows: a page's read compiled once per shape ---------------------------------------


def test_page_rows_reads_what_the_queryset_reads(world, django_assert_num_queries):
    from django.db.models import Count

    from linli.core import fastpath
    from linli.registry.models import Household

    def households(building: int, label: str):
        return (
            Household.objects.filter(building_id=building, label__gte=label)
            .select_related("unit", "building")
            .annotate(n=Count("residents"))
            .order_by("label", "id")
        )

    def labels(building: int, label: str):
        return households(building, label).values_list("pk", "label")

    def flat(building: int, label: str):
        return households(building, label).values_list("label", flat=True)

    def dicts(building: int, label: str):
        return Household.objects.filter(building_id=building).values("label").annotate(n=Count("*"))

    for b in (world.b3.pk, world.b4.pk):  # compiled once, then run with other values
        for start in ("", "3-2", "zz"):
            orm = list(households(b, start))
            with django_assert_num_queries(1):
                got = fastpath.page_rows(Household, "t:households", households, b, start)
            assert [(h.pk, h.label, h.n, h.unit_id, h.building.pk) for h in got] == [
                (h.pk, h.label, h.n, h.unit_id, h.building.pk) for h in orm
            ]
            with django_assert_num_queries(0):  # the joined rows came with them
                assert [str(h.unit) for h in got] == [str(h.unit) for h in orm]
            assert fastpath.page_rows(Household, "t:labels", labels, b, start) == list(
                labels(b, start)
            )
            assert fastpath.page_rows(Household, "t:flat", flat, b, start) == list(flat(b, start))
            assert fastpath.page_rows(Household, "t:dicts", dicts, b, start) == list(
                dicts(b, start)
            )
    assert fastpath._SHAPES[("default", "t:households", (int, str))] is not fastpath._NOT_PREPARED


def test_page_rows_leaves_to_the_orm_what_it_cannot_place(world):
    from linli.core import fastpath
    from linli.registry.models import Household

    def like(label: str):  # the ORM turns the value into a LIKE pattern: not placeable
        return Household.objects.filter(label__startswith=label).order_by("id")

    for start in ("3-", "4-", "%"):
        got = fastpath.page_rows(Household, "t:like", like, start)
        assert [h.pk for h in got] == [h.pk for h in like(start)]
    assert fastpath._SHAPES[("default", "t:like", (str,))] is fastpath._NOT_PREPARED
    with pytest.raises(TypeError):  # only ints and strings stand in for values
        fastpath.page_rows(Household, "t:bool", lambda v: Household.objects.filter(pk=v), True)
