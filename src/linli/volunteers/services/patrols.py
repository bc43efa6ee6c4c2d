"""Safety patrols and civility persuasion: a patrol log kept on a phone.

Start, pass checkpoints (optionally by the checkpoint's QR sticker), record findings (photo,
place, kind), end. The patrol's time enters the ledger as pending hours. Every finding ends as
a request (channel ``patrol``, the place and photo carried over, the team as requester — taken
through the tickets service), a topic for deliberation, or "no action" with a reason.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.actors import Actor
from linli.core.errors import Conflict, DomainError
from linli.core.events import log_event
from linli.core.policy import authorize

from ..models import (
    FINDING_FLOW,
    PATROL_FLOW,
    Checkpoint,
    CheckpointPass,
    Finding,
    FindingKind,
    HourSource,
    Patrol,
    PatrolRoute,
    PatrolStatus,
    VolunteerTeam,
)
from .ledger import _record
from .members import profile_ensure


class PatrolError(DomainError):
    code = "patrol"


def route_create(
    *, actor: Actor, team: VolunteerTeam, name: str, checkpoints: list[str]
) -> PatrolRoute:
    authorize(actor, "patrol.routes", team)
    name = name.strip()
    names = [c.strip() for c in checkpoints if c.strip()]
    if not name:
        raise PatrolError(_("Give the route a name."), field="name")
    if not names:
        raise PatrolError(_("A route needs at least one checkpoint."), field="checkpoints")
    with transaction.atomic():
        route = PatrolRoute.objects.create(
            community_id=team.community_id, team=team, name=name[:100]
        )
        Checkpoint.objects.bulk_create(
            Checkpoint(route=route, name=n[:100], order=i) for i, n in enumerate(names)
        )
        log_event(actor=actor, verb="patrol.route_created", obj=route)
    return route


def patrol_start(*, actor: Actor, route: PatrolRoute, now: dt.datetime | None = None) -> Patrol:
    authorize(actor, "patrol.walk", route)
    assert actor.is_authenticated
    profile = profile_ensure(community=route.community, user=actor)
    with transaction.atomic():
        if Patrol.objects.filter(profile=profile, status=PatrolStatus.ON_PATROL).exists():
            raise Conflict(_("You are on a patrol already: end it first."), code="on_patrol")
        p = Patrol.objects.create(
            community_id=route.community_id, route=route, team_id=route.team_id,
            profile=profile, started_at=now or timezone.now(),
        )  # fmt: skip
        log_event(actor=actor, verb="patrol.started", obj=p)
    return p


def checkpoint_pass(
    *, actor: Actor, patrol: Patrol, checkpoint: Checkpoint, token: str | None = None
) -> CheckpointPass:
    authorize(actor, "patrol.walk", patrol)
    if checkpoint.route_id != patrol.route_id:
        raise PatrolError(_("This checkpoint is on another route."), field="checkpoint")
    if token is not None and not secrets.compare_digest(token, checkpoint.token):
        raise PatrolError(_("This sticker belongs to another checkpoint."), code="wrong_code")
    if patrol.status != PatrolStatus.ON_PATROL:
        raise Conflict(_("The patrol has ended."), code="ended")
    with transaction.atomic():
        found, created = CheckpointPass.objects.get_or_create(patrol=patrol, checkpoint=checkpoint)
        if created:
            log_event(actor=actor, verb="patrol.checkpoint_passed", obj=patrol,
                      data={"checkpoint": checkpoint.pk})  # fmt: skip
    return found


def finding_add(
    *,
    actor: Actor,
    patrol: Patrol,
    kind: str,
    place: str,
    description: str,
    photo: Any = None,
    building: Any = None,
) -> Finding:
    authorize(actor, "patrol.walk", patrol)
    if patrol.status != PatrolStatus.ON_PATROL:
        raise Conflict(_("The patrol has ended."), code="ended")
    if kind not in FindingKind.values:
        raise PatrolError(_("Say what kind of finding it is."), field="kind")
    if not place.strip():
        raise PatrolError(_("Say where it is."), field="place")
    if not description.strip():
        raise PatrolError(_("Describe what you found."), field="description")
    if building is not None and building.community_id != patrol.community_id:
        raise PatrolError(_("This place is not in this community."), field="building")
    images = []
    if photo:
        from linli.tickets.photos import process_photos  # the one photo check (size, type)

        images = process_photos([photo])
    with transaction.atomic():
        f = Finding(
            patrol=patrol, kind=kind, place=place.strip()[:120], building=building,
            description=description.strip()[:1000],
        )  # fmt: skip
        if images:
            f.photo.save(images[0].name or "finding.jpg", images[0], save=False)
        f.save()
        log_event(actor=actor, verb="patrol.finding_added", obj=patrol, data={"kind": kind})
    return f


def patrol_end(*, actor: Actor, patrol: Patrol, now: dt.datetime | None = None) -> Patrol:
    """End the patrol; its time enters the ledger as pending hours for the team's leader."""
    authorize(actor, "patrol.walk", patrol)
    now = now or timezone.now()
    with transaction.atomic():
        patrol.ended_at = now
        PATROL_FLOW.apply(patrol, "end", actor=actor, fields=["ended_at"])
        if now - patrol.started_at >= dt.timedelta(minutes=1):
            patrol.hour_entry = _record(
                actor=actor, profile=patrol.profile, team=patrol.team,
                started_at=patrol.started_at, ended_at=now, source=HourSource.PATROL,
                source_object=patrol, description=str(_("Safety patrol")) + f" · {patrol.route.name}",
                now=now,
            )  # fmt: skip
            patrol.save(update_fields=["hour_entry"])
    return patrol


def finding_to_request(*, actor: Actor, finding: Finding, category: Any) -> Finding:
    """One tap: the finding becomes a residents' request (channel ``patrol``, the place and
    photo carried over, the team as requester), through the tickets service — which checks
    that the actor may take requests (``ticket.intake``)."""
    from linli.tickets.models import Channel
    from linli.tickets.services import ticket_intake

    authorize(actor, "finding.decide", finding)
    patrol = finding.patrol
    if category.community_id != patrol.community_id:
        raise PatrolError(_("This category belongs to another community."), field="category")
    FINDING_FLOW.check(finding, "to_request")
    photos = []
    if finding.photo:
        finding.photo.open("rb")
        photos = [
            ContentFile(
                finding.photo.read(), name=(finding.photo.name or "finding.jpg").rsplit("/", 1)[-1]
            )
        ]
        finding.photo.close()
    with transaction.atomic():
        ticket = ticket_intake(
            actor=actor,
            category=category,
            channel=Channel.PATROL,
            description=f"[{finding.get_kind_display()}] {finding.description}",
            requester_name=patrol.team.name,
            building=finding.building,
            location_text=finding.place,
            photos=photos,
        )
        finding.ticket = ticket
        FINDING_FLOW.apply(finding, "to_request", actor=actor, fields=["ticket"],
                           data={"ticket": ticket.pk}, parent=patrol)  # fmt: skip
    return finding


def finding_to_topic(*, actor: Actor, finding: Finding, topic: Any = None) -> Finding:
    """A residents' opinion becomes a topic for deliberation — a new one, or ``topic``: one
    already raised about the same thing (the finding is then one more voice for it)."""
    from linli.deliberation.services.topics import topic_raise

    authorize(actor, "finding.decide", finding)
    FINDING_FLOW.check(finding, "to_topic")
    patrol = finding.patrol
    if topic is not None:
        authorize(actor, "topic.view", topic)
        if topic.community_id != patrol.community_id:
            raise PatrolError(_("This topic belongs to another community."), field="topic")
    with transaction.atomic():
        if topic is None:
            topic = topic_raise(
                actor=actor, community=patrol.community,
                title=f"{finding.get_kind_display()}：{finding.place}"[:120],
                description=finding.description, building=finding.building,
            )  # fmt: skip
        finding.topic = topic
        FINDING_FLOW.apply(finding, "to_topic", actor=actor, fields=["topic"],
                           data={"topic": topic.pk}, parent=patrol)  # fmt: skip
    return finding


def finding_no_action(*, actor: Actor, finding: Finding, reason: str) -> Finding:
    authorize(actor, "finding.decide", finding)
    reason = reason.strip()
    if not reason:
        raise PatrolError(_("Say why nothing needs to be done."), field="reason")
    finding.no_action_reason = reason[:300]
    FINDING_FLOW.apply(finding, "no_action", actor=actor, fields=["no_action_reason"],
                       parent=finding.patrol)  # fmt: skip
    return finding
