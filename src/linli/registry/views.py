"""Registry pages: thin — parse, call one service or query, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import disclosure, policy
from linli.core.events import timeline_for
from linli.core.links import object_urls
from linli.core.pages import form_page

from . import queries, services
from .forms import (
    BuildingForm,
    GridForm,
    HouseholdForm,
    MoveOutForm,
    ResidentForm,
    RevealForm,
    TagForm,
)
from .models import Building, Community, Household, Resident, ResidentStatus, Tag


@login_required
def index(request: HttpRequest) -> HttpResponse:
    policy.require_any(request.user, "registry.browse")
    communities = list(queries.communities_for(request.user))
    if len(communities) == 1:
        return redirect("registry:community", code=communities[0].code)
    return render(request, "registry/index.html", {"communities": communities})


@login_required
def tag_list(request: HttpRequest, code: str, tag: str) -> HttpResponse:
    """The residents behind a tag's count on the community page (空巢老人 198): age, room and,
    for those who may see it, the phone — printable as a call or visit sheet."""
    c = policy.get_for(request.user, Community.objects.all(), "registry.browse", code=code)
    t = (
        Tag.objects.filter(Q(community__isnull=True) | Q(community=c), code=tag)
        .order_by("community_id")
        .first()
    )
    if t is None:
        raise Http404
    if t.sensitive and not policy.can(request.user, "resident.sensitive", c):
        raise PermissionDenied  # health, disability, low income: the office's alone
    listing = queries.tag_residents(request, c, t)
    v = disclosure.viewer(request.user, c)
    for r in listing.page.object_list:
        r.shown_name = disclosure.name(v, r)
        r.shown_phone = disclosure.phone(v, r.phone)
        r.shown_age = disclosure.age(r)
    return render(
        request,
        "registry/tag_list.html",
        {"community": c, "tag": t, "listing": listing, "viewer": v},
    )


@login_required
def community(request: HttpRequest, code: str) -> HttpResponse:
    c = policy.get_for(
        request.user,
        Community.objects.select_related("street_office"),
        "registry.browse",
        code=code,
    )
    tree = queries.community_tree(request.user, c)
    if not policy.can(request.user, "resident.sensitive", c):
        # Counts of sensitive tags are the office's too: in a building, "1" is a person.
        tree["tag_counts"] = [t for t in tree["tag_counts"] if not t.get("tag__sensitive")]
    ctx = {
        "community": c,
        "tree": tree,
        "can_import": policy.can(request.user, "registry.import", c),
        "can_export": policy.can(request.user, "registry.export", c),
        "can_structure": policy.can(request.user, "registry.structure", c),
    }
    return render(request, "registry/community.html", ctx)


@login_required
def building(request: HttpRequest, pk: int) -> HttpResponse:
    b = policy.get_for(
        request.user, Building.objects.select_related("community", "grid"), "registry.browse", pk=pk
    )
    ctx = {
        "building": b,
        "households": queries.building_households(request.user, b),
        "leaders": queries.building_leaders(b),
        "grid_workers": queries.grid_workers(b.grid),
        "can_create": policy.can(request.user, "household.create", b),
        "viewer": disclosure.viewer(request.user, b),
    }
    return render(request, "registry/building.html", ctx)


@login_required
def household(request: HttpRequest, pk: int) -> HttpResponse:
    hh = policy.get_for(
        request.user,
        Household.objects.select_related("building", "unit", "community"),
        "household.view",
        pk=pk,
    )
    can_history = policy.can(request.user, "registry.history", hh)
    ctx = {
        "household": hh,
        "residents": queries.household_residents(
            request.user, hh, purpose="registry.household_page"
        ),
        "can_edit": policy.can(request.user, "household.edit", hh),
        "can_add_resident": policy.can(request.user, "resident.create", hh),
        "can_browse": policy.can(request.user, "registry.browse", hh.building),
        "viewer": disclosure.viewer(request.user, hh),
        "timeline": timeline_for(hh, page=request.GET.get("page") or 1) if can_history else None,
    }
    return render(request, "registry/household.html", ctx)


@login_required
def household_create(request: HttpRequest, pk: int) -> HttpResponse:
    b = policy.get_for(
        request.user, Building.objects.select_related("community"), "household.create", pk=pk
    )
    return form_page(
        request,
        HouseholdForm(request.POST or None, building=b),
        lambda d: services.household_create(actor=request.user, building=b, **d),
        done=lambda hh: _("Household %(label)s registered.") % {"label": hh.label},
        to=lambda hh: reverse("registry:household", args=[hh.pk]),
        template="registry/household_form.html",
        context={"building": b},
    )


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hh = policy.get_for(
        request.user,
        Household.objects.select_related("building", "community"),
        "household.edit",
        pk=pk,
    )
    initial = {"floor_area": hh.floor_area, "occupancy": hh.occupancy, "notes": hh.notes}
    return form_page(
        request,
        HouseholdForm(request.POST or None, initial=initial, editing=True),
        lambda d: services.household_update(actor=request.user, household=hh, **d),
        done=_("Saved."),
        to=reverse("registry:household", args=[hh.pk]),
        template="registry/household_form.html",
        context={"building": hh.building, "household": hh},
    )


@login_required
def resident(request: HttpRequest, pk: int) -> HttpResponse:
    r = queries.resident_get_for(
        request.user, pk, "resident.view", purpose="registry.resident_page"
    )
    can_history = policy.can(request.user, "registry.history", r)
    viewer = disclosure.viewer(request.user, r)
    ctx = {
        "resident": r,
        "viewer": viewer,
        "tags": disclosure.tags(viewer, r.tags.all()),
        "can_edit": policy.can(request.user, "resident.edit", r),
        "can_reveal": policy.can(request.user, "resident.reveal", r),
        "reveal_form": RevealForm(),
        "timeline": timeline_for(r, page=request.GET.get("page") or 1) if can_history else None,
        # Children's details are shown to the office only (PIPL Art. 28/31).
        "minor_masked": disclosure.masks_minor(viewer, r),
    }
    return render(request, "registry/resident.html", ctx)


def _listed_tags(data: dict) -> dict:
    return {**data, "tags": list(data["tags"])}


def _resident_initial(r: Resident) -> dict:
    return {
        "name": r.name,
        "gender": r.gender,
        "birth_date": r.birth_date,
        "phone": r.phone,
        "relation": r.relation,
        "tenure": r.tenure,
        "moved_in_on": r.moved_in_on,
        "guardian_name": r.guardian_name,
        "guardian_phone": r.guardian_phone,
        "other_phone": r.other_phone,
        "tags": list(r.tags.all()),
    }


@login_required
def resident_create(request: HttpRequest, pk: int) -> HttpResponse:
    hh = policy.get_for(
        request.user,
        Household.objects.select_related("community", "building"),
        "resident.create",
        pk=pk,
    )
    return form_page(
        request,
        ResidentForm(
            request.POST or None,
            community=hh.community,
            sensitive=policy.can(request.user, "resident.sensitive", hh),
        ),
        lambda d: services.resident_create(actor=request.user, household=hh, **_listed_tags(d)),
        done=lambda r: _("%(name)s registered.") % {"name": r.name},
        to=reverse("registry:household", args=[hh.pk]),
        template="registry/resident_form.html",
        context={"household": hh},
    )


@login_required
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # The stored full phone is shown by the unbound form only; a posted form echoes the input.
    shown = "registry.edit_form" if request.method == "GET" else None
    r = queries.resident_get_for(request.user, pk, "resident.edit", purpose=shown)
    return form_page(
        request,
        ResidentForm(
            request.POST or None,
            initial=_resident_initial(r),
            community=r.community,
            editing=True,
            sensitive=policy.can(request.user, "resident.sensitive", r),
        ),
        lambda d: services.resident_update(actor=request.user, resident=r, **_listed_tags(d)),
        done=_("Saved."),
        to=reverse("registry:resident", args=[r.pk]),
        template="registry/resident_form.html",
        context={"household": r.household, "resident": r},
    )


@login_required
def resident_move_out(request: HttpRequest, pk: int) -> HttpResponse:
    r = policy.get_for(
        request.user, Resident.objects.select_related("household"), "resident.move_out", pk=pk
    )
    return form_page(
        request,
        MoveOutForm(request.POST or None),
        lambda d: services.resident_move_out(actor=request.user, resident=r, **d),
        done=_("Saved."),
        to=reverse("registry:household", args=[r.household_id]),
        template="registry/move_out.html",
        context={"resident": r, "viewer": disclosure.viewer(request.user, r)},
    )


@login_required
@require_POST
def resident_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    if field not in ("id_number", "health_note"):
        raise PermissionDenied
    r = policy.get_for(request.user, Resident.objects.all(), "resident.reveal", pk=pk)
    form = RevealForm(request.POST)
    # htmx swaps the fragment in place; without JavaScript the same fragment gets a page.
    template = (
        "registry/_reveal.html" if request.headers.get("HX-Request") else "registry/reveal.html"
    )
    if not form.is_valid():
        return render(request, template, {"resident": r, "field": field, "form": form}, status=400)
    value = services.resident_reveal(
        actor=request.user, resident=r, field=field, reason=form.cleaned_data["reason"]
    )
    response = render(request, template, {"resident": r, "field": field, "value": value})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    result = queries.search(request.user, q)
    template = (
        "registry/_search_results.html"
        if request.headers.get("HX-Request")
        else "registry/search.html"
    )
    viewer_of = disclosure.viewer_of_rows(request.user)
    statuses = {k: str(v) for k, v in ResidentStatus.choices}  # translated once, not a row
    resident_url, household_url = (
        object_urls("registry:resident"),
        object_urls("registry:household"),
    )
    for r in result.residents:
        # Worked out once a row here rather than by template tags (docs/performance.md).
        r.url = resident_url(r.pk)
        r.household_url = household_url(r.household_id)
        r.status_label = statuses.get(r.status, r.status)
        r.shown_name = disclosure.name(viewer_of(r), r)
        r.shown_phone = disclosure.phone(disclosure.MASKED, r.phone) or "—"
    return render(request, template, {"q": q, "result": result})


def _structure_page(request, code: str, form_class, service, template: str, success):
    c = policy.get_for(request.user, Community, "registry.structure", code=code)
    kwargs = {"community": c} if form_class is BuildingForm else {}
    return form_page(
        request,
        form_class(request.POST or None, **kwargs),
        lambda d: service(actor=request.user, community=c, **d),
        done=lambda obj: success % {"name": str(obj)},
        to=reverse("registry:community", args=[c.code]),
        template=template,
        context={"community": c},
    )


@login_required
def building_create(request: HttpRequest, code: str) -> HttpResponse:
    return _structure_page(
        request,
        code,
        BuildingForm,
        services.building_create,
        "registry/structure_form.html",
        _("%(name)s added."),
    )


@login_required
def grid_create(request: HttpRequest, code: str) -> HttpResponse:
    return _structure_page(
        request,
        code,
        GridForm,
        services.grid_create,
        "registry/structure_form.html",
        _("%(name)s added."),
    )


@login_required
def tags(request: HttpRequest, code: str) -> HttpResponse:
    c = policy.get_for(request.user, Community, "registry.browse", code=code)
    can_add = policy.can(request.user, "registry.structure", c)
    form = TagForm(request.POST or None)
    if request.method == "POST" and not can_add:
        raise PermissionDenied
    return form_page(
        request,
        form,
        lambda d: services.tag_create(actor=request.user, community=c, **d),
        template="registry/tags.html",
        context=lambda: {
            "community": c,
            "tags": queries.tags_with_counts(c),
            "can_add": can_add,
            "sees_sensitive": policy.can(request.user, "resident.sensitive", c),
        },
        done=_("Saved."),
        to=reverse("registry:tags", kwargs={"code": c.code}),
    )
