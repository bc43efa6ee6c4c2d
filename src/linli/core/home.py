"""What each person sees on the home page, by the roles they hold."""

from django.http import HttpRequest

from . import policy
from .roles import Role, roles_for


def home_context(request: HttpRequest) -> dict:
    user = request.user
    ctx: dict = {"memberships": [], "cards": []}
    if not user.is_authenticated:
        return ctx
    ms = policy.memberships(user)
    ctx["memberships"] = ms
    roles = {m.role for m in ms}
    ctx["is_resident"] = Role.RESIDENT in roles
    ctx["can_browse_registry"] = policy.has_any(user, "registry.browse")
    ctx["can_import"] = policy.has_any(user, "registry.import")
    ctx["role_communities"] = [
        m.community for m in ms if m.role in roles_for("roles.manage") and m.community_id
    ]
    ctx["resident_households"] = [m.household for m in ms if m.role == Role.RESIDENT]
    return ctx
