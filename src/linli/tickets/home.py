"""The cards residents' requests add to the home page (registered in ``TicketsConfig.ready``)."""

from __future__ import annotations

from linli.core import policy
from linli.core.home import register_home_card


def my_requests_card(user) -> dict | None:
    """A resident's own requests, and the button to report a problem."""
    if not policy.has_any(user, "ticket.submit"):
        return None
    return {"can_submit_ticket": True}


def queue_card(user) -> dict | None:
    """The open and overdue counts of those who handle requests."""
    if not policy.has_any(user, "ticket.queue"):
        return None
    from . import metrics
    from .queries import tickets_for

    return {"ticket_queue": metrics.open_counts(tickets_for(user, "ticket.queue"))}


def tiles_card(user) -> dict | None:
    """This month's figures for those who may see the metrics."""
    if not policy.has_any(user, "ticket.metrics"):
        return None
    from . import metrics

    return {"ticket_tiles": metrics.home_tiles(user)}


def register() -> None:
    register_home_card(
        "tickets.mine",
        template="tickets/home/mine.html",
        context=my_requests_card,
        section="resident",
        order=10,
    )
    register_home_card(
        "tickets.queue", template="tickets/home/queue.html", context=queue_card, order=10
    )
    register_home_card(
        "tickets.tiles", template="tickets/home/tiles.html", context=tiles_card, order=20
    )
