"""Who hears what about a request, through the core outbox (``linli.core.notifications``).

Requesters hear of acceptance, assignment, extension, hold, resolution and the reply; the
handler of an assignment; the office of an emergency. Everything is scheduled on commit.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from linli.core.links import object_url

from .models import Ticket
from .roles import TOLD_OFFICE


def _send(
    ticket: Ticket,
    recipients,
    verb: str,
    title,
    body,
    *,
    dedupe_key=None,
    params: dict | None = None,
    preferences: dict | None = None,
) -> None:
    from linli.core.notifications import notify

    recipients = [u for u in recipients if u is not None]
    if not recipients:
        return
    notify(
        recipients=recipients,
        verb=verb,
        title=title,
        body=body,
        params={"number": ticket.pk, "category": ticket.category.name, **(params or {})},
        url=object_url("tickets:detail", ticket.pk),
        obj=ticket,
        community_id=ticket.community_id,
        dedupe_key=dedupe_key,
        preferences=preferences,
    )


def requester_users(ticket: Ticket, *, primary: bool | None = None) -> list:
    """Everyone who asked (``primary`` None), who reported it (True), or whose own report
    was merged into it (False)."""
    User = get_user_model()
    qs = User.objects.filter(ticket_requests__ticket=ticket, is_active=True)
    if primary is not None:
        qs = qs.filter(ticket_requests__primary=primary)
    return list(qs.distinct())


def _to_requesters(t: Ticket, verb: str, title, body, *, texts: dict) -> None:
    """To every requester, with the free ``texts`` (a reason typed by the office) as written
    for who reported it, and scrubbed of names, phones and rooms for those whose report was
    merged in: it may be about the other household."""
    from linli.core.public import scrub_public_text

    _send(t, requester_users(t, primary=True), verb, title, body, params=texts)
    scrubbed = {k: scrub_public_text(v, community=t.community_id) for k, v in texts.items()}
    _send(t, requester_users(t, primary=False), verb, title, body, params=scrubbed)


def handler_users(ticket: Ticket) -> list:
    if ticket.assignee_user_id:
        return [ticket.assignee_user]
    if ticket.assignee_team_id:
        return list(ticket.assignee_team.members.filter(is_active=True))
    return []


def office_users(community_id: int) -> list:
    User = get_user_model()
    return list(
        User.objects.filter(
            is_active=True,
            memberships__active=True,
            memberships__community_id=community_id,
            memberships__role__in=sorted(TOLD_OFFICE),
        ).distinct()
    )


def submitted(
    t: Ticket, *, requesters: list | None = None, preferences: dict | None = None
) -> None:
    """``requesters``: the requesters' users when the caller holds them (a request just
    written); otherwise they are read. ``preferences``: theirs, read by the caller before its
    transaction (``notifications.notify``)."""
    _send(
        t,
        requester_users(t) if requesters is None else requesters,
        "ticket.submitted",
        _("We received your request #%(number)s"),
        _("Your request about “%(category)s” has been received. We will reply."),
        preferences=preferences,
    )


def emergency(
    t: Ticket, *, requesters: list | None = None, preferences: dict | None = None
) -> None:
    _send(
        t,
        office_users(t.community_id),
        "ticket.emergency",
        _("EMERGENCY request #%(number)s"),
        _(
            "An emergency was reported (%(category)s) at %(place)s. Act now; if life or "
            "property is in danger call 110 / 119 / 120."
        ),
        params={"place": t.place_label},
    )
    submitted(t, requesters=requesters, preferences=preferences)


def accepted(t: Ticket) -> None:
    _send(
        t,
        requester_users(t),
        "ticket.accepted",
        _("Request #%(number)s accepted"),
        _("The community has accepted your request and will arrange it."),
    )


def assigned(t: Ticket) -> None:
    _send(
        t,
        handler_users(t),
        "ticket.assigned",
        _("New task: request #%(number)s"),
        _("You have been given request #%(number)s (%(category)s) at %(place)s."),
        params={"place": t.place_label},
    )
    _send(
        t,
        requester_users(t),
        "ticket.assigned_requester",
        _("Request #%(number)s is being handled"),
        _("Someone has been given your request and will take care of it."),
    )


def held(t: Ticket) -> None:
    _to_requesters(
        t,
        "ticket.held",
        _("Request #%(number)s is waiting"),
        _("Your request is on hold until %(until)s: %(reason)s"),
        texts={"until": t.hold_until.isoformat() if t.hold_until else "", "reason": t.hold_reason},
    )


def extended(t: Ticket, reason: str) -> None:
    _to_requesters(
        t,
        "ticket.extended",
        _("Request #%(number)s needs more time"),
        _("We need more time, until %(date)s: %(reason)s"),
        texts={"date": t.resolve_by.date().isoformat(), "reason": reason[:200]},
    )


def progress(t: Ticket) -> None:
    _send(
        t,
        requester_users(t),
        "ticket.progress",
        _("News on request #%(number)s"),
        _("There is a progress update on your request."),
    )


def resolved(t: Ticket) -> None:
    _send(
        t,
        requester_users(t),
        "ticket.resolved",
        _("Request #%(number)s is done"),
        _("The work on your request is done. The community will reply to you."),
    )


def replied(t: Ticket) -> None:
    _send(
        t,
        requester_users(t),
        "ticket.replied",
        _("Reply to request #%(number)s"),
        _("The community has replied to your request. Please tell us if you are satisfied."),
    )


def reopened(t: Ticket) -> None:
    _send(
        t,
        handler_users(t) or office_users(t.community_id),
        "ticket.reopened",
        _("Request #%(number)s reopened"),
        _("The requester was not satisfied; request #%(number)s is open again."),
    )


def merged(dup: Ticket, original: Ticket) -> None:
    _send(
        dup,
        requester_users(dup),
        "ticket.merged",
        _("Request #%(number)s joined another"),
        _("Others reported the same problem; you will hear about request #%(original)s."),
        params={"original": original.pk},
    )
    # Who reported the original hears that someone else reported it too — never who.
    _send(
        original,
        requester_users(original, primary=True),
        "ticket.joined",
        _("Someone else reported the same problem"),
        _(
            "Another resident reported the same problem as your request #%(number)s; their "
            "report was joined to yours. Nothing changes for you."
        ),
    )


def closed(t: Ticket) -> None:
    """Finished (rated, or closed by the office): those whose report was merged in hear it
    (who reported it rated it, or was asked to)."""
    _send(
        t,
        requester_users(t, primary=False),
        "ticket.closed",
        _("Request #%(number)s is finished"),
        _("The request your report was joined to is finished."),
    )


def reopened_for_joined(t: Ticket) -> None:
    _send(
        t,
        requester_users(t, primary=False),
        "ticket.reopened_requester",
        _("Request #%(number)s is being worked on again"),
        _("The request your report was joined to is being worked on again."),
    )


def referred(t: Ticket) -> None:
    _to_requesters(
        t,
        "ticket.referred",
        _("Request #%(number)s referred"),
        _("Your request was passed to %(to)s: %(reason)s"),
        texts={"to": t.referred_to, "reason": t.referral_reason},
    )


def withdrawn(t: Ticket) -> None:
    _send(
        t,
        handler_users(t),
        "ticket.withdrawn",
        _("Request #%(number)s withdrawn"),
        _("The requester withdrew request #%(number)s."),
    )
    _send(
        t,
        requester_users(t, primary=False),
        "ticket.withdrawn_joined",
        _("Request #%(number)s withdrawn"),
        _(
            "The person who first reported this problem withdrew request #%(number)s, which "
            "your report was joined to. If the problem is still there, please report it again."
        ),
    )
