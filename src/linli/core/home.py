"""What each person sees on the home page, by the roles they hold."""

from django.http import HttpRequest

from . import policy
from .roles import Role, roles_for


def _requests_context(user, ctx: dict) -> None:
    """Residents' requests: a resident's own, the queue of those who handle them, and this
    month's figures for those who may see the metrics."""
    from linli.tickets import metrics
    from linli.tickets.queries import tickets_for

    ctx["can_submit_ticket"] = policy.has_any(user, "ticket.submit")
    if policy.has_any(user, "ticket.queue"):
        ctx["ticket_queue"] = metrics.open_counts(tickets_for(user, "ticket.queue"))
    if policy.has_any(user, "ticket.metrics"):
        ctx["ticket_tiles"] = metrics.home_tiles(user)


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
    _requests_context(user, ctx)
    return ctx
