"""The one place a ticket's status changes: the kernel's workflow (``core.workflow``) with the
request's table (``models.TICKET_TRANSITIONS``) and what is ticket-specific:

- the moment of the first response (``responded_at``), set by the first move out of
  "submitted" (the ``on_apply`` hook);
- the refusal's wording: an action not allowed from the current status raises
  ``InvalidTransition`` (a ``core.errors.Conflict``, 409) naming the actions that are allowed,
  a stale page ``StaleTicket`` (a ``core.errors.Stale``).

Services call ``transition(ticket, action, actor=…, to=…, data=…, fields=…)`` with the ticket
row locked (or ``TICKET_FLOW.apply`` directly).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.actors import Actor
from linli.core.errors import Conflict, DomainError, Stale
from linli.core.models import Event
from linli.core.workflow import Transition, Workflow

from .models import TICKET_TRANSITIONS, Status, Ticket


class TicketError(DomainError):
    """A refusal about a request (``core.errors.DomainError``)."""


class InvalidTransition(TicketError, Conflict):
    code = "not_allowed"

    def __init__(self, ticket: Ticket, action: str):
        self.allowed = TICKET_FLOW.allowed(ticket)
        names = ", ".join(str(TICKET_FLOW.label(a)) for a in self.allowed) or "—"
        known = action in TICKET_FLOW.transitions
        super().__init__(
            _(
                "This request is %(status)s; “%(action)s” is not possible now. Possible: %(allowed)s."
            )
            % {
                "status": Status(ticket.status).label,
                "action": TICKET_FLOW.label(action) if known else action,
                "allowed": names,
            },
            extra={"allowed": self.allowed},
        )


class StaleTicket(TicketError, Stale):
    code = "stale"

    def __init__(self) -> None:
        super().__init__(_("Someone else changed this request a moment ago. Please look again."))


def _responded(obj: models.Model, t: Transition, old: str, new: str) -> Iterable[str]:
    """The first move out of "submitted" is the response; every move touches ``updated_at``."""
    assert isinstance(obj, Ticket)
    fields = ["updated_at"]
    if obj.responded_at is None and new != Status.SUBMITTED:
        obj.responded_at = timezone.now()
        fields.append("responded_at")
    return fields


class TicketFlow(Workflow):
    """The kernel's workflow, refusing in the request's own words."""

    def refusal(self, obj: models.Model, action: str) -> Conflict:
        assert isinstance(obj, Ticket)
        return InvalidTransition(obj, action)

    def apply(self, obj: models.Model, action: str, **kwargs: Any) -> Event:
        try:
            return super().apply(obj, action, **kwargs)
        except StaleTicket:
            raise
        except Stale:
            raise StaleTicket from None


TICKET_FLOW = TicketFlow(
    "ticket",
    TICKET_TRANSITIONS,
    stale_message=_("Someone else changed this request a moment ago. Please look again."),
    on_apply=_responded,
)

# The buttons' names (the table's labels), for pages that show an action by its name.
ACTION_LABELS = {a: t.label for a, t in TICKET_FLOW.transitions.items()}


def allowed_actions(status: str) -> list[str]:
    return TICKET_FLOW.allowed_from(status)


def check(ticket: Ticket, action: str) -> str | None:
    """The target status of ``action`` from ``ticket``'s status, or ``InvalidTransition``."""
    return TICKET_FLOW.check(ticket, action).target


def transition(
    ticket: Ticket,
    action: str,
    *,
    actor: Actor | None,
    to: str | None = None,
    data: dict | None = None,
    expected_version: int | None = None,
    fields: Iterable[str] = (),
) -> Event:
    """Move ``ticket`` (already locked by the caller) by ``action``; records and returns the
    action's past-tense event (``ticket.accepted``) with the old and new status.
    ``expected_version`` (from the form the person saw) refuses a change built on a stale page;
    ``fields``: the other fields the caller set on the ticket for this step."""
    if TICKET_FLOW[action].target is None and to is None:
        raise ValueError(f"{action} needs an explicit target status")
    return TICKET_FLOW.apply(
        ticket,
        action,
        actor=actor,
        to=to,
        data=data,
        expected_version=expected_version,
        fields=fields,
        lock=False,
    )
