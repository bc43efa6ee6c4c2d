"""Residents deliberate in the demo (民事民议): Xincun's topics, a council meeting held and one
called, door-to-door surveys (one closed, one under way), a forum at building 3 and two owners'
votes — one counted and published, one open that ``xc-resident`` can vote in.

Planning is pure (``plan_deliberation``): a seeded ``random.Random`` decides who answers which
door and how each owner votes, from the demo plan and ``now``. Writing
(``build_demo_deliberation``) replays that story through the real services, each step at its
own moment (``clock.as_of``), so every notice period, voting window, quorum and count is
checked by the code that checks them in use, and the published result is the one the counting
code gives.
There are a few hundred steps, not thousands (~0.8 s), so nothing is written in bulk.

Two registry touches make the votes work: ``xc-resident`` is recorded as a co-owner of
3-2-501 (the generator records only the head of a household as its owner), and a few owners
of the buildings that vote get a log-in (``xc-owner-<flat>``) and vote online.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from linli.accounts.models import RoleMembership, User
from linli.core.roles import Role
from linli.deliberation.models import (
    Body,
    Matter,
    Meeting,
    QuestionKind,
    Topic,
    VisitOutcome,
    VoteRule,
)
from linli.deliberation.services import ballots as ballot_svc
from linli.deliberation.services import forums as forum_services
from linli.deliberation.services import meeting_attendance as attendance_svc
from linli.deliberation.services import meeting_minutes as minutes_svc
from linli.deliberation.services import meetings as meeting_services
from linli.deliberation.services import surveys, votes
from linli.deliberation.services import topics as topic_services
from linli.deliberation.services import vote_results as result_svc
from linli.registry.models import Building, Community, Household, Resident, Tenure

from .clock import as_of, events_on_clock, local

SEED = 20210701
OWN = Tenure.OWNER.value

# The two owners' votes: the parking garage between buildings 12–14 (counted), and a lift for
# building 3 (open now; xc-resident's home 3-2-501 is there).
PARKING_BUILDINGS = ("12", "13", "14")
LIFT_BUILDING = "3"
RESIDENT_USER, RESIDENT_HOME = "xc-resident", "3-2-501"
# Owners who use the app and vote online: a few per building concerned.
APP_OWNERS_PER_BUILDING = 2

# The closed survey visits buildings 1–2, the open one 12–13; each building's leader knocks.
SPACE_SURVEY_BUILDINGS = ("1", "2")
PARKING_SURVEY_BUILDINGS = ("12", "13")

COUNCIL = (
    "xc-secretary",
    "xc-staff",
    "xc-mediator",
    "xc-team-leader",
    "xc-volunteer",
    "xc-grid-4",
    *(f"xc-leader-{n}" for n in ("1", "2", "3", "12", "13", "14")),
)
ABSENT = ("xc-volunteer", "xc-leader-14")  # the first meeting: 10 of 12 present
SIGNED_IN_BY_QR = ("xc-team-leader", "xc-leader-3", "xc-leader-12", "xc-leader-13")


# --- the plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotPlan:
    flat: str
    choice: str  # yes / no / abstain
    method: str  # online / paper / proxy
    at: dt.datetime
    user: str = ""  # online: the owner's log-in
    serial: str = ""
    proxy_name: str = ""
    proxy_authorization: str = ""


@dataclass(frozen=True)
class VisitPlan:
    flat: str
    surveyor: str
    outcome: str
    at: dt.datetime
    answers: tuple[Any, ...] = ()  # one per question, in order; None = left blank


@dataclass(frozen=True)
class OpinionPlan:
    theme: str
    text: str
    speaker: str = ""  # named only with consent


@dataclass(frozen=True)
class AppOwner:
    username: str
    flat: str
    person: Any  # generator.Person


@dataclass(eq=False)
class DeliberationPlan:
    now: dt.datetime
    app_owners: list[AppOwner]
    space_visits: list[VisitPlan]
    parking_visits: list[VisitPlan]
    opinions: list[OpinionPlan]
    parking_ballots: list[BallotPlan]
    lift_ballots: list[BallotPlan]
    moments: dict[str, dt.datetime] = field(default_factory=dict)


def _moment(now: dt.datetime, days: int, hour: int, minute: int = 0) -> dt.datetime:
    """``days`` from today (local), at ``hour:minute``."""
    return local(timezone.localtime(now).date() + dt.timedelta(days=days), hour, minute)


def moments(now: dt.datetime) -> dict[str, dt.datetime]:
    """When each step of the story happens, relative to today. Notice periods are kept:
    councils 3 days, owners' votes 15 days (Civil Code practice)."""
    m = lambda days, hour, minute=0: _moment(now, days, hour, minute)  # noqa: E731
    return {
        # 违建拆除后的空地: a survey at the doors, then the council decides.
        "space_raised": m(-75, 9, 30),
        "space_survey": m(-74, 10),
        "space_survey_open": m(-72, 9),
        "space_visits": m(-71, 9),
        "space_survey_closed": m(-58, 17),
        # 停车难 and 加装电梯 raised by their building leaders.
        "parking_raised": m(-50, 15, 20),
        "lift_raised": m(-45, 10, 5),
        # The first council meeting: called, noticed, held, minutes published.
        "meeting1_created": m(-40, 9, 40),
        "meeting1_noticed": m(-40, 10, 15),
        "meeting1_starts": m(-33, 19),
        "meeting1_closed": m(-32, 10),
        "forum": m(-36, 18, 30),  # building 3's forum, in front of unit 2
        # The parking garage: the owners of buildings 12–14 decide (change of common use).
        "parking_vote_created": m(-31, 9, 30),
        "parking_vote_noticed": m(-30, 9),
        "parking_vote_opens": m(-14, 8),
        "parking_vote_closes": m(-7, 20),
        "parking_vote_closed": m(-6, 9),
        "parking_vote_published": m(-5, 10),
        # The lift for building 3: voting is open now.
        "lift_vote_created": m(-20, 10),
        "lift_vote_noticed": m(-18, 9),
        "lift_vote_opens": m(-2, 8),
        "lift_vote_closes": m(5, 20),
        # Stairwell lights, and the next council meeting.
        "lights_raised": m(-10, 20, 40),
        "meeting2_created": m(-3, 9, 30),
        "meeting2_noticed": m(-3, 10),
        "meeting2_starts": m(4, 19),
        # How to run the parking garage: the leaders of 12 and 13 are knocking on doors.
        "parking_survey": m(-4, 9),
        "parking_survey_open": m(-4, 11),
        "parking_visits": m(-3, 9),
    }


SPACE_QUESTIONS = (
    (
        QuestionKind.SINGLE,
        "拆除违建后腾出的空地，您希望主要用来做什么？",
        True,
        ["休闲亭和健身区", "停车位", "绿化", "晾晒场"],
    ),
    (QuestionKind.SCALE, "您对这次违建拆除工作的满意程度（1分最低，5分最高）", True, []),
    (QuestionKind.TEXT, "您还有什么意见和建议？", False, []),
)
SPACE_WEIGHTS = (46, 27, 17, 10)
SPACE_TEXTS = (
    "亭子边上多放几张长椅，老人下棋用",
    "健身器材要有扶手，适合老年人",
    "晾晒场离楼近一点",
    "希望多种几棵树，夏天有荫凉",
    "拆违的时候党员带头，我们服气",
    "空地晚上要有灯",
    "留一块给孩子们玩",
)
PARKING_QUESTIONS = (
    (
        QuestionKind.SINGLE,
        "停车房建成后，您家需要固定车位吗？",
        True,
        ["需要", "不需要", "还没想好"],
    ),
    (
        QuestionKind.MULTIPLE,
        "您希望停车房配哪些设施？（可多选）",
        True,
        ["电动汽车充电桩", "电动自行车充电处", "监控", "照明"],
    ),
    (QuestionKind.SCALE, "您对现在小区停车秩序的满意程度（1分最低，5分最高）", True, []),
    (QuestionKind.TEXT, "关于停车房的收费和管理，您有什么意见？", False, []),
)
PARKING_TEXTS = (
    "月租不要超过一百五",
    "优先照顾本楼住户和残疾人",
    "充电桩要有专人管，防火",
    "电动车别再推上楼了，楼下充电最好",
    "收费要公开，账目贴在公示栏",
    "晚上十点后车辆进出要安静",
)
LIFT_OPINIONS = (
    ("老人上下楼", "我们住六楼，老伴腿脚不好，一个月下不了几次楼，盼着早点装电梯。", True),
    ("老人上下楼", "买菜提东西上五楼太累了，装电梯是好事。", False),
    ("费用分摊", "费用按楼层分摊可以接受，楼层越高出得越多，这个合理。", True),
    ("费用分摊", "希望社区帮忙申请老旧小区改造补助，自己出的钱少一点。", False),
    ("低层住户的顾虑", "一楼装了电梯会挡光，噪音也大，要给一楼二楼一些补偿。", False),
    ("低层住户的顾虑", "我住二楼用不上，但不反对，只要不占我家窗前。", True),
    ("施工安排", "施工期间楼道要留通道，别影响老人出门看病。", False),
)


def _ballot_choice(rng: random.Random, yes: float, no: float) -> str:
    r = rng.random()
    return "yes" if r < yes else "no" if r < yes + no else "abstain"


def _owners(hh) -> list:
    return [p for p in hh.living if p.tenure == OWN]


def plan_deliberation(plan, now: dt.datetime, seed: int = SEED) -> DeliberationPlan:
    """Everything random in the demo's deliberation, from the demo plan and ``now``."""
    from .tickets import repair_volunteers

    rng = random.Random(seed)
    at = moments(now)
    xincun = plan.xincun
    resident = plan.linked[RESIDENT_USER]
    taken = {id(p) for p in plan.linked.values()} | {id(p) for p in repair_volunteers(plan)}

    def owned(building: str) -> list:
        """The flats of a building that have an owner living there (the electorate)."""
        flats = []
        for hh in xincun.households:
            if hh.building != building:
                continue
            owners = _owners(hh) or ([resident] if hh.label == RESIDENT_HOME else [])
            if owners:
                flats.append((hh, owners))
        return flats

    # A few owners use the app: they get a log-in and vote online.
    app_owners: list[AppOwner] = []
    for b in (*PARKING_BUILDINGS, LIFT_BUILDING):
        pool = [
            (hh, p)
            for hh, owners in owned(b)
            for p in owners
            if p.phone and id(p) not in taken and hh.label != RESIDENT_HOME
        ]
        for hh, p in rng.sample(pool, min(APP_OWNERS_PER_BUILDING, len(pool))):
            app_owners.append(AppOwner(f"xc-owner-{hh.label}", hh.label, p))
    online = {o.flat: o.username for o in app_owners}

    def ballots(
        flats,
        start: dt.datetime,
        end: dt.datetime,
        *,
        turnout: float,
        yes: float,
        no: float,
        prefix: str,
        skip: frozenset[str] = frozenset(),
    ) -> list[BallotPlan]:
        out: list[BallotPlan] = []
        minutes = int((end - start).total_seconds() // 60)
        serial = 0
        for hh, _owners_here in flats:
            if hh.label in skip or rng.random() >= (0.9 if hh.label in online else turnout):
                continue
            when = start + dt.timedelta(minutes=rng.randrange(30, minutes - 30))
            choice = _ballot_choice(rng, yes, no)
            if hh.label in online:
                out.append(BallotPlan(hh.label, choice, "online", when, user=online[hh.label]))
                continue
            serial += 1
            family = [p for p in hh.living if p.tenure != OWN and p.age >= 18]
            if family and rng.random() < 0.15:  # the owner is away: a relative votes for them
                proxy = rng.choice(family)
                out.append(
                    BallotPlan(
                        hh.label,
                        choice,
                        "proxy",
                        when,
                        serial=f"{prefix}-{serial:03d}",
                        proxy_name=proxy.name,
                        proxy_authorization=f"书面委托书{prefix}-W{serial:03d}，存社区档案柜",
                    )
                )
            else:
                out.append(
                    BallotPlan(hh.label, choice, "paper", when, serial=f"{prefix}-{serial:03d}")
                )
        out.sort(key=lambda b: (b.at, b.flat))
        return out

    parking_flats = [f for b in PARKING_BUILDINGS for f in owned(b)]
    parking_ballots = ballots(
        parking_flats,
        at["parking_vote_opens"],
        at["parking_vote_closes"],
        turnout=0.9,
        yes=0.86,
        no=0.08,
        prefix="TCF",
    )
    lift_ballots = ballots(
        owned(LIFT_BUILDING),
        at["lift_vote_opens"],
        now.replace(second=0, microsecond=0),
        turnout=0.45,
        yes=0.8,
        no=0.12,
        prefix="DT3",
        skip=frozenset({RESIDENT_HOME}),
    )

    def visits(
        buildings,
        questions,
        start: dt.datetime,
        days: int,
        *,
        reach: float,
        texts: tuple[str, ...],
        first_choice_weights=None,
    ) -> list[VisitPlan]:
        out: list[VisitPlan] = []
        for hh in xincun.households:
            if hh.building not in buildings or not hh.living or rng.random() >= reach:
                continue
            surveyor = f"xc-leader-{hh.building}"
            day = rng.randrange(days)
            when = start + dt.timedelta(days=day, minutes=rng.randrange(0, 9 * 60))
            if rng.random() < 0.22:  # not at home; tried again a day or two later
                out.append(VisitPlan(hh.label, surveyor, VisitOutcome.NOT_HOME, when))
                if rng.random() < 0.5:
                    continue
                when += dt.timedelta(days=rng.randint(1, 2), minutes=rng.randrange(-60, 60))
            if rng.random() < 0.08:
                out.append(VisitPlan(hh.label, surveyor, VisitOutcome.DECLINED, when))
                continue
            answers = []
            for i, (kind, _text, _required, choices) in enumerate(questions):
                if kind == QuestionKind.SINGLE:
                    weights = first_choice_weights if i == 0 and first_choice_weights else None
                    answers.append(rng.choices(choices, weights)[0])
                elif kind == QuestionKind.MULTIPLE:
                    picked = [c for c in choices if rng.random() < 0.55] or [choices[0]]
                    answers.append(picked)
                elif kind == QuestionKind.SCALE:
                    answers.append(rng.choices([1, 2, 3, 4, 5], [1, 2, 5, 9, 8])[0])
                else:
                    answers.append(rng.choice(texts) if rng.random() < 0.3 else None)
            out.append(VisitPlan(hh.label, surveyor, VisitOutcome.ANSWERED, when, tuple(answers)))
        out.sort(key=lambda v: (v.at, v.flat))
        return out

    space_visits = visits(
        SPACE_SURVEY_BUILDINGS,
        SPACE_QUESTIONS,
        at["space_visits"],
        10,
        reach=0.97,
        texts=SPACE_TEXTS,
        first_choice_weights=SPACE_WEIGHTS,
    )
    # The parking survey began three days ago: visits so far, none after now.
    parking_visits = [
        v
        for v in visits(
            PARKING_SURVEY_BUILDINGS,
            PARKING_QUESTIONS,
            at["parking_visits"],
            3,
            reach=0.6,
            texts=PARKING_TEXTS,
        )
        if v.at < now
    ]

    building3 = [p for hh in xincun.households if hh.building == LIFT_BUILDING for p in hh.living]
    speakers = sorted((p for p in building3 if p.age >= 40), key=lambda p: p.id_number)
    opinions = [
        OpinionPlan(theme, text, speakers.pop(rng.randrange(len(speakers))).name if named else "")
        for theme, text, named in LIFT_OPINIONS
    ]
    return DeliberationPlan(
        now, app_owners, space_visits, parking_visits, opinions, parking_ballots, lift_ballots, at
    )


def deliberation_digest(dp: DeliberationPlan) -> str:
    h = hashlib.sha256()
    for o in dp.app_owners:
        h.update(f"owner {o.username} {o.person.id_number}\n".encode())
    for name, visits_ in (("space", dp.space_visits), ("parking", dp.parking_visits)):
        for v in visits_:
            h.update(
                f"{name} {v.flat} {v.surveyor} {v.outcome} {v.at:%F %T} {v.answers}\n".encode()
            )
    for o in dp.opinions:
        h.update(f"opinion {o.theme} {o.text} {o.speaker}\n".encode())
    for name, ballots in (("parking", dp.parking_ballots), ("lift", dp.lift_ballots)):
        for b in ballots:
            h.update(f"{name} {b}\n".encode())
    for k, v in sorted(dp.moments.items()):
        h.update(f"{k} {v.isoformat()}\n".encode())
    return h.hexdigest()


# --- writing -----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, dp: DeliberationPlan, users: dict[str, User], xincun: Community):
        self.dp, self.users, self.xc = dp, users, xincun
        self.at = dp.moments
        self.buildings = {b.number: b for b in Building.objects.filter(community=xincun)}
        self.households = {
            h.label: h for h in Household.objects.filter(community=xincun).only("pk", "label")
        }

    def u(self, username: str) -> User:
        return self.users[username]

    # -- who votes online, and xc-resident as co-owner of 3-2-501
    def registry(self) -> None:
        me = self.u(RESIDENT_USER)
        Resident.objects.filter(pk=me.resident_id).exclude(tenure=OWN).update(tenure=OWN)
        password = self.u("xc-staff").password  # the demo password, hashed once
        owners = [
            User(
                username=o.username,
                password=password,
                display_name=o.person.name,
                phone=o.person.phone or None,
                resident_id=o.person.pk,
            )
            for o in self.dp.app_owners
        ]
        User.objects.bulk_create(owners)
        RoleMembership.objects.bulk_create(
            RoleMembership(
                user=user,
                role=Role.RESIDENT,
                community=self.xc,
                household=self.households[o.flat],
            )
            for o, user in zip(self.dp.app_owners, owners, strict=True)
        )
        self.users.update({user.username: user for user in owners})

    def topics(self) -> None:
        at, u, xc = self.at, self.u, self.xc
        with as_of(at["space_raised"]):
            self.space = topic_services.topic_raise(
                actor=u("xc-staff"),
                community=xc,
                title="违建拆除后腾出的空地怎么用",
                description="全社区拆除违章建筑275处，腾出几块空地。用来建休闲亭、健身区、"
                "停车位还是绿化，先入户听听大家的意见，再提交居民议事会。",
            )
        with as_of(at["parking_raised"]):
            self.parking = topic_services.topic_raise(
                actor=u("xc-leader-13"),
                community=xc,
                title="停车难：建停车房，配建充电桩",
                description="矿上关停后家家买了车，晚上车停满路边，消防通道也被占。"
                "12—14号楼之间有一块拆违腾出的空地，建议建停车房，并配建电动汽车充电桩。",
            )
        with as_of(at["lift_raised"]):
            self.lift = topic_services.topic_raise(
                actor=u("xc-leader-3"),
                community=xc,
                building=self.buildings[LIFT_BUILDING],
                title="3号楼加装电梯",
                description="3号楼是1983年的六层老楼，住着不少七八十岁的老人，"
                "上下楼困难。楼里提议每个单元加装一部电梯。",
            )
        with as_of(at["lights_raised"]):
            self.lights = topic_services.topic_raise(
                actor=u("xc-team-leader"),
                community=xc,
                title="楼道照明：换成声控灯",
                description="新长征志愿服务队晚上巡逻发现，1—8号楼不少楼道灯坏了，"
                "老人晚上上下楼容易摔跤。建议统一换成声控节能灯。",
            )

    def _survey(self, *, title, intro, topic, questions, buildings, opened, visits):
        staff = self.u("xc-staff")
        with as_of(self.at[opened[0]]):
            s = surveys.survey_create(
                actor=staff, community=self.xc, title=title, intro=intro, topic=topic
            )
            qs = [
                surveys.question_add(
                    actor=staff, survey=s, kind=kind, text=text, required=req, choices=choices
                )
                for kind, text, req, choices in questions
            ]
            for n in buildings:
                surveys.survey_assign(
                    actor=staff,
                    survey=s,
                    surveyor=self.u(f"xc-leader-{n}"),
                    building=self.buildings[n],
                )
        with as_of(self.at[opened[1]]):
            surveys.survey_open(actor=staff, survey=s)
        for v in visits:
            answers = {q.pk: a for q, a in zip(qs, v.answers, strict=False) if a is not None}
            with as_of(v.at):
                surveys.visit_record(
                    actor=self.u(v.surveyor),
                    survey=s,
                    household_id=self.households[v.flat].pk,
                    outcome=v.outcome,
                    answers=answers if v.outcome == "answered" else None,
                )
        return s

    def space_survey(self) -> None:
        self.space_survey_ = self._survey(
            title="拆违腾出的空地怎么用：入户听意见",
            intro="您好，我们是社区的楼栋长。拆违腾出的空地准备改造，想听听您家的意见，"
            "三个问题，两分钟就好。",
            topic=self.space,
            questions=SPACE_QUESTIONS,
            buildings=SPACE_SURVEY_BUILDINGS,
            opened=("space_survey", "space_survey_open"),
            visits=self.dp.space_visits,
        )
        with as_of(self.at["space_survey_closed"]):
            surveys.survey_close(actor=self.u("xc-staff"), survey=self.space_survey_)

    def parking_survey(self) -> None:
        self._survey(
            title="停车房建成后怎么用：入户听意见",
            intro="您好，12—14号楼业主已表决通过建停车房。车位怎么分、配什么设施、"
            "怎么收费，想听听您家的意见。",
            topic=self.parking,
            questions=PARKING_QUESTIONS,
            buildings=PARKING_SURVEY_BUILDINGS,
            opened=("parking_survey", "parking_survey_open"),
            visits=self.dp.parking_visits,
        )

    def _council_meeting(self, n: int, title: str, topics: tuple[Topic, ...]) -> Meeting:
        """Residents' council meeting ``n`` in the council room: prepared with its agenda and
        the council invited at ``meeting<n>_created``, announced at ``meeting<n>_noticed``."""
        at, staff = self.at, self.u("xc-staff")
        with as_of(at[f"meeting{n}_created"]):
            m = meeting_services.meeting_create(
                actor=staff,
                community=self.xc,
                body=Body.RESIDENTS_COUNCIL,
                title=title,
                starts_at=at[f"meeting{n}_starts"],
                location="党群服务中心二楼会议室",
                notice_days=3,
            )
            for topic in topics:
                meeting_services.agenda_add(actor=staff, meeting=m, topic=topic)
            meeting_services.meeting_invite(
                actor=staff, meeting=m, users=[self.u(name) for name in COUNCIL]
            )
        with as_of(at[f"meeting{n}_noticed"]):
            meeting_services.meeting_publish_notice(actor=staff, meeting=m)
        return m

    def first_meeting(self) -> None:
        at, u = self.at, self.u
        staff = u("xc-staff")
        m = self._council_meeting(1, "居民议事会：空地利用和停车难", (self.space, self.parking))
        start = at["meeting1_starts"]
        invitations = {i.user.username: i for i in m.invitations.select_related("user", "meeting")}
        for n, name in enumerate(COUNCIL):
            if name in ABSENT:
                continue
            with as_of(start - dt.timedelta(minutes=25 - n)):
                if name in SIGNED_IN_BY_QR:
                    attendance_svc.meeting_check_in(actor=u(name), token=m.checkin_token)
                else:
                    attendance_svc.meeting_sign_in(actor=staff, invitation=invitations[name])
        with as_of(start + dt.timedelta(minutes=2)):
            attendance_svc.meeting_mark_held(actor=staff, meeting=m)
        with as_of(start + dt.timedelta(minutes=50)):
            minutes_svc.resolution_record(
                actor=staff,
                meeting=m,
                topic=self.space,
                text="根据1、2号楼入户调查结果，拆违腾出的空地优先建休闲亭和健身区，"
                "并保留一块晾晒场。",
                yes=9,
                no=0,
                abstain=1,
            )
        with as_of(start + dt.timedelta(minutes=85)):
            self.parking_resolution = minutes_svc.resolution_record(
                actor=staff,
                meeting=m,
                topic=self.parking,
                text="同意在12—14号楼之间的空地建停车房，配建电动汽车充电桩。"
                "因改变共有部分用途，提请12—14号楼业主共同决定。",
                yes=8,
                no=1,
                abstain=1,
            )
        with as_of(start + dt.timedelta(minutes=110)):
            minutes_svc.meeting_save_minutes(
                actor=staff,
                meeting=m,
                minutes="应到12人，实到10人，符合议事规则。\n"
                "一、空地利用：楼栋长通报1、2号楼入户调查结果，多数住户希望建休闲亭和健身区。"
                "讨论后表决：同意9票，弃权1票，通过。\n"
                "二、停车难：13号楼楼栋长介绍提议。有成员担心占用绿地，经讨论，"
                "停车房只用拆违腾出的空地。表决：同意8票，反对1票，弃权1票，通过。"
                "该事项改变共有部分用途，须由12—14号楼业主共同决定。",
                public_summary="居民议事会通过两项决议：拆违空地建休闲亭和健身区；"
                "在12—14号楼之间的空地建停车房并配建充电桩，提请相关楼栋业主表决。",
            )
        with as_of(at["meeting1_closed"]):
            minutes_svc.meeting_close(actor=staff, meeting=m)
        with as_of(at["meeting1_closed"] + dt.timedelta(minutes=30)):
            minutes_svc.resolution_follow_up(
                actor=staff,
                resolution=self.parking_resolution,
                title="组织12—14号楼业主表决，并编制停车房和充电桩施工方案",
                owner=staff,
                due_on=(at["meeting1_closed"] + dt.timedelta(days=60)).date(),
            )
            topic_services.topic_decide(
                actor=staff,
                topic=self.space,
                decision="居民议事会决议：拆违空地建休闲亭和健身区，保留一块晾晒场。",
            )
        self.meeting1 = m

    def forum(self) -> None:
        leader = self.u(f"xc-leader-{LIFT_BUILDING}")
        with as_of(self.at["forum"]):
            f = forum_services.forum_create(
                actor=leader,
                building=self.buildings[LIFT_BUILDING],
                held_on=timezone.localtime(self.at["forum"]).date(),
                title="3号楼楼栋摆台：加装电梯听意见",
                topic=self.lift,
                notes="在2单元门口摆桌子，晚饭后二十多位住户来坐了坐。"
                "高层老人盼着装，一二楼住户担心采光和噪音。",
            )
            for o in self.dp.opinions:
                forum_services.opinion_add(
                    actor=leader,
                    forum=f,
                    theme=o.theme,
                    text=o.text,
                    speaker_consented=bool(o.speaker),
                    speaker_name=o.speaker,
                )

    def _vote(self, *, topic, title, question, matter, buildings, prefix, ballots):
        at, staff = self.at, self.u("xc-staff")
        with as_of(at[f"{prefix}_created"]):
            vote = votes.vote_create(
                actor=staff,
                topic=topic,
                title=title,
                question=question,
                rule=VoteRule.OWNERS,
                matter=matter,
                buildings=[self.buildings[n] for n in buildings],
                notice_days=15,
                opens_at=at[f"{prefix}_opens"],
                closes_at=at[f"{prefix}_closes"],
            )
        with as_of(at[f"{prefix}_noticed"]):
            vote = votes.vote_notice(actor=staff, vote=vote)
        with as_of(at[f"{prefix}_opens"]):
            vote = votes.vote_open(actor=staff, vote=vote)
        for b in ballots:
            with as_of(b.at):
                if b.method == "online":
                    ballot_svc.vote_cast(actor=self.u(b.user), vote=vote, choice=b.choice)
                else:
                    ballot_svc.ballot_enter(
                        actor=staff,
                        vote=vote,
                        flat=b.flat,
                        choice=b.choice,
                        method=b.method,
                        paper_serial=b.serial,
                        proxy_name=b.proxy_name,
                        proxy_authorization=b.proxy_authorization,
                    )
        return vote

    def parking_vote(self) -> None:
        at, secretary = self.at, self.u("xc-secretary")
        vote = self._vote(
            topic=self.parking,
            title="12—14号楼之间空地建停车房（配建充电桩）",
            question="是否同意将12号楼、13号楼和14号楼之间拆违腾出的公共空地改建为停车房，"
            "并配建电动汽车充电桩？车位优先租给三栋楼的住户，收支每季度公示。",
            matter=Matter.CHANGE_USE,
            buildings=PARKING_BUILDINGS,
            prefix="parking_vote",
            ballots=self.dp.parking_ballots,
        )
        with as_of(at["parking_vote_closed"]):
            vote = result_svc.vote_close(actor=secretary, vote=vote)
        with as_of(at["parking_vote_published"]):
            vote = result_svc.vote_publish(actor=secretary, vote=vote)
        if vote.result.get("outcome") == "passed":
            with as_of(at["parking_vote_published"] + dt.timedelta(hours=2)):
                topic_services.topic_decide(
                    actor=self.u("xc-staff"),
                    topic=self.parking,
                    decision="12—14号楼业主共同决定通过：在三栋楼之间的空地建停车房，"
                    "配建电动汽车充电桩。",
                )
        self.parking_vote_ = vote

    def lift_vote(self) -> None:
        self.lift_vote_ = self._vote(
            topic=self.lift,
            title="3号楼加装电梯",
            question="是否同意为3号楼每个单元加装一部电梯？费用按楼层分摊，"
            "社区协助申请老旧小区改造补助。",
            matter=Matter.REBUILD,
            buildings=(LIFT_BUILDING,),
            prefix="lift_vote",
            ballots=self.dp.lift_ballots,
        )

    def next_meeting(self) -> None:
        """Called and announced; it is held after the demo's today."""
        self._council_meeting(2, "居民议事会：楼道照明和停车房进展", (self.lights, self.parking))


def build_demo_deliberation(plan, users: dict[str, User], now: dt.datetime | None = None):
    """Topics, meetings, surveys, a forum and votes, into the freshly written demo."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    dp = plan_deliberation(plan, now)
    w = _Writer(dp, users, Community.objects.get(code="xincun"))
    w.registry()
    with events_on_clock():
        w.topics()
        w.space_survey()
        w.first_meeting()
        w.forum()
        w.parking_vote()
        w.lift_vote()
        w.next_meeting()
        w.parking_survey()
    return dp
