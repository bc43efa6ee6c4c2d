"""The agreement: statutory fields, signatures and the effective-date rule (Arts. 28–29)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.core.errors import DomainError
from linli.mediation import services as s
from linli.mediation.models import Agreement, CaseStatus

from .helpers import agreement_data, mediating_case, signed_case

pytestmark = pytest.mark.django_db


def _sign_all(world, case, dates):
    parties = list(case.parties.all())
    s.signature_record(
        actor=world.mediator,
        case=case,
        kind="party",
        party=parties[0],
        signed_on=dates[0],
        method="fingerprint",
    )
    s.signature_record(
        actor=world.mediator, case=case, kind="party", party=parties[1], signed_on=dates[1]
    )
    s.signature_record(
        actor=world.mediator,
        case=case,
        kind="mediator",
        mediator=world.mediator,
        signed_on=dates[2],
    )
    s.signature_record(actor=world.mediator, case=case, kind="seal", signed_on=dates[3])


def _fixed_days_ago(world, case, days):
    a = s.agreement_save(actor=world.mediator, case=case, data=agreement_data())
    s.agreement_fix(actor=world.mediator, case=case)
    Agreement.objects.filter(pk=a.pk).update(fixed_at=timezone.now() - dt.timedelta(days=days))


def test_effective_date_is_the_last_signature(world):
    case = mediating_case(world)
    _fixed_days_ago(world, case, 5)
    today = timezone.localdate()
    _sign_all(world, case, [today - dt.timedelta(days=d) for d in (4, 1, 3, 2)])
    a = s.agreement_make_effective(actor=world.mediator, case=case)
    assert a.effective_on == today - dt.timedelta(days=1)
    assert a.confirm_by == today + dt.timedelta(days=29)
    task = case.tasks.get(kind="confirmation")
    assert task.due_on == a.confirm_by


@pytest.mark.parametrize("leave_out", ["party", "mediator", "seal"])
def test_not_effective_without_every_signature(world, leave_out):
    case = mediating_case(world)
    s.agreement_save(actor=world.mediator, case=case, data=agreement_data())
    s.agreement_fix(actor=world.mediator, case=case)
    today = timezone.localdate()
    parties = list(case.parties.all())
    s.signature_record(
        actor=world.mediator, case=case, kind="party", party=parties[0], signed_on=today
    )
    if leave_out != "party":
        s.signature_record(
            actor=world.mediator, case=case, kind="party", party=parties[1], signed_on=today
        )
    if leave_out != "mediator":
        s.signature_record(
            actor=world.mediator,
            case=case,
            kind="mediator",
            mediator=world.mediator,
            signed_on=today,
        )
    if leave_out != "seal":
        s.signature_record(actor=world.mediator, case=case, kind="seal", signed_on=today)
    with pytest.raises(DomainError, match="Missing") as e:
        s.agreement_make_effective(actor=world.mediator, case=case)
    assert e.value.code == "unsigned"
    case.refresh_from_db()
    assert case.status == CaseStatus.MEDIATING
    assert case.tasks.count() == 0
    assert case.agreements.get().effective_on is None


def test_a_signature_dated_before_the_text_was_fixed_is_refused(world):
    case = mediating_case(world)
    _fixed_days_ago(world, case, 2)
    p = case.parties.first()
    with pytest.raises(DomainError, match="before the agreement text was fixed"):
        s.signature_record(
            actor=world.mediator,
            case=case,
            kind="party",
            party=p,
            signed_on=timezone.localdate() - dt.timedelta(days=3),
        )
    assert not case.agreements.get().signatures.exists()


def test_no_signature_before_the_text_is_fixed(world):
    case = mediating_case(world)
    s.agreement_save(actor=world.mediator, case=case, data=agreement_data())
    with pytest.raises(DomainError, match="Fix"):
        s.signature_record(
            actor=world.mediator, case=case, kind="seal", signed_on=timezone.localdate()
        )


def test_editing_after_a_party_signed_is_refused_and_a_new_version_clears_signatures(world):
    case = mediating_case(world)
    s.agreement_save(actor=world.mediator, case=case, data=agreement_data())
    s.agreement_fix(actor=world.mediator, case=case)
    s.signature_record(
        actor=world.mediator,
        case=case,
        kind="party",
        party=case.parties.first(),
        signed_on=timezone.localdate(),
    )
    with pytest.raises(DomainError, match="new version") as e:
        s.agreement_save(actor=world.mediator, case=case, data=agreement_data(terms="改了"))
    assert e.value.code == "signed"
    old = case.agreements.get()
    assert old.terms != "改了"
    new = s.agreement_new_version(actor=world.mediator, case=case)
    assert new.version == 2 and not new.signatures.exists() and new.fixed_at is None
    s.agreement_save(actor=world.mediator, case=case, data=agreement_data(terms="改了"))
    old.refresh_from_db()
    assert old.superseded_at is not None and old.signatures.count() == 1
    assert case.agreements.count() == 2


def test_a_party_signs_once_and_the_mediator_must_be_on_the_case(world):
    case = signed_case(world)
    with pytest.raises(DomainError):
        s.signature_record(
            actor=world.mediator,
            case=case,
            kind="party",
            party=case.parties.first(),
            signed_on=timezone.localdate(),
        )
    with pytest.raises(DomainError):
        s.signature_record(
            actor=world.mediator, case=case, kind="seal", signed_on=timezone.localdate()
        )


def test_an_oral_agreement_needs_the_mediator_only(world):
    case = mediating_case(world)
    s.agreement_save(actor=world.mediator, case=case, data=agreement_data(form="oral"))
    s.agreement_fix(actor=world.mediator, case=case)
    with pytest.raises(DomainError):
        s.agreement_make_effective(actor=world.mediator, case=case)
    s.signature_record(
        actor=world.mediator,
        case=case,
        kind="mediator",
        mediator=world.mediator,
        signed_on=timezone.localdate(),
    )
    assert s.agreement_make_effective(actor=world.mediator, case=case).effective_on


def test_a_missing_statutory_field_is_refused(world):
    case = mediating_case(world)
    with pytest.raises(DomainError) as e:
        s.agreement_save(actor=world.mediator, case=case, data=agreement_data(terms=""))
    assert e.value.field == "terms"
    assert not case.agreements.exists()


def test_court_confirmation_closes_the_deadline_task(world):
    case = signed_case(world)
    s.agreement_make_effective(actor=world.mediator, case=case)
    s.agreement_court_confirmed(actor=world.mediator, case=case, confirmed_on=timezone.localdate())
    assert case.tasks.get(kind="confirmation").done_on == timezone.localdate()
