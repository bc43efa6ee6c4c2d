"""The version-keyed page cache (core/pagecache.py) and the change counters (core/versions.py).

- isolation: for every ordered pair of the access scan's personas and every cached page, a
  page stored for the first is never what the second gets: the second's answer equals the one
  they get with the cache off (or the same refusal);
- freshness: a write by anyone is on the next page anyone requests; a revoked role refuses
  the next page;
- the counter is bumped in the write's transaction, once per transaction, and not by a
  rolled-back one; reads of personal data are recorded on every hit as on a miss.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse

from linli.accounts.models import RoleMembership
from linli.core import versions
from linli.core.events import log_event
from linli.core.models import ChangeCounter, PersonalDataRead
from linli.tickets import services
from tests.factories import PERSONAS

_TOKEN = re.compile(rb'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def _client(user) -> Client:
    c = Client()
    c.force_login(user, backend="linli.accounts.backends.PhoneOrUsernameBackend")
    return c


def _page(client: Client, url: str) -> tuple[int, bytes]:
    r = client.get(url)
    return r.status_code, _TOKEN.sub(rb"\1-", r.content)


def _counter(community_id: int) -> int:
    row = ChangeCounter.objects.filter(key=community_id).first()
    return row.n if row else 0


@pytest.fixture
def pages(tw, submit):
    t = submit()
    return [
        reverse("tickets:queue") + "?status=open",
        reverse("tickets:detail", args=[t.pk]),
        reverse("registry:search") + "?q=zh",
        reverse("registry:building", args=[tw.b3.pk]),
        reverse("registry:building", args=[tw.b4.pk]),
    ]


def test_no_persona_is_served_a_page_stored_for_another(tw, pages, settings):
    clients = {p: _client(getattr(tw, p)) for p in PERSONAS}
    settings.LINLI_PAGE_CACHE = False
    expected = {(p, url): _page(clients[p], url) for p in PERSONAS for url in pages}
    assert any(code == 200 for code, _ in expected.values())
    settings.LINLI_PAGE_CACHE = True
    store = caches["pages"]
    for url in pages:
        for first in PERSONAS:
            store.clear()
            _page(clients[first], url)  # stored for ``first`` (when it is theirs to see)
            for second in PERSONAS:
                got = _page(clients[second], url)
                assert got == expected[(second, url)], (first, second, url)
                # …and served again from the cache, still the same.
                assert _page(clients[second], url) == expected[(second, url)], (second, url)


def test_a_hit_runs_no_query_of_the_page(tw, pages, django_assert_max_num_queries):
    c = _client(tw.secretary)
    for url in pages[:3]:
        assert c.get(url).status_code == 200
        assert c.get(url).status_code == 200  # the queue's remembered filter is a cookie now
        # session, user, the counters of the scope (and the object's row), the unread count
        with django_assert_max_num_queries(5):
            assert c.get(url).status_code == 200


def test_a_write_is_on_the_next_page(tw, submit):
    staff, sec = _client(tw.staff), _client(tw.secretary)
    queue = reverse("tickets:queue") + "?status=open"
    before = _page(sec, queue)
    assert _page(sec, queue) == before  # stored and served
    t = submit(description="楼道里有积水，请尽快处理")
    assert b"\xe6\xa5\xbc\xe9\x81\x93\xe9\x87\x8c\xe6\x9c\x89\xe7\xa7\xaf\xe6\xb0\xb4" in (
        sec.get(queue).content
    )  # 楼道里有积水
    detail = reverse("tickets:detail", args=[t.pk])
    assert staff.get(detail).status_code == 200
    services.ticket_comment(actor=tw.secretary, ticket=t, body="已派人查看下水道", kind="note")
    assert "已派人查看下水道" in staff.get(detail).content.decode()


def test_a_write_to_a_choice_list_is_on_the_next_page(tw, submit):
    from linli.tickets.models import Category

    submit()
    sec = _client(tw.secretary)
    queue = reverse("tickets:queue") + "?status=open"
    assert "垃圾清运" not in sec.get(queue).content.decode()
    Category.objects.create(community=tw.xincun, code="trash", name="垃圾清运", name_en="Trash")
    assert "垃圾清运" in sec.get(queue).content.decode()


def test_a_revoked_role_refuses_the_next_page(tw, submit):
    sec = _client(tw.staff)
    queue = reverse("tickets:queue") + "?status=open"
    assert sec.get(queue).status_code == 200
    assert sec.get(queue).status_code == 200
    RoleMembership.objects.filter(user=tw.staff).delete()
    assert sec.get(queue).status_code in (403, 404)


def test_the_unread_count_and_csrf_token_are_filled_in_per_request(tw, submit):
    c = _client(tw.secretary)
    queue = reverse("tickets:queue") + "?status=open"
    first = c.get(queue)
    second = c.get(queue)
    token = re.search(rb'csrfmiddlewaretoken" value="([^"]+)"', second.content)
    assert token and b"linliCsrfHole" not in second.content
    assert b"linliUnreadHole" not in first.content + second.content
    from linli.core.notifications import notify

    notify(recipients=[tw.secretary], verb="test.ping", title="Ping", body="Ping")
    html = c.get(queue).content.decode()
    assert re.search(r'data-testid="nav-notifications">[^<(]*\(\d+\)', html)
    from linli.core.notifications import unread_count_for

    n = unread_count_for(tw.secretary)
    assert f"({n})</a>" in html


def test_reads_are_recorded_on_every_hit(tw):
    leader = _client(tw.leader)
    url = reverse("registry:building", args=[tw.b3.pk])
    assert leader.get(url).status_code == 200
    once = PersonalDataRead.objects.filter(actor=tw.leader).count()
    assert once > 0
    assert leader.get(url).status_code == 200
    assert PersonalDataRead.objects.filter(actor=tw.leader).count() == 2 * once


@pytest.mark.django_db(transaction=True)
def test_counter_is_bumped_in_the_transaction_once_and_not_on_rollback(tw):
    c = tw.xincun.pk
    start = _counter(c)
    with transaction.atomic():
        log_event(actor=None, verb="test.one", obj=tw.b3)
        log_event(actor=None, verb="test.two", obj=tw.b3)
    assert _counter(c) == start + 1  # once per transaction
    with pytest.raises(RuntimeError), transaction.atomic():
        log_event(actor=None, verb="test.three", obj=tw.b3)
        raise RuntimeError
    assert _counter(c) == start + 1  # rolled back with the write
    with transaction.atomic():
        try:
            with transaction.atomic():
                versions.bump(c)
                raise RuntimeError
        except RuntimeError:
            pass
        versions.bump(c)  # the savepoint's bump was rolled back: this one counts
    assert _counter(c) == start + 2
    versions.bump(c)  # outside a transaction: at once
    assert _counter(c) == start + 3


@pytest.mark.django_db(transaction=True)
def test_scope_version_covers_a_street_office(tw):
    n, v = versions.scope_version(tw.supervisor)
    assert n == 2  # xincun and nancun
    versions.bump(tw.nancun.pk)
    assert versions.scope_version(tw.supervisor) == (2, v + 1)
    assert versions.scope_version(tw.secretary)[0] == 1
