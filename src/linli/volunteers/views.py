"""Pages of the volunteers app: thin — parse, call one service or query, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.actors import signed_in
from linli.core.errors import DomainError
from linli.core.pages import run_action
from linli.registry.models import Community

from . import queries
from .models import (
    Activity,
    ActivityStatus,
    Attendance,
    HourEntry,
    Shift,
    SignUp,
    SignUpStatus,
    VolunteerTeam,
)
from .services import hours_decline, hours_verify
from .services.activities import signup_cancel, signup_create
from .services.attendance import attendance_mark_roster, checkin_toggle

PAGE_SIZE = 20


def _shift_rows(activity: Activity, profile_id: int | None) -> list[dict[str, Any]]:
    shifts = activity.shifts.annotate(
        n_signed=Count("signups", filter=Q(signups__status=SignUpStatus.SIGNED)),
        n_waiting=Count("signups", filter=Q(signups__status=SignUpStatus.WAITING)),
    ).order_by("starts_at", "id")
    mine: dict[int, SignUp] = {}
    if profile_id is not None:
        mine = {
            s.shift_id: s
            for s in SignUp.objects.filter(
                shift__activity=activity,
                profile_id=profile_id,
                status__in=[SignUpStatus.SIGNED, SignUpStatus.WAITING],
            )
        }
    return [
        {"shift": s, "mine": mine.get(s.pk), "free": max(0, s.places - s.n_signed)} for s in shifts
    ]


def _my_profile_id(request: HttpRequest, community_id: int) -> int | None:
    if not request.user.is_authenticated:
        return None
    return (
        request.user.volunteer_profiles.filter(community_id=community_id)
        .values_list("pk", flat=True)
        .first()
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The volunteer's page: my shifts, my hours, my teams."""
    user = signed_in(request)
    now = timezone.now()
    shifts = (
        SignUp.objects.filter(
            profile__user=user,
            status__in=[SignUpStatus.SIGNED, SignUpStatus.WAITING],
            shift__ends_at__gte=now,
        )
        .select_related("shift__activity")
        .order_by("shift__starts_at")[:20]
    )
    profiles = list(user.volunteer_profiles.select_related("community"))
    totals = [(p, queries.totals_for_profile(p)) for p in profiles]
    entries = Paginator(queries.my_entries(user), PAGE_SIZE).get_page(request.GET.get("page"))
    memberships = user.team_memberships.filter(status="active").select_related("team")
    ctx = {
        "signups": shifts,
        "totals": totals,
        "page": entries,
        "memberships": memberships,
        "can_verify": queries.verification_queue_for(user).exists(),
        # The office's overview (teams, hours, the Excel export) of each community it runs:
        # otherwise reachable only by its address.
        "overviews": list(
            policy.scope_filter(user, Community.objects.order_by("code"), "hours.overview")
        ),
    }
    return render(request, "volunteers/home.html", ctx)


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    """The calendar: activities of a month, with places left; one query for the page."""
    actor = request.user
    today = timezone.localdate()
    try:
        month = dt.date.fromisoformat((request.GET.get("month") or "")[:7] + "-01")
    except ValueError:
        month = today.replace(day=1)
    nxt = (month + dt.timedelta(days=32)).replace(day=1)
    prev = (month - dt.timedelta(days=1)).replace(day=1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month, dt.time.min, tz)
    end = dt.datetime.combine(nxt, dt.time.min, tz)
    qs = (
        policy.scope_filter(actor, Activity.objects.all(), "activity.view")
        .filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=ActivityStatus.DRAFT)
        .select_related("team")
        .annotate(
            n_signed=Count(
                "shifts__signups", filter=Q(shifts__signups__status=SignUpStatus.SIGNED)
            ),
        )
        .order_by("starts_at", "id")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    ctx = {"page": page, "month": month, "next": nxt, "prev": prev}
    return render(request, "volunteers/activity_list.html", ctx)


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    a = policy.get_for(
        actor, Activity.objects.select_related("team", "community"), "activity.view", pk=pk
    )
    ctx = {
        "activity": a,
        "rows": _shift_rows(a, _my_profile_id(request, a.community_id)),
        "leads": policy.can(actor, "activity.roster", a),
    }
    return render(request, "volunteers/activity_detail.html", ctx)


@login_required
@require_POST
def signup(request: HttpRequest, pk: int) -> HttpResponse:
    shift = policy.get_for(
        request.user, Shift.objects.select_related("activity"), "activity.view", pk=pk
    )
    to = reverse("volunteers:activity_detail", args=[shift.activity_id])

    def run() -> SignUp:
        s = signup_create(actor=request.user, shift=shift)
        if s.status == SignUpStatus.WAITING:
            messages.info(request, _("The shift is full: you are on the waiting list."))
        return s

    return run_action(request, run, done=_("Done."), to=to)


@login_required
@require_POST
def signup_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    s = policy.get_for(
        request.user, SignUp.objects.select_related("shift__activity"), "signup.cancel", pk=pk
    )
    to = reverse("volunteers:activity_detail", args=[s.shift.activity_id])
    return run_action(
        request,
        lambda: signup_cancel(actor=request.user, signup=s),
        done=_("Sign-up cancelled."),
        to=to,
    )


@login_required
def shift_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader's page at the venue: the QR code to show, and the roster to mark."""
    actor = request.user
    shift = policy.get_for(
        actor, Shift.objects.select_related("activity__team"), "activity.view", pk=pk
    )
    policy.authorize(actor, "activity.roster", shift.activity)

    def page(error: str = "", status: int = 200) -> HttpResponse:
        signups = (
            shift.signups.filter(status=SignUpStatus.SIGNED)
            .select_related("profile")
            .order_by("profile__number")
        )
        present = {
            a.profile_id: a
            for a in Attendance.objects.filter(shift=shift).select_related("hour_entry")
        }
        url = request.build_absolute_uri(
            reverse("volunteers:checkin", args=[shift.pk, shift.checkin_token])
        )
        ctx = {
            "shift": shift,
            "signups": [(s, present.get(s.profile_id)) for s in signups],
            "checkin_url": url,
            "error": error,
        }
        return render(request, "volunteers/shift_attendance.html", ctx, status=status)

    if request.method != "POST":
        return page()
    ids = [int(x) for x in request.POST.getlist("present") if x.isdigit()]
    return run_action(
        request,
        lambda: attendance_mark_roster(actor=actor, shift=shift, present=ids),
        done=_("Attendance recorded."),
        to=request.path,
        on_error=lambda e: page(str(e.message), e.status),
    )


@login_required
def checkin(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """What the QR code opens: a button (POST) to check in, and again to check out. A GET
    never acts: a link that checks people in could be triggered from anywhere."""
    actor = request.user
    shift = policy.get_for(actor, Shift.objects.select_related("activity"), "activity.view", pk=pk)

    def page(error: str = "", status: int = 200) -> HttpResponse:
        pid = _my_profile_id(request, shift.activity.community_id)
        mine = Attendance.objects.filter(shift=shift, profile_id=pid).first() if pid else None
        ctx = {"shift": shift, "attendance": mine, "error": error}
        return render(request, "volunteers/checkin.html", ctx, status=status)

    def toggle() -> Attendance:
        att = checkin_toggle(actor=actor, shift=shift, token=token)
        messages.success(
            request,
            _("Checked out. Thank you!") if att.checked_out_at else _("Checked in. Welcome."),
        )
        return att

    if request.method != "POST":
        return page()
    return run_action(
        request, toggle, to=request.path, on_error=lambda e: page(str(e.message), e.status)
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The leader's (or the office's) verification queue."""
    actor = request.user
    qs = queries.verification_queue_for(actor)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    flagged = set(
        Attendance.objects.filter(
            hour_entry__in=[e.pk for e in page.object_list], flagged=True
        ).values_list("hour_entry_id", flat=True)
    )
    ctx = {"page": page, "flagged": flagged, "disputes": queries.open_disputes_for(actor)[:20]}
    return render(request, "volunteers/queue.html", ctx)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


@login_required
@require_POST
def entry_verify(request: HttpRequest, pk: int) -> HttpResponse:
    e = policy.get_for(
        request.user, HourEntry.objects.select_related("profile"), "hours.verify", pk=pk
    )
    return run_action(
        request, lambda: hours_verify(actor=request.user, entry=e), done=_("Hours verified."),
        to=reverse("volunteers:queue"),
    )  # fmt: skip


@login_required
@require_POST
def entry_decline(request: HttpRequest, pk: int) -> HttpResponse:
    e = policy.get_for(
        request.user, HourEntry.objects.select_related("profile"), "hours.verify", pk=pk
    )
    reason = request.POST.get("reason", "")
    return run_action(
        request, lambda: hours_decline(actor=request.user, entry=e, reason=reason),
        done=_("Hours declined."), to=reverse("volunteers:queue"),
    )  # fmt: skip


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    team = policy.get_for(
        actor, VolunteerTeam.objects.select_related("community"), "team.view", pk=pk
    )
    sees_roster = policy.can(actor, "team.roster", team)
    roster = queries.roster(team) if sees_roster else None
    upcoming = (
        Activity.objects.filter(team=team, ends_at__gte=timezone.now())
        .exclude(status=ActivityStatus.DRAFT)
        .order_by("starts_at")[:10]
    )
    ctx = {
        "team": team,
        "routes": team.routes.filter(active=True) if policy.can(actor, "team.roster", team) else [],
        "patrols": team.patrols.select_related("route", "profile")[:10]
        if policy.can(actor, "team.roster", team)
        else [],
        "roster": roster,
        "upcoming": upcoming,
        "leads": policy.can(actor, "team.manage", team),
        "requests": team.members.filter(status="requested").select_related("profile")
        if policy.can(actor, "team.manage", team)
        else [],
        "mine": team.members.filter(
            user_id=signed_in(request).pk, status__in=["requested", "active"]
        ).first(),
        "can_join": policy.can(actor, "team.join", team),
    }
    return render(request, "volunteers/team_detail.html", ctx)


# --- certificates ------------------------------------------------------------------------------


class CertificateForm(forms.Form):
    period_from = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_to = forms.DateField(
        # Its own context: the requests' "Until" is "hold until" (暂缓到).
        label=pgettext_lazy("end of a period", "Until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@login_required
def certificate_request(request: HttpRequest, pk: int) -> HttpResponse:
    """A volunteer asks for a certificate of their own verified hours (or the office for
    them): the form, then the PDF's page."""
    from .models import VolunteerProfile
    from .services.certificates import certificate_issue

    actor = request.user
    profile = policy.get_for(
        actor, VolunteerProfile.objects.select_related("community"), "certificate.issue", pk=pk
    )
    form = CertificateForm(request.POST or None)

    def run(d: dict[str, Any]) -> Any:
        return certificate_issue(
            actor=actor, profile=profile, period_from=d["period_from"], period_to=d["period_to"]
        )

    from linli.core.pages import form_page

    return form_page(
        request, form, run, template="volunteers/certificate_request.html",
        context={"profile": profile, "certificates": profile.certificates.all()[:20]},
        done=_("Certificate issued."),
        to=lambda c: reverse("volunteers:certificate_pdf", args=[c.pk]),
    )  # fmt: skip


@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from linli.core import documents

    from .models import Certificate
    from .services.certificates import certificate_pdf as render

    cert = policy.get_for(
        request.user, Certificate.objects.select_related("profile__resident", "profile__community"),
        "certificate.view", pk=pk,
    )  # fmt: skip
    url = request.build_absolute_uri(
        reverse("volunteers:certificate_verify", args=[cert.verify_token])
    )
    doc = render(cert, verify_url=url)
    return documents.pdf_response(doc, f"certificate-{cert.number}.pdf")


def certificate_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public: anyone holding the QR code checks a certificate. Number, hours, period and
    issuer; the name only if its holder agreed (Art. 20)."""
    from django.http import Http404

    from .models import Certificate

    cert = Certificate.objects.select_related("community").filter(verify_token=token).first()
    if cert is None:
        raise Http404
    return render(request, "volunteers/certificate_verify.html", {"cert": cert})


class SealForm(forms.Form):
    image = forms.FileField(label=gettext_lazy("Seal image (PNG or JPEG, at most 1 MB)"))


@login_required
def seal_upload(request: HttpRequest, code: str) -> HttpResponse:
    from linli.core.pages import form_page
    from linli.registry.models import Community

    from .services.certificates import SEAL_MAX_BYTES
    from .services.certificates import seal_upload as upload

    community = policy.get_for(request.user, Community, "certificate.seal", code=code)
    form = SealForm(request.POST or None, request.FILES or None)

    def run(d: dict[str, Any]) -> Any:
        f = d["image"]
        data = f.read(SEAL_MAX_BYTES + 1)
        return upload(actor=request.user, community=community, data=data)

    return form_page(
        request, form, run, template="volunteers/seal.html", context={"community": community},
        done=_("Seal image saved."), to=request.path,
    )  # fmt: skip


# --- patrols -----------------------------------------------------------------------------------


def _patrol_url(patrol_id: int) -> str:
    return reverse("volunteers:patrol_detail", args=[patrol_id])


@login_required
@require_POST
def patrol_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    from .models import PatrolRoute
    from .services.patrols import patrol_start

    route = policy.get_for(
        request.user, PatrolRoute.objects.select_related("community"), "patrol.walk", pk=pk
    )
    return run_action(
        request, lambda: patrol_start(actor=request.user, route=route), done=_("Patrol started."),
        to=lambda p: _patrol_url(p.pk) if p else reverse(
            "volunteers:team_detail", args=[route.team_id]),
    )  # fmt: skip


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[])
    place = forms.CharField(label=gettext_lazy("Place"), max_length=120)
    description = forms.CharField(
        label=gettext_lazy("What was found"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(label=gettext_lazy("Photo"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import FindingKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = FindingKind.choices  # type: ignore[attr-defined]


@login_required
def patrol_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The patrol log on a phone: checkpoints to tick, findings to record, the end; and for
    the team's leader, what becomes of each finding."""
    from linli.tickets.models import Category

    from .models import Patrol
    from .services.patrols import finding_add

    actor = request.user
    patrol = policy.get_for(
        actor, Patrol.objects.select_related("route", "team", "profile"), "patrol.view", pk=pk
    )
    form = FindingForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        policy.authorize(actor, "patrol.walk", patrol)

        def run(d: dict[str, Any]) -> Any:
            return finding_add(
                actor=actor, patrol=patrol, kind=d["kind"], place=d["place"],
                description=d["description"], photo=d.get("photo"),
            )  # fmt: skip

        from linli.core.pages import form_page

        return form_page(
            request, form, run, template="volunteers/patrol.html",
            context=_patrol_ctx(actor, patrol), done=_("Finding recorded."), to=request.path,
        )  # fmt: skip
    ctx = {"form": form, **_patrol_ctx(actor, patrol)}
    ctx["categories"] = (
        Category.objects.filter(community_id=patrol.community_id, active=True).order_by("name")
        if ctx["decides"]
        else []
    )
    return render(request, "volunteers/patrol.html", ctx)


def _patrol_ctx(actor: Any, patrol: Any) -> dict[str, Any]:
    passed = set(patrol.passes.values_list("checkpoint_id", flat=True))
    return {
        "patrol": patrol,
        "checkpoints": [(c, c.pk in passed) for c in patrol.route.checkpoints.all()],
        "findings": patrol.findings.select_related("ticket", "topic"),
        "walks": policy.can(actor, "patrol.walk", patrol) and patrol.status == "on_patrol",
        # Deciding a finding is the team leader's or the office's (finding.decide; the same
        # people as team.manage on the patrol's team).
        "decides": policy.can(actor, "team.manage", patrol.team),
    }


@login_required
@require_POST
def patrol_pass(request: HttpRequest, pk: int) -> HttpResponse:
    from .models import Checkpoint, Patrol
    from .services.patrols import checkpoint_pass

    patrol = policy.get_for(request.user, Patrol, "patrol.walk", pk=pk)
    cp = Checkpoint.objects.filter(
        route_id=patrol.route_id, pk=request.POST.get("checkpoint") or 0
    ).first()
    to = _patrol_url(patrol.pk)
    if cp is None:
        messages.error(request, _("Choose a checkpoint of this route."))
        return redirect(to)
    return run_action(
        request, lambda: checkpoint_pass(actor=request.user, patrol=patrol, checkpoint=cp), to=to
    )


@login_required
@require_POST
def patrol_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    from .models import Patrol
    from .services.patrols import patrol_end

    patrol = policy.get_for(
        request.user, Patrol.objects.select_related("route"), "patrol.walk", pk=pk
    )
    return run_action(
        request, lambda: patrol_end(actor=request.user, patrol=patrol), done=_("Patrol ended."),
        to=_patrol_url(patrol.pk),
    )  # fmt: skip


@login_required
@require_POST
def finding_decide(request: HttpRequest, pk: int) -> HttpResponse:
    from linli.tickets.models import Category

    from .models import Finding
    from .services.patrols import finding_no_action, finding_to_request, finding_to_topic

    actor = request.user
    f = policy.get_for(
        actor,
        Finding.objects.select_related("patrol__team", "patrol__community"),
        "finding.decide",
        pk=pk,
    )
    to = _patrol_url(f.patrol_id)
    what = request.POST.get("outcome")

    def run() -> Any:
        if what == "request":
            cat = Category.objects.filter(
                community_id=f.patrol.community_id, pk=request.POST.get("category") or 0
            ).first()
            if cat is None:
                raise DomainError(_("Choose the kind of request."), field="category")
            return finding_to_request(actor=actor, finding=f, category=cat)
        if what == "topic":
            return finding_to_topic(actor=actor, finding=f)
        if what == "no_action":
            return finding_no_action(actor=actor, finding=f, reason=request.POST.get("reason", ""))
        raise DomainError(_("Choose what becomes of the finding."))

    return run_action(request, run, done=_("Done."), to=to)


# --- the office's overview, the public activities page -----------------------------------------


@login_required
def office(request: HttpRequest, code: str) -> HttpResponseBase:
    """Teams, verified hours per team and month, activities this month; the hours as Excel."""
    from linli.core.exports import Column, Format, ListExport
    from linli.registry.models import Community

    actor = request.user
    community = policy.get_for(actor, Community, "hours.overview", code=code)
    year = int(request.GET.get("year") or timezone.localdate().year)
    if request.GET.get("format") in ("xlsx", "csv"):
        rows = queries.hours_totals(community=community, year=year, by="volunteer")

        def lines() -> Any:
            for r in rows:
                yield [r["label"], r["name"], round(r["minutes"] / 60, 2), r["minutes"]]

        export = ListExport(
            [
                Column(_("Volunteer number")),
                Column(_("Name")),
                Column(_("Verified hours"), kind="number"),
                Column(_("Minutes"), kind="number"),
            ],
            lines(),
            title=_("Service hours"),
            filename=f"volunteer-hours-{community.code}-{year}",
        )
        fmt: Format = "csv" if request.GET["format"] == "csv" else "xlsx"
        return export.response(fmt)
    today = timezone.localdate()
    ctx = {
        "community": community,
        "year": year,
        "teams": queries.teams_for(actor, community),
        "by_team": queries.hours_totals(community=community, year=year, by="team"),
        "by_month": queries.hours_totals(community=community, year=year, by="month"),
        "activities": Activity.objects.filter(
            community=community, starts_at__year=today.year, starts_at__month=today.month
        )
        .exclude(status=ActivityStatus.DRAFT)
        .select_related("team")
        .order_by("starts_at")[:50],
    }
    return render(request, "volunteers/office.html", ctx)


def public_activities(request: HttpRequest, code: str) -> HttpResponse:
    """Public: a community's coming activities, places left, and the names of volunteers who
    agreed to be named (Art. 20) — nobody else's."""
    from django.http import Http404

    from linli.registry.models import Community

    community = Community.objects.filter(code=code).first()
    if community is None:
        raise Http404
    now = timezone.now()
    acts = list(
        Activity.objects.filter(
            community=community, status=ActivityStatus.PUBLISHED, ends_at__gte=now
        )
        .select_related("team")
        .annotate(
            n_signed=Count("shifts__signups", filter=Q(shifts__signups__status=SignUpStatus.SIGNED))
        )
        .order_by("starts_at")[:30]
    )
    named: dict[int, list[str]] = {}
    for aid, name in SignUp.objects.filter(
        shift__activity__in=acts, status=SignUpStatus.SIGNED, profile__public_name_consent=True
    ).values_list("shift__activity_id", "profile__name"):
        named.setdefault(aid, []).append(name)
    rows = [(a, sorted(set(named.get(a.pk, [])))) for a in acts]
    return render(request, "volunteers/public.html", {"community": community, "rows": rows})


# --- the volunteer's own profile; asking to join a team, and the leader's answer ---------------


class ProfileForm(forms.Form):
    skills = forms.CharField(label=gettext_lazy("Skills"), max_length=200, required=False)
    availability = forms.CharField(
        label=gettext_lazy("When I can help"), max_length=200, required=False
    )
    limits = forms.MultipleChoiceField(
        label=gettext_lazy("What I should not be given"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    public_name_consent = forms.BooleanField(
        label=gettext_lazy("My name may be shown publicly (activities, certificate checks)"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import Limit

        super().__init__(*args, **kwargs)
        self.fields["limits"].choices = Limit.choices  # type: ignore[attr-defined]


@login_required
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The volunteer edits their own profile (or the office does, for them)."""
    from linli.core.pages import form_page

    from .models import VolunteerProfile
    from .services import profile_update

    actor = request.user
    profile = policy.get_for(
        actor, VolunteerProfile.objects.select_related("community"), "profile.edit", pk=pk
    )
    initial = {
        "skills": profile.skills,
        "availability": profile.availability,
        "limits": profile.limits,
        "public_name_consent": profile.public_name_consent,
    }
    form = ProfileForm(request.POST or None, initial=initial)

    def run(d: dict[str, Any]) -> Any:
        return profile_update(
            actor=actor, profile=profile, skills=d["skills"], availability=d["availability"],
            limits=d["limits"], public_name_consent=d["public_name_consent"],
        )  # fmt: skip

    return form_page(
        request, form, run, template="volunteers/profile_edit.html",
        context={"profile": profile}, done=_("Profile saved."), to=reverse("volunteers:home"),
    )  # fmt: skip


@login_required
@require_POST
def team_join(request: HttpRequest, pk: int) -> HttpResponse:
    from .services import team_join_request

    team = policy.get_for(request.user, VolunteerTeam, "team.join", pk=pk)
    return run_action(
        request, lambda: team_join_request(actor=request.user, team=team),
        done=_("Asked to join: the team leader will answer."),
        to=reverse("volunteers:team_detail", args=[team.pk]),
    )  # fmt: skip


def _member_answer(request: HttpRequest, pk: int, approve: bool) -> HttpResponse:
    from .models import TeamMember
    from .services import member_approve, member_decline

    m = policy.get_for(
        request.user, TeamMember.objects.select_related("team"), "membership.manage", pk=pk
    )
    act = member_approve if approve else member_decline
    return run_action(
        request, lambda: act(actor=request.user, member=m),
        done=_("Admitted to the team.") if approve else _("Request declined."),
        to=reverse("volunteers:team_detail", args=[m.team_id]),
    )  # fmt: skip


@login_required
@require_POST
def member_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_answer(request, pk, approve=True)


@login_required
@require_POST
def member_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_answer(request, pk, approve=False)


class SettingsForm(forms.Form):
    travel_minutes = forms.IntegerField(
        label=gettext_lazy("Travel time credited per attendance (minutes; 0 = not credited)"),
        min_value=0,
    )


@login_required
def hours_settings(request: HttpRequest, code: str) -> HttpResponse:
    """The office's choice: is travel to and from an activity credited as service time?"""
    from linli.core.pages import form_page
    from linli.registry.models import Community

    from .services.ledger import settings_update, travel_minutes_for

    community = policy.get_for(request.user, Community, "hours.settings", code=code)
    form = SettingsForm(
        request.POST or None, initial={"travel_minutes": travel_minutes_for(community.pk)}
    )

    def run(d: dict[str, Any]) -> Any:
        return settings_update(
            actor=request.user, community=community, travel_minutes=d["travel_minutes"]
        )

    return form_page(
        request, form, run, template="volunteers/settings.html", context={"community": community},
        done=_("Settings saved."), to=request.path,
    )  # fmt: skip
