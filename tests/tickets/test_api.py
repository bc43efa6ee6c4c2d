"""The requests JSON API (/api/tickets/): scoped exactly like the pages, every write through
the services, domain errors with their HTTP codes."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.tickets import services
from linli.tickets.models import Channel, CommentKind, Status, Ticket, TicketRequester

pytestmark = pytest.mark.django_db

API = "/api/tickets/"


def ids(response):
    assert response.status_code == 200, response.content
    return {t["id"] for t in response.json()["items"]}


def act(client, t, **payload):
    return client.post(f"{API}{t.pk}/transitions", payload, content_type="application/json")


# --- reading -------------------------------------------------------------------------------


def test_a_resident_lists_only_their_own_requests(tw, submit, as_user):
    mine = submit()
    other = services.ticket_submit(
        actor=tw.other_resident, category=tw.water, description="漏水", household=tw.hh_4_1_101
    )
    assert ids(as_user(tw.resident).get(API)) == {mine.pk}
    assert ids(as_user(tw.other_resident).get(API)) == {other.pk}
    assert ids(as_user(tw.staff).get(API)) == {mine.pk, other.pk}
    assert ids(as_user(tw.leader).get(API)) == {mine.pk}  # building 3 only
    assert ids(as_user(tw.outsider).get(API)) == set()
    assert as_user(None).get(API).status_code == 401


def test_someone_elses_request_is_404(tw, submit, as_user):
    t = submit()
    url = f"{API}{t.pk}"
    assert as_user(tw.other_resident).get(url).status_code == 404
    assert as_user(tw.outsider).get(url).status_code == 404
    assert as_user(tw.outsider).get(url + "/comments").status_code == 404
    assert act(as_user(tw.outsider), t, action="accept").status_code == 404
    assert as_user(None).get(url).status_code == 401


def test_the_requester_sees_the_public_view_and_staff_the_full_one(tw, submit, as_user):
    t = submit()
    services.ticket_assign(actor=tw.staff, ticket=t, team=tw.repair_team)
    services.ticket_comment(actor=tw.staff, ticket=t, body="楼上住户难联系", kind=CommentKind.NOTE)
    services.ticket_comment(
        actor=tw.staff, ticket=t, body="师傅明天上门", kind=CommentKind.PROGRESS
    )

    mine = as_user(tw.resident).get(f"{API}{t.pk}").json()
    assert mine["view"] == "public" and mine["status"] == "assigned"
    assert [c["body"] for c in mine["comments"]] == ["师傅明天上门"]
    assert mine["comments"][0]["author"] is None
    assert mine["assignee"] is None and mine["requesters"] is None
    assert "ticket.note" not in {e["verb"] for e in mine["timeline"]}
    assert all(e["actor"] is None for e in mine["timeline"])
    assert "withdraw" in mine["actions"] and "assign" not in mine["actions"]
    assert "楼上住户难联系" not in str(mine)

    staff = as_user(tw.staff).get(f"{API}{t.pk}").json()
    assert staff["view"] == "staff" and staff["assignee"] == "维修组"
    assert {c["body"] for c in staff["comments"]} == {"楼上住户难联系", "师傅明天上门"}
    assert staff["requesters"][0]["phone"] == "13812341234"
    assert "ticket.note" in {e["verb"] for e in staff["timeline"]}
    leader = as_user(tw.leader).get(f"{API}{t.pk}").json()
    assert leader["requesters"][0]["phone"] == "138****1234"  # masked outside the office

    notes = as_user(tw.resident).get(f"{API}{t.pk}/comments").json()
    assert [c["kind"] for c in notes] == ["progress"]
    assert {c["kind"] for c in as_user(tw.staff).get(f"{API}{t.pk}/comments").json()} == {
        "note",
        "progress",
    }


def test_filters_and_pagination(tw, submit, as_user):
    a = submit()
    b = submit(category=tw.lights, household=None, building=tw.b4, location_text="路灯")
    c = submit()
    services.ticket_withdraw(actor=tw.resident, ticket=c)
    Ticket.objects.filter(pk=a.pk).update(respond_by=timezone.now() - dt.timedelta(hours=1))
    client = as_user(tw.staff)
    assert ids(client.get(API, {"status": "withdrawn"})) == {c.pk}
    assert ids(client.get(API, {"status": "open"})) == {a.pk, b.pk}
    assert ids(client.get(API, {"status": "submitted,withdrawn"})) == {a.pk, b.pk, c.pk}
    assert ids(client.get(API, {"category": "lights"})) == {b.pk}
    assert ids(client.get(API, {"overdue": "true"})) == {a.pk}
    assert ids(client.get(API, {"overdue": "false"})) == {b.pk, c.pk}
    r = client.get(API, {"status": "lost"})
    assert r.status_code == 400 and "lost" in r.json()["detail"]

    page = client.get(API, {"page": 2, "page_size": 2}).json()
    assert page["count"] == 3 and [t["id"] for t in page["items"]] == [a.pk]
    first = client.get(API, {"page_size": 2}).json()["items"][0]
    assert first["id"] == c.pk and first["category"]["code"] == "water"
    assert first["community"] == "xincun" and first["status_label"]


def test_list_query_count_is_constant(tw, as_user, django_assert_max_num_queries):
    def make(n):
        now = timezone.now()
        Ticket.objects.bulk_create(
            Ticket(
                community=tw.xincun,
                category=tw.water,
                description=f"问题 {i}",
                household=tw.hh_3_2_501 if i % 2 else None,
                building=tw.b3,
                unit=tw.u3_2 if i % 2 else None,
                created_at=now,
                respond_by=now,
                resolve_by=now,
            )
            for i in range(n)
        )

    client = as_user(tw.staff)
    make(10)
    with django_assert_max_num_queries(6):
        assert client.get(API, {"page_size": 100}).json()["count"] == 10
    make(190)
    with django_assert_max_num_queries(6):
        assert len(client.get(API, {"page_size": 100}).json()["items"]) == 100


# --- creating ------------------------------------------------------------------------------


def test_a_resident_reports_and_staff_take_a_phone_call(tw, as_user):
    r = as_user(tw.resident).post(
        API,
        {
            "category_id": tw.water.pk,
            "description": "厨房水管漏水",
            "household_id": tw.hh_3_2_501.pk,
            "attributes": {"floor": "5"},
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    t = Ticket.objects.get(pk=r.json()["id"])
    assert t.channel == Channel.WEB and t.requesters.get().user == tw.resident
    assert r.json()["view"] == "public" and r.json()["attributes"] == {"floor": "5"}

    r = as_user(tw.staff).post(
        API,
        {
            "category_id": tw.lights.pk,
            "description": "北门路灯不亮",
            "channel": "phone",
            "location_text": "北门",
            "requester_name": "王阿姨",
            "requester_phone": "139 0000 1111",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    t = Ticket.objects.get(pk=r.json()["id"])
    assert t.channel == Channel.PHONE and t.created_by == tw.staff
    assert r.json()["requesters"][0]["name"] == "王阿姨"


def test_creating_is_refused_with_a_clear_message_and_saves_nothing(tw, as_user):
    def create(user, **payload):
        body = {
            "category_id": tw.water.pk,
            "description": "漏水",
            "household_id": tw.hh_3_2_501.pk,
            **payload,
        }
        return as_user(user).post(API, body, content_type="application/json")

    r = create(tw.resident, household_id=None)  # no place
    assert r.status_code == 400 and r.json()["detail"]
    r = create(tw.resident, description=" ")
    assert r.status_code == 400 and r.json()["detail"]
    assert create(tw.resident, channel="phone").status_code == 403  # residents don't take in
    assert create(tw.staff).status_code == 403  # staff report for someone: a channel
    r = create(tw.outsider, channel="phone", requester_name="x")
    assert r.status_code == 400  # another community's category is not theirs to choose
    r = create(tw.resident, category_id=tw.nancun_cat.pk)
    assert r.status_code == 400
    r = create(tw.resident, household_id=999999)
    assert r.status_code == 400
    assert not Ticket.objects.exists() and not TicketRequester.objects.exists()


# --- moving on -----------------------------------------------------------------------------


def test_the_whole_loop_through_the_api(tw, submit, as_user):
    t = submit()
    r = act(as_user(tw.staff), t, action="assign", team_id=tw.repair_team.pk, version=t.version)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "assigned"
    r = act(as_user(tw.handler), t, action="claim")
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = act(as_user(tw.handler), t, action="resolve", result="换了阀门")
    assert r.json()["status"] == "resolved"
    r = as_user(tw.staff).post(
        f"{API}{t.pk}/replies", {"body": "已修好"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "replied"
    assert (
        as_user(tw.staff)
        .post(f"{API}{t.pk}/rating", {"rating": "satisfied"}, content_type="application/json")
        .status_code
        == 403
    )
    r = as_user(tw.resident).post(
        f"{API}{t.pk}/rating",
        {"rating": "satisfied", "comment": "谢谢"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert r.json()["rating"] == "satisfied"
    assert [e["verb"] for e in r.json()["timeline"]][-1] == "ticket.rated"


def test_an_impossible_move_is_409_naming_the_allowed_ones(tw, submit, as_user):
    t = submit()
    r = act(as_user(tw.staff), t, action="reply", body="x")
    assert r.status_code == 409
    assert "accept" in r.json()["allowed"] and "reply" not in r.json()["allowed"]
    assert r.json()["detail"]
    assert Ticket.objects.get(pk=t.pk).status == Status.SUBMITTED


def test_a_stale_version_is_409_and_a_bad_action_400(tw, submit, as_user):
    t = submit()
    stale = t.version
    assert act(as_user(tw.staff), t, action="accept", version=stale).status_code == 200
    r = act(as_user(tw.staff), t, action="assign", team_id=tw.repair_team.pk, version=stale)
    assert r.status_code == 409 and r.json()["detail"]
    r = act(
        as_user(tw.staff),
        t,
        action="hold",
        reason="等配件",
        version=stale,
        until=(timezone.localdate() + dt.timedelta(days=3)).isoformat(),
    )
    assert r.status_code == 409
    r = act(as_user(tw.staff), t, action="fly")
    assert r.status_code == 400 and "assign" in r.json()["allowed"]
    assert Ticket.objects.get(pk=t.pk).status == Status.ACCEPTED


def test_who_may_not_move_a_request_is_refused(tw, submit, as_user):
    t = submit()
    assert act(as_user(tw.resident), t, action="accept").status_code == 403
    assert act(as_user(tw.leader), t, action="accept").status_code == 403
    assert act(as_user(tw.other_resident), t, action="withdraw").status_code == 404
    r = act(as_user(tw.resident), t, action="withdraw", reason="自己修好了")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"


def test_comments_progress_and_notes(tw, submit, as_user):
    t = submit()
    r = as_user(tw.staff).post(
        f"{API}{t.pk}/comments", {"kind": "note", "body": "内部"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["kind"] == "note"
    r = as_user(tw.resident).post(
        f"{API}{t.pk}/comments", {"kind": "progress", "body": "x"}, content_type="application/json"
    )
    assert r.status_code == 403
    r = as_user(tw.staff).post(
        f"{API}{t.pk}/comments", {"kind": "progress", "body": " "}, content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["detail"]


def test_the_openapi_schema_lists_the_tickets_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/tickets/" in paths and "/api/tickets/{ticket_id}/transitions" in paths
