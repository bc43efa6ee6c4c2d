"""Overdue visit alerts: first the person's visitors, then (still overdue a while later) the
office. Run by the periodic task in ``tasks.py``; idempotent: each alert is claimed by
inserting a ``CareAlert`` row with a unique key (person, level, due date), so two runs at once
or a re-run send each alert once, and the outbox's ``dedupe_key`` is the second guard.

The message names the place only ("a visit is due for 3-2-501"), never why: no health content,
no tier, no name.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.notifications import notify
from linli.core.roles import Role

from .models import CareAlert, CarePerson
from .queries import overdue_q
from .services import community_refresh_due

logger = logging.getLogger("linli.care")

VISITOR, OFFICE = "visitor", "office"
# The office is told when the visitors have had this long after the due time.
OFFICE_AFTER_DAYS = 3
OFFICE_AFTER_EVENT = dt.timedelta(hours=12)

TITLE = _("A care visit is due for %(place)s")
BODY = _("The visit for %(place)s was due %(when)s. Please visit or call.")


def _key(p: CarePerson) -> str:
    if p.due_by is not None:
        return p.due_by.astimezone(dt.UTC).strftime("%Y%m%dT%H%M")
    return p.due_on.isoformat() if p.due_on else ""


def _office_late(p: CarePerson, now: dt.datetime) -> bool:
    if p.due_by is not None:
        return now > p.due_by + OFFICE_AFTER_EVENT
    today = timezone.localtime(now).date()
    return p.due_on is not None and (today - p.due_on).days > OFFICE_AFTER_DAYS


def _office(community_ids: set[int]) -> dict[int, list[Any]]:
    from linli.accounts.models import RoleMembership

    out: dict[int, list[Any]] = {}
    rows = RoleMembership.objects.filter(
        active=True,
        user__is_active=True,
        role__in=[Role.STAFF, Role.SECRETARY],
        community_id__in=community_ids,
    ).select_related("user")
    for m in rows:
        if m.community_id is not None:
            out.setdefault(m.community_id, []).append(m.user)
    return out


def _send(p: CarePerson, level: str, recipients: list[Any], now: dt.datetime) -> bool:
    key = _key(p)
    try:
        with transaction.atomic():
            CareAlert.objects.create(person=p, level=level, key=key, recipients=len(recipients))
            place = p.resident.household.label
            when = (
                timezone.localtime(p.due_by).strftime("%Y-%m-%d %H:%M")
                if p.due_by
                else p.due_on.isoformat()  # type: ignore[union-attr]
            )
            notify(
                recipients=recipients,
                verb=f"care.overdue_{level}",
                title=TITLE,
                body=BODY,
                params={"place": place, "when": when},
                url=reverse("care:person", args=[p.pk]),
                obj=p,
                dedupe_key=f"care:{p.pk}:{level}:{key}",
            )
    except IntegrityError:
        return False  # another run claimed it
    return True


def send_overdue(now: dt.datetime | None = None) -> list[str]:
    """Send every overdue alert not yet sent; return "person:level" for each sent."""
    now = now or timezone.now()
    people = list(
        CarePerson.objects.filter(overdue_q(now), resident__status="active")
        .select_related("resident__household")
        .prefetch_related("visitors__user")
        .order_by("pk")
    )
    if not people:
        return []
    sent_keys = set(
        CareAlert.objects.filter(person__in=people).values_list("person_id", "level", "key")
    )
    office = _office({p.community_id for p in people})
    sent: list[str] = []
    for p in people:
        key = _key(p)
        visitors = [v.user for v in p.visitors.all() if v.user.is_active]
        todo = []
        if (p.pk, VISITOR, key) not in sent_keys and visitors:
            todo.append((VISITOR, visitors))
        if (p.pk, OFFICE, key) not in sent_keys and (_office_late(p, now) or not visitors):
            todo.append((OFFICE, office.get(p.community_id, [])))
        for level, recipients in todo:
            try:
                if _send(p, level, recipients, now):
                    sent.append(f"{p.pk}:{level}")
            except Exception:
                logger.exception("care alert %s:%s failed", p.pk, level)
    return sent


def refresh_stopped() -> int:
    """People whose registry record says they moved out or died: due nothing from now on."""
    changed = 0
    ids = CarePerson.objects.exclude(resident__status="active").exclude(due_on__isnull=True)
    for cid in set(ids.values_list("community_id", flat=True)):
        changed += community_refresh_due(
            cid, only=ids.filter(community_id=cid).values_list("pk", flat=True)
        )
    return changed
