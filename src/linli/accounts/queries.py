"""Reads for accounts pages. Callers pass a community already authorised with
``policy.get_for(actor, Community, "roles.manage", …)``."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404

from linli.core import access
from linli.registry.models import Community

from .models import RoleMembership, User
from .services import normalise_phone

MEMBERSHIPS_PER_PAGE = 50


def membership_list_for(community: Community, *, page: int | str = 1) -> Page:
    """The community's active memberships, one page, with each row's place attached."""
    qs = (
        RoleMembership.objects.filter(community=community, active=True)
        .select_related("user", "community", "grid", "building", "household")
        .order_by("role", "user__username", "id")
    )
    result = Paginator(qs, MEMBERSHIPS_PER_PAGE).get_page(page)
    result.object_list = list(result.object_list)
    for m in result.object_list:
        m.place_obj = getattr(m, m.place)
    return result


def membership_get(community: Community, pk: int) -> RoleMembership:
    return get_object_or_404(
        RoleMembership.objects.select_related("user", "community"), community=community, pk=pk
    )


def user_find(ident: str) -> User | None:
    """An account by its exact user name or phone number: exact, so the form cannot be used
    to list people."""
    ident = (ident or "").strip()
    if not ident:
        return None
    phone = normalise_phone(ident)
    cond = Q(username=ident)
    if phone:
        cond |= Q(phone=phone)
    return User.objects.filter(cond).order_by("id").first()


def my_data_reads(user: User, *, page: int | str = 1) -> Page | None:
    """Who read the user's own resident record, aggregated per day (``core.access``); None
    for an account without one. Only ever the user's own: no parameter names another."""
    if user.resident_id is None:
        return None
    return access.reads_of(user.resident_id, page=page)
