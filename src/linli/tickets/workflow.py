"""The one place a ticket's status changes: check the transition table, apply, record.

``transition(ticket, action, actor=…, to=…, data=…)`` is called by the services with the
ticket row locked. An action not allowed from the current status raises ``InvalidTransition``
naming the actions that are allowed (→ HTTP 409).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.errors import DomainError
from linli.core.events import log_event
from linli.core.models import Event

from .models import TRANSITIONS, Status, Ticket


class TicketError(DomainError):
    """A refusal about a request (``core.errors.DomainError``)."""

    def __init__(self, message, **kwargs):
        super().__init__(message, **kwargs)


class InvalidTransition(TicketError):
    status = 409

    def __init__(self, ticket: Ticket, action: str):
        self.allowed = allowed_actions(ticket.status)
        names = ", ".join(str(ACTION_LABELS.get(a, a)) for a in self.allowed) or "—"
        super().__init__(
            _(
                "This request is %(status)s; “%(action)s” is not possible now. Possible: %(allowed)s."
            )
            % {
                "status": Status(ticket.status).label,
                "action": ACTION_LABELS.get(action, action),
                "allowed": names,
            },
            code="not_allowed",
            extra={"allowed": self.allowed},
        )


class StaleTicket(TicketError):
    status = 409

    def __init__(self):
        super().__init__(
            _("Someone else changed this request a moment ago. Please look again."), code="stale"
        )


ACTION_LABELS = {
    "accept": _("Accept"),
    "assign": _("Assign"),
    "claim": _("Take it on"),
    "start": _("Start work"),
    "hold": _("Put on hold"),
    "resume": _("Resume"),
    "resolve": _("Mark resolved"),
    "reply": _("Reply to the requester"),
    "rate": _("Rate"),
    "revisit": _("Record a return visit"),
    "close": _("Close"),
    "mark_duplicate": _("Mark as duplicate"),
    "refer": _("Refer elsewhere"),
    "withdraw": _("Withdraw"),
}


def allowed_actions(status: str) -> list[str]:
    return [a for a, (sources, _to) in TRANSITIONS.items() if status in sources]


def check(ticket: Ticket, action: str) -> Status | None:
    sources, target = TRANSITIONS[action]
    if ticket.status not in sources:
        raise InvalidTransition(ticket, action)
    return target


def transition(
    ticket: Ticket,
    action: str,
    *,
    actor,
    to: str | None = None,
    data: dict | None = None,
    expected_version: int | None = None,
) -> Event:
    """Move ``ticket`` (already locked by the caller) by ``action``; records and returns
    the ``ticket.<action>`` event with the old and new status. ``expected_version`` (from the
    form the person saw) refuses a change built on a stale page."""
    if expected_version is not None and expected_version != ticket.version:
        raise StaleTicket
    target = check(ticket, action)
    new_status = to or target
    if new_status is None:
        raise ValueError(f"{action} needs an explicit target status")
    old = ticket.status
    ticket.status = new_status
    ticket.version += 1
    now = timezone.now()
    if ticket.responded_at is None and new_status != Status.SUBMITTED:
        ticket.responded_at = now
    ticket.save()
    return log_event(
        actor=actor,
        verb=f"ticket.{action}",
        obj=ticket,
        data={"from": old, "to": new_status, **(data or {})},
    )
