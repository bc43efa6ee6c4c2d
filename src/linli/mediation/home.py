"""The mediation card on the home page: open cases and the deadlines of one's own cases."""

from __future__ import annotations

from typing import Any

from linli.core import policy
from linli.core.home import register_home_card


def mediation_card(user: Any) -> dict[str, Any] | None:
    if not policy.has_any(user, "mediation.case.open"):
        return None
    from .queries import home_counts

    return {"mediation_home": home_counts(user)}


def register() -> None:
    register_home_card(
        "mediation.cases", template="mediation/home/card.html", context=mediation_card, order=40
    )
