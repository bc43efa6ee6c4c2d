"""Every write of mediation: ``noun_verb(*, actor, …)``. Each checks the policy, lets the case's
workflow (``models.CASE_FLOW``) decide whether the step is possible now, saves in one
transaction and records an event. Event data never holds a party's name or the case's content;
notifications carry the case number only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import policy
from linli.core.actors import Actor, user_or_none
from linli.core.errors import DomainError
from linli.core.events import log_event
from linli.core.roles import Role
from linli.registry.models import Community, Resident

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


from .models import (
    CASE_FLOW,
    CONFIRM_WITHIN_DAYS,
    RETURN_VISIT_AFTER_DAYS,
    TERM_YEARS,
    Agreement,
    AgreementForm,
    Case,
    CaseHelper,
    CaseMediator,
    CaseTask,
    Committee,
    CommitteeMember,
    Gender,
    MemberKind,
    Party,
    ReturnVisit,
    Session,
    Signature,
    SignatureKind,
    TaskKind,
    VisitOutcome,
    add_months,
)


class MediationError(DomainError):
    code = "mediation"


# --- the committee ---------------------------------------------------------------------------


def committee_for(community: Community) -> Committee:
    committee, _created = Committee.objects.get_or_create(
        community=community,
        defaults={"name": f"{community.name}人民调解委员会", "room_name": ""},
    )
    return committee


def committee_member_add(
    *,
    actor: Actor,
    committee: Committee,
    name: str,
    gender: str,
    term_start: dt.date,
    kind: str = MemberKind.MEMBER,
    is_head: bool = False,
    user: Any = None,
) -> CommitteeMember:
    policy.authorize(actor, "mediation.committee.manage", committee)
    with transaction.atomic():
        if is_head:
            CommitteeMember.objects.filter(committee=committee, is_head=True).update(is_head=False)
        m = CommitteeMember.objects.create(
            community=committee.community,
            committee=committee,
            user=user,
            name=name,
            gender=gender,
            kind=kind,
            is_head=is_head,
            term_start=term_start,
            term_end=add_months(term_start, 12 * TERM_YEARS),
        )
        log_event(actor=actor, verb="mediation.committee.member_added", obj=committee)
    return m


def committee_settings(*, actor: Actor, committee: Committee, return_visits: bool) -> Committee:
    """Whether the committee pays return visits after an agreement (default on)."""
    policy.authorize(actor, "mediation.committee.manage", committee)
    committee.return_visits = return_visits
    committee.save(update_fields=["return_visits"])
    log_event(
        actor=actor,
        verb="mediation.committee.settings",
        obj=committee,
        data={"return_visits": return_visits},
    )
    return committee


def committee_warnings(committee: Committee, on: dt.date | None = None) -> list[str]:
    """Arts. 8–9: 3–9 members serving, women among them; a head."""
    on = on or timezone.localdate()
    serving = [
        m for m in committee.members.filter(kind=MemberKind.MEMBER, active=True) if m.serving_on(on)
    ]
    out: list[str] = []
    if not 3 <= len(serving) <= 9:
        out.append(
            str(_("The committee has %(n)d serving members; the law asks for 3 to 9."))
            % {"n": len(serving)}
        )
    if not any(m.gender == Gender.FEMALE for m in serving):
        out.append(str(_("No woman serves on the committee; the law asks for women members.")))
    if not any(m.is_head for m in serving):
        out.append(str(_("The committee has no head serving.")))
    return out


# --- opening a case --------------------------------------------------------------------------


@dataclass
class PartyIn:
    name: str = ""
    resident: Resident | None = None
    contact: str = ""
    address: str = ""
    representative: str = ""
    side: int = 1


def _next_number(community: Community, year: int) -> str:
    prefix = f"{year}-"
    last = (
        Case.objects.filter(community=community, number__startswith=prefix)
        .order_by()
        .aggregate(m=Max("number"))["m"]
    )
    n = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}{n:03d}"


def case_open(
    *,
    actor: Actor,
    community: Community,
    dispute_type: str,
    facts: str,
    parties: Sequence[PartyIn],
    amount: Decimal | None = None,
    private: bool = False,
    source: str = "application",
    ticket: Any = None,
    applied_on: dt.date | None = None,
) -> Case:
    """Register an application, or a case the committee takes up on its own initiative. A
    mediator who opens it is its first mediator (so they can go on with it)."""
    policy.authorize(actor, "mediation.case.open", community)
    if not actor.is_authenticated:
        raise MediationError(_("Please log in."), status=403)
    sides = {p.side for p in parties if p.name or p.resident}
    if len(sides) < 2:
        raise MediationError(_("A dispute needs parties on at least two sides."), field="parties")
    for p in parties:
        if p.resident is not None and p.resident.community_id != community.pk:
            raise MediationError(_("That resident does not live in this community."))
        if p.resident is None and not p.contact and p.name:
            raise MediationError(
                _("A party from outside the community needs a contact (phone or address)."),
                field="parties",
            )
    applied_on = applied_on or timezone.localdate()
    if applied_on > timezone.localdate():
        raise MediationError(_("The application date cannot be in the future."), field="applied_on")
    committee = committee_for(community)
    with transaction.atomic():
        Committee.objects.select_for_update().filter(pk=committee.pk).get()  # one number each
        case = Case.objects.create(
            community=community,
            committee=committee,
            number=_next_number(community, applied_on.year),
            dispute_type=dispute_type,
            facts=facts,
            amount=amount,
            private=private,
            source=source,
            ticket=ticket,
            applied_on=applied_on,
            created_by=user_or_none(actor),
        )
        for i, p in enumerate(pp for pp in parties if pp.name or pp.resident):
            user = getattr(p.resident, "user", None) if p.resident else None
            Party.objects.create(
                case=case,
                resident=p.resident,
                user=user,
                name=p.name or (p.resident.name if p.resident else ""),
                contact=p.contact,
                address=p.address or (p.resident.household.label if p.resident else ""),
                representative=p.representative,
                side=p.side,
                position=i,
            )
        if policy.holds_role_in(actor, {Role.MEDIATOR}, community):
            try:
                _refuse_party_as_mediator(case, actor)
            except MediationError:
                pass  # a mediator registering their own dispute does not mediate it
            else:
                CaseMediator.objects.create(case=case, user=actor, how="assigned")
        log_event(
            actor=actor,
            verb="mediation.case.opened",
            obj=case,
            data={"source": source, "type": dispute_type},
        )
    return case


# --- steps of the workflow -------------------------------------------------------------------


def _work(actor: Actor, case: Case, action: str = "mediation.case.work") -> None:
    policy.authorize(actor, action, case)


def _told_routes(routes_told: bool, refusal: StrOrPromise) -> None:
    """A case that ends without mediation or without agreement: the parties must have been
    told their other legal routes (Art. 26), and the form say so."""
    if not routes_told:
        raise MediationError(refusal, field="routes_told")


def case_accept(*, actor: Actor, case: Case, expected_version: int | None = None) -> Case:
    _work(actor, case)
    case.accepted_on = timezone.localdate()
    CASE_FLOW.apply(
        case, "accept", actor=actor, fields=["accepted_on"], expected_version=expected_version
    )
    return case


def case_decline(
    *, actor: Actor, case: Case, reason: str, routes_told: bool, routes_note: str = ""
) -> Case:
    _work(actor, case)
    if not reason.strip():
        raise MediationError(_("Say why the case is declined."), field="reason")
    _told_routes(
        routes_told,
        _(
            "Tell the parties which other routes they have (court, arbitration, the "
            "authorities) and tick that they were told."
        ),
    )
    case.decline_reason, case.routes_told, case.routes_note = reason, True, routes_note
    case.ended_on = timezone.localdate()
    CASE_FLOW.apply(
        case,
        "decline",
        actor=actor,
        fields=["decline_reason", "routes_told", "routes_note", "ended_on"],
    )
    return case


def case_start(*, actor: Actor, case: Case) -> Case:
    _work(actor, case)
    CASE_FLOW.apply(case, "start", actor=actor)
    return case


def case_refuse(*, actor: Actor, case: Case, note: str) -> Case:
    """Art. 17: a party clearly refuses; mediation does not go on."""
    _work(actor, case)
    if not note.strip():
        raise MediationError(_("Record who refused and how."), field="note")
    case.refusal_note, case.ended_on = note, timezone.localdate()
    CASE_FLOW.apply(case, "refuse", actor=actor, fields=["refusal_note", "ended_on"])
    return case


def case_fail(*, actor: Actor, case: Case, routes_told: bool, routes_note: str = "") -> Case:
    """Art. 26: mediation failed; end it and tell the parties their other legal routes."""
    _work(actor, case)
    _told_routes(
        routes_told,
        _(
            "Tell the parties their other legal routes before ending the mediation, and "
            "tick that they were told."
        ),
    )
    case.routes_told, case.routes_note, case.ended_on = True, routes_note, timezone.localdate()
    CASE_FLOW.apply(case, "fail", actor=actor, fields=["routes_told", "routes_note", "ended_on"])
    return case


def case_close(*, actor: Actor, case: Case) -> Case:
    _work(actor, case)
    if case.ended_on is None:
        case.ended_on = timezone.localdate()
    CASE_FLOW.apply(case, "close", actor=actor, fields=["ended_on"])
    return case


def case_escalate(
    *, actor: Actor, case: Case, reported_at: dt.datetime, reported_to: str, note: str = ""
) -> Case:
    """Art. 25: reported to the police, with when and to whom."""
    _work(actor, case)
    if not reported_to.strip():
        raise MediationError(_("Say to whom it was reported."), field="reported_to")
    if reported_at > timezone.now():
        raise MediationError(_("The report cannot be in the future."), field="reported_at")
    case.escalated, case.escalated_at = True, reported_at
    case.escalated_to, case.escalation_note = reported_to, note
    CASE_FLOW.apply(
        case,
        "escalate",
        actor=actor,
        fields=["escalated", "escalated_at", "escalated_to", "escalation_note"],
    )
    return case


# --- people on a case ------------------------------------------------------------------------


def _refuse_party_as_mediator(case: Case, user: Any) -> None:
    resident_id = getattr(user, "resident_id", None)
    for p in case.parties.all():
        if p.user_id == user.pk or (resident_id and p.resident_id == resident_id):
            raise MediationError(_("A party to the dispute cannot mediate it."), field="mediator")


def mediator_add(*, actor: Actor, case: Case, user: Any, how: str) -> CaseMediator:
    """Art. 19: assigned by the committee or chosen by the parties; a mediator of this
    community who is not a party."""
    _work(actor, case)
    if not user.memberships.filter(
        role=Role.MEDIATOR, community_id=case.community_id, active=True
    ).exists():
        raise MediationError(_("Only a mediator of this community can mediate."), field="mediator")
    _refuse_party_as_mediator(case, user)
    if case.mediators.filter(user=user).exists():
        raise MediationError(_("This mediator is already on the case."), field="mediator")
    with transaction.atomic():
        CASE_FLOW.apply(case, "add_mediator", actor=actor, data={"how": how})
        return CaseMediator.objects.create(case=case, user=user, how=how)


def helper_add(
    *, actor: Actor, case: Case, name: str, kind: str, consent_on: dt.date, consent_note: str
) -> CaseHelper:
    """Art. 20: relatives, neighbours or experts join only with the parties' consent."""
    _work(actor, case)
    if not consent_note.strip():
        raise MediationError(
            _("Record how the parties consented; without their consent no one else joins."),
            field="consent_note",
        )
    if consent_on > timezone.localdate():
        raise MediationError(_("The consent cannot be dated in the future."), field="consent_on")
    with transaction.atomic():
        CASE_FLOW.apply(case, "add_helper", actor=actor, data={"kind": kind})
        return CaseHelper.objects.create(
            case=case,
            name=name,
            kind=kind,
            consent_on=consent_on,
            consent_note=consent_note,
            recorded_by=user_or_none(actor),
        )


# --- sessions --------------------------------------------------------------------------------


def session_record(
    *,
    actor: Actor,
    case: Case,
    held_on: dt.date,
    place: str,
    present: str,
    statements: str,
    proposals: str = "",
) -> Session:
    _work(actor, case)
    if held_on > timezone.localdate():
        raise MediationError(_("A session cannot be recorded before it is held."), field="held_on")
    if held_on < case.applied_on:
        raise MediationError(_("A session cannot be held before the application."), field="held_on")
    with transaction.atomic():
        CASE_FLOW.apply(case, "record_session", actor=actor)
        return Session.objects.create(
            case=case,
            held_on=held_on,
            place=place,
            present=present,
            statements=statements,
            proposals=proposals,
            recorded_by=user_or_none(actor),
        )


# --- the agreement ---------------------------------------------------------------------------


def current_agreement(case: Case) -> Agreement | None:
    return case.agreements.filter(superseded_at__isnull=True).first()


def agreement_save(*, actor: Actor, case: Case, data: dict[str, Any]) -> Agreement:
    """Write the current version's text (a new one if none). Once anyone has signed, the
    text is refused: start a new version. Saving unfixes the text: fix it again to sign."""
    _work(actor, case)
    with transaction.atomic():
        CASE_FLOW.apply(case, "edit_agreement", actor=actor)
        current = current_agreement(case)
        if current is not None and current.signatures.exists():
            raise MediationError(
                _(
                    "Someone has already signed this agreement, so its text cannot change. "
                    "Start a new version: the signatures are cleared and this version is kept."
                ),
                code="signed",
            )
        if current is None:
            current = Agreement(case=case, version=1, created_by=user_or_none(actor))
        for f in Agreement.TEXT_FIELDS:
            if f in data:
                setattr(current, f, data[f])
        current.fixed_at = None
        try:
            current.full_clean(exclude=["case", "created_by"])
        except ValidationError as e:
            field, msgs = next(iter(e.message_dict.items()))
            raise MediationError(
                _("%(field)s: %(message)s")
                % {
                    "field": getattr(Agreement._meta.get_field(field), "verbose_name", field),
                    "message": msgs[0],
                },
                field=field,
            ) from None
        current.save()
        _agreement_event(actor, case, "saved", current)
    return current


def _written(actor: Actor, case: Case) -> Agreement:
    """The current agreement, for a step that edits it (the case locked and checked)."""
    CASE_FLOW.apply(case, "edit_agreement", actor=actor)
    current = current_agreement(case)
    if current is None:
        raise MediationError(_("Write the agreement first."))
    return current


def _agreement_event(
    actor: Actor, case: Case, verb: str, agreement: Agreement, **data: Any
) -> None:
    """``mediation.agreement.<verb>`` on the case, naming the version (never its text)."""
    log_event(
        actor=actor,
        verb=f"mediation.agreement.{verb}",
        obj=case,
        data={"version": agreement.version, **data},
    )


def agreement_fix(*, actor: Actor, case: Case) -> Agreement:
    """Fix the text for signing: signatures must be dated on or after this day."""
    _work(actor, case)
    with transaction.atomic():
        current = _written(actor, case)
        if current.fixed_at is None:
            current.fixed_at = timezone.now()
            current.save(update_fields=["fixed_at"])
        _agreement_event(actor, case, "fixed", current)
    return current


def agreement_new_version(*, actor: Actor, case: Case) -> Agreement:
    _work(actor, case)
    with transaction.atomic():
        old = _written(actor, case)
        old.superseded_at = timezone.now()
        old.save(update_fields=["superseded_at"])
        new = Agreement(case=case, version=old.version + 1, created_by=user_or_none(actor))
        for f in Agreement.TEXT_FIELDS:
            setattr(new, f, getattr(old, f))
        new.save()
        _agreement_event(actor, case, "new_version", new, previous=old.version)
    return new


def signature_record(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    signed_on: dt.date,
    method: str = "signed",
    party: Party | None = None,
    mediator: Any = None,
) -> Signature:
    """A signature, seal or fingerprint as it was put on the paper, with its date."""
    _work(actor, case)
    with transaction.atomic():
        CASE_FLOW.apply(case, "sign", actor=actor, data={"kind": kind})
        agreement = current_agreement(case)
        if agreement is None or agreement.fixed_at is None:
            raise MediationError(_("Fix the agreement text before anyone signs it."))
        fixed_on = timezone.localdate(agreement.fixed_at)
        if signed_on < fixed_on:
            raise MediationError(
                _("A signature cannot be dated before the agreement text was fixed (%(day)s).")
                % {"day": fixed_on.isoformat()},
                field="signed_on",
            )
        if signed_on > timezone.localdate():
            raise MediationError(_("A signature cannot be dated in the future."), field="signed_on")
        sig = Signature(
            agreement=agreement,
            kind=kind,
            method=method,
            signed_on=signed_on,
            recorded_by=user_or_none(actor),
        )
        if kind == SignatureKind.PARTY:
            if party is None or party.case_id != case.pk:
                raise MediationError(_("Choose the party who signed."), field="party")
            if agreement.signatures.filter(kind=kind, party=party).exists():
                raise MediationError(_("This party's signature is already recorded."))
            sig.party = party
        elif kind == SignatureKind.MEDIATOR:
            if mediator is None or not case.mediators.filter(user=mediator).exists():
                raise MediationError(
                    _("The signing mediator must be a mediator of this case."), field="mediator"
                )
            if agreement.signatures.filter(kind=kind).exists():
                raise MediationError(_("The mediator's signature is already recorded."))
            sig.mediator, sig.method = mediator, "signed"
        elif kind == SignatureKind.SEAL:
            if agreement.signatures.filter(kind=kind).exists():
                raise MediationError(_("The committee's seal is already recorded."))
            sig.method = "sealed"
        else:
            raise MediationError(_("Unknown kind of signature."), field="kind")
        sig.save()
        _agreement_event(actor, case, "signed", agreement, kind=kind, on=signed_on.isoformat())
    return sig


def missing_signatures(agreement: Agreement) -> list[str]:
    sigs = list(agreement.signatures.all())
    out: list[str] = []
    if agreement.form == AgreementForm.WRITTEN:
        signed = {s.party_id for s in sigs if s.kind == SignatureKind.PARTY}
        for p in agreement.case.parties.all():
            if p.pk not in signed:
                out.append(
                    str(_("the signature, seal or fingerprint of %(name)s")) % {"name": p.name}
                )
    if not any(s.kind == SignatureKind.MEDIATOR for s in sigs):
        out.append(str(_("the mediator's signature")))
    if agreement.form == AgreementForm.WRITTEN and not any(
        s.kind == SignatureKind.SEAL for s in sigs
    ):
        out.append(str(_("the committee's seal")))
    return out


def agreement_make_effective(*, actor: Actor, case: Case) -> Agreement:
    """Art. 29: effective once every party, the mediator and the committee's seal are on it;
    the effective date is the last of their dates. An oral agreement (Art. 28) takes effect
    when the mediator has recorded and signed its content. Then the dated tasks start: the
    judicial-confirmation deadline (Art. 33) and, if the committee does them, a return visit."""
    _work(actor, case)
    with transaction.atomic():
        agreement = current_agreement(case)
        if agreement is None or agreement.fixed_at is None:
            raise MediationError(_("Write and fix the agreement first."))
        missing = missing_signatures(agreement)
        if missing:
            raise MediationError(
                _("The agreement cannot take effect yet. Missing: %(missing)s.")
                % {"missing": "; ".join(missing)},
                code="unsigned",
            )
        last = agreement.signatures.aggregate(m=Max("signed_on"))["m"]
        agreement.effective_on = last
        agreement.save(update_fields=["effective_on"])
        CASE_FLOW.apply(
            case, "agree", actor=actor, data={"version": agreement.version, "on": last.isoformat()}
        )
        tasks = [
            CaseTask(
                case=case,
                kind=TaskKind.CONFIRMATION,
                due_on=last + dt.timedelta(days=CONFIRM_WITHIN_DAYS),
            )
        ]
        if case.committee.return_visits:
            tasks.append(
                CaseTask(
                    case=case,
                    kind=TaskKind.RETURN_VISIT,
                    due_on=last + dt.timedelta(days=RETURN_VISIT_AFTER_DAYS),
                )
            )
        CaseTask.objects.bulk_create(tasks)
    return agreement


def agreement_court_confirmed(*, actor: Actor, case: Case, confirmed_on: dt.date) -> Agreement:
    _work(actor, case)
    with transaction.atomic():
        CASE_FLOW.apply(case, "confirm_court", actor=actor)
        agreement = case.agreements.filter(effective_on__isnull=False).order_by("-version").first()
        if agreement is None or agreement.effective_on is None:
            raise MediationError(_("No agreement of this case is in effect."))
        if confirmed_on < agreement.effective_on or confirmed_on > timezone.localdate():
            raise MediationError(
                _("The confirmation date must lie between the effective date and today."),
                field="confirmed_on",
            )
        agreement.court_confirmed_on = confirmed_on
        agreement.save(update_fields=["court_confirmed_on"])
        case.tasks.filter(kind=TaskKind.CONFIRMATION, done_on__isnull=True).update(
            done_on=confirmed_on
        )
    return agreement


def visit_record(
    *, actor: Actor, case: Case, visited_on: dt.date, outcome: str, note: str = ""
) -> ReturnVisit:
    """Art. 31: a return visit. Performed in full → the case is performed; a breach reopens
    it for follow-up."""
    _work(actor, case)
    if visited_on > timezone.localdate():
        raise MediationError(_("A visit cannot be recorded before it happens."), field="visited_on")
    with transaction.atomic():
        CASE_FLOW.apply(case, "visit", actor=actor, data={"outcome": outcome})
        visit = ReturnVisit.objects.create(
            case=case,
            visited_on=visited_on,
            outcome=outcome,
            note=note,
            recorded_by=user_or_none(actor),
        )
        case.tasks.filter(kind=TaskKind.RETURN_VISIT, done_on__isnull=True).update(
            done_on=visited_on
        )
        if outcome == VisitOutcome.PERFORMED and CASE_FLOW.can(case, "perform"):
            CASE_FLOW.apply(case, "perform", actor=actor)
        elif outcome == VisitOutcome.BREACHED:
            CASE_FLOW.apply(case, "breach", actor=actor)
    return visit
