"""The card Care adds to the home page: a visitor's due and overdue visits."""

from __future__ import annotations

from typing import Any

from linli.core.home import register_home_card


def visits_card(user: Any) -> dict[str, Any] | None:
    from .queries import my_visit_counts

    counts = my_visit_counts(user)
    if counts is None:
        return None
    return {"care_visits": counts}


def register() -> None:
    register_home_card(
        "care.visits", template="care/home/visits.html", context=visits_card, order=15
    )
