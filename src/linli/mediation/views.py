"""Mediation pages: thin — parse a form, call one service or query, render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core import access, policy
from linli.core.actors import signed_in
from linli.core.events import log_event
from linli.core.exports import Column, ListExport
from linli.core.pages import form_page, form_post, run_action
from linli.registry.models import Community, Resident

from . import forms as f
from . import queries, services, stats
from .documents import agreement_pdf
from .models import CASE_FLOW, Case, CaseSource, CaseStatus, Committee, Party

# The case page's steps that take a form: the form and the service it feeds
# (``service(actor=, case=, **cleaned_data)``).
ACTION_FORMS: dict[str, Any] = {
    "decline": f.DeclineForm,
    "fail": f.FailForm,
    "refuse": f.RefuseForm,
    "escalate": f.EscalateForm,
}
ACTION_SERVICES: dict[str, Callable[..., Case]] = {
    "decline": services.case_decline,
    "fail": services.case_fail,
    "refuse": services.case_refuse,
    "escalate": services.case_escalate,
}


def _case_url(case: Any) -> str:
    return reverse("mediation:case", args=[case.pk])


def _communities(actor: Any, action: str) -> list[Community]:
    ids = {m.community_id for m in policy.allowed_memberships(actor, action) if m.community_id}
    return list(Community.objects.filter(pk__in=ids).order_by("name"))


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    # Scope-filtered: a party sees their own cases (a personal relation), others none.
    status = request.GET.get("status", "")
    page, content = queries.case_list(user, page=request.GET.get("page", 1), status=status)
    return render(
        request,
        "mediation/list.html",
        {
            "page": page,
            "content_ids": content,
            "status": status,
            "statuses": CaseStatus.choices,
            "can_open": policy.has_any(user, "mediation.case.open"),
            "can_stats": policy.has_any(user, "mediation.stats"),
            "can_export_register": policy.has_any(user, "mediation.case.export"),
        },
    )


def _intake(
    request: HttpRequest, *, ticket: Any = None, initial: dict[str, Any] | None = None
) -> HttpResponse:
    user = signed_in(request)
    communities = _communities(user, "mediation.case.open")
    if ticket is not None:
        communities = [c for c in communities if c.pk == ticket.community_id]
    if not communities:
        raise PermissionDenied
    community = communities[0]
    residents = (
        Resident.objects.filter(community=community, status="active")
        .select_related("household")
        .order_by("household__label", "name")
    )
    form = f.IntakeForm(request.POST or None, residents=residents, initial=initial)

    def run(d: dict[str, Any]) -> Case:
        parties = [
            services.PartyIn(
                resident=d[f"p{n}_resident"],
                name=d[f"p{n}_name"],
                contact=d[f"p{n}_contact"],
                representative=d[f"p{n}_representative"],
                side=n,
            )
            for n in (1, 2)
        ]
        return services.case_open(
            actor=user,
            community=community,
            dispute_type=d["dispute_type"],
            facts=d["facts"],
            parties=parties,
            amount=d["amount"],
            private=d["private"],
            source=d["source"],
            ticket=ticket,
            applied_on=d["applied_on"],
        )

    return form_page(
        request,
        form,
        run,
        template="mediation/intake.html",
        context={"community": community, "ticket": ticket},
        done=_("The case was registered."),
        to=_case_url,
    )


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    return _intake(request, initial={"source": CaseSource.APPLICATION})


@login_required
def case_from_request(request: HttpRequest, ticket_pk: int) -> HttpResponse:
    """ "Refer to mediation" from a request: the requester as a party and the description as
    the facts, for the intake form to complete."""
    from linli.tickets.models import Ticket

    user = signed_in(request)
    ticket = policy.get_for(user, Ticket, "ticket.view_details", pk=ticket_pk)
    policy.authorize(user, "mediation.case.open", ticket.community)
    initial: dict[str, Any] = {"source": CaseSource.REQUEST, "facts": ticket.description}
    first = ticket.requesters.filter(primary=True).first()
    if first is not None:
        if first.resident_id:
            initial["p1_resident"] = first.resident_id
        else:
            initial["p1_name"], initial["p1_contact"] = first.name, first.phone
    return _intake(request, ticket=ticket, initial=initial)


def _content(user: Any, case: Case) -> bool:
    return policy.can(user, "mediation.case.content", case)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    case = queries.case_get_for(user, pk)
    content = _content(user, case)
    ctx = queries.case_page(user, case, content=content)
    party = None if content else queries.own_party(user, case)
    ctx.update(
        {
            "party": party,
            "can_work": content and policy.can(user, "mediation.case.work", case),
            "can_print": policy.can(user, "mediation.case.documents", case),
            "allowed": CASE_FLOW.allowed(case),
            "action_forms": {a: ACTION_FORMS[a]() for a in ACTION_FORMS if CASE_FLOW.can(case, a)},
        }
    )
    if content and CASE_FLOW.can(case, "add_mediator"):
        ctx["mediator_form"] = f.MediatorForm(choices=queries.mediator_choices(case))
    if content and CASE_FLOW.can(case, "add_helper"):
        ctx["helper_form"] = f.HelperForm()
    if content and CASE_FLOW.can(case, "visit"):
        ctx["visit_form"] = f.VisitForm()
        ctx["confirmed_form"] = f.ConfirmedForm()
    return render(request, "mediation/case.html", ctx)


@login_required
def case_content(request: HttpRequest, pk: int) -> HttpResponse:
    """The content alone (for a link from the status page): 403 for those who see status only."""
    user = signed_in(request)
    queries.case_get_for(user, pk, "mediation.case.content")
    return case_detail(request, pk)


SIMPLE: dict[str, Callable[..., Any]] = {
    "accept": services.case_accept,
    "start": services.case_start,
    "close": services.case_close,
}


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = signed_in(request)
    case = queries.case_get_for(user, pk, "mediation.case.work")
    if action in SIMPLE:
        return run_action(
            request,
            lambda: SIMPLE[action](actor=user, case=case),
            done=_("Done."),
            to=_case_url(case),
        )
    if action not in ACTION_FORMS:
        raise PermissionDenied
    form = ACTION_FORMS[action](request.POST)
    service = ACTION_SERVICES[action]
    return form_page(
        request,
        form,
        lambda d: service(actor=user, case=case, **d),
        template="mediation/action.html",
        context={"case": case, "action": action, "label": CASE_FLOW.label(action)},
        done=_("Done."),
        to=_case_url(case),
    )


@login_required
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    case = queries.case_get_for(user, pk, "mediation.case.work")
    form = f.SessionForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda d: services.session_record(actor=user, case=case, **d),
        template="mediation/session.html",
        context={"case": case},
        done=_("The session was recorded."),
        to=_case_url(case),
    )


@dataclass(frozen=True)
class CaseStep:
    """A step posted from the case page by one of its small forms: ``form(case, data)`` binds
    it, ``run(actor=, case=, **cleaned_data)`` takes it; bad input or a refusal shows the
    form alone (``mediation/action.html``) with ``label`` and the message."""

    form: Callable[[Case, Any], Any]
    run: Callable[..., Any]
    label: Any
    done: Any


CASE_STEPS = {
    "mediator_add": CaseStep(
        lambda case, data: f.MediatorForm(data, choices=queries.mediator_choices(case)),
        # The form's "mediator" is the service's "user".
        lambda *, mediator, **kw: services.mediator_add(user=mediator, **kw),
        gettext_lazy("Add a mediator"),
        gettext_lazy("The mediator was added."),
    ),
    "helper_add": CaseStep(
        lambda case, data: f.HelperForm(data),
        services.helper_add,
        gettext_lazy("Add someone with the parties' consent"),
        gettext_lazy("Recorded."),
    ),
    "visit": CaseStep(
        lambda case, data: f.VisitForm(data),
        services.visit_record,
        gettext_lazy("Return visit"),
        gettext_lazy("The visit was recorded."),
    ),
    "confirmed": CaseStep(
        lambda case, data: f.ConfirmedForm(data),
        services.agreement_court_confirmed,
        gettext_lazy("Record judicial confirmation"),
        gettext_lazy("Recorded."),
    ),
}


@login_required
@require_POST
def case_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = signed_in(request)
    case = queries.case_get_for(user, pk, "mediation.case.work")
    s = CASE_STEPS[step]  # the URLconf names the step
    return form_page(
        request,
        s.form(case, request.POST),
        lambda d: s.run(actor=user, case=case, **d),
        template="mediation/action.html",
        context={"case": case, "label": s.label},
        done=s.done,
        to=_case_url(case),
    )


@login_required
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor, with the saved version shown beside it as it will print (preview)."""
    user = signed_in(request)
    case = queries.case_get_for(user, pk, "mediation.case.work")
    current = services.current_agreement(case)
    instance = current or None
    form = f.AgreementEditForm(
        request.POST or None,
        instance=None,
        initial=(
            {k: getattr(instance, k) for k in instance.TEXT_FIELDS}
            if instance
            else {
                "parties_details": "\n".join(
                    f"{p.name} {p.address}".strip() for p in case.parties.all()
                )
            }
        ),
    )
    return form_page(
        request,
        form,
        lambda d: services.agreement_save(actor=user, case=case, data=d),
        template="mediation/agreement.html",
        context={
            "case": case,
            "agreement": current,
            "missing": services.missing_signatures(current) if current else [],
        },
        done=_("The agreement was saved."),
        to=reverse("mediation:agreement", args=[case.pk]),
    )


AGREEMENT_STEPS = {
    "fix": (services.agreement_fix, gettext_lazy("The text is fixed; it can be signed now.")),
    "new_version": (services.agreement_new_version, gettext_lazy("A new version was started.")),
    "effective": (services.agreement_make_effective, gettext_lazy("The agreement is in effect.")),
}


@login_required
@require_POST
def agreement_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = signed_in(request)
    case = queries.case_get_for(user, pk, "mediation.case.work")
    if step not in AGREEMENT_STEPS:
        raise PermissionDenied
    run, done = AGREEMENT_STEPS[step]
    back = reverse(
        "mediation:signatures" if step == "effective" else "mediation:agreement", args=[case.pk]
    )
    return run_action(request, lambda: run(actor=user, case=case), done=done, to=back)


@login_required
def signatures(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    case = queries.case_get_for(user, pk, "mediation.case.work")
    current = services.current_agreement(case)
    from linli.accounts.models import User

    mediators = User.objects.filter(pk__in=case.mediators.values("user_id")).order_by("pk")
    form = f.SignatureForm(request.POST or None, parties=case.parties.all(), mediators=mediators)

    def run(d: dict[str, Any]) -> Any:
        # The mediator's signature is the signer's, or by default the one recording it.
        signed = {k: v for k, v in d.items() if k != "signer"}
        mediator = (d["signer"] or user) if d["kind"] == "mediator" else None
        return services.signature_record(actor=user, case=case, mediator=mediator, **signed)

    return form_page(
        request,
        form,
        run,
        template="mediation/signatures.html",
        context={
            "case": case,
            "agreement": current,
            "sigs": list(current.signatures.select_related("party", "mediator", "recorded_by"))
            if current
            else [],
            "missing": services.missing_signatures(current) if current else [],
        },
        done=_("The signature was recorded."),
        to=reverse("mediation:signatures", args=[case.pk]),
    )


@login_required
def agreement_print(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    case = queries.case_get_for(user, pk, "mediation.case.documents")
    agreement = queries.agreement_for_print(case)
    if agreement is None:
        raise PermissionDenied
    queries.parties_read(user, case, purpose="mediation.agreement")
    from linli.core import documents

    return documents.pdf_response(
        agreement_pdf(case, agreement), f"mediation-{case.number}-v{agreement.version}.pdf"
    )


def _year(request: HttpRequest) -> int:
    try:
        return max(2000, min(2100, int(request.GET.get("year", ""))))
    except ValueError:
        return timezone.localdate().year


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    policy.require_any(user, "mediation.stats")
    year = _year(request)
    cases = stats.cases_for_stats(user)
    return render(
        request,
        "mediation/stats.html",
        {
            "year": year,
            "monthly": stats.monthly_table(cases, year),
            "by_type": stats.by_type(cases, year),
            "by_outcome": stats.by_outcome(cases, year),
            "by_mediator": stats.by_mediator(cases, year),
            "can_export": policy.has_any(user, "mediation.export"),
        },
    )


@login_required
def statistics_export(request: HttpRequest) -> HttpResponse | FileResponse:
    """The justice office's monthly table as xlsx: figures only, no names; logged."""
    user = signed_in(request)
    policy.require_any(user, "mediation.export")
    year = _year(request)
    rows = stats.monthly_table(stats.cases_for_stats(user), year)
    for c in _communities(user, "mediation.export") or []:
        log_event(actor=user, verb="mediation.stats.exported", obj=c, data={"year": year})
    export = ListExport(
        [
            Column(_("Month")),
            Column(_("Cases accepted"), kind="number"),
            Column(_("Settled by agreement"), kind="number"),
            Column(_("Written agreements"), kind="number"),
            Column(_("Amount agreed (yuan)"), kind="number"),
            Column(_("Reported before escalating"), kind="number"),
            Column(_("Note"), width=24),
        ],
        (
            [
                f"{year}-{r['month']:02d}",
                r["accepted"],
                r["settled"],
                r["agreements"],
                r["amount"],
                r["escalated"],
                _("No cases this month") if r["none"] else "",
            ]
            for r in rows
        ),
        title=_("Mediation monthly report"),
        filename=f"mediation-{year}",
    )
    return export.response("csv" if request.GET.get("format") == "csv" else "xlsx")


@login_required
def case_register_export(request: HttpRequest) -> HttpResponse | FileResponse:
    """The case register (登记簿) for the archive: parties by name with their contacts masked
    by the one disclosure function, every registered party's read recorded (one INSERT …
    SELECT) and the export logged. Only cases whose content the actor may read."""
    from linli.core import disclosure

    user = signed_in(request)
    policy.require_any(user, "mediation.case.export")
    cases = policy.scope_filter(user, Case.objects.all(), "mediation.case.export")
    parties = (
        Party.objects.filter(case__in=cases)
        .select_related("case")
        .order_by("case__applied_on", "case_id", "position", "id")
    )
    access.record_reads(
        user,
        Resident.objects.filter(
            pk__in=parties.filter(resident__isnull=False).values("resident_id")
        ),
        kind=access.EXPORTED,
        purpose="mediation.export",
    )
    for c in _communities(user, "mediation.case.export"):
        log_event(actor=user, verb="mediation.register.exported", obj=c)
    export = ListExport(
        [
            Column(_("Case number")),
            Column(_("Applied on"), kind="date"),
            Column(_("Dispute type")),
            Column(_("Status")),
            Column(_("Party")),
            Column(_("Contact")),
        ],
        (
            [
                p.case.number,
                p.case.applied_on,
                p.case.get_dispute_type_display(),
                p.case.get_status_display(),
                p.name,
                disclosure.phone(disclosure.MASKED, p.contact) if p.contact else "",
            ]
            for p in parties.iterator()
        ),
        title=_("Mediation case register"),
        filename=f"mediation-register-{timezone.localdate():%Y%m%d}",
    )
    return export.response("csv" if request.GET.get("format") == "csv" else "xlsx")


@login_required
@require_POST
def committee_settings(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    community = policy.get_for(user, Community, "mediation.committee.view", code=code)
    c = services.committee_for(community)
    return form_post(
        request,
        f.CommitteeSettingsForm(request.POST),  # a checkbox: always valid
        lambda d: services.committee_settings(actor=user, committee=c, **d),
        done=_("Saved."),
        to=reverse("mediation:committee", args=[code]),
    )


@login_required
def committee(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    community = policy.get_for(user, Community, "mediation.committee.view", code=code)
    c = services.committee_for(community)
    can_manage = policy.can(user, "mediation.committee.manage", c)
    form = f.MemberForm(request.POST or None)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    return form_page(
        request,
        form,
        lambda d: services.committee_member_add(actor=user, committee=c, **d),
        template="mediation/committee.html",
        context={
            "committee": c,
            "community": community,
            "members": list(c.members.all()),
            "warnings": services.committee_warnings(c),
            "can_manage": can_manage,
        },
        done=_("The member was added."),
        to=reverse("mediation:committee", args=[code]),
    )


__all__ = ["Committee"]
