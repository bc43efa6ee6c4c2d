"""POST /api/tickets/ answers from what it has just written: the same body as a GET of the new
request, permissions that agree with the policy, a fixed number of queries, and the holiday
calendar read once (calendar.py)."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.core import calendar, policy
from linli.core.models import Holiday, Notification
from linli.core.roles import PERMISSIONS
from linli.tickets import api, services, services_admin
from linli.tickets.models import Ticket, TicketRequester

pytestmark = pytest.mark.django_db

API = "/api/tickets/"
TICKET_ACTIONS = sorted(a for a in PERMISSIONS if a.startswith("ticket."))


def post(client, **payload):
    return client.post(API, payload, content_type="application/json")


def report(tw, **over):
    return {
        "category_id": tw.water.pk,
        "description": "厨房水管漏水",
        "household_id": tw.hh_3_2_501.pk,
        **over,
    }


# --- the answer is the request as a GET shows it -------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        "resident",  # the category has a default team, the resident is not in it
        "resident_in_team",  # … and is in it: the staff view (internal notes allowed)
        "no_team",  # a category without a default team
        "emergency",  # accepted at once: two timeline entries, version 2
        "unit_only",
        "staff_phone",  # staff take a phone call: the staff view with the requester
        "leader_walk_in",  # a building leader: the masked phone
    ],
)
def test_the_answer_is_what_a_get_of_the_new_request_returns(tw, as_user, case):
    actor, payload = tw.resident, report(tw, attributes={"floor": "5"})
    if case == "resident_in_team":
        tw.repair_team.members.add(tw.resident)
    elif case == "no_team":
        payload = report(tw, category_id=tw.lights.pk)
    elif case == "emergency":
        payload = report(tw, emergency=True)
    elif case == "unit_only":
        payload = report(tw, household_id=None, unit_id=tw.u3_2.pk, location_text="楼道")
    elif case == "staff_phone":
        actor = tw.staff
        payload = report(
            tw, channel="phone", requester_name="王阿姨", requester_phone="139 0000 1111"
        )
    elif case == "leader_walk_in":
        actor = tw.leader
        payload = report(tw, channel="walk_in", requester_phone="13900001111", emergency=True)
    client = as_user(actor)
    created = post(client, **payload)
    assert created.status_code == 201, created.content
    shown = client.get(f"{API}{created.json()['id']}")
    assert shown.status_code == 200
    assert created.json() == shown.json()
    body = created.json()
    if case in ("resident", "no_team", "emergency", "unit_only"):
        assert body["view"] == "public" and body["actions"] == ["withdraw"]
    if case == "resident_in_team":
        assert body["view"] == "staff"
    if case == "emergency":
        assert [e["verb"] for e in body["timeline"]] == ["ticket.submitted", "ticket.accepted"]
        assert body["version"] == 2 and body["status"] == "accepted"
    if case in ("staff_phone", "leader_walk_in"):
        assert body["view"] == "staff" and body["requesters"][0]["phone"]


def test_the_resident_is_told_their_request_was_received(tw, as_user):
    r = post(as_user(tw.resident), **report(tw))
    assert r.status_code == 201
    told = Notification.objects.filter(verb="ticket.submitted", object_id=r.json()["id"])
    assert list(told.values_list("recipient_id", flat=True).distinct()) == [tw.resident.pk]
    assert TicketRequester.objects.get(ticket_id=r.json()["id"]).resident_id == tw.zhang_san.pk


@pytest.mark.parametrize("channel", ["web", "phone", "emergency"])
def test_what_the_new_request_allows_agrees_with_the_policy(tw, channel):
    """``_created_can`` (answers without queries) against ``policy.can`` on the request read
    back, for every person of the world and every ticket action."""
    tw.repair_team.members.add(tw.resident, tw.volunteer)
    if channel == "phone":
        t = services.ticket_intake(
            actor=tw.staff,
            category=tw.water,
            channel="phone",
            description="漏水",
            household=tw.hh_3_2_501,
            requester_user=tw.other_resident,
        )
    else:
        t = services.ticket_submit(
            actor=tw.resident,
            category=tw.water,
            description="漏水",
            household=tw.hh_3_2_501,
            emergency=channel == "emergency",
        )
    new = services.created(t)
    for name, person in tw.people.items():
        fresh = api._created_can(person, t, new)
        read = Ticket.objects.get(pk=t.pk)
        for action in TICKET_ACTIONS:
            assert fresh(action) == policy.can(person, action, read), (name, action)


# --- the work it takes ---------------------------------------------------------------------


def _submit_queries(client, tw) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        r = post(client, **report(tw))
    assert r.status_code == 201, r.content
    return [q["sql"] for q in ctx.captured_queries]


def test_a_residents_report_takes_a_fixed_number_of_queries(
    tw, as_user, django_assert_max_num_queries
):
    client = as_user(tw.resident)
    # Session, user, memberships; the category (with its team, and whether the resident is
    # in it), the room (with its building and unit); the holidays (read here, inside the
    # test's transaction, as they are not cached there); the notification preferences (before
    # the write: ``test_nothing_is_read_inside_the_write_transaction``); savepoint, request,
    # the community's change counter (core/versions.py), requester, event, notification,
    # release. The first time also the content type.
    # Nothing is read back for the answer.
    with django_assert_max_num_queries(14):
        assert post(client, **report(tw)).status_code == 201
    before = len(_submit_queries(client, tw))
    assert before <= 13
    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(
            community=tw.xincun,
            category=tw.water,
            description=f"问题 {i}",
            household=tw.hh_3_2_501,
            building=tw.b3,
            created_at=now,
            respond_by=now,
            resolve_by=now,
        )
        for i in range(300)
    )
    Holiday.objects.bulk_create(
        Holiday(
            community_id=tw.xincun.pk, date=dt.date(2026, 1, 1) + dt.timedelta(days=i), name="x"
        )
        for i in range(0, 700, 3)
    )
    tw.repair_team.members.add(tw.resident)
    assert len(_submit_queries(client, tw)) == before


def test_the_building_is_read_once(tw, as_user):
    sql = _submit_queries(as_user(tw.resident), tw)
    assert sum('FROM "registry_building"' in q for q in sql) == 0  # joined to the household
    assert sum('FROM "registry_household"' in q for q in sql) == 1
    assert not any('FROM "tickets_ticketcomment"' in q for q in sql)
    assert not any('FROM "core_event"' in q for q in sql)


# --- refused, and nothing saved ------------------------------------------------------------


@pytest.mark.parametrize(
    "over, status",
    [
        ({"household_id": "hh"}, 422),  # not an id
        ({"category_id": None}, 422),
        ({"description": None}, 422),
        ({"emergency": "maybe"}, 422),
        ({"description": "x" * 2001}, 400),
        ({"household_id": 10**12}, 400),  # unknown room
        ({"unit_id": 10**12}, 400),
        ({"household_id": None}, 400),  # no place
    ],
)
def test_bad_input_is_refused_and_saves_nothing(tw, as_user, over, status):
    r = post(as_user(tw.resident), **report(tw, **over))
    assert r.status_code == status, r.content
    assert not Ticket.objects.exists() and not TicketRequester.objects.exists()
    assert not Notification.objects.exists()


def test_another_communitys_category_room_unit_or_building_is_refused(tw, as_user):
    client = as_user(tw.resident)
    nancun_unit = tw.hh_nancun.unit
    for over in (
        {"category_id": tw.nancun_cat.pk},
        {"household_id": tw.hh_nancun.pk},
        {"household_id": None, "unit_id": nancun_unit.pk},
        {"household_id": None, "building_id": nancun_unit.building_id},
    ):
        r = post(client, **report(tw, **over))
        assert r.status_code == 400 and r.json()["detail"], over
    # Someone holding no role in the category's community: out of scope, a 400 as well.
    assert post(as_user(tw.outsider), **report(tw, channel="phone")).status_code == 400
    assert not Ticket.objects.exists() and not TicketRequester.objects.exists()


def test_a_resident_names_only_their_own_home_as_in_the_web_form(tw, as_user):
    client = as_user(tw.resident)
    r = post(client, **report(tw, household_id=tw.hh_3_2_502.pk))  # the neighbour's flat
    assert r.status_code == 400
    assert "自己的住户" in r.json()["detail"] or "own home" in r.json()["detail"]
    assert not Ticket.objects.exists()
    # The neighbour's building or stairwell is fine.
    ok = post(client, **report(tw, household_id=None, unit_id=tw.u3_2.pk, location_text="502门口"))
    assert ok.status_code == 201, ok.content


# --- the holiday calendar ------------------------------------------------------------------


@pytest.fixture
def fresh_calendar():
    calendar.holidays_changed()
    yield
    calendar.holidays_changed()


def test_inside_a_transaction_the_calendar_is_read_every_time(tw, fresh_calendar):
    year = range(2026, 2027)
    with CaptureQueriesContext(connection) as ctx:
        calendar.calendar_for(tw.xincun.pk, year)
        calendar.calendar_for(tw.xincun.pk, year)
    assert len(ctx.captured_queries) == 2


@pytest.mark.django_db(transaction=True)
def test_the_calendar_is_read_once_and_a_change_is_seen_at_once(tw, fresh_calendar):
    assert not connection.in_atomic_block
    monday = dt.datetime(2026, 11, 16, 10, tzinfo=timezone.get_current_timezone())
    one_day = dt.datetime(2026, 11, 17, 23, 59, 59, tzinfo=monday.tzinfo)
    assert calendar.add_workdays(monday, 1, tw.xincun.pk) == one_day
    with CaptureQueriesContext(connection) as ctx:
        assert calendar.add_workdays(monday, 1, tw.xincun.pk) == one_day
        assert calendar.add_workdays(monday, 1, tw.xincun.pk) == one_day
    assert len(ctx.captured_queries) == 0
    # The secretary closes the office on the 17th: the next deadline skips it.
    services_admin.holiday_add(
        actor=tw.secretary, community=tw.xincun, date=dt.date(2026, 11, 17), name="停水检修"
    )
    assert calendar.add_workdays(monday, 1, tw.xincun.pk) == one_day + dt.timedelta(days=1)
    # Another community's calendar is not touched by it.
    assert calendar.add_workdays(monday, 1, tw.nancun.pk) == one_day
    # A change through the ORM (the admin, a shell) and a deletion count as well.
    h = Holiday.objects.create(community_id=None, date=dt.date(2026, 11, 18), name="全市停课")
    assert calendar.add_workdays(monday, 1, tw.xincun.pk) == one_day + dt.timedelta(days=2)
    h.delete()
    Holiday.objects.filter(community_id=tw.xincun.pk).delete()  # one post_delete per row
    assert calendar.add_workdays(monday, 1, tw.xincun.pk) == one_day


@pytest.mark.django_db(transaction=True)
def test_a_change_rolled_back_leaves_no_trace_in_the_cache(tw, fresh_calendar):
    monday = dt.datetime(2026, 11, 16, 10, tzinfo=timezone.get_current_timezone())
    one_day = dt.datetime(2026, 11, 17, 23, 59, 59, tzinfo=monday.tzinfo)
    assert calendar.add_workdays(monday, 1, tw.xincun.pk) == one_day  # now cached
    with transaction.atomic():
        Holiday.objects.create(community_id=tw.xincun.pk, date=dt.date(2026, 11, 17), name="x")
        # Seen inside its own transaction …
        assert calendar.add_workdays(monday, 1, tw.xincun.pk) == one_day + dt.timedelta(days=1)
        transaction.set_rollback(True)
    # … and gone with it.
    assert calendar.add_workdays(monday, 1, tw.xincun.pk) == one_day


@pytest.mark.django_db(transaction=True)
def test_an_entry_cached_under_an_older_version_is_not_used(tw, fresh_calendar):
    """Another process that read the calendar before a change stores it under the version it
    read first: nobody uses it afterwards."""
    from django.core.cache import cache

    key = calendar._key(tw.xincun.pk, 2026)
    cache.set(key, ("some-older-version", {dt.date(2026, 11, 17): False}))
    monday = dt.datetime(2026, 11, 16, 10, tzinfo=timezone.get_current_timezone())
    assert calendar.add_workdays(monday, 1, tw.xincun.pk).date() == dt.date(2026, 11, 17)


@pytest.mark.django_db(transaction=True)
def test_without_the_cache_the_calendar_is_read_from_the_database(tw, monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(calendar.cache, "get_many", down)
    Holiday.objects.create(community_id=tw.xincun.pk, date=dt.date(2026, 11, 17), name="x")
    monday = dt.datetime(2026, 11, 16, 10, tzinfo=timezone.get_current_timezone())
    assert calendar.add_workdays(monday, 1, tw.xincun.pk).date() == dt.date(2026, 11, 18)
    assert "cache unavailable" in caplog.text


# --- reads before the write, and placed without the scope filter ---------------------------


def test_the_category_is_placed_as_the_scope_filter_places_it(tw):
    from django.db.models import Exists, OuterRef

    from linli.tickets.models import Category, HandlingTeam

    tw.repair_team.members.add(tw.resident)
    inactive = Category.objects.create(community=tw.xincun, code="old", name="旧", active=False)
    checked = 0
    for name, person in tw.people.items():
        policy.forget_memberships(person)
        in_team = HandlingTeam.members.through.objects.filter(
            handlingteam_id=OuterRef("default_team_id"), user_id=person.pk
        )
        for cat in (tw.water, tw.lights, tw.nancun_cat, inactive):
            expected = (
                policy.in_scope(
                    person,
                    Category.objects.annotate(actor_in_team=Exists(in_team)).filter(pk=cat.pk),
                )
                .values_list("pk", "actor_in_team")
                .first()
            )
            got = api._category_in_scope(person, cat.pk)
            assert (got and (got.pk, got.actor_in_team)) == (expected or None), (name, cat.code)
            if got is not None:
                assert got.community == cat.community and got.default_team == cat.default_team
            checked += 1
        assert api._category_in_scope(person, 10**12) is None
        assert api._category_in_scope(person, 10**30) is None  # past any integer column
    assert checked == 4 * len(tw.people)


def test_nothing_is_read_inside_the_write_transaction(tw, as_user):
    """The notification preferences, the category, the room, the calendar: read before the
    write transaction begins (on SQLite it holds the database's one write lock)."""
    sql = _submit_queries(as_user(tw.resident), tw)
    begin = next(i for i, q in enumerate(sql) if q.startswith("SAVEPOINT"))
    end = next(i for i, q in enumerate(sql) if q.startswith("RELEASE SAVEPOINT"))
    inside = sql[begin + 1 : end]
    assert inside and all(q.startswith("INSERT INTO") for q in inside), inside
    written = [q.split('"')[1] for q in inside]
    assert written == [
        "tickets_ticket",
        "core_change_counter",
        "tickets_ticketrequester",
        "core_event",
        "core_notification",
    ]
    assert any("core_notificationpreference" in q for q in sql[:begin])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_on_postgresql_a_reports_reads_and_rows_are_prepared_statements(tw, as_user, settings):
    """Bound and prepared on the server once per connection (core/prepared.py): parsing and
    planning them cost the server more than running them. ``LINLI_PG_PREPARE`` off (a pooler
    that cannot keep them): none is."""
    wanted = {
        "SELECT": ("tickets_category", "registry_household", "core_notificationpreference"),
        "INSERT": ("tickets_ticket", "core_change_counter", "tickets_ticketrequester",
                   "core_event", "core_notification"),
    }  # fmt: skip

    def runs() -> dict[str, int]:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
            )
            rows = cur.fetchall()
        out = {}
        for verb, tables in wanted.items():
            for table in tables:
                where = f'INSERT INTO "{table}" ' if verb == "INSERT" else f'FROM "{table}" '
                out[table] = sum(n for s, n in rows if s.startswith(verb) and where in s)
        return out

    client = as_user(tw.resident)
    assert post(client, **report(tw)).status_code == 201
    before = runs()
    assert post(client, **report(tw)).status_code == 201
    after = runs()
    assert all(after[t] == before[t] + 1 for t in after), (before, after)
    settings.LINLI_PG_PREPARE = False
    assert post(client, **report(tw)).status_code == 201
    assert runs() == after
