"""Residents correct their own contact details through the office (issue 11, item 13).

A signed-in resident whose account is linked to their registry record asks for a new phone
number and/or other phone (``contact_correction_request``); the office (staff, secretary) sees
the community's requests (``/registry/c/<code>/corrections/``) and applies one to the record
(``contact_correction_apply`` — through ``services.resident_update``, so the search keys and
the record's own history follow) or declines it with a reason. Every step is an event on the
request (``contact_correction.requested`` / ``.applied`` / ``.rejected``) naming the fields,
never the values; the resident is told the outcome in the app.

One request waits at a time per resident (a database constraint); the model and its workflow
are in ``correction_models.py``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import access, policy
from linli.core.errors import Conflict, DomainError
from linli.core.events import log_event, register_verbs
from linli.core.lists import Listing, Sort, list_page
from linli.core.pages import form_page, run_action
from linli.core.roles import OFFICE, register_permissions

from . import services
from .correction_models import CORRECTION_FLOW, ContactCorrection, CorrectionStatus
from .forms import PhoneField
from .models import Community, Resident, ResidentStatus

DECIDE = "contact_correction.decide"
LIST_PURPOSE = "registry.contact_corrections"
PER_PAGE = 20

register_permissions({DECIDE: OFFICE})
register_verbs(
    {
        "contact_correction.requested": gettext_lazy("Correction of contact details requested"),
        **CORRECTION_FLOW.verbs(),
    }
)
access.register_read_purposes(
    {LIST_PURPOSE: gettext_lazy("saw your request to correct your contact details")}
)


# --- services --------------------------------------------------------------------------------


def _own_record(actor) -> Resident:
    resident_id = getattr(actor, "resident_id", None)
    resident = (
        Resident.objects.select_related("household", "community")
        .filter(pk=resident_id, status=ResidentStatus.ACTIVE)
        .first()
        if resident_id
        else None
    )
    if resident is None:
        raise DomainError(
            _(
                "Your account is not linked to a resident record. Ask your community office "
                "to correct your details."
            ),
            status=404,
            code="no_record",
        )
    return resident


def contact_correction_request(
    *, actor, phone: str = "", other_phone: str = "", note: str = ""
) -> ContactCorrection:
    """The actor asks the office to correct their own record's contact details."""
    resident = _own_record(actor)
    asked = {
        f: v.strip()
        for f, v in (("phone", phone), ("other_phone", other_phone))
        if v.strip() and v.strip() != getattr(resident, f)
    }
    if not asked:
        raise DomainError(
            _("Give a new phone number or other phone that differs from the one on record."),
            field="phone",
            code="nothing_to_correct",
        )
    try:
        with transaction.atomic():
            c = ContactCorrection.objects.create(
                community_id=resident.community_id,
                resident=resident,
                household_id=resident.household_id,
                requested_by=actor,
                note=note.strip(),
                **asked,
            )
            log_event(
                actor=actor,
                verb="contact_correction.requested",
                obj=c,
                parent=resident,
                data={"fields": sorted(asked)},
            )
    except IntegrityError:
        raise Conflict(
            _("You already have a correction waiting for the office. It will be looked at soon."),
            code="pending",
        ) from None
    return c


def _tell(c: ContactCorrection, title: Any, body: Any) -> None:
    from linli.core.notifications import notify

    if c.requested_by_id is None:
        return
    requested_by = c.requested_by
    transaction.on_commit(
        lambda: notify(
            recipients=[requested_by],
            verb=f"contact_correction.{c.status}",
            title=title,
            body=body,
            params={"reason": c.reason},
            url=reverse("registry:contact_correction_mine"),
            obj=c,
            community_id=c.community_id,
        )
    )


@transaction.atomic
def contact_correction_apply(
    *, actor, correction: ContactCorrection, expected_version: int | None = None
) -> ContactCorrection:
    policy.authorize(actor, DECIDE, correction)
    c = correction
    fields = c.fields_asked
    c.decided_by, c.decided_at = actor, timezone.now()
    CORRECTION_FLOW.apply(
        c,
        "apply",
        actor=actor,
        expected_version=expected_version,
        fields=["decided_by", "decided_at"],
        data={"fields": fields},
        parent=c.resident,
    )
    services.resident_update(actor=actor, resident=c.resident, **{f: getattr(c, f) for f in fields})
    _tell(
        c,
        gettext_lazy("Your contact details are corrected"),
        gettext_lazy("The community office has updated your record as you asked."),
    )
    return c


@transaction.atomic
def contact_correction_reject(
    *, actor, correction: ContactCorrection, reason: str, expected_version: int | None = None
) -> ContactCorrection:
    policy.authorize(actor, DECIDE, correction)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Say why the correction is declined: the resident reads it."), field="reason"
        )
    c = correction
    c.reason, c.decided_by, c.decided_at = reason[:300], actor, timezone.now()
    CORRECTION_FLOW.apply(
        c,
        "reject",
        actor=actor,
        expected_version=expected_version,
        fields=["reason", "decided_by", "decided_at"],
        parent=c.resident,
    )
    _tell(
        c,
        gettext_lazy("Your contact details were not corrected"),
        gettext_lazy("The community office says: %(reason)s"),
    )
    return c


# --- queries ---------------------------------------------------------------------------------


CORRECTION_SORTS = {
    "waiting": Sort(gettext_lazy("Waiting first"), ("waiting", "created_at", "id")),
}


def corrections_of(request: HttpRequest, community: Community) -> Listing:
    """The community's requests, waiting ones first (oldest first), then the decided ones
    (``core.lists``: scoped, sorted, paginated): two queries a page, the listed residents
    recorded as read."""
    listing = list_page(
        request,
        ContactCorrection.objects.filter(community=community)
        .select_related("resident", "household", "requested_by", "decided_by")
        .annotate(
            waiting=Case(
                When(status=CorrectionStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ),
        actor=request.user,
        action=DECIDE,
        sorts=CORRECTION_SORTS,
        default_sort="waiting",
        per_page=PER_PAGE,
    )
    access.record_reads(
        request.user,
        [c.resident for c in listing.page.object_list],
        kind=access.LISTED,
        purpose=LIST_PURPOSE,
    )
    return listing


def pending_count(actor, community: Community) -> int:
    return (
        policy.scope_filter(actor, ContactCorrection.objects.filter(community=community), DECIDE)
        .filter(status=CorrectionStatus.PENDING)
        .count()
    )


# --- pages -----------------------------------------------------------------------------------


class CorrectionForm(forms.Form):
    phone = PhoneField(label=gettext_lazy("New phone"))
    other_phone = PhoneField(label=gettext_lazy("New other phone (landline, a family member)"))
    note = forms.CharField(
        label=gettext_lazy("Anything the office should know (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False)
    version = forms.IntegerField(required=False)


@login_required
def contact_correction_mine(request: HttpRequest) -> HttpResponse:
    """The resident's own page: the form, and their earlier requests with the outcome."""
    actor = request.user
    resident_id = getattr(actor, "resident_id", None)
    mine = list(
        ContactCorrection.objects.filter(
            resident_id=resident_id, requested_by_id=actor.pk
        ).order_by("-created_at", "-id")[:10]
        if resident_id
        else []
    )
    return form_page(
        request,
        CorrectionForm(request.POST or None),
        lambda d: contact_correction_request(actor=actor, **d),
        template="registry/contact_correction.html",
        context={
            "linked": bool(resident_id),
            "mine": mine,
            "waiting": any(c.status == CorrectionStatus.PENDING for c in mine),
        },
        done=_("Your request is with the community office. You will be told when it is done."),
        to=reverse("registry:contact_correction_mine"),
    )


@login_required
def contact_corrections(request: HttpRequest, code: str) -> HttpResponse:
    community = policy.get_for(request.user, Community.objects.all(), DECIDE, code=code)
    listing = corrections_of(request, community)
    return render(
        request,
        "registry/contact_corrections.html",
        {"community": community, "listing": listing, "pending": CorrectionStatus.PENDING},
    )


def _get(actor, pk: int) -> ContactCorrection:
    return policy.get_for(
        actor,
        ContactCorrection.objects.select_related("resident", "community", "requested_by"),
        DECIDE,
        pk=pk,
    )


def _queue(c: ContactCorrection | None, code: str) -> str:
    return reverse("registry:contact_corrections", args=[code])


@login_required
def contact_correction_apply_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    c = _get(request.user, pk)
    form = RejectForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    return run_action(
        request,
        lambda: contact_correction_apply(
            actor=request.user, correction=c, expected_version=version
        ),
        done=_("The record is corrected."),
        to=_queue(c, c.community.code),
    )


@login_required
def contact_correction_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    c = _get(request.user, pk)
    form = RejectForm(request.POST)
    form.is_valid()
    d = getattr(form, "cleaned_data", {})
    return run_action(
        request,
        lambda: contact_correction_reject(
            actor=request.user,
            correction=c,
            reason=d.get("reason") or "",
            expected_version=d.get("version"),
        ),
        done=_("The resident is told why."),
        to=_queue(c, c.community.code),
    )
