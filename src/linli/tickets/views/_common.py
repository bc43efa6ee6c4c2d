"""What several request pages share: the plain-language status a requester reads and the
flags and labels each list row shows (worked out once a row)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy

from linli.core.links import object_url

from ..models import (
    Channel,
    Status,
)

S = Status

# What a requester reads instead of the office's status names.
PLAIN_STATUS = {
    S.SUBMITTED: gettext_lazy("Received — waiting for the community"),
    S.ACCEPTED: gettext_lazy("Accepted — being arranged"),
    S.ASSIGNED: gettext_lazy("Someone has been given it"),
    S.IN_PROGRESS: gettext_lazy("Being worked on"),
    S.ON_HOLD: gettext_lazy("Waiting"),
    S.RESOLVED: gettext_lazy("Done — the community will reply to you"),
    S.REPLIED: gettext_lazy("Replied — please tell us if you are satisfied"),
    S.CLOSED: gettext_lazy("Finished"),
    S.DUPLICATE: gettext_lazy("Joined another request about the same problem"),
    S.REFERRED: gettext_lazy("Passed to another office"),
    S.WITHDRAWN: gettext_lazy("Withdrawn"),
}


_STATUS_LABELS = dict(Status.choices)
_CHANNEL_LABELS = dict(Channel.choices)


def _flag(tickets, now=None) -> list:
    """Overdue (the resolution deadline passed while work is still due) and late response
    flags, the plain-language status and the labels a list row shows, on each row. Done
    here once per row rather than by template filters and includes (a row of the queue cost
    0.36 ms to render before; see docs/performance.md)."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    for t in tickets:
        # The two halves of ``Ticket.overdue_at``, flagged apart (the deadline each is about).
        t.overdue = t.resolution_late(now)
        t.late_response = t.response_late(now)
        t.status_label = _STATUS_LABELS.get(t.status, t.status)
        t.channel_label = _CHANNEL_LABELS.get(t.channel, t.channel)
        plain = PLAIN_STATUS.get(t.status)
        t.plain_status = plain if plain is not None else t.status_label
        flags = []
        if t.emergency:
            flags.append(("tag-emergency", _FLAG_EMERGENCY))
        if t.overdue:
            flags.append(("tag-overdue", _FLAG_OVERDUE))
        elif t.late_response:
            flags.append(("tag-overdue", _FLAG_LATE))
        t.flags = flags
        t.url = object_url("tickets:detail", t.pk)
        created = t.created_at.astimezone(tz)
        t.created_iso = created.isoformat()
        t.created_text = created.strftime("%Y-%m-%d %H:%M")
        due = t.resolve_by.astimezone(tz)
        t.resolve_by_iso = due.isoformat()
        t.resolve_by_text = due.strftime("%Y-%m-%d")
    return tickets


_FLAG_EMERGENCY = gettext_lazy("Emergency")
_FLAG_OVERDUE = gettext_lazy("Overdue")
_FLAG_LATE = gettext_lazy("No response yet, late")


def _back(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, {request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return default
