"""People's mediation (民事民管, People's Mediation Law 2010): the committee, its cases as one
workflow, the sessions' records, the agreement with its signatures, and the dated tasks that
follow an agreement (judicial confirmation, return visits).

Content (facts, statements, agreement text) is read only by the case's mediators, the
committee head and the secretary; everyone else who may see a case sees its number and status
(``mediation/roles.py``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.models import CommunityScoped, by_user
from linli.core.text import FreeTextField, NameField
from linli.core.workflow import Transition, Workflow

TERM_YEARS = 3  # Art. 9
MIN_MEMBERS, MAX_MEMBERS = 3, 9  # Art. 8
SETTLE_WITHIN_MONTHS = 1  # Ministry of Justice rules (2002) Art. 33
CONFIRM_WITHIN_DAYS = 30  # Art. 33: judicial confirmation, calendar days
RETURN_VISIT_AFTER_DAYS = 15


class Committee(CommunityScoped):
    """The people's mediation committee of a community (one per community)."""

    name = models.CharField(_("name"), max_length=100)
    room_name = models.CharField(_("mediation room"), max_length=100, blank=True)
    # Return visits after an agreement: regional rules, unconfirmed nationally — default on.
    return_visits = models.BooleanField(_("return visits after an agreement"), default=True)

    class Meta:
        verbose_name = _("mediation committee")
        constraints = [
            models.UniqueConstraint(fields=["community"], name="mediation_one_committee"),
        ]

    def __str__(self) -> str:
        return str(self.name)


class MemberKind(models.TextChoices):
    MEMBER = "member", _("Committee member")
    HELPER = "helper", _("Residents' affairs council (invited helper)")


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class CommitteeMember(CommunityScoped):
    """A committee member for a 3-year term, or an invited helper of the residents' affairs
    council. ``is_head``: the committee head is a property of the membership (a term of
    office on this committee), not a role held at a place, so it is a field here; the head
    reads every case of the committee (``Case.SCOPE_SELF_PATHS["head"]``)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = NameField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    kind = models.CharField(
        _("kind"), max_length=8, choices=MemberKind.choices, default=MemberKind.MEMBER
    )
    is_head = models.BooleanField(_("committee head"), default=False)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("committee member")
        ordering = ["-is_head", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gt=models.F("term_start")), name="mediation_term_order"
            ),
            models.UniqueConstraint(
                fields=["committee"],
                condition=Q(is_head=True, active=True),
                name="mediation_one_head",
            ),
        ]

    def __str__(self) -> str:
        return str(self.name)

    def serving_on(self, day: dt.date) -> bool:
        return self.active and self.term_start <= day <= self.term_end


class DisputeType(models.TextChoices):
    NEIGHBOURS = "neighbours", _("Between neighbours")
    FAMILY = "family", _("Family")
    PROPERTY = "property", _("Property management")
    WATER_LEAK = "water_leak", _("Water leak")
    NOISE = "noise", _("Noise")
    PARKING = "parking", _("Parking")
    DEBT = "debt", _("Debt")
    OTHER = "other", _("Other")


class CaseSource(models.TextChoices):
    APPLICATION = "application", _("A party applied")
    REQUEST = "request", _("From a residents' request")
    PATROL = "patrol", _("From a patrol finding")
    GRID = "grid", _("From a grid worker's report")
    INITIATIVE = "initiative", _("On the committee's own initiative")


class CaseStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    MEDIATING = "mediating", _("Being mediated")
    REFUSED = "refused", _("Stopped: a party refused")
    AGREED = "agreed", _("Agreement reached")
    FAILED = "failed", _("Ended without agreement")
    PERFORMED = "performed", _("Agreement performed")
    CLOSED = "closed", _("Closed")


S = CaseStatus
CASE_FLOW = Workflow(
    "mediation_case",
    [
        Transition("accept", {S.APPLIED}, S.ACCEPTED, "mediation.case.accepted", _("Accept")),
        Transition("decline", {S.APPLIED}, S.DECLINED, "mediation.case.declined", _("Decline")),
        Transition(
            "start", {S.ACCEPTED}, S.MEDIATING, "mediation.case.started", _("Start mediating")
        ),
        # Art. 17: a party's clear refusal stops it, at any point before an agreement.
        Transition(
            "refuse",
            {S.APPLIED, S.ACCEPTED, S.MEDIATING},
            S.REFUSED,
            "mediation.case.refused",
            _("A party refuses mediation"),
        ),
        # Applied by the agreement service when the agreement takes effect.
        Transition("agree", {S.MEDIATING}, S.AGREED, "mediation.case.agreed", _("Agreement")),
        Transition(
            "fail", {S.MEDIATING}, S.FAILED, "mediation.case.failed", _("End without agreement")
        ),
        Transition("perform", {S.AGREED}, S.PERFORMED, "mediation.case.performed", _("Performed")),
        # Art. 31: a breach found on a return visit reopens the case for follow-up.
        Transition(
            "breach",
            {S.AGREED, S.PERFORMED},
            S.MEDIATING,
            "mediation.case.reopened",
            _("Reopen after a breach"),
        ),
        # Steps that keep the status (``target`` None): allowed only where they make sense.
        Transition(
            "add_mediator",
            {S.APPLIED, S.ACCEPTED, S.MEDIATING},
            None,
            "mediation.mediator.added",
            _("Add a mediator"),
        ),
        Transition(
            "add_helper",
            {S.ACCEPTED, S.MEDIATING},
            None,
            "mediation.helper.added",
            _("Add someone with the parties' consent"),
        ),
        Transition(
            "record_session",
            {S.MEDIATING},
            None,
            "mediation.session.recorded",
            _("Record a session"),
        ),
        Transition(
            "escalate",
            {S.APPLIED, S.ACCEPTED, S.MEDIATING, S.AGREED},
            None,
            "mediation.case.escalated",
            _("Report to the police"),
        ),
        Transition(
            "edit_agreement",
            {S.MEDIATING},
            None,
            "mediation.agreement.edited",
            _("Edit the agreement"),
        ),
        Transition(
            "sign", {S.MEDIATING}, None, "mediation.agreement.sign", _("Record a signature")
        ),
        Transition(
            "visit",
            {S.AGREED, S.PERFORMED},
            None,
            "mediation.visit.recorded",
            _("Record a return visit"),
        ),
        Transition(
            "confirm_court",
            {S.AGREED, S.PERFORMED},
            None,
            "mediation.agreement.court_confirmed",
            _("Record judicial confirmation"),
        ),
        Transition(
            "close",
            {S.DECLINED, S.REFUSED, S.FAILED, S.PERFORMED, S.AGREED},
            S.CLOSED,
            "mediation.case.closed",
            _("Close"),
        ),
    ],
    noun=_("This case"),
)
OPEN_STATES = frozenset({S.APPLIED, S.ACCEPTED, S.MEDIATING})


class Case(CommunityScoped):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="cases")
    number = models.CharField(_("case number"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.APPLIED
    )
    source = models.CharField(
        _("how it started"), max_length=12, choices=CaseSource.choices, default="application"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispute_type = models.CharField(_("dispute type"), max_length=12, choices=DisputeType.choices)
    facts = FreeTextField(_("the facts as told"), max_length=4000)
    amount = models.DecimalField(
        _("amount in dispute (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    private = models.BooleanField(_("private mediation"), default=False)  # Art. 23
    applied_on = models.DateField(_("applied on"), default=timezone.localdate)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # Arts. 26 and declining: the parties were told the other legal routes (court, arbitration…).
    routes_told = models.BooleanField(_("other legal routes told"), default=False)
    routes_note = models.CharField(_("routes told"), max_length=500, blank=True)
    refusal_note = models.CharField(_("who refused and how"), max_length=500, blank=True)
    # Art. 25: a dispute that may become a public-order or criminal case is reported.
    escalated = models.BooleanField(_("reported to the police"), default=False)
    escalated_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    escalated_to = models.CharField(_("reported to"), max_length=200, blank=True)
    escalation_note = models.CharField(_("why"), max_length=500, blank=True)
    created_by = by_user()
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    SCOPE_SELF_PATHS = {
        "mediator": "mediators__user_id",
        "party": "parties__user_id",
        "head": (
            "committee__members__user_id",
            {"committee__members__is_head": True, "committee__members__active": True},
        ),
    }

    class Meta:
        verbose_name = _("mediation case")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="mediation_case_number"),
        ]
        indexes = [
            models.Index(fields=["community", "status", "applied_on"]),
            models.Index(fields=["community", "accepted_on"]),
        ]

    def __str__(self) -> str:
        return str(self.number)

    @property
    def log_repr(self) -> str:  # the event log names the case, never its content
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def settle_by(self) -> dt.date | None:
        if self.accepted_on is None:
            return None
        return add_months(self.accepted_on, SETTLE_WITHIN_MONTHS)


def add_months(day: dt.date, months: int) -> dt.date:
    import calendar

    m = day.month - 1 + months
    y, m = day.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


class Party(models.Model):
    """One side of the dispute: a registered resident, or someone from outside with a
    contact. ``user``: their account, so they see their own case (``self:party``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = by_user(blank=True)
    name = NameField(_("name"), max_length=50)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    representative = models.CharField(_("representative"), max_length=100, blank=True)
    side = models.PositiveSmallIntegerField(_("side"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    PERSONAL_FIELDS = frozenset({"name", "contact", "address", "representative"})

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return str(self.name)


class MediatorChoice(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned by the committee")
    CHOSEN = "chosen", _("Chosen by the parties")


class CaseMediator(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    how = models.CharField(_("how"), max_length=8, choices=MediatorChoice.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="mediation_one_mediator_row")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.user_id}"


class HelperKind(models.TextChoices):
    RELATIVE = "relative", _("Relative")
    NEIGHBOUR = "neighbour", _("Neighbour")
    EXPERT = "expert", _("Expert")
    COUNCIL = "council", _("Residents' affairs council")
    OTHER = "other", _("Other")


class CaseHelper(models.Model):
    """Someone else who joins the mediation (Art. 20): only with the parties' recorded
    consent."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="helpers")
    name = NameField(_("name"), max_length=50)
    kind = models.CharField(_("who they are"), max_length=10, choices=HelperKind.choices)
    consent_on = models.DateField(_("parties consented on"))
    consent_note = models.CharField(_("how the parties consented"), max_length=300)
    recorded_by = by_user()

    def __str__(self) -> str:
        return str(self.name)


class Session(models.Model):
    """One mediation session's record (Art. 27)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    present = FreeTextField(_("who was present"), max_length=1000)
    statements = FreeTextField(_("what each side said"), max_length=6000)
    proposals = FreeTextField(_("what was proposed"), max_length=3000, blank=True)
    recorded_by = by_user()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_on}"


class AgreementForm(models.TextChoices):
    WRITTEN = "written", _("Written")
    ORAL = "oral", _("Oral (the mediator records its content)")


class Agreement(models.Model):
    """One version of a case's agreement (Arts. 28–29). The text is fixed before anyone
    signs; once a party has signed it cannot be edited — a new version starts with no
    signatures and this one is kept (``superseded_at``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveSmallIntegerField(default=1)
    form = models.CharField(
        _("form"), max_length=8, choices=AgreementForm.choices, default=AgreementForm.WRITTEN
    )
    parties_details = FreeTextField(_("the parties' basic details"), max_length=2000)
    facts = FreeTextField(_("main facts"), max_length=4000)
    disputed_points = FreeTextField(_("disputed points"), max_length=2000)
    responsibilities = FreeTextField(_("each side's responsibility"), max_length=2000)
    terms = FreeTextField(_("agreed terms"), max_length=4000)
    performance_method = models.CharField(_("how it is performed"), max_length=500)
    performance_by = models.DateField(_("performed by"))
    performance_place = models.CharField(_("where it is performed"), max_length=200)
    fixed_at = models.DateTimeField(_("text fixed at"), null=True, blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    court_confirmed_on = models.DateField(_("confirmed by the court on"), null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = by_user()

    TEXT_FIELDS = (
        "form",
        "parties_details",
        "facts",
        "disputed_points",
        "responsibilities",
        "terms",
        "performance_method",
        "performance_by",
        "performance_place",
    )

    class Meta:
        ordering = ["case", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="mediation_agreement_version"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(superseded_at__isnull=True),
                name="mediation_one_current_agreement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.version}"

    @property
    def confirm_by(self) -> dt.date | None:
        """The last day to apply for judicial confirmation (Art. 33: 30 calendar days)."""
        if self.effective_on is None:
            return None
        return self.effective_on + dt.timedelta(days=CONFIRM_WITHIN_DAYS)


class SignatureKind(models.TextChoices):
    PARTY = "party", _("Party")
    MEDIATOR = "mediator", _("Mediator")
    SEAL = "seal", _("Committee seal")


class SignMethod(models.TextChoices):
    SIGNED = "signed", _("Signed")
    SEALED = "sealed", _("Sealed")
    FINGERPRINT = "fingerprint", _("Fingerprinted")


class Signature(models.Model):
    """A party's signature, seal or fingerprint, the mediator's signature or the committee's
    seal on one agreement version: when it was put on the paper and who recorded it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    kind = models.CharField(_("whose"), max_length=8, choices=SignatureKind.choices)
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(
        _("how"), max_length=12, choices=SignMethod.choices, default=SignMethod.SIGNED
    )
    signed_on = models.DateField(_("date"))
    recorded_by = by_user()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "party"],
                condition=Q(kind="party"),
                name="mediation_party_signs_once",
            ),
            models.UniqueConstraint(
                fields=["agreement"], condition=Q(kind="seal"), name="mediation_one_seal"
            ),
            models.UniqueConstraint(
                fields=["agreement"], condition=Q(kind="mediator"), name="mediation_one_mediator"
            ),
            models.CheckConstraint(
                condition=~Q(kind="party") | Q(party__isnull=False),
                name="mediation_party_signature_names_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.kind} {self.signed_on}"


class TaskKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Judicial confirmation deadline")
    RETURN_VISIT = "return_visit", _("Return visit")


class CaseTask(models.Model):
    """A dated task on a case: the judicial-confirmation deadline, a return visit."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("task"), max_length=12, choices=TaskKind.choices)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_on", "due_on"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.due_on}"


class VisitOutcome(models.TextChoices):
    PERFORMED = "performed", _("Performed in full")
    ONGOING = "ongoing", _("Being performed")
    BREACHED = "breached", _("Not performed (breach)")


class ReturnVisit(models.Model):
    """A return visit to follow up performance (Art. 31)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    outcome = models.CharField(_("what was found"), max_length=10, choices=VisitOutcome.choices)
    note = FreeTextField(_("note"), max_length=1000, blank=True)
    recorded_by = by_user()

    class Meta:
        ordering = ["visited_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.visited_on}"
