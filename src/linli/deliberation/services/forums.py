"""Building forums (座谈议): a session at a building on a date, the opinions heard there with
their themes, the speaker named only with their consent (PIPL Art. 25), and the follow-up
work they lead to.

Held by the office, the building leader of that building, or the grid worker of its grid."""

from __future__ import annotations

import datetime as dt
import re
from typing import Unpack

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import policy
from linli.core.errors import DomainError
from linli.core.events import log_event, register_verbs

from ..models import ActionItem, Forum, Opinion, Topic
from ..services import topics as topic_services
from .common import clean_text
from .topics import FollowUpWork

register_verbs(
    {
        "forum.created": gettext_lazy("Building forum recorded"),
        "forum.updated": gettext_lazy("Building forum changed"),
        "opinion.added": gettext_lazy("Opinion recorded"),
        "opinion.deleted": gettext_lazy("Opinion removed"),
    }
)

# How far ahead a forum may be scheduled, and how far back one may be written up.
MAX_AHEAD = dt.timedelta(days=366)
MAX_BACK = dt.timedelta(days=366)


def _validate(*, actor, community_id: int, title: str, held_on, notes: str, topic):
    title = clean_text(title, limit=120, required_message=_("Give the forum a title."))
    notes = clean_text(notes, limit=4000)
    if not isinstance(held_on, dt.date):
        raise DomainError(_("Give the date of the forum."))
    today = timezone.localdate()
    if not today - MAX_BACK <= held_on <= today + MAX_AHEAD:
        raise DomainError(_("The date must be within a year of today."))
    if topic is not None:
        if topic.community_id != community_id:
            raise DomainError(_("This topic belongs to another community."))
        policy.authorize(actor, "topic.view", topic)
    return title, notes


@transaction.atomic
def forum_create(
    *, actor, building, held_on: dt.date, title: str, notes: str = "", topic: Topic | None = None
) -> Forum:
    """A building leader may hold forums only at their own building, a grid worker in their
    grid; outside those places the building is not found (404)."""
    policy.authorize(actor, "forum.manage", building)
    title, notes = _validate(
        actor=actor,
        community_id=building.community_id,
        title=title,
        held_on=held_on,
        notes=notes,
        topic=topic,
    )
    forum = Forum.objects.create(
        community_id=building.community_id,
        building=building,
        topic=topic,
        held_on=held_on,
        title=title,
        notes=notes,
        created_by=actor,
    )
    log_event(
        actor=actor,
        verb="forum.created",
        obj=forum,
        data={"building": building.pk, "held_on": held_on.isoformat()},
    )
    return forum


@transaction.atomic
def forum_update(
    *,
    actor,
    forum: Forum,
    held_on: dt.date,
    title: str,
    notes: str = "",
    topic: Topic | None = None,
) -> Forum:
    policy.authorize(actor, "forum.manage", forum)
    forum = Forum.objects.select_for_update().get(pk=forum.pk)
    title, notes = _validate(
        actor=actor,
        community_id=forum.community_id,
        title=title,
        held_on=held_on,
        notes=notes,
        topic=topic,
    )
    forum.title, forum.notes, forum.held_on, forum.topic = title, notes, held_on, topic
    forum.save()
    log_event(
        actor=actor,
        verb="forum.updated",
        obj=forum,
        data={"held_on": held_on.isoformat(), "topic": topic.pk if topic else None},
    )
    return forum


def _theme(value: str) -> str:
    # One spelling per theme, so opinions group: trimmed, inner spaces collapsed.
    return re.sub(r"\s+", " ", (value or "").strip())


@transaction.atomic
def opinion_add(
    *,
    actor,
    forum: Forum,
    theme: str,
    text: str,
    speaker_consented: bool = False,
    speaker_name: str = "",
) -> Opinion:
    """An opinion heard at the forum. The speaker's name is kept only when they agreed to be
    named; without consent any name given is dropped, never stored."""
    policy.authorize(actor, "forum.manage", forum)
    theme = clean_text(_theme(theme), limit=40, required_message=_("Give the opinion a theme."))
    text = clean_text(text, limit=2000, required_message=_("Write down the opinion."))
    consented = bool(speaker_consented)
    name = clean_text(speaker_name, limit=50) if consented else ""
    opinion = Opinion.objects.create(
        forum=forum, theme=theme, text=text, speaker_consented=consented, speaker_name=name
    )
    # The event names the theme only: the log is read by more people than the forum page.
    log_event(
        actor=actor, verb="opinion.added", obj=forum, data={"opinion": opinion.pk, "theme": theme}
    )
    return opinion


@transaction.atomic
def opinion_delete(*, actor, opinion: Opinion) -> None:
    forum = opinion.forum
    policy.authorize(actor, "forum.manage", forum)
    data = {"opinion": opinion.pk, "theme": opinion.theme}
    opinion.delete()
    log_event(actor=actor, verb="opinion.deleted", obj=forum, data=data)


@transaction.atomic
def forum_follow_up(
    *,
    actor,
    forum: Forum,
    **work: Unpack[FollowUpWork],
) -> ActionItem:
    """Follow-up work from a forum: an owner with a due date, or a request. Work is tracked
    on a topic; a forum held without one gets a topic at its building first."""
    policy.authorize(actor, "action.manage", forum)
    forum = (
        Forum.objects.select_for_update().select_related("community", "building").get(pk=forum.pk)
    )
    topic = forum.topic
    if topic is None:
        topic = topic_services.topic_raise(
            actor=actor,
            community=forum.community,
            building=forum.building,
            title=forum.title,
            description=forum.notes,
        )
        forum.topic = topic
        forum.save(update_fields=["topic"])
    return topic_services.action_create(
        actor=actor,
        topic=topic,
        source=forum,
        **work,
    )


# --- reads shared by the pages ---------------------------------------------------------------
