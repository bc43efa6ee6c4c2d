"""Reads for accounts pages, and the people queries of every app (who holds which role
where: pickers, leaders shown on a building's page). Callers pass a community already
authorised with the policy (``policy.get_for(actor, Community, …)``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from linli.core import access, policy
from linli.core.models import Event
from linli.core.roles import EVERYONE
from linli.registry.models import Community

from .models import RoleMembership, User, normalise_phone

MEMBERSHIPS_PER_PAGE = 50


def _community_id(community: Community | int) -> int:
    return community if isinstance(community, int) else community.pk


def memberships_of(
    community: Community | int, roles: Iterable[str] = EVERYONE
) -> QuerySet[RoleMembership]:
    """The active memberships held in ``community`` by active accounts, in one of ``roles``
    (the named sets of ``core.roles``), each with its user and place, by role then name."""
    return (
        RoleMembership.objects.filter(
            community_id=_community_id(community),
            active=True,
            user__is_active=True,
            role__in=[str(r) for r in roles],
        )
        .select_related("user", "building", "household")
        .order_by("role", "user__display_name", "user__username", "id")
    )


def members_of(community: Community | int, roles: Iterable[str] = EVERYONE) -> QuerySet[User]:
    """The people who hold one of ``roles`` in ``community`` (active accounts, active
    memberships), by name: the one query behind every people picker — who can be invited,
    given follow-up work (``core.roles.WORKERS``), sent to survey doors."""
    held = memberships_of(community, roles).filter(user_id=OuterRef("pk"))
    return User.objects.filter(Exists(held), is_active=True).order_by("display_name", "username")


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


def _ident_q(ident: str) -> Q | None:
    ident = (ident or "").strip()
    if not ident:
        return None
    phone = normalise_phone(ident)
    cond = Q(username=ident)
    if phone:
        cond |= Q(phone=phone)
    return cond


def accounts_of(actor, community: Community) -> QuerySet[User]:
    """The accounts a secretary of ``community`` may look up and give roles to: those that
    hold or held a role in it (through the policy: within the actor's places), and those its
    office opened that hold no role anywhere yet (``user.created`` with this community)."""
    if not policy.can(actor, "roles.manage", community):
        return User.objects.none()
    opened_here = Event.objects.filter(
        verb="user.created",
        object_type=ContentType.objects.get_for_model(User),
        object_id=OuterRef("pk"),
        community_id=community.pk,
    )
    member_here = RoleMembership.objects.filter(user_id=OuterRef("pk"), community=community)
    members = policy.scope_filter(actor, User.objects.all(), "roles.manage").filter(
        Exists(member_here)
    )
    fresh = User.objects.filter(Exists(opened_here), memberships__isnull=True)
    return User.objects.filter(Q(pk__in=members.values("pk")) | Q(pk__in=fresh.values("pk")))


def user_find_for(actor, community: Community, ident: str) -> User | None:
    """An account of ``community`` by its exact user name or phone number: exact, so the form
    cannot be used to list people; of this community only, so it cannot be used to learn who
    another community's people are (issue 9)."""
    cond = _ident_q(ident)
    if cond is None:
        return None
    return accounts_of(actor, community).filter(cond).order_by("id").first()


def user_belongs(actor, user: User, community: Community) -> bool:
    return accounts_of(actor, community).filter(pk=user.pk).exists()


def user_not_found_message() -> str:
    return _(
        "No account of this community has this user name or phone number. Create the account first."
    )


def my_data_reads(user: User, *, page: int | str = 1) -> Page | None:
    """Who read the user's own resident record, aggregated per day (``core.access``); None
    for an account without one. Only ever the user's own: no parameter names another."""
    if user.resident_id is None:
        return None
    return access.reads_of(user.resident_id, page=page)
