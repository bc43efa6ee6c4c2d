"""Deadline reminders for requests still being worked on (``WORKING_STATES``).

``send_due(now)`` is run every ten minutes by the huey task in ``tasks.py``:

- **respond_overdue** — the response deadline passed and nobody accepted the request yet
  (status submitted): the office (community staff and secretary) is reminded;
- **due_soon** — the resolution deadline falls within the next 24 hours: the handler (the
  assigned person, or the members of the assigned team; the office when there is neither);
- **overdue** — the resolution deadline passed: the handler *and* the office.

Each reminder has a key naming the request, the kind and the deadline it is about
(``ticket:42:due_soon:20261013T1559``, UTC), so an extension makes a new reminder due, while the
same one is sent once. "Once" holds with two workers at the same moment and on a re-run: every
reminder is recorded as a ``ticket.reminded`` event, written in a transaction that first locks
the request's row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite takes its write lock at
``BEGIN IMMEDIATE``) and then checks that no event with that key exists. The outbox's
``dedupe_key`` is the second guard.

Queries: one to select the candidates, one per 500 candidates to read the reminders already
sent and to load what the messages need, and a fixed number per reminder actually sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.events import log_event
from linli.core.models import Event

from . import notifying
from .models import WORKING_STATES, Ticket, overdue_q
from .roles import TOLD_OFFICE

logger = logging.getLogger("linli.tickets")

VERB = "ticket.reminded"
NOTIFY_VERB = "ticket.reminder"
DUE_SOON = dt.timedelta(hours=24)
BATCH = 500

RESPOND_OVERDUE, DUE_SOON_KIND, OVERDUE = "respond_overdue", "due_soon", "overdue"

MESSAGES = {
    RESPOND_OVERDUE: (
        _("Request #%(number)s is waiting to be accepted"),
        _(
            "Request #%(number)s (%(category)s) should have been accepted by %(deadline)s. "
            "Please accept it or pass it on."
        ),
    ),
    DUE_SOON_KIND: (
        _("Request #%(number)s is due soon"),
        _("Request #%(number)s (%(category)s) at %(place)s is to be resolved by %(deadline)s."),
    ),
    OVERDUE: (
        _("Request #%(number)s is overdue"),
        _(
            "Request #%(number)s (%(category)s) at %(place)s was to be resolved by %(deadline)s "
            "and is not resolved yet."
        ),
    ),
}


def kinds_due(ticket: Ticket, now: dt.datetime) -> list[str]:
    """Which reminders ``ticket``'s deadlines call for at ``now`` (a pure function)."""
    if ticket.status not in WORKING_STATES:
        return []
    kinds = []
    # Overdue as everywhere else (``Ticket.overdue_at``): a deadline behind ``now``.
    if ticket.response_late(now):
        kinds.append(RESPOND_OVERDUE)
    if ticket.resolution_late(now):
        kinds.append(OVERDUE)
    elif ticket.resolve_by <= now + DUE_SOON:
        kinds.append(DUE_SOON_KIND)
    return kinds


def reminder_key(ticket: Ticket, kind: str) -> str:
    deadline = ticket.respond_by if kind == RESPOND_OVERDUE else ticket.resolve_by
    return f"ticket:{ticket.pk}:{kind}:{deadline.astimezone(dt.UTC):%Y%m%dT%H%M}"


def _office_by_community(community_ids: Iterable[int]) -> dict[int, list]:
    """The office (community staff and secretary) of each community, in one query."""
    from linli.accounts.models import RoleMembership

    office: dict[int, list] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    rows = (
        RoleMembership.objects.filter(
            active=True,
            community_id__in=list(community_ids),
            user__is_active=True,
            role__in=sorted(TOLD_OFFICE),
        )
        .select_related("user")
        .order_by("community_id", "user_id")
    )
    for m in rows:
        if (m.community_id, m.user_id) not in seen:
            seen.add((m.community_id, m.user_id))
            office[m.community_id].append(m.user)
    return office


def _handlers(ticket: Ticket) -> list:
    if ticket.assignee_user_id:
        return [ticket.assignee_user] if ticket.assignee_user.is_active else []
    if ticket.assignee_team_id:
        return list(ticket.assignee_team.active_members)
    return []


def _recipients(ticket: Ticket, kind: str, office: list) -> list:
    if kind == RESPOND_OVERDUE:
        return office
    handlers = _handlers(ticket)
    if kind == DUE_SOON_KIND:
        return handlers or office
    seen, out = set(), []
    for u in [*handlers, *office]:
        if u.pk not in seen:
            seen.add(u.pk)
            out.append(u)
    return out


def _record(ticket: Ticket, kind: str, key: str, now: dt.datetime, office: list) -> bool:
    """Send one reminder unless it was sent already; True if this call sent it."""
    with transaction.atomic():
        locked = (
            Ticket.objects.select_for_update()
            .only("pk", "status", "respond_by", "resolve_by", "community_id")
            .get(pk=ticket.pk)
        )
        # The row may have moved on since it was selected (accepted, resolved, extended).
        if kind not in kinds_due(locked, now) or reminder_key(locked, kind) != key:
            return False
        already = Event.objects.filter(
            verb=VERB,
            object_type=ContentType.objects.get_for_model(Ticket),
            object_id=ticket.pk,
            data__key=key,
        ).exists()
        if already:
            return False
        recipients = _recipients(ticket, kind, office)
        deadline = locked.respond_by if kind == RESPOND_OVERDUE else locked.resolve_by
        log_event(
            actor=None,
            verb=VERB,
            obj=locked,
            data={
                "key": key,
                "kind": kind,
                "deadline": deadline.isoformat(),
                "recipients": len(recipients),
            },
        )
        title, body = MESSAGES[kind]
        notifying._send(
            ticket,
            recipients,
            NOTIFY_VERB,
            title,
            body,
            dedupe_key=key,
            params={
                "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
                "place": ticket.place_label,
            },
        )
    return True


def send_due(now: dt.datetime | None = None) -> list[str]:
    """Send every reminder that is due and not yet sent; return the keys sent."""
    now = now or timezone.now()
    candidates = list(
        Ticket.objects.filter(status__in=WORKING_STATES)
        .filter(overdue_q(now) | Q(resolve_by__lte=now + DUE_SOON))
        .order_by("pk")
        .values_list("pk", "status", "respond_by", "resolve_by")
    )
    sent: list[str] = []
    ticket_type = ContentType.objects.get_for_model(Ticket)
    for start in range(0, len(candidates), BATCH):
        batch = candidates[start : start + BATCH]
        wanted: dict[int, list[tuple[str, str]]] = {}
        for pk, status, respond_by, resolve_by in batch:
            probe = Ticket(pk=pk, status=status, respond_by=respond_by, resolve_by=resolve_by)
            keys = [(k, reminder_key(probe, k)) for k in kinds_due(probe, now)]
            if keys:
                wanted[pk] = keys
        done = set(
            Event.objects.filter(
                verb=VERB, object_type=ticket_type, object_id__in=list(wanted)
            ).values_list("data__key", flat=True)
        )
        todo = {pk: [(k, key) for k, key in keys if key not in done] for pk, keys in wanted.items()}
        todo = {pk: keys for pk, keys in todo.items() if keys}
        if not todo:
            continue
        User = get_user_model()
        rows = (
            Ticket.objects.filter(pk__in=list(todo))
            .select_related(
                "category", "assignee_user", "assignee_team", "household", "building", "unit"
            )
            .prefetch_related(
                Prefetch(
                    "assignee_team__members",
                    queryset=User.objects.filter(is_active=True),
                    to_attr="active_members",
                )
            )
            .order_by("pk")
        )
        tickets = list(rows)
        office = _office_by_community({t.community_id for t in tickets})
        for t in tickets:
            for kind, key in todo[t.pk]:
                try:
                    if _record(t, kind, key, now, office.get(t.community_id, [])):
                        sent.append(key)
                except Exception:
                    # Rolled back, so it is tried again on the next run; one bad row must not
                    # hold up every other reminder behind it.
                    logger.exception("ticket reminder %s failed", key)
    return sent
