"""What each person sees on the home page, by the roles they hold.

Core knows no domain app: each app registers the cards it adds (``register_home_card`` in its
``AppConfig.ready``), the way it registers its event verbs. A card is a template and a function
``context(user) -> dict | None``; ``None`` (or an empty dict) means "not for this person". The
card's dict is merged into the page's context, so a card's template reads its own keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest

from . import policy
from .roles import Role, roles_for

if TYPE_CHECKING:
    from .actors import User

Section = Literal["resident", "work"]


@dataclass(frozen=True)
class HomeCard:
    key: str
    template: str
    context: Callable[[User], dict[str, Any] | None]
    # "resident": inside the resident's part of the page (their own requests, household);
    # "work": the cards of those who handle, lead or run something.
    section: Section = "work"
    order: int = 100


_CARDS: dict[str, HomeCard] = {}


def register_home_card(
    key: str,
    *,
    template: str,
    context: Callable[[User], dict[str, Any] | None],
    section: Section = "work",
    order: int = 100,
) -> None:
    """Add a card to the home page (idempotent per key: re-registering replaces it)."""
    _CARDS[key] = HomeCard(key, template, context, section, order)


def registered_cards() -> list[HomeCard]:
    return sorted(_CARDS.values(), key=lambda c: (c.order, c.key))


def home_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    ctx: dict[str, Any] = {"memberships": [], "resident_cards": [], "work_cards": []}
    if not user.is_authenticated:
        return ctx
    ms = policy.memberships(user)
    ctx["memberships"] = ms
    roles = {m.role for m in ms}
    ctx["is_resident"] = Role.RESIDENT in roles
    # Someone who works here (any role but resident): a work home, without the elder-mode and
    # "my roles" cards (their roles are one line under the heading).
    ctx["works"] = bool(roles - {Role.RESIDENT})
    ctx["can_browse_registry"] = policy.has_any(user, "registry.browse")
    ctx["can_import"] = policy.has_any(user, "registry.import")
    ctx["role_communities"] = [
        m.community for m in ms if m.role in roles_for("roles.manage") and m.community_id
    ]
    ctx["resident_households"] = [m.household for m in ms if m.role == Role.RESIDENT]
    for card in registered_cards():
        data = card.context(user)
        if not data:
            continue
        ctx.update(data)
        ctx[f"{card.section}_cards"].append(card.template)
    return ctx
