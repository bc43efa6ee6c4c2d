"""Plain-language labels for a request's timeline, and which events the requester sees."""

from django.utils.translation import gettext_lazy as _

from linli.core.access import register_read_purposes
from linli.core.events import register_verbs

LABELS = {
    "ticket.submitted": _("Request received"),
    "ticket.accept": _("Accepted by the community"),
    "ticket.assign": _("Handed to someone to do it"),
    "ticket.claim": _("Taken on by the team"),
    "ticket.start": _("Work started"),
    "ticket.hold": _("Put on hold"),
    "ticket.resume": _("Work resumed"),
    "ticket.extended": _("More time was needed"),
    "ticket.progress": _("Progress update"),
    "ticket.note": _("Internal note"),
    "ticket.resolve": _("Done"),
    "ticket.reply": _("The community replied"),
    "ticket.rate": _("Rated"),
    "ticket.revisit": _("Return visit"),
    "ticket.close": _("Closed"),
    "ticket.mark_duplicate": _("Merged into another request"),
    "ticket.merged": _("Another request about the same problem was merged in"),
    "ticket.refer": _("Referred elsewhere"),
    "ticket.withdraw": _("Withdrawn"),
    "ticket.reminded": _("Reminder sent"),
    "ticket.moderated": _("Public text moderated"),
}
register_verbs(LABELS)

# What a requester may see on their timeline: never internal notes, assignments to named
# people, or reminders.
PUBLIC_VERBS = frozenset(
    {
        "ticket.submitted",
        "ticket.accept",
        "ticket.assign",
        "ticket.claim",
        "ticket.start",
        "ticket.hold",
        "ticket.resume",
        "ticket.extended",
        "ticket.progress",
        "ticket.resolve",
        "ticket.reply",
        "ticket.rate",
        "ticket.revisit",
        "ticket.close",
        "ticket.mark_duplicate",
        "ticket.merged",
        "ticket.refer",
        "ticket.withdraw",
    }
)

# A resident's "My data" line when staff look up their room on the intake page
# (core.access.record_reads).
register_read_purposes(
    {"tickets.intake": _("looked up your room to take a request for your household")}
)
