"""The demo's volunteers (志愿者): Xincun's two standing teams — the veterans' "New Long March"
team and the Mums' Help Group — with a profile and a volunteer number for every member, their
leaders leading by their membership, and log-ins linked where the plan links them."""

from __future__ import annotations

from typing import Any

from linli.registry.models import Community
from linli.volunteers.models import (
    MemberRole,
    MemberStatus,
    TeamKind,
    TeamMember,
    VolunteerProfile,
    VolunteerTeam,
)
from linli.volunteers.services.members import volunteer_number


def build_demo_teams(plan: Any, users: dict[str, Any], xc: Community) -> None:
    user_of = {id(p): users[name] for name, p in plan.linked.items()}
    profiles: dict[int, VolunteerProfile] = {}
    for team in plan.teams:
        t = VolunteerTeam.objects.create(
            community=xc, name=team.name, kind=TeamKind.STANDING, description=team.description
        )
        rows = []
        for p, joined, lead in team.members:
            profile = profiles.get(p.pk)
            if profile is None:
                user = user_of.get(id(p))
                profile = profiles[p.pk] = VolunteerProfile.objects.create(
                    community=xc,
                    resident_id=p.pk,
                    user=user,
                    name=p.name,
                    number=volunteer_number(xc, len(profiles) + 1),
                    # Half of them agree to be named on public pages (Art. 20).
                    public_name_consent=len(profiles) % 2 == 0,
                )
            rows.append(
                TeamMember(
                    team=t,
                    profile=profile,
                    resident_id=p.pk,
                    user=profile.user,
                    role=MemberRole.LEADER if lead else MemberRole.MEMBER,
                    status=MemberStatus.ACTIVE,
                    joined_on=joined,
                )
            )
        TeamMember.objects.bulk_create(rows)


# --- a year of volunteering ---------------------------------------------------------------------

LONG_MARCH_NAME, MUMS_NAME = "新长征志愿服务队", "妈妈帮帮团"
# (template, month, day, hour, hours, places, team): the festival calendar of the two teams.
FESTIVALS = [
    ("yuanxiao", 2, 12, 18, 2, 12, MUMS_NAME),
    ("sanba", 3, 8, 9, 2, 10, MUMS_NAME),
    ("zhishu", 3, 12, 8, 3, 20, LONG_MARCH_NAME),
    ("liuyi", 6, 1, 9, 3, 15, MUMS_NAME),
    ("duanwu", 5, 31, 9, 3, 12, MUMS_NAME),
    ("qiyi", 7, 1, 9, 2, 15, LONG_MARCH_NAME),
    ("chongyang", 10, 29, 9, 3, 15, LONG_MARCH_NAME),
    ("chunjie", 1, 25, 9, 3, 15, MUMS_NAME),
]

ROUTE_POINTS = ["东门岗亭", "3号楼消防通道", "非机动车棚", "小广场", "西门"]
FINDINGS = [
    ("fire_passage", "3号楼1单元", "电动车堵塞消防通道", "request"),
    ("damage", "小广场", "健身器材螺丝松动", "request"),
    ("opinion", "小广场", "居民希望增设休息座椅", "topic"),
    ("parking", "西门", "车辆占用盲道，已劝导挪走", "no_action"),
    ("hazard", "非机动车棚", "飞线充电", "request"),
    ("opinion", "东门岗亭", "居民建议夜间加装照明", "topic"),
    ("dispute", "5号楼", "楼上楼下噪音争执，已劝和", "no_action"),
]


def _seal_png() -> bytes:
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (240, 240), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((8, 8, 232, 232), outline=(200, 20, 20, 255), width=10)
    d.regular_polygon((120, 120, 40), 5, fill=(200, 20, 20, 255))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def build_demo_volunteers(plan: Any, users: dict[str, Any], now: Any = None) -> dict[str, int]:
    """A year of festival activities and monthly party days with realistic attendance, weekly
    patrols with findings (requests, topics, no action), verified and pending hours, a dispute
    and two certificates. Past attendance is written in bulk (the services refuse sign-ups for
    what has already happened); what a person does now goes through the services."""
    import datetime as dt
    import random

    from django.utils import timezone

    from linli.tickets.models import Category
    from linli.volunteers.models import (
        Activity,
        ActivityStatus,
        Attendance,
        Audience,
        Checkpoint,
        Finding,
        HourEntry,
        HourSource,
        HourStatus,
        Patrol,
        PatrolRoute,
        PatrolStatus,
        Shift,
        SignUp,
        SignUpStatus,
    )
    from linli.volunteers.services import hours_dispute
    from linli.volunteers.services.certificates import certificate_issue, seal_upload
    from linli.volunteers.services.patrols import (
        finding_no_action,
        finding_to_request,
        finding_to_topic,
    )

    rng = random.Random(67)
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    tz = timezone.get_current_timezone()
    xc = Community.objects.get(code="xincun")
    teams = {t.name: t for t in VolunteerTeam.objects.filter(community=xc)}
    lm, mums = teams[LONG_MARCH_NAME], teams[MUMS_NAME]
    leader = users["xc-team-leader"]
    secretary = users["xc-secretary"]
    members = {
        t.pk: list(
            VolunteerProfile.objects.filter(memberships__team=t, memberships__status="active")
        )
        for t in (lm, mums)
    }
    mums_leader = next(
        (m.user for m in TeamMember.objects.filter(team=mums, role="leader") if m.user), None
    )
    verifier = {lm.pk: leader, mums.pk: mums_leader or secretary}

    # Activities of the last twelve months: festivals and the long march team's party days.
    plans: list[tuple[str, VolunteerTeam, dt.datetime, int, int]] = []
    team: VolunteerTeam
    for code, month, day, hour, hours, places, team_name in FESTIVALS:
        year = now.year if (month, day) < (now.month, now.day) else now.year - 1
        plans.append(
            (code, teams[team_name], dt.datetime(year, month, day, hour, tzinfo=tz), hours, places)
        )
    for back in range(1, 12):
        m = (now.month - back - 1) % 12 + 1
        y = now.year - (1 if m >= now.month else 0)
        plans.append(("dangri", lm, dt.datetime(y, m, 15, 14, tzinfo=tz), 2, 15))
    from linli.volunteers.services.activities import TEMPLATES

    entries: list[HourEntry] = []
    att_rows: list[Attendance] = []
    for code, team, start, hours, places in sorted(plans, key=lambda row: row[2]):
        spec = TEMPLATES[code]
        end = start + dt.timedelta(hours=hours)
        a = Activity.objects.create(
            community=xc, team=team, title=str(spec.title), template=code,
            description=str(spec.description), place="社区活动室", bring=str(spec.bring),
            audience=Audience.TEAM if code in ("qiyi", "dangri") else Audience.VOLUNTEERS,
            status=ActivityStatus.PUBLISHED, starts_at=start, ends_at=end, created_by=leader,
        )  # fmt: skip
        shift = Shift.objects.create(activity=a, starts_at=start, ends_at=end, places=places)
        people = members[team.pk]
        came = rng.sample(people, min(len(people), max(3, int(places * rng.uniform(0.6, 0.95)))))
        SignUp.objects.bulk_create(
            SignUp(shift=shift, profile=p, status=SignUpStatus.SIGNED,
                   created_at=start - dt.timedelta(days=3))
            for p in came
        )  # fmt: skip
        for p in came:
            late = dt.timedelta(minutes=rng.choice([0, 0, 0, 10, 20]))
            early = dt.timedelta(minutes=rng.choice([0, 0, 15]))
            verified = end < now - dt.timedelta(days=10)
            e = HourEntry(
                community=xc, profile=p, team=team, started_at=start + late, ended_at=end - early,
                minutes=int((end - early - start - late).total_seconds() // 60),
                source=HourSource.ATTENDANCE, description=a.title,
                status=HourStatus.VERIFIED if verified else HourStatus.PENDING,
                created_at=end, verified_by=verifier[team.pk] if verified else None,
                verified_at=end + dt.timedelta(days=2) if verified else None,
            )  # fmt: skip
            entries.append(e)
            att_rows.append(
                Attendance(shift=shift, profile=p, checked_in_at=start + late,
                           checked_out_at=end - early, by_leader=rng.random() < 0.3)
            )  # fmt: skip

    # Weekly patrols of the long march team on one route.
    route = PatrolRoute.objects.create(community=xc, team=lm, name="东片安全巡逻")
    Checkpoint.objects.bulk_create(
        Checkpoint(route=route, name=n, order=i) for i, n in enumerate(ROUTE_POINTS)
    )
    walkers = list(members[lm.pk])[:6]
    leader_profile = VolunteerProfile.objects.filter(community=xc, user=leader).first()
    patrols: list[Patrol] = []
    for week in range(52, 0, -1):
        day = (now - dt.timedelta(weeks=week)).date()
        start = dt.datetime(day.year, day.month, day.day, 19, 0, tzinfo=tz)
        end = start + dt.timedelta(minutes=rng.choice([60, 75, 90]))
        who = leader_profile if (week % 3 == 0 and leader_profile) else walkers[week % len(walkers)]
        walk = Patrol.objects.create(
            community=xc, route=route, team=lm, profile=who, started_at=start, ended_at=end,
            status=PatrolStatus.ENDED,
        )  # fmt: skip
        patrols.append(walk)
        verified = end < now - dt.timedelta(days=10)
        entries.append(
            HourEntry(
                community=xc, profile=who, team=lm, started_at=start, ended_at=end,
                minutes=int((end - start).total_seconds() // 60), source=HourSource.PATROL,
                description=f"安全巡逻 · {route.name}",
                status=HourStatus.VERIFIED if verified else HourStatus.PENDING, created_at=end,
                verified_by=leader if verified and who != leader_profile else (
                    secretary if verified else None),
                verified_at=end + dt.timedelta(days=1) if verified else None,
            )
        )  # fmt: skip
    # A person is never credited twice for the same time (festival and patrol clash): keep
    # the first of any overlap, as the ledger's own check would.
    kept: list[HourEntry] = []
    spans: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for held in HourEntry.objects.filter(community=xc):  # e.g. care work (demo/care.py)
        spans.setdefault(held.profile_id, []).append((held.started_at, held.ended_at))
    for e in sorted(entries, key=lambda e: (e.started_at, e.source)):
        mine = spans.setdefault(e.profile_id, [])
        if any(s < e.ended_at and e.started_at < t for s, t in mine):
            continue
        mine.append((e.started_at, e.ended_at))
        kept.append(e)
    HourEntry.objects.bulk_create(kept)
    Attendance.objects.bulk_create(att_rows)
    by_patrol = {
        (e.profile_id, e.started_at): e
        for e in HourEntry.objects.filter(community=xc, source=HourSource.PATROL)
    }
    for walk in patrols:
        walk.hour_entry = by_patrol.get((walk.profile_id, walk.started_at))
    Patrol.objects.bulk_update(patrols, ["hour_entry"])

    # Findings of the last weeks' patrols, and what became of each (through the services).
    categories = list(Category.objects.filter(community=xc).order_by("pk"))
    from .clock import as_of, events_on_clock

    def _decide(walk: Patrol, kind: str, place: str, text: str, outcome: str) -> None:
        f = Finding.objects.create(
            patrol=walk, kind=kind, place=place, description=text,
            found_at=walk.started_at + dt.timedelta(minutes=20),
        )  # fmt: skip
        if outcome == "request" and categories:
            want = {"fire_passage": "stairwell", "hazard": "electricity"}.get(kind, "other")
            cat = next((c for c in categories if c.code == want), categories[0])
            finding_to_request(actor=leader, finding=f, category=cat)
        elif outcome == "topic":
            # One more voice for a topic the estate has already raised (the demo's
            # deliberation tells the story of four topics).
            from linli.deliberation.models import Topic

            topic = Topic.objects.filter(community=xc, title__contains="楼道照明").first() or (
                Topic.objects.filter(community=xc).order_by("pk").first()
            )
            finding_to_topic(actor=leader, finding=f, topic=topic)
        else:
            finding_no_action(actor=leader, finding=f, reason="现场已劝导处理")

    recent = patrols[-len(FINDINGS) :]
    for walk, (kind, place, text, outcome) in zip(recent, FINDINGS, strict=True):
        # The leader goes through the recent findings today (one clock for the request and
        # its first event; a request still within its deadlines).
        with events_on_clock(), as_of(now):
            _decide(walk, kind, place, text, outcome)

    # The seal, a dispute, and two certificates.
    seal_upload(actor=secretary, community=xc, data=_seal_png())
    vol = users.get("xc-volunteer")
    if vol is not None:
        disputed = (
            HourEntry.objects.filter(
                profile__user=vol, status=HourStatus.VERIFIED, reverses__isnull=True
            )
            .order_by("-started_at")
            .first()
        )
        if disputed is not None:
            hours_dispute(
                actor=vol, entry=disputed, reason="那天我一直待到活动结束，少记了二十分钟"
            )
    year_ago = (now - dt.timedelta(days=365)).date()
    certified = 0
    for profile in (leader_profile, *members[mums.pk][:1]):
        if profile is None:
            continue
        if HourEntry.objects.filter(profile=profile, status=HourStatus.VERIFIED).exists():
            certificate_issue(
                actor=secretary, profile=profile, period_from=year_ago,
                period_to=timezone.localdate(),
            )  # fmt: skip
            certified += 1
    from linli.tickets.models import HandlingTeam
    from linli.volunteers.services.members import _sync_handling_teams

    for h in HandlingTeam.objects.filter(volunteer_team__isnull=False).select_related(
        "volunteer_team"
    ):
        assert h.volunteer_team is not None
        _sync_handling_teams(h.volunteer_team)
    return {
        "activities": len(plans),
        "patrols": len(patrols),
        "hours": len(kept),
        "certificates": certified,
    }
