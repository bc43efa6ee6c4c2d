"""The secretary's settings: categories, teams, the calendar, how handlers are named."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.pages import form_page, run_action
from linli.registry.models import Community

from .. import handler_names, queries, services_admin
from ..forms import (
    CategoryForm,
    HolidayForm,
    RequestSettingsForm,
    TeamForm,
    TeamMemberForm,
)
from ..models import (
    Category,
    HandlingTeam,
)

# --- the secretary's settings --------------------------------------------------------------


def _settings_community(request: HttpRequest, code: str) -> Community:
    return policy.get_for(request.user, Community.objects.all(), "ticket.categories", code=code)


def _settings_page(request: HttpRequest, c: Community, *, status: int = 200, **bound):
    return render(request, "tickets/categories.html", _settings_context(c, **bound), status=status)


def _settings_context(c: Community, **bound) -> dict:
    data = queries.category_admin(c)
    teams = data["teams"]
    people = queries.people_for([c.pk])
    ctx = {
        "community": c,
        **data,
        "category_form": bound.get("category_form")
        or CategoryForm(teams=[t for t in teams if t.active]),
        "team_form": bound.get("team_form") or TeamForm(),
        "holiday_form": bound.get("holiday_form") or HolidayForm(),
        "settings_form": bound.get("settings_form")
        or RequestSettingsForm(
            initial={"handler_name": handler_names.handler_choice(c.pk)}, auto_id="id_rs_%s"
        ),
        "member_form": TeamMemberForm(people=people),
        "bound_member": bound.get("member_form"),
        "bound_team": bound.get("team_pk"),
        "error": bound.get("error"),
    }
    return ctx


def _settings_form(request: HttpRequest, c: Community, key: str, form, run, *, done=None):
    """One of the settings page's forms posted: the service, then back to the settings; the
    page again with the form (and the refusal on it) as ``key`` otherwise."""
    return form_page(
        request,
        form,
        run,
        template="tickets/categories.html",
        context=lambda: _settings_context(c, **{key: form}),
        done=done,
        to=reverse("tickets:categories", kwargs={"code": c.code}),
    )


@login_required
def categories(request: HttpRequest, code: str) -> HttpResponse:
    c = _settings_community(request, code)
    if request.method != "POST":
        return _settings_page(request, c)
    form = CategoryForm(request.POST, teams=queries.teams_for([c.pk]))
    return _settings_form(
        request,
        c,
        "category_form",
        form,
        lambda d: services_admin.category_save(actor=request.user, community=c, **d),
        done=lambda cat: _("Category “%(name)s” saved.") % {"name": cat.name},
    )


@login_required
def category_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    c = _settings_community(request, code)
    cat = get_object_or_404(Category.objects.select_related("default_team"), community=c, pk=pk)
    teams = queries.teams_for([c.pk])
    if cat.default_team_id and cat.default_team not in teams:
        teams.append(cat.default_team)
    initial = {
        "name": cat.name,
        "name_en": cat.name_en,
        "description": cat.description,
        "default_team": cat.default_team_id,
        "respond_within_hours": cat.respond_within_hours,
        "resolve_within_workdays": cat.resolve_within_workdays,
        "work_from": cat.work_from,
        "work_until": cat.work_until,
        "active": cat.active,
        "public": cat.public,
        "attributes": json.dumps(cat.attributes, ensure_ascii=False, indent=2)
        if cat.attributes
        else "",
    }
    form = CategoryForm(request.POST or None, initial=initial, teams=teams, editing=True)
    return form_page(
        request,
        form,
        lambda d: services_admin.category_save(actor=request.user, community=c, category=cat, **d),
        done=lambda cat: _("Category “%(name)s” saved.") % {"name": cat.name},
        template="tickets/category_form.html",
        context={"community": c, "category": cat},
        to=reverse("tickets:categories", kwargs={"code": c.code}),
    )


@login_required
@require_POST
def team_save(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    c = _settings_community(request, code)
    team = get_object_or_404(HandlingTeam, community=c, pk=pk) if pk else None
    return _settings_form(
        request,
        c,
        "team_form",
        TeamForm(request.POST),
        lambda d: services_admin.team_save(actor=request.user, community=c, team=team, **d),
        done=lambda t: _("Team “%(name)s” saved.") % {"name": t.name},
    )


@login_required
@require_POST
def team_members(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    c = _settings_community(request, code)
    team = get_object_or_404(HandlingTeam.objects.select_related("community"), community=c, pk=pk)
    people = queries.people_for([c.pk])
    if request.POST.get("op") == "remove":
        people = list({u.pk: u for u in [*people, *team.members.all()]}.values())
    form = TeamMemberForm(request.POST, people=people)

    def again(error=None) -> HttpResponse:
        # Refused or invalid: 400, the message on top of the page (as an invalid form's).
        return _settings_page(
            request, c, status=400, member_form=form, team_pk=team.pk, error=error
        )

    if not form.is_valid():
        return again()
    d = form.cleaned_data
    fn = (
        services_admin.team_member_remove if d["op"] == "remove" else services_admin.team_member_add
    )
    return run_action(
        request,
        lambda: fn(actor=request.user, team=team, user=d["user"]),
        done=_("Team “%(name)s” saved.") % {"name": team.name},
        to=reverse("tickets:categories", kwargs={"code": c.code}),
        on_error=lambda e: again(e.message),
    )


@login_required
@require_POST
def holiday_add(request: HttpRequest, code: str) -> HttpResponse:
    c = _settings_community(request, code)
    return _settings_form(
        request,
        c,
        "holiday_form",
        HolidayForm(request.POST),
        lambda d: services_admin.holiday_add(actor=request.user, community=c, **d),
        done=_("Added to the calendar."),
    )


@login_required
@require_POST
def request_settings(request: HttpRequest, code: str) -> HttpResponse:
    c = _settings_community(request, code)
    return _settings_form(
        request,
        c,
        "settings_form",
        RequestSettingsForm(request.POST, auto_id="id_rs_%s"),
        lambda d: services_admin.request_settings_save(actor=request.user, community=c, **d),
        done=_("Saved."),
    )
