"""Plain-language labels for a request's timeline, and which events the requester sees."""

from django.utils.translation import gettext_lazy as _

from linli.core.access import register_read_purposes
from linli.core.events import register_verbs

LABELS = {
    "ticket.submitted": _("Request received"),
    "ticket.accepted": _("Accepted by the community"),
    "ticket.assigned": _("Handed to someone to do it"),
    "ticket.claimed": _("Taken on by the team"),
    "ticket.started": _("Work started"),
    "ticket.held": _("Put on hold"),
    "ticket.resumed": _("Work resumed"),
    "ticket.extended": _("More time was needed"),
    "ticket.progress": _("Progress update"),
    "ticket.note": _("Internal note"),
    "ticket.resolved": _("Done"),
    "ticket.replied": _("The community replied"),
    "ticket.rated": _("Rated"),
    "ticket.revisited": _("Return visit"),
    "ticket.closed": _("Closed"),
    "ticket.marked_duplicate": _("Merged into another request"),
    "ticket.merged": _("Another request about the same problem was merged in"),
    "ticket.referred": _("Referred elsewhere"),
    "ticket.withdrawn": _("Withdrawn"),
    "ticket.reminded": _("Reminder sent"),
    "ticket.moderated": _("Public text moderated"),
}
register_verbs(LABELS)

# What a requester may see on their timeline: never internal notes, assignments to named
# people, or reminders.
PUBLIC_VERBS = frozenset(
    {
        "ticket.submitted",
        "ticket.accepted",
        "ticket.assigned",
        "ticket.claimed",
        "ticket.started",
        "ticket.held",
        "ticket.resumed",
        "ticket.extended",
        "ticket.progress",
        "ticket.resolved",
        "ticket.replied",
        "ticket.rated",
        "ticket.revisited",
        "ticket.closed",
        "ticket.marked_duplicate",
        "ticket.merged",
        "ticket.referred",
        "ticket.withdrawn",
    }
)

# A resident's "My data" line when staff look up their room on the intake page
# (core.access.record_reads).
register_read_purposes(
    {
        "tickets.intake": _("looked up your room to take a request for your household"),
        "ticket.export": _("exported the requests queue, with your request in it"),
    }
)
