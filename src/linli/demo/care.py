"""Care in the demo (关爱): a year of visits in Xincun to its empty-nest and lone elderly and its
left-behind children, with realistic gaps (a summer month when grid 2's worker was away, a
Spring Festival dip), high-risk people visited weekly, a January cold wave with its 24-hour
visits, follow-ups that became requests (through the real services), and a love-lunch roster.

Deterministic (a seeded ``random.Random``); the year of visits is written in bulk (a few
thousand rows), the follow-ups and the roster through the services.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from linli.accounts.models import RoleMembership, User
from linli.care import services
from linli.care.models import (
    CarePerson,
    CareVisitor,
    Consent,
    HelpKind,
    HelpSession,
    MajorEvent,
    MealDay,
    MealDelivery,
    MealRecipient,
    Tier,
    TierChange,
    Visit,
    VisitorKind,
)
from linli.core.models import Event
from linli.registry.models import Community, Resident

from .clock import local

SEED = 20260115
TAGS = ("empty_nest", "living_alone", "left_behind_child")


def _tier(rng: random.Random, age: int | None, tags: set[str]) -> Tier:
    if "living_alone" in tags and (age or 0) >= 80:
        return Tier.HIGH
    roll = rng.random()
    if roll < 0.08:
        return Tier.HIGH
    return Tier.KEY if roll < 0.55 else Tier.GENERAL


def build_demo_care(
    plan: Any, users: dict[str, User], now: dt.datetime | None = None
) -> dict[str, int]:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    rng = random.Random(SEED)
    xc = Community.objects.get(code="xincun")
    staff = users["xc-staff"]
    start = today - dt.timedelta(days=365)
    residents = list(
        Resident.objects.filter(community=xc, status="active", tags__code__in=TAGS)
        .select_related("household__building")
        .prefetch_related("tags")
        .distinct()
        .order_by("id")
    )
    people: list[CarePerson] = []
    for r in residents:
        tags = {t.code for t in r.tags.all()}
        tier = _tier(rng, r.age(today), tags)
        reason = (
            "独居高龄"
            if tier == Tier.HIGH
            else ("留守儿童" if "left_behind_child" in tags else "空巢")
        )
        people.append(
            CarePerson(
                community=xc,
                resident=r,
                tier=tier,
                tier_reason=reason,
                tier_set_by=staff,
                tier_set_at=now - dt.timedelta(days=365),
                enrolled_on=start,
            )  # fmt: skip
        )
    CarePerson.objects.bulk_create(people)
    TierChange.objects.bulk_create(
        TierChange(person=p, tier=p.tier, reason=p.tier_reason, set_by=staff, set_at=p.tier_set_at)
        for p in people
    )
    Consent.objects.bulk_create(
        Consent(
            person=p,
            subject="minor",
            given_by="监护人",
            relation="祖父母",
            given_on=start,
            method="paper",
            recorded_by=staff,
        )  # fmt: skip
        for p in people
        if p.resident.is_minor_under_14
    )
    # Visitors: the grid worker of the person's grid; building leaders for a few; the Mums'
    # Help Group volunteer for the people of buildings 3 and 4.
    grid_user = {
        m.grid_id: m.user
        for m in RoleMembership.objects.filter(community=xc, role="grid_worker").select_related(
            "user"
        )
    }
    leader_of = {
        m.building_id: m.user
        for m in RoleMembership.objects.filter(community=xc, role="building_leader").select_related(
            "user"
        )
    }
    volunteer = users["xc-volunteer"]
    assign: list[CareVisitor] = []
    visitors_of: dict[int, list[User]] = {}
    for p in people:
        b = p.resident.household.building
        who: list[tuple[User, str]] = []
        if b.grid_id in grid_user:
            who.append((grid_user[b.grid_id], VisitorKind.GRID_WORKER))
        if b.pk in leader_of and rng.random() < 0.3:
            who.append((leader_of[b.pk], VisitorKind.BUILDING_LEADER))
        if b.number in ("3", "4"):
            who.append((volunteer, VisitorKind.VOLUNTEER))
        for u, kind in who:
            assign.append(CareVisitor(person=p, user=u, kind=kind))
        visitors_of[p.pk] = [u for u, _k in who] or [staff]
    CareVisitor.objects.bulk_create(assign, ignore_conflicts=True)

    # A cold wave on the second Monday of January: the high-risk visited within 24 hours.
    jan = dt.date(today.year if today.month > 1 else today.year - 1, 1, 8)
    jan += dt.timedelta(days=(7 - jan.weekday()) % 7)
    cold_at = local(jan, 8, 30)
    cold = MajorEvent.objects.create(
        community=xc, kind="cold_wave", title="寒潮蓝色预警", declared_at=cold_at,
        declared_by=staff, others_within_hours=72,
    )  # fmt: skip

    grid_ids = sorted(g for g in grid_user if g is not None)
    away_grid = grid_ids[1] if len(grid_ids) > 1 else None
    visits: list[Visit] = []

    def visit(p: CarePerson, visitor: Any, day: dt.date, **recorded: Any) -> Visit:
        return Visit(community=xc, person=p, visitor=visitor, visited_on=day, **recorded)

    for p in people:
        b = p.resident.household.building
        vs = visitors_of[p.pk]
        step = 7 if p.tier == Tier.HIGH else (30 if p.tier == Tier.KEY else 45)
        day = start + dt.timedelta(days=rng.randint(0, step))
        while day < today:
            miss = 0.08
            if day.month == 8 and b.grid_id == away_grid:
                miss = 0.6  # the grid worker was away in August
            if day.month == 2:
                miss = 0.3  # Spring Festival
            if rng.random() >= miss:
                outcome = "reached" if rng.random() > 0.07 else rng.choice(["not_home", "refused"])
                visits.append(
                    visit(
                        p,
                        rng.choice(vs),
                        day,
                        entered_at=local(day, 18),
                        method="home" if rng.random() < 0.75 else "phone",
                        outcome=outcome,
                        health=rng.sample(
                            ["mood", "mobility", "illness"], k=rng.choice([0, 0, 0, 1])
                        ),
                        safety=["heating"] if day.month in (12, 1) and rng.random() < 0.05 else [],
                        needs=rng.sample(["daily_care", "emotional"], k=rng.choice([0, 0, 1])),
                        family_reminded=rng.random() < 0.2,
                        minutes=rng.choice([15, 20, 30, 40]),
                    )  # fmt: skip
                )
            day += dt.timedelta(days=step + rng.randint(-2, 3))
        if p.tier == Tier.HIGH:
            visits.append(
                visit(
                    p,
                    rng.choice(vs),
                    jan,
                    entered_at=cold_at + dt.timedelta(hours=rng.randint(2, 20)),
                    method="home",
                    outcome="reached",
                    safety=["heating"] if rng.random() < 0.3 else [],
                    event=cold,
                    minutes=20,
                )  # fmt: skip
            )
    Visit.objects.bulk_create(visits, batch_size=500)

    # Follow-ups that became requests: through the real services (at the person's home).
    from linli.tickets.models import Category

    category = Category.objects.filter(community=xc, active=True).order_by("id").first()
    n_requests = 0
    if category is not None:
        for p in [p for p in people if p.tier == Tier.HIGH][:4]:
            p.resident = Resident.objects.select_related("household__building").get(
                pk=p.resident_id
            )
            v = services.visit_record(
                actor=visitors_of[p.pk][0], person=p, visited_on=today - dt.timedelta(days=rng.randint(1, 5)),
                method="home", safety=["heating"], follow_up="request", category=category,
                follow_up_text="电暖器插座发烫，请派人检查线路",
            )  # fmt: skip
            n_requests += 1
            if v.ticket is not None:  # its timeline starts when the request does
                Event.objects.filter(
                    object_type=ContentType.objects.get_for_model(v.ticket), object_id=v.ticket.pk
                ).update(created_at=v.ticket.created_at)
    services.community_refresh_due(xc.pk)

    # Love lunches: this week's roster, its recipients and last week's deliveries.
    lunch = [p for p in people if p.tier != Tier.GENERAL and not p.resident.is_minor_under_14][:8]
    MealRecipient.objects.bulk_create(
        MealRecipient(person=p, dietary_note=rng.choice(["少盐", "软烂", "糖尿病：少糖", ""]))
        for p in lunch
    )
    monday = today - dt.timedelta(days=today.weekday())
    cooks = [volunteer, users["xc-team-leader"]]
    sessions: list[HelpSession] = []
    for offset in range(-7, 5):
        d = monday + dt.timedelta(days=offset)
        if d.weekday() >= 5:
            continue
        md = MealDay.objects.create(
            community=xc, day=d, menu=rng.choice(["番茄鸡蛋面", "清蒸鱼、青菜、米饭", "饺子"])
        )
        md.cooks.set(cooks)
        if d < today:
            MealDelivery.objects.bulk_create(
                MealDelivery(
                    day=md,
                    person=p,
                    status="delivered" if rng.random() > 0.1 else "not_home",
                    by=volunteer,
                    at=local(d, 11, 40),
                )  # fmt: skip
                for p in lunch
            )
            sessions.append(HelpSession.objects.create(
                community=xc, helper=volunteer, kind=HelpKind.COOKING,
                started_at=local(d, 9),
                ended_at=local(d, 11, 30),
            ))  # fmt: skip
            if d.weekday() in (1, 3) and lunch:  # home help in the afternoon
                sessions.append(HelpSession.objects.create(
                    community=xc, helper=volunteer, person=lunch[d.weekday() % len(lunch)],
                    kind=HelpKind.CLEANING if d.weekday() == 1 else HelpKind.HOME_HELP,
                    started_at=local(d, 14),
                    ended_at=local(d, 15, 30),
                ))  # fmt: skip
    n_hours = _sessions_to_ledger(sessions, users, verified_before=monday)
    return {
        "care people": len(people), "care visits": len(visits), "care requests": n_requests,
        "care hours entries": n_hours,
    }  # fmt: skip


def _sessions_to_ledger(
    sessions: list[HelpSession], users: dict[str, User], *, verified_before: dt.date
) -> int:
    """The demo's care work in the volunteers' hours ledger through its own service: pending,
    except last week's cooking, which the office has already verified."""
    from linli.core.errors import DomainError
    from linli.volunteers.services import hours_verify

    verifier = users.get("xc-staff")
    n = 0
    for s in sessions:
        try:
            entered = services._hours_to_ledger(s.helper, s)
        except DomainError as e:  # time already credited elsewhere: the session stays
            if e.code != "overlap":
                raise
            continue
        HelpSession.objects.filter(pk=s.pk).update(hours_entered=entered)
        n += 1
        if (
            verifier is not None
            and s.kind == HelpKind.COOKING
            and timezone.localdate(s.started_at) < verified_before
        ):
            entry = _entry_of(s)
            if entry is not None:
                hours_verify(actor=verifier, entry=entry)
    return n


def _entry_of(s: HelpSession) -> Any:
    from linli.volunteers.models import HourEntry

    return HourEntry.objects.filter(
        source="care", source_type=ContentType.objects.get_for_model(s), source_id=s.pk
    ).first()
