"""The case's workflow table, each path, and the refusals of bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from linli.core.errors import Conflict, DomainError
from linli.core.models import Event
from linli.mediation import services as s
from linli.mediation.models import Case, CaseStatus, CaseTask
from tests.factories import grant, make_user

from .helpers import agreement_data, mediating_case, open_case, signed_case

pytestmark = pytest.mark.django_db


def test_a_mediator_opens_a_case_and_is_its_first_mediator(world):
    case = open_case(world)
    assert case.status == CaseStatus.APPLIED
    assert case.number == f"{timezone.localdate().year}-001"
    assert list(case.mediators.values_list("user__username", flat=True)) == ["mediator"]
    assert case.parties.count() == 2
    assert open_case(world).number.endswith("-002")


def test_the_event_of_opening_holds_no_content(world):
    case = open_case(world, facts="张三家漏水")
    e = Event.objects.get(verb="mediation.case.opened", object_id=case.pk)
    assert "张三" not in str(e.data) and "张三" not in e.object_repr


def test_one_sided_dispute_refused_and_nothing_saved(world):
    with pytest.raises(DomainError):
        open_case(world, parties=[s.PartyIn(resident=world.zhang_san, side=1)])
    assert Case.objects.count() == 0


def test_an_outside_party_needs_a_contact(world):
    with pytest.raises(DomainError, match="contact"):
        open_case(
            world,
            parties=[s.PartyIn(resident=world.zhang_san, side=1), s.PartyIn(name="外人", side=2)],
        )
    case = open_case(
        world,
        parties=[
            s.PartyIn(resident=world.zhang_san, side=1),
            s.PartyIn(name="外人", contact="13511112222", side=2),
        ],
    )
    assert case.parties.count() == 2


def test_someone_without_the_role_cannot_open_a_case(world):
    for who in ("resident", "volunteer", "leader", "grid_worker"):
        with pytest.raises(PermissionDenied):
            open_case(world, actor=getattr(world, who))
    with pytest.raises(Http404):
        open_case(world, actor=world.outsider)


def test_accept_start_agree_perform_close(world):
    case = signed_case(world)
    a = s.agreement_make_effective(actor=world.mediator, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED
    assert a.effective_on == timezone.localdate()
    assert a.confirm_by == timezone.localdate() + dt.timedelta(days=30)
    kinds = set(CaseTask.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == {"confirmation", "return_visit"}
    s.visit_record(
        actor=world.mediator, case=case, visited_on=timezone.localdate(), outcome="performed"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.PERFORMED
    s.case_close(actor=world.mediator, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_return_visits_off_makes_no_visit_task(world):
    case = signed_case(world)
    case.committee.return_visits = False
    case.committee.save()
    s.agreement_make_effective(actor=world.mediator, case=case)
    assert list(case.tasks.values_list("kind", flat=True)) == ["confirmation"]


def test_a_breach_reopens_the_case(world):
    case = signed_case(world)
    s.agreement_make_effective(actor=world.mediator, case=case)
    s.visit_record(
        actor=world.mediator, case=case, visited_on=timezone.localdate(), outcome="breached"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.MEDIATING


def test_decline_needs_a_reason_and_routes_told(world):
    case = open_case(world)
    with pytest.raises(DomainError):
        s.case_decline(actor=world.mediator, case=case, reason="", routes_told=True)
    with pytest.raises(DomainError):
        s.case_decline(actor=world.mediator, case=case, reason="已起诉", routes_told=False)
    s.case_decline(actor=world.mediator, case=case, reason="已起诉", routes_told=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.DECLINED and case.routes_told


def test_failure_records_that_routes_were_told(world):
    case = mediating_case(world)
    with pytest.raises(DomainError):
        s.case_fail(actor=world.mediator, case=case, routes_told=False)
    s.case_fail(actor=world.mediator, case=case, routes_told=True, routes_note="可向法院起诉")
    case.refresh_from_db()
    assert case.status == CaseStatus.FAILED
    with pytest.raises(Conflict):
        s.case_start(actor=world.mediator, case=case)


def test_a_partys_refusal_stops_mediation(world):
    case = mediating_case(world)
    s.case_refuse(actor=world.mediator, case=case, note="王五明确拒绝调解")
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUSED
    with pytest.raises(Conflict):
        s.session_record(
            actor=world.mediator,
            case=case,
            held_on=timezone.localdate(),
            place="调解室",
            present="双方",
            statements="…",
        )


def test_escalation_records_when_and_to_whom(world):
    case = mediating_case(world)
    with pytest.raises(DomainError):
        s.case_escalate(actor=world.mediator, case=case, reported_at=timezone.now(), reported_to="")
    s.case_escalate(
        actor=world.mediator, case=case, reported_at=timezone.now(), reported_to="白源派出所 李警官"
    )
    case.refresh_from_db()
    assert case.escalated and case.escalated_to.startswith("白源")


def test_sessions_only_while_mediating_and_not_in_the_future(world):
    case = open_case(world)
    with pytest.raises(Conflict):
        s.session_record(
            actor=world.mediator,
            case=case,
            held_on=timezone.localdate(),
            place="调解室",
            present="双方",
            statements="…",
        )
    s.case_accept(actor=world.mediator, case=case)
    s.case_start(actor=world.mediator, case=case)
    with pytest.raises(DomainError):
        s.session_record(
            actor=world.mediator,
            case=case,
            held_on=timezone.localdate() + dt.timedelta(days=1),
            place="调解室",
            present="双方",
            statements="…",
        )
    s.session_record(
        actor=world.mediator,
        case=case,
        held_on=timezone.localdate(),
        place="调解室",
        present="双方",
        statements="甲说…乙说…",
    )
    assert case.sessions.count() == 1


def test_a_mediator_who_is_a_party_is_refused(world):
    case = open_case(world)
    grant(world.resident, "mediator", world.xincun)  # 张三 is a party
    with pytest.raises(DomainError, match="party"):
        s.mediator_add(actor=world.mediator, case=case, user=world.resident, how="chosen")
    other = make_user("m2")
    grant(other, "mediator", world.xincun)
    s.mediator_add(actor=world.mediator, case=case, user=other, how="chosen")
    assert case.mediators.count() == 2


def test_a_mediator_of_another_community_cannot_be_added(world):
    case = open_case(world)
    nm = make_user("nancun_mediator")
    grant(nm, "mediator", world.nancun)
    with pytest.raises(DomainError):
        s.mediator_add(actor=world.mediator, case=case, user=nm, how="assigned")


def test_others_join_only_with_recorded_consent(world):
    case = mediating_case(world)
    with pytest.raises(DomainError):
        s.helper_add(
            actor=world.mediator,
            case=case,
            name="老邻居",
            kind="neighbour",
            consent_on=timezone.localdate(),
            consent_note="",
        )
    s.helper_add(
        actor=world.mediator,
        case=case,
        name="老邻居",
        kind="neighbour",
        consent_on=timezone.localdate(),
        consent_note="双方口头同意",
    )
    assert case.helpers.count() == 1


def test_staff_cannot_work_on_a_case(world):
    case = open_case(world)
    with pytest.raises(PermissionDenied):
        s.case_accept(actor=world.staff, case=case)


def test_agreement_data_helper_is_complete():
    assert set(agreement_data()) >= {"terms", "performance_by", "performance_place"}
