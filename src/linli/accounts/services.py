"""Every write to accounts and role memberships: ``noun_verb(*, actor, …)``.

Each service checks the permission (``roles.manage`` on the community), validates (a refusal is
a ``core.errors.DomainError``, on the form field it names), runs in one transaction and
records an event. Views and admin call these.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.errors import DomainError
from linli.core.events import log_event
from linli.core.roles import ROLE_LEVEL, Role
from linli.registry.models import Building, Community, Grid, Household

from . import queries
from .models import RoleMembership, User, normalise_phone

# Roles a community secretary may hand out: never the street office's own role.
GRANTABLE_ROLES = [r for r in Role if ROLE_LEVEL[r] != "street"]

_PLACE_MODEL = {"community": Community, "grid": Grid, "building": Building, "household": Household}


def community_of(place) -> Community:
    return place if isinstance(place, Community) else place.community


# --- memberships ----------------------------------------------------------------------------


@transaction.atomic
def membership_grant(*, actor, user: User, role: str, place) -> RoleMembership:
    """Give ``user`` the ``role`` at ``place`` (a community, grid, building or household)."""
    if role not in Role.values or ROLE_LEVEL[role] == "street":
        raise DomainError(_("This role cannot be granted here."), field="role")
    level = ROLE_LEVEL[role]
    if not isinstance(place, _PLACE_MODEL[level]):
        raise DomainError(
            _("This role is held at a %(level)s.")
            % {"level": _PLACE_MODEL[level]._meta.verbose_name},
            field="place",
        )
    community = community_of(place)
    # A place in another community is outside the secretary's scope: 404, as for a page.
    policy.authorize(actor, "roles.manage", community)
    # Only an account of this community (or one its office has just opened): another
    # community's people are "not found", as on the form, so nothing names them.
    if not queries.user_belongs(actor, user, community):
        raise DomainError(queries.user_not_found_message(), field="user")
    if not user.is_active:
        raise DomainError(_("This account is switched off."), field="user")
    kw: dict = {"user": user, "role": role, "community": community}
    if level != "community":
        kw[level] = place
    if RoleMembership.objects.filter(active=True, **kw).exists():
        raise DomainError(_("%(user)s already holds this role there.") % {"user": user})
    membership = RoleMembership.objects.create(**kw)
    log_event(
        actor=actor,
        verb="membership.granted",
        obj=membership,
        community_id=community.pk,
        data={
            "user": user.pk,
            "role": role,
            "level": level,
            "place": place.pk,
            "place_name": str(place),
        },
    )
    _forget(actor, user)
    return membership


@transaction.atomic
def membership_revoke(*, actor, membership: RoleMembership) -> RoleMembership:
    """Switch a membership off (kept, not deleted, so the log still names it)."""
    if membership.community_id is None:
        raise Http404  # a street office's role: no community secretary manages it
    policy.authorize(actor, "roles.manage", membership.community)
    if not membership.active:
        return membership  # a second click on the same button changes nothing
    if membership.user_id == actor.pk and membership.role == Role.SECRETARY:
        # Otherwise the last secretary can lock the community out of role management.
        raise DomainError(_("You cannot remove your own secretary role."))
    membership.active = False
    membership.save(update_fields=["active"])
    log_event(
        actor=actor,
        verb="membership.revoked",
        obj=membership,
        community_id=membership.community_id,
        data={"user": membership.user_id, "role": membership.role},
    )
    _forget(actor, membership.user)
    return membership


def _forget(actor, user: User) -> None:
    # Memberships are cached on the user object for the request; if the target is the
    # actor themself, the cached list on either object is stale now.
    policy.forget_memberships(user)
    if getattr(actor, "pk", None) == user.pk:
        policy.forget_memberships(actor)


# --- users ----------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    phone: str,
    display_name: str,
    password: str,
    community: Community | None = None,
) -> User:
    """An account a secretary opens for a resident who cannot sign up alone.

    ``community`` is the community the secretary acts for; it is checked and written on the
    event. Without it the actor must hold ``roles.manage`` somewhere."""
    if community is not None:
        policy.authorize(actor, "roles.manage", community)
    else:
        policy.require_any(actor, "roles.manage")
    username = (username or "").strip()
    phone = normalise_phone(phone)
    user = User(username=username, phone=phone or None, display_name=(display_name or "").strip())
    errors: dict[str, list] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as e:
        errors.update(e.message_dict)
    # The log-in form takes a user name or a phone number in one field: neither may be the
    # other person's, or the log-in would be ambiguous.
    if username and User.objects.filter(phone=username).exists():
        errors.setdefault("username", []).append(
            _("This user name is another person's phone number.")
        )
    if phone and User.objects.filter(username=phone).exists():
        errors.setdefault("phone", []).append(_("This phone number is another person's user name."))
    if username and User.objects.filter(username__iexact=username).exclude(username=username):
        errors.setdefault("username", []).append(_("A user with that user name already exists."))
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as e:
        errors["password"] = e.messages
    if errors:  # each message on its field (core.pages.attach)
        raise DomainError(_("Please check the form."), extra={"errors": errors})
    user.set_password(password)
    user.save()
    log_event(
        actor=actor,
        verb="user.created",
        obj=user,
        community_id=community.pk if community is not None else None,
        data={"username": user.username},
    )
    return user


def _temporary_password() -> str:
    """Easy to read out on the phone or write on a slip: three groups of four, no 0/O, 1/l."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    return "-".join("".join(secrets.choice(alphabet) for _i in range(4)) for _g in range(3))


@transaction.atomic
def user_password_reset(*, actor, user: User, community: Community) -> str:
    """The secretary sets a new, temporary password for an account of their community (a
    resident who forgot theirs, a building leader with a new phone) and tells the person in
    person; returns it once. Every session of the account ends (Django's session hash), a
    lock-out after wrong guesses is lifted, and the event holds no password."""
    policy.authorize(actor, "roles.manage", community)
    if not queries.user_belongs(actor, user, community):
        raise Http404
    if user.is_superuser or user.pk == actor.pk:
        raise PermissionDenied
    password = _temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    from axes.utils import reset

    reset(username=user.username)
    if user.phone:
        reset(username=user.phone)
    log_event(actor=actor, verb="user.password_reset", obj=user, community_id=community.pk)
    return password
