"""The transition table and the services: every move, who may make it, and what is refused."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from linli.core.models import Event
from linli.tickets import services, workflow
from linli.tickets.models import TRANSITIONS, Status, TicketRequester
from linli.tickets.workflow import InvalidTransition, StaleTicket, TicketError

pytestmark = pytest.mark.django_db


def verbs(t):
    return list(
        Event.objects.filter(object_id=t.pk, verb__startswith="ticket.")
        .order_by("id")
        .values_list("verb", flat=True)
    )


def full_loop(tw, submit, rating="satisfied"):
    t = submit()
    services.ticket_assign(actor=tw.staff, ticket=t, team=tw.repair_team)
    t = services.ticket_claim(actor=tw.handler, ticket=t)
    t = services.ticket_resolve(actor=tw.handler, ticket=t, result="换了阀门")
    t = services.ticket_reply(actor=tw.staff, ticket=t, body="已修好，请查看")
    return services.ticket_rate(actor=tw.resident, ticket=t, rating=rating)


def test_the_whole_loop_closes_with_a_rating(tw, submit):
    t = full_loop(tw, submit)
    assert t.status == Status.CLOSED and t.rating == "satisfied"
    assert t.responded_at and t.resolved_at and t.replied_at and t.closed_at
    assert verbs(t) == [
        "ticket.submitted",
        "ticket.accepted",
        "ticket.assigned",
        "ticket.claimed",
        "ticket.resolved",
        "ticket.replied",
        "ticket.rated",
    ]


def test_unsatisfied_reopens_and_is_counted(tw, submit):
    t = full_loop(tw, submit, rating="unsatisfied")
    assert t.status == Status.ASSIGNED and t.reopen_count == 1
    assert t.assignee_user == tw.handler and t.resolved_at is None


def test_deadlines_come_from_the_category(tw, submit):
    t = submit()
    assert t.respond_by - t.created_at == dt.timedelta(hours=24)
    assert t.resolve_by > t.created_at + dt.timedelta(days=5)
    assert t.assignee_team == tw.repair_team  # the category's default team


def test_every_action_from_a_wrong_state_is_409_naming_the_allowed(tw, submit):
    t = submit()
    with pytest.raises(InvalidTransition) as e:
        services.ticket_reply(actor=tw.staff, ticket=t, body="x")
    assert e.value.status_code == 409
    assert set(e.value.allowed) == {
        a for a, (src, _) in TRANSITIONS.items() if Status.SUBMITTED in src
    }
    assert "accept" in e.value.allowed
    t.refresh_from_db()
    assert t.status == Status.SUBMITTED


def test_a_reply_is_required_before_closing(tw, submit):
    t = submit()
    services.ticket_assign(actor=tw.staff, ticket=t, user=tw.handler)
    t = services.ticket_resolve(actor=tw.handler, ticket=t, result="修好了")
    with pytest.raises(InvalidTransition):
        services.ticket_close(actor=tw.staff, ticket=t)
    with pytest.raises(TicketError):
        services.ticket_reply(actor=tw.staff, ticket=t, body="   ")


@pytest.mark.parametrize(
    "persona", ["resident", "leader", "grid_worker", "volunteer", "supervisor"]
)
def test_only_the_office_assigns(tw, submit, persona):
    t = submit()
    with pytest.raises(PermissionDenied):
        services.ticket_assign(actor=tw.people[persona], ticket=t, user=tw.staff)


def test_outsider_cannot_touch_a_ticket_of_another_community(tw, submit):
    t = submit()
    with pytest.raises(Http404):
        services.ticket_accept(actor=tw.outsider, ticket=t)


def test_only_the_requester_rates(tw, submit):
    t = submit()
    services.ticket_assign(actor=tw.staff, ticket=t, user=tw.handler)
    services.ticket_resolve(actor=tw.handler, ticket=t, result="ok")
    services.ticket_reply(actor=tw.staff, ticket=t, body="ok")
    with pytest.raises(PermissionDenied):
        services.ticket_rate(actor=tw.staff, ticket=t, rating="satisfied")
    with pytest.raises(Http404):
        services.ticket_rate(actor=tw.other_resident, ticket=t, rating="satisfied")


def test_handler_resolves_only_what_is_theirs(tw, submit):
    t = submit()
    services.ticket_assign(actor=tw.staff, ticket=t, user=tw.staff)
    with pytest.raises(PermissionDenied):  # a volunteer in the community, not the handler
        services.ticket_resolve(actor=tw.handler, ticket=t, result="x")


def test_a_stale_page_cannot_overwrite_a_newer_assignment(tw, submit):
    t = submit()
    seen = t.version
    services.ticket_assign(actor=tw.staff, ticket=t, user=tw.handler, expected_version=seen)
    with pytest.raises(StaleTicket):
        services.ticket_assign(actor=tw.secretary, ticket=t, user=tw.staff, expected_version=seen)
    t.refresh_from_db()
    assert t.assignee_user == tw.handler
    assert verbs(t).count("ticket.assigned") == 1


def test_assignee_must_hold_a_role_in_the_community(tw, submit):
    t = submit()
    with pytest.raises(TicketError):
        services.ticket_assign(actor=tw.staff, ticket=t, user=tw.outsider)
    with pytest.raises(TicketError):  # an outside contractor needs a contact
        services.ticket_assign(actor=tw.staff, ticket=t, external_handler="自来水公司")
    t = services.ticket_assign(
        actor=tw.staff, ticket=t, external_handler="自来水公司", external_contact="0799-1234567"
    )
    assert t.assignee_label == "自来水公司"


def test_hold_and_resume_return_to_the_previous_state(tw, submit):
    t = submit()
    services.ticket_assign(actor=tw.staff, ticket=t, user=tw.handler)
    services.ticket_start(actor=tw.handler, ticket=t)
    with pytest.raises(TicketError):
        services.ticket_hold(actor=tw.staff, ticket=t, reason="", until=dt.date(2099, 1, 1))
    t = services.ticket_hold(
        actor=tw.staff, ticket=t, reason="等配件", until=timezone.localdate() + dt.timedelta(days=3)
    )
    assert t.status == Status.ON_HOLD
    t = services.ticket_resume(actor=tw.staff, ticket=t)
    assert t.status == Status.IN_PROGRESS


def test_extension_moves_the_deadline_and_is_recorded(tw, submit):
    t = submit()
    before = t.resolve_by
    with pytest.raises(PermissionDenied):
        services.ticket_extend(actor=tw.leader, ticket=t, days=3, reason="等配件")
    services.ticket_accept(actor=tw.staff, ticket=t)
    t = services.ticket_extend(actor=tw.staff, ticket=t, days=3, reason="等配件")
    assert t.resolve_by > before and t.extension_count == 1
    ev = Event.objects.get(verb="ticket.extended")
    assert ev.data["reason"] == "等配件"


def test_duplicate_grows_the_originals_requester_list(tw, submit):
    original = submit()
    dup = services.ticket_intake(
        actor=tw.staff,
        category=tw.water,
        channel="phone",
        description="楼上漏水",
        requester_name="孙大妈",
        requester_phone="13511112222",
        household=tw.hh_3_2_502,
    )
    services.ticket_mark_duplicate(actor=tw.staff, ticket=dup, original=original)
    dup.refresh_from_db()
    assert dup.status == Status.DUPLICATE and dup.duplicate_of == original
    names = set(TicketRequester.objects.filter(ticket=original).values_list("name", flat=True))
    assert "孙大妈" in names and len(names) == 2
    with pytest.raises(InvalidTransition):  # a duplicate cannot be merged again
        services.ticket_mark_duplicate(actor=tw.staff, ticket=dup, original=original)


def test_referred_and_withdrawn_are_final(tw, submit):
    t = submit()
    t = services.ticket_refer(actor=tw.staff, ticket=t, to="供电公司", reason="属于供电线路")
    assert t.status == Status.REFERRED and not t.is_open
    t2 = submit()
    with pytest.raises(PermissionDenied):
        services.ticket_withdraw(actor=tw.staff, ticket=t2)
    t2 = services.ticket_withdraw(actor=tw.resident, ticket=t2, reason="自己修好了")
    assert t2.status == Status.WITHDRAWN


def test_revisit_records_a_phone_requesters_rating(tw):
    t = services.ticket_intake(
        actor=tw.leader,
        category=tw.water,
        channel="leader",
        description="3号楼2单元楼道积水",
        requester_name="王大爷",
        building=tw.b3,
    )
    services.ticket_assign(actor=tw.staff, ticket=t, user=tw.handler)
    services.ticket_resolve(actor=tw.handler, ticket=t, result="疏通了")
    services.ticket_reply(actor=tw.staff, ticket=t, body="已疏通")
    t = services.ticket_revisit(actor=tw.staff, ticket=t, rating="basic", comment="电话回访")
    assert t.status == Status.CLOSED and t.rated_by_revisit


def test_emergency_is_never_left_in_a_queue(tw, submit):
    t = submit(emergency=True, description="燃气味很重")
    assert t.status == Status.ACCEPTED and t.responded_at is not None
    assert verbs(t)[:2] == ["ticket.submitted", "ticket.accepted"]


def test_allowed_actions_match_the_table():
    for status in Status.values:
        for action in workflow.allowed_actions(status):
            assert status in TRANSITIONS[action][0]
