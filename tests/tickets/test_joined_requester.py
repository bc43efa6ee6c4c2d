"""A duplicate merged into another request (issue 9, finding 2): its requester joins the
original as a *joined* requester — they follow its status and (scrubbed) public replies, never
another household's place, text or photos, and they cannot withdraw or rate it for the person
who reported it. The one who reported it is told that someone else's report was joined."""

import datetime as dt

import pytest

from linli.core import policy
from linli.core.notifications import Notification
from linli.tickets import services
from linli.tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db

ORIGINAL_TEXT = "我家老母亲一个人在家，厨房水管漏水，电话13812341234"


@pytest.fixture
def merged(tw, submit, photo):
    """#B: reported by the resident of 3-2-501 (with a photo); #A: the same problem reported
    by the resident of 4-1-101, merged into #B by the office."""
    b = submit(description=ORIGINAL_TEXT, photos=[photo()])
    a = services.ticket_submit(
        actor=tw.other_resident,
        category=tw.water,
        description="楼道里有水",
        household=tw.hh_4_1_101,
    )
    services.ticket_mark_duplicate(actor=tw.staff, ticket=a, original=b)
    return a, b


def test_joined_requester_cannot_withdraw_the_original_on_the_page(as_user, tw, merged):
    a, b = merged
    r = as_user(tw.other_resident).post(
        f"/requests/{b.pk}/act/withdraw/", {"version": b.version, "reason": "不用了"}
    )
    assert r.status_code == 403
    b.refresh_from_db()
    assert b.status != Status.WITHDRAWN


def test_joined_requester_cannot_withdraw_or_rate_through_the_api(as_user, tw, merged):
    a, b = merged
    c = as_user(tw.other_resident)
    r = c.post(
        f"/api/tickets/{b.pk}/transitions",
        {"action": "withdraw", "reason": "不用了"},
        content_type="application/json",
    )
    assert r.status_code == 403
    services.ticket_assign(actor=tw.staff, ticket=b, team=tw.repair_team)
    services.ticket_claim(actor=tw.handler, ticket=b)
    services.ticket_resolve(actor=tw.handler, ticket=b, result="修好了")
    services.ticket_reply(actor=tw.staff, ticket=b, body="已修好")
    r = c.post(
        f"/api/tickets/{b.pk}/rating", {"rating": "satisfied"}, content_type="application/json"
    )
    assert r.status_code == 403
    b.refresh_from_db()
    assert b.status == Status.REPLIED and not b.rating


def test_the_primary_requester_still_withdraws(as_user, tw, merged):
    a, b = merged
    r = as_user(tw.resident).post(f"/requests/{b.pk}/act/withdraw/", {"version": b.version})
    assert r.status_code == 302
    assert Ticket.objects.get(pk=b.pk).status == Status.WITHDRAWN
    # Whose report was joined to it is told, in plain words.
    told = Notification.objects.filter(recipient=tw.other_resident, verb="ticket.withdrawn_joined")
    assert told.exists()


def test_joined_requester_page_shows_status_not_the_other_households_place_text_or_photo(
    as_user, tw, merged
):
    a, b = merged
    services.ticket_accept(actor=tw.staff, ticket=b)
    services.ticket_comment(
        actor=tw.staff, ticket=b, kind="progress", body="已联系张三，约好明天到3-2-501查看"
    )
    r = as_user(tw.other_resident).get(f"/requests/{b.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="status"' in html and 'data-testid="joined"' in html
    assert f"/requests/{a.pk}/" in html  # their own joined record
    for secret in ("老母亲", "13812341234", "3-2-501", "张三", "/requests/photos/"):
        assert secret not in html, secret
    assert 'data-testid="description"' not in html
    assert "约好明天" in html  # the progress, scrubbed
    assert 'data-action="withdraw"' not in html and 'data-action="rate"' not in html


def test_joined_requester_cannot_open_the_photo(as_user, tw, merged):
    a, b = merged
    p = b.photos.get()
    assert as_user(tw.other_resident).get(f"/requests/photos/{p.pk}/").status_code == 403
    assert as_user(tw.resident).get(f"/requests/photos/{p.pk}/").status_code == 200


def test_joined_requester_api_detail_and_list_hide_the_place_and_text(as_user, tw, merged):
    a, b = merged
    c = as_user(tw.other_resident)
    got = c.get(f"/api/tickets/{b.pk}").json()
    assert got["view"] == "joined" and got["joined_from"] == [a.pk]
    assert got["description"] == "" and got["place"] == "" and got["attributes"] == {}
    assert got["status"] == b.status and "withdraw" not in got["actions"]
    rows = {row["id"]: row for row in c.get("/api/tickets/").json()["items"]}
    assert rows[b.pk]["description"] == "" and rows[b.pk]["place"] == ""
    assert rows[a.pk]["description"] == "楼道里有水"  # their own request, in full


def test_joined_requesters_list_of_requests_hides_the_originals_text(as_user, tw, merged):
    a, b = merged
    html = as_user(tw.other_resident).get("/requests/").content.decode()
    assert f"/requests/{b.pk}/" in html
    assert "老母亲" not in html and "3-2-501" not in html


def test_the_primary_requester_sees_everything_and_is_told_without_who(as_user, tw, merged):
    a, b = merged
    html = as_user(tw.resident).get(f"/requests/{b.pk}/").content.decode()
    assert "老母亲" in html and 'data-action="withdraw"' in html
    assert f"#{a.pk}" not in html  # not which request, nor whose
    told = Notification.objects.filter(recipient=tw.resident, verb="ticket.joined").first()
    assert str(a.pk) not in told.title + told.body
    assert tw.other_resident.get_full_name() not in told.title + told.body


def test_joined_requester_hears_about_status_changes(tw, merged):
    a, b = merged
    services.ticket_accept(actor=tw.staff, ticket=b)
    services.ticket_hold(
        actor=tw.staff,
        ticket=b,
        reason="等张三家(3-2-501)回来",
        until=dt.date.today() + dt.timedelta(days=3),
    )
    verbs = set(
        Notification.objects.filter(recipient=tw.other_resident).values_list("verb", flat=True)
    )
    assert {"ticket.accepted", "ticket.held"} <= verbs
    held = Notification.objects.filter(recipient=tw.other_resident, verb="ticket.held").first()
    assert "3-2-501" not in held.body and "张三" not in held.body
    mine = Notification.objects.filter(recipient=tw.resident, verb="ticket.held").first()
    assert "3-2-501" in mine.body  # who reported it reads the office's words as written


def test_policy_tells_primary_and_joined_apart(tw, merged):
    a, b = merged
    b = Ticket.objects.get(pk=b.pk)
    assert policy.can(tw.other_resident, "ticket.view", b)
    assert not policy.can(tw.other_resident, "ticket.view_details", b)
    assert not policy.can(tw.other_resident, "ticket.withdraw", b)
    assert policy.can(tw.resident, "ticket.withdraw", b)
    assert policy.can(tw.resident, "ticket.view_details", b)
    visible = policy.scope_filter(tw.other_resident, Ticket.objects.all(), "ticket.withdraw")
    assert set(visible.values_list("pk", flat=True)) == {a.pk}  # their own report only
    assert b.pk in set(
        policy.scope_filter(tw.other_resident, Ticket.objects.all(), "ticket.view").values_list(
            "pk", flat=True
        )
    )


def test_outsider_gets_404_on_the_merged_request(as_user, tw, merged):
    a, b = merged
    assert as_user(tw.outsider).get(f"/requests/{b.pk}/").status_code == 404
