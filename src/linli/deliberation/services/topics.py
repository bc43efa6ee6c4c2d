"""Topics and the follow-up work decisions create. Meetings, surveys, forums and votes have
their own service modules (``services/meetings.py`` …) and call ``action_create`` here when a
decision turns into work."""

from __future__ import annotations

import datetime as dt
from typing import Any, Required, TypedDict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.queries import members_of
from linli.core import policy
from linli.core.errors import DomainError
from linli.core.events import log_event, register_verbs
from linli.core.roles import OFFICE, WORKERS, Role

from ..models import (
    ACTION_FLOW,
    TOPIC_ACTION_FOR,
    TOPIC_FLOW,
    ActionItem,
    Topic,
    TopicSource,
    TopicStatus,
)

register_verbs(
    {
        "topic.raised": gettext_lazy("Topic raised"),
        "topic.updated": gettext_lazy("Topic updated"),
        "topic.decided": gettext_lazy("Decision recorded"),
        "action.created": gettext_lazy("Follow-up work created"),
        "action.completed": gettext_lazy("Follow-up work done"),
    }
)


@transaction.atomic
def topic_raise(
    *,
    actor,
    community,
    title: str,
    description: str = "",
    grid=None,
    building=None,
    unit=None,
    tickets=(),
) -> Topic:
    """Anyone who belongs to the community may raise a topic; the office may set its scope
    anywhere, others within their own places."""
    target = unit or building or grid or community
    policy.authorize(actor, "topic.raise", target)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the topic a title."))
    if len(title) > 120 or len(description or "") > 4000:
        raise DomainError(_("The text is too long."))
    for place in (grid, building, unit):
        if place is not None and place.community_id != community.pk:
            raise DomainError(_("This place is not in this community."))
    if policy.holds_role_in(actor, OFFICE, community):
        source = TopicSource.STAFF
    elif policy.holds_role_in(actor, {Role.BUILDING_LEADER}, community):
        source = TopicSource.BUILDING_LEADER
    else:
        source = TopicSource.RESIDENT
    topic = Topic.objects.create(
        community=community,
        grid=grid,
        building=building,
        unit=unit,
        title=title,
        description=(description or "").strip(),
        source=source,
        raised_by=actor,
    )
    for t in tickets:
        if t.community_id != community.pk:
            raise DomainError(_("A linked request belongs to another community."))
    if tickets:
        topic.tickets.set(tickets)
    log_event(actor=actor, verb="topic.raised", obj=topic, data={"title": title[:120]})
    return topic


@transaction.atomic
def topic_decide(*, actor, topic: Topic, decision: str, status: str = TopicStatus.DECIDED) -> Topic:
    """Record the decision and move the topic to ``status`` — the step of ``TOPIC_FLOW`` that
    reaches it (decided, done, dropped, or reopened); a done topic is not decided again."""
    policy.authorize(actor, "topic.manage", topic)
    action = TOPIC_ACTION_FOR.get(status)
    if action is None:
        raise DomainError(_("Unknown status."))
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    TOPIC_FLOW.check(topic, action)
    topic.decision = (decision or "").strip()[:4000]
    TOPIC_FLOW.apply(
        topic, action, actor=actor, fields=["decision"], data={"status": status}, lock=False
    )
    return topic


class FollowUpWork(TypedDict, total=False):
    """What a follow-up names, in ``action_create``'s terms: the ``*_follow_up`` services of a
    resolution, a forum and a vote take these and pass them on."""

    title: Required[str]
    owner: Any
    due_on: dt.date | None
    make_ticket: bool
    ticket_category: Any


@transaction.atomic
def action_create(
    *,
    actor,
    topic: Topic,
    title: str,
    owner=None,
    due_on: dt.date | None = None,
    make_ticket: bool = False,
    source=None,
    ticket_category=None,
) -> ActionItem:
    """Follow-up work from a decision: an owner with a due date, or a request (ticket) in the
    requests module, shown on the topic until done."""
    policy.authorize(actor, "action.manage", topic)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Say what is to be done."))
    ticket = None
    if make_ticket:
        from linli.tickets import services as ticket_services

        if ticket_category is None:
            raise DomainError(_("Choose the request category for the work."))
        ticket = ticket_services.ticket_intake(
            actor=actor,
            category=ticket_category,
            channel="council",
            description=f"{topic.title}: {title}"[:2000],
            requester_name=_("Residents' council"),
            building=topic.building,
            unit=topic.unit,
            location_text="" if (topic.building or topic.unit) else topic.community.name,
        )
    elif owner is None:
        raise DomainError(_("Choose who will do it, or make it a request."))
    # The people the pickers offer (accounts.queries.members_of with core.roles.WORKERS).
    if (
        owner is not None
        and not members_of(topic.community_id, WORKERS).filter(pk=owner.pk).exists()
    ):
        if members_of(topic.community_id).filter(pk=owner.pk).exists():
            raise DomainError(
                _("Follow-up work is given to someone who works for the community, not a resident.")
            )
        raise DomainError(_("This person holds no role in this community."))
    if due_on is not None and due_on < timezone.localdate():
        raise DomainError(_("The due date is in the past."))
    item = ActionItem.objects.create(
        topic=topic,
        community_id=topic.community_id,
        title=title[:200],
        owner=owner,
        due_on=due_on,
        ticket=ticket,
        source_type=type(source).__name__.lower() if source is not None else "",
        source_id=getattr(source, "pk", None),
    )
    log_event(
        actor=actor,
        verb="action.created",
        obj=item,
        parent=topic,
        data={"title": item.title, "ticket": ticket.pk if ticket else None},
    )
    return item


@transaction.atomic
def action_complete(*, actor, action: ActionItem) -> ActionItem:
    policy.authorize(actor, "action.complete", action)
    action = ActionItem.objects.select_for_update().get(pk=action.pk)
    ACTION_FLOW.check(action, "complete")
    action.done_at = timezone.now()
    ACTION_FLOW.apply(
        action, "complete", actor=actor, fields=["done_at"], parent=action.topic, lock=False
    )
    return action
