"""A year of residents' requests in the demo: Xincun's categories and handling teams, ~600
requests in every state with timelines that read right, and a few dozen in Nancun.

Planning is pure (``plan_tickets``): a seeded ``random.Random`` lays out, for each request, a
list of dated steps (submitted, accepted, assigned, …, rated) from a fixed plan of the people,
relative to ``now``. Writing (``write_tickets``) walks each request's steps up to ``now`` —
checking every move against the transition table (``workflow.check``) — and so fixes its
status, its moments (``responded_at`` … ``closed_at``), its rating and its events; a request
whose next step still lies in the future is simply open in that state. Rows go in with a
handful of ``bulk_create`` calls instead of one service call per request, which would take
tens of seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q
from django.utils import timezone

from linli.accounts.models import RoleMembership, User
from linli.core.calendar import add_workdays, is_workday
from linli.core.models import Event, Holiday
from linli.core.public import scrub_public_text
from linli.core.roles import Role
from linli.registry.models import Building, Community, Household, Unit
from linli.tickets import reminders
from linli.tickets.models import (
    WORKING_STATES,
    Category,
    Channel,
    CommentKind,
    ContactPreference,
    HandlingTeam,
    Rating,
    Status,
    Ticket,
    TicketComment,
    TicketRequester,
)
from linli.tickets.workflow import TICKET_FLOW, check
from linli.volunteers.models import VolunteerTeam

SEED = 20260311
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
M = dt.timedelta(minutes=1)

REPAIR, LONG_MARCH, MUMS = "社区维修组", "新长征志愿服务队", "妈妈帮帮团"


# --- categories ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    name_en: str
    description: str
    hours: int  # respond within
    workdays: int  # resolve within
    team: str | None
    weight: float  # how common
    where: str  # "household", "building" or "public"
    months: tuple[float, ...] = (1,) * 12  # seasonal weight, January first
    referral: tuple[str, str] | None = None  # (to whom, why) when it is not ours
    contractor: tuple[str, str] | None = None  # an outside firm sometimes hired
    keywords: str = ""


RAINY = (0.6, 0.6, 1.0, 1.6, 2.2, 2.4, 1.8, 1.0, 0.7, 0.5, 0.5, 0.6)
WINTER = (3.0, 2.2, 0.8, 0.2, 0.05, 0.05, 0.05, 0.05, 0.1, 0.4, 1.6, 2.8)
SUMMER = (0.9, 1.4, 0.8, 0.8, 1.0, 1.4, 1.6, 1.6, 1.0, 0.9, 0.8, 0.8)
DARK = (1.3, 1.2, 1.0, 0.9, 0.8, 0.7, 0.7, 0.8, 0.9, 1.1, 1.3, 1.4)

XINCUN_CATEGORIES = (
    CategorySpec(
        "water",
        "水管漏水",
        "Water pipe leak",
        "自来水管、下水管漏水或堵塞，阀门、水表问题",
        4,
        3,
        REPAIR,
        15,
        "household",
        (1.6, 1.3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.4),
        referral=("白源自来水公司", "市政主管网归自来水公司维修"),
        contractor=("鑫源管道疏通", "0799-6638811"),
        keywords="水管 漏水 堵塞 下水道 阀门",
    ),
    CategorySpec(
        "lights",
        "路灯不亮",
        "Street light out",
        "小区道路路灯、楼前照明灯不亮或常亮",
        24,
        5,
        REPAIR,
        10,
        "public",
        DARK,
        referral=("国网白源供电所", "路灯线路属供电所资产"),
        keywords="路灯 灯 照明",
    ),
    CategorySpec(
        "parking",
        "停车问题",
        "Parking",
        "乱停车、占用消防通道、停车坪秩序",
        24,
        5,
        LONG_MARCH,
        9,
        "public",
        referral=("白源交警中队", "占用市政道路停车需交警处理"),
        keywords="停车 占道 消防通道",
    ),
    CategorySpec(
        "stairwell",
        "楼道卫生",
        "Stairwell cleaning",
        "楼道堆放杂物、卫生打扫、小广告清理",
        24,
        3,
        MUMS,
        12,
        "building",
        (1.4, 1.8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.2),
        keywords="楼道 卫生 杂物 小广告",
    ),
    CategorySpec(
        "noise",
        "噪音扰民",
        "Noise",
        "装修、广场舞、夜间噪音等影响休息的声音",
        12,
        3,
        LONG_MARCH,
        7,
        "household",
        SUMMER,
        keywords="噪音 吵 装修 广场舞",
    ),
    CategorySpec(
        "roof",
        "屋顶漏水",
        "Roof leak",
        "顶楼屋面渗水、外墙渗水",
        24,
        10,
        REPAIR,
        5,
        "household",
        RAINY,
        contractor=("白源建筑修缮队", "0799-6635520"),
        keywords="屋顶 漏雨 渗水 防水",
    ),
    CategorySpec(
        "electricity",
        "用电故障",
        "Electricity",
        "楼道灯、电表箱、入户线路故障",
        8,
        3,
        REPAIR,
        6,
        "building",
        referral=("国网白源供电所", "表后线路以外属供电所维护"),
        keywords="停电 跳闸 电表 楼道灯",
    ),
    CategorySpec(
        "heating",
        "取暖设施",
        "Heating",
        "老人取暖器、电热毯安全检查，燃气热水器问题",
        24,
        5,
        None,
        4,
        "household",
        WINTER,
        referral=("燃气公司白源营业所", "燃气设施须由燃气公司检修"),
        keywords="取暖 燃气 热水器",
    ),
    CategorySpec(
        "structure",
        "违章搭建",
        "Illegal structure report",
        "私搭乱建、占用公共空间的举报",
        24,
        10,
        None,
        3,
        "building",
        referral=("区城市管理执法中队", "违法建设由城管执法部门依法查处"),
        keywords="违建 搭建 占用",
    ),
    CategorySpec(
        "other",
        "其他",
        "Other",
        "其他需要社区帮忙的事情",
        24,
        5,
        None,
        6,
        "household",
        keywords="其他",
    ),
)

NANCUN_CATEGORIES = (
    CategorySpec(
        "water",
        "水管漏水",
        "Water pipe leak",
        "自来水管、下水管漏水或堵塞",
        8,
        5,
        None,
        4,
        "household",
    ),
    CategorySpec(
        "lights", "路灯不亮", "Street light out", "小区路灯不亮", 24, 5, None, 3, "public", DARK
    ),
    CategorySpec(
        "stairwell", "楼道卫生", "Stairwell cleaning", "楼道卫生、杂物", 24, 3, None, 3, "building"
    ),
    CategorySpec("other", "其他", "Other", "其他事情", 24, 5, None, 2, "household"),
)


# Kinds of request never shown publicly: about neighbours (noise, a report of a structure)
# or an elderly person at home (heating).
PRIVATE_CATEGORIES = frozenset({"noise", "heating", "structure"})

# What residents say, what was done, and what the office replied, per category.
TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "water": {
        "say": (
            "厨房水管接头漏水，地上一直有水。",
            "卫生间下水管堵了，往上返水。",
            "楼下说我家漏水渗到他家天花板了，找不到哪里漏。",
            "水表前的阀门关不严，一直滴水。",
            "单元总水管好像爆了，整个单元停水。",
            "洗衣机下水管渗水，墙角发霉。",
            "阳台水管冻裂了，在喷水。",
        ),
        "done": (
            "更换了漏水的接头和生料带，试水无渗漏。",
            "疏通了下水管，清出大量油污和杂物。",
            "查明是楼上卫生间防水层破损，已协调楼上住户修补。",
            "更换了阀门。",
            "抢修了单元总管，下午已恢复供水。",
        ),
    },
    "lights": {
        "say": (
            "矿工路北段路灯晚上不亮，老人走路看不清。",
            "{b}号楼前的路灯坏了好几天了。",
            "停车坪旁边的灯一直不亮。",
            "新村路东侧路灯白天也亮着，浪费电。",
            "小区大门口的灯闪个不停。",
        ),
        "done": (
            "更换了灯泡和镇流器，晚上已正常亮灯。",
            "线路接头松动，已重新接好。",
            "更换为LED灯具并加装光控开关。",
        ),
    },
    "parking": {
        "say": (
            "有车长期停在消防通道上。",
            "{b}号楼门口被电动车堵住，轮椅出不去。",
            "停车坪晚上有外来车辆乱停。",
            "有人在楼下私自装地锁占车位。",
            "僵尸车停了大半年没人动。",
        ),
        "done": (
            "联系车主挪走了车辆，并在通道口设置了提示牌。",
            "志愿者劝导后电动车已移到车棚。",
            "拆除了私装地锁，张贴了告知书。",
            "协助交警张贴通知，车主已移走车辆。",
        ),
    },
    "stairwell": {
        "say": (
            "{b}号楼{u}单元楼道里堆满了旧纸箱和杂物。",
            "楼道好久没人打扫了，很脏。",
            "楼道墙上贴满了小广告。",
            "楼梯扶手上全是灰。",
            "有人在楼道里堆放煤气罐，很危险。",
        ),
        "done": (
            "妈妈帮帮团上门清理了楼道杂物，打扫了楼梯。",
            "清除了小广告，粉刷了墙面。",
            "劝导住户把杂物搬回家中，楼道已畅通。",
        ),
    },
    "noise": {
        "say": (
            "楼上装修天天早上七点就开始打钻。",
            "晚上十点多广场舞音响还很大声。",
            "隔壁家狗整夜叫。",
            "楼下烧烤店夜里很吵。",
            "邻居家半夜打麻将吵得睡不着。",
        ),
        "done": (
            "志愿者上门沟通，装修方同意改在八点后施工。",
            "与广场舞队协商，晚上九点前结束并调小音量。",
            "上门劝导，邻居表示会注意。",
        ),
    },
    "roof": {
        "say": (
            "顶楼下雨就漏，卧室天花板都是水渍。",
            "外墙渗水，墙皮一片片掉。",
            "屋面防水层老化，楼梯间顶上漏雨。",
        ),
        "done": (
            "屋面重做了防水层，雨后检查无渗漏。",
            "修补了外墙裂缝并做了防水处理。",
            "清理了堵塞的屋面排水口，更换了破损的瓦片。",
        ),
    },
    "electricity": {
        "say": (
            "{b}号楼{u}单元楼道灯全不亮。",
            "家里老是跳闸。",
            "电表箱门坏了，线露在外面。",
            "楼道里的声控灯不灵了。",
        ),
        "done": (
            "更换了楼道灯和声控开关。",
            "检查发现漏电开关老化，已更换。",
            "修好了电表箱门并整理了线路。",
        ),
    },
    "heating": {
        "say": (
            "独居老人家里的取暖器插座发烫，请帮忙看看。",
            "燃气热水器打不着火。",
            "老人想检查一下电热毯安不安全。",
        ),
        "done": (
            "上门检查并更换了老化插座，讲解了安全用电。",
            "帮老人检查了取暖设备，更换了电热毯。",
        ),
    },
    "structure": {
        "say": (
            "{b}号楼一楼有人在公共绿地上搭棚子。",
            "顶楼有人私自加盖房间。",
            "有住户把楼道尽头围起来当储物间。",
        ),
        "done": ("上门劝导，住户已自行拆除。", "协调后恢复了公共空间。"),
    },
    "other": {
        "say": (
            "小区里有流浪狗，孩子们害怕。",
            "健身器材坏了一个。",
            "垃圾桶满了没人清运。",
            "想问一下老年人优待证怎么办理。",
            "单元门禁坏了，关不上。",
        ),
        "done": (
            "联系了相关部门处理。",
            "修好了健身器材。",
            "联系环卫加派了清运车次。",
            "上门为老人讲解并协助办理。",
            "更换了门禁闭门器。",
        ),
    },
}
REPLIES = (
    "您反映的问题已经处理好了，请您查看。如还有问题请随时联系社区。",
    "已处理完毕，感谢您对社区工作的支持！",
    "问题已解决，请您确认是否满意。",
    "师傅已上门处理好了，有问题再打社区电话。",
)
PROGRESS = (
    "已联系住户，约好明天上午上门查看。",
    "师傅已到现场查看，需要购买配件。",
    "配件已到，安排明天施工。",
    "已和相关住户沟通，正在协调。",
)
NOTES = (
    "住户是独居老人，上门时请网格员陪同。",
    "这家之前也反映过类似问题。",
    "需要动用维修资金，要走业主表决程序。",
    "联系电话是老人子女的。",
)
SATISFIED = ("师傅很负责，谢谢社区！", "处理得很快。", "满意。", "", "", "")
BASIC = ("修好了，就是等得有点久。", "基本满意。", "")
UNSATISFIED = ("还是漏，没修好。", "过了两天又坏了。", "处理太慢了。")
HOLDS = (
    ("等配件到货", 7),
    ("需要业主表决动用维修资金", 14),
    ("等天晴才能施工", 5),
    ("住户外出，等回来再上门", 6),
)
EXTENSIONS = (("需要购买专用配件", 3), ("施工量大，需要分几次完成", 5), ("等待相关单位配合", 5))
WITHDRAW = ("已经自己修好了。", "邻居帮忙弄好了，不用麻烦了。")


# --- plans -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Step:
    at: dt.datetime
    action: str  # a workflow action, or submit / extend / progress / note / merged
    actor: str | None  # user name; None for the system
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class Requester:
    name: str
    phone: str
    person: Any = None  # a generator.Person
    user: str | None = None
    anonymous: bool = False


@dataclass(slots=True, eq=False)
class RequestPlan:
    community: str
    category: str
    channel: str
    description: str
    created_at: dt.datetime
    requester: Requester
    created_by: str | None
    household: str | None = None  # label
    building: str | None = None  # number
    unit: str | None = None
    location_text: str = ""
    emergency: bool = False
    steps: list[Step] = field(default_factory=list)
    duplicate_of: RequestPlan | None = None
    pk: int | None = None


@dataclass
class Cast:
    """Who does what in one community (user names)."""

    office: list[str]
    teams: dict[str, list[str]]
    leaders: dict[str, str]  # building number → user name
    grid_of: dict[str, str]  # building number → grid worker's user name
    resident_user: str | None = None
    resident_home: str | None = None
    patrol: list[str] = field(default_factory=list)


class Planner:
    def __init__(self, rng: random.Random, now: dt.datetime, community, cats, cast: Cast):
        self.rng, self.now, self.cp, self.cast = rng, now, community, cast
        self.cats = {c.code: c for c in cats}
        self.households = [hh for hh in community.households if hh.living]
        self.by_building: dict[str, list] = {}
        for hh in self.households:
            self.by_building.setdefault(hh.building, []).append(hh)
        self.buildings = sorted({hh.building for hh in community.households}, key=int)

    # -- helpers
    def pick(self, items, weights=None):
        return self.rng.choices(items, weights=weights)[0] if weights else self.rng.choice(items)

    def office(self) -> str:
        return self.pick(self.cast.office, [5, 2, 1][: len(self.cast.office)])

    def later(self, at: dt.datetime, lo: dt.timedelta, hi: dt.timedelta) -> dt.datetime:
        span = (hi - lo).total_seconds()
        return at + lo + dt.timedelta(seconds=int(self.rng.random() * span))

    def day_time(self, day: dt.date, night: bool = False) -> dt.datetime:
        if night:
            hour = self.pick([20, 21, 22, 23, 6])
        else:
            hour = self.pick(list(range(7, 21)), [2, 5, 6, 6, 4, 3, 4, 5, 5, 4, 3, 3, 3, 2])
        local = dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60)))
        return timezone.make_aware(local, timezone.get_current_timezone())

    def text(self, cat: CategorySpec, kind: str, b: str = "", u: str = "") -> str:
        return self.pick(TEXTS[cat.code][kind]).format(b=b or "3", u=u or "1")

    # -- the request itself
    def request(
        self,
        cat: CategorySpec,
        created: dt.datetime,
        *,
        channel: str | None = None,
        own: bool = False,
        emergency: bool = False,
    ) -> RequestPlan:
        rng = self.rng
        if own and self.cast.resident_home:
            hh = next(h for h in self.households if h.label == self.cast.resident_home)
        else:
            hh = self.pick(self.households)
        person = self.pick([p for p in hh.living if p.age >= 18] or hh.living)
        if own:
            channel = Channel.WEB
        elif channel is None:
            channel = self.pick(
                [
                    Channel.PHONE,
                    Channel.WALK_IN,
                    Channel.BUILDING_LEADER,
                    Channel.PATROL,
                    Channel.HOTLINE,
                    Channel.COUNCIL,
                    Channel.OPEN311,
                ],
                [30, 22, 16, 10, 9, 3, 2] if self.cast.leaders else [45, 35, 0, 0, 16, 2, 2],
            )
        anonymous = channel in (Channel.HOTLINE, Channel.PATROL) and rng.random() < 0.2
        requester = Requester(
            name="" if anonymous else person.name,
            phone="" if anonymous else person.phone,
            person=None if anonymous else person,
            anonymous=anonymous,
            user=self.cast.resident_user if own else None,
        )
        if channel == Channel.WEB:
            creator = self.cast.resident_user
        elif channel == Channel.BUILDING_LEADER:
            creator = self.cast.leaders[hh.building]
        elif channel == Channel.PATROL:
            creator = self.pick([self.cast.grid_of[hh.building], *self.cast.patrol])
        elif channel == Channel.OPEN311:
            creator = None
        else:
            creator = self.office()
        plan = RequestPlan(
            self.cp.spec.code,
            cat.code,
            channel,
            "",
            created,
            requester,
            creator,
            emergency=emergency,
        )
        if cat.where == "household":
            plan.household, plan.building, plan.unit = hh.label, hh.building, hh.unit
        elif cat.where == "building":
            plan.building, plan.unit = hh.building, hh.unit
        else:
            plan.building = hh.building if rng.random() < 0.5 else None
            plan.location_text = self.pick(
                ["矿工路北段", "新村路东侧", "停车坪", "小区大门口", "健身广场旁", "老年活动室门前"]
            )
        plan.description = self.text(cat, "say", hh.building, hh.unit)
        plan.steps.append(Step(created, "submit", creator))
        return plan

    # -- what happens to it
    def handle(
        self,
        plan: RequestPlan,
        fate: str,
        *,
        late: float = 0.08,
        hold: bool = False,
        extend: bool = False,
        stall: bool = False,
        pool_only: bool = False,
    ) -> None:
        """Lay out the steps from acceptance to closing (some may lie after ``now``)."""
        rng, cat = self.rng, self.cats[plan.category]
        steps, t = plan.steps, plan.created_at
        limit = cat.hours * H
        boss = self.office()
        if plan.emergency:
            steps.append(Step(t, "accept", None, {"emergency": True}))
            t = self.later(t, 5 * M, 20 * M)
        else:
            if rng.random() < late:
                t = t + limit * (1.05 + rng.random())
            else:
                t = self.later(t, 5 * M, limit * 0.8)
            steps.append(Step(t, "accept", boss))
        if fate == "withdraw":
            steps.append(
                Step(
                    self.later(t, 2 * H, 2 * D),
                    "withdraw",
                    plan.requester.user,
                    {"reason": self.pick(WITHDRAW)},
                )
            )
            return
        if fate == "refer":
            to, why = cat.referral or ("街道办事处", "需由街道统一协调")
            steps.append(
                Step(self.later(t, 30 * M, 20 * H), "refer", boss, {"to": to, "reason": why})
            )
            return
        # Dispatch: the category's team's pool, a named person, or an outside firm.
        team = cat.team
        members = self.cast.teams.get(team, []) if team else []
        roll = rng.random()
        if plan.emergency:
            target = {"user": self.cast.office[0]}
        elif cat.contractor and roll < 0.25 and not pool_only:
            target = {"external": cat.contractor}
        elif members and (roll < 0.8 or pool_only):
            target = {"team": team}
        elif members:
            target = {"user": self.pick(members)}
        else:
            target = {"user": self.pick(self.cast.office)}
        t = self.later(t, 1 * M, 3 * H)
        steps.append(Step(t, "assign", boss, target))
        if "team" in target and "user" not in target:
            if pool_only:
                return  # left in the pool, nobody took it
            worker = self.pick(members)
            t = self.later(t, 20 * M, 20 * H)
            steps.append(Step(t, "claim", worker))
        else:
            worker = target.get("user") or boss
            t = self.later(t, 10 * M, 10 * H)
            if "external" in target:
                # The office follows an outside firm's work itself: a note, no "start".
                steps.append(
                    Step(
                        t, "note", boss, {"body": f"已联系{cat.contractor[0]}，对方安排师傅上门。"}
                    )
                )
            else:
                steps.append(Step(t, "start", worker))
        if rng.random() < 0.35:
            t = self.later(t, 1 * H, 20 * H)
            steps.append(Step(t, "progress", worker, {"body": self.pick(PROGRESS)}))
        if rng.random() < 0.12:
            t = self.later(t, 10 * M, 3 * H)
            steps.append(Step(t, "note", worker, {"body": self.pick(NOTES)}))
        if hold:
            reason, days = self.pick(HOLDS)
            t = self.later(t, 1 * H, 1 * D)
            until = timezone.localtime(t).date() + dt.timedelta(days=days)
            steps.append(Step(t, "hold", boss, {"reason": reason, "until": until}))
            t = timezone.make_aware(
                dt.datetime.combine(until, dt.time(9, rng.randrange(60))),
                timezone.get_current_timezone(),
            )
            steps.append(Step(t, "resume", boss))
        work = cat.workdays * D
        if extend:
            reason, days = self.pick(EXTENSIONS)
            ext_at = max(t + H, plan.created_at + work * 0.6)
            steps.append(Step(ext_at, "extend", boss, {"days": days, "reason": reason}))
            t = ext_at + (work + days * D) * (0.3 + 0.5 * rng.random())
        elif stall:
            t = self.now + 30 * D  # still not done: overdue
        elif rng.random() < 0.06:
            t = t + work * (1.2 + rng.random())  # late
        else:
            t = self.later(t, 40 * M, work * 0.7)
        resolver = worker if "external" not in target else boss
        self.finish(plan, t, fate, resolver, boss)

    def finish(
        self, plan: RequestPlan, t: dt.datetime, fate: str, resolver: str, boss: str
    ) -> None:
        """Resolve, reply, then rating (by the requester on the web, a return visit
        otherwise) or closing; "unsatisfied" reopens and the work is done again."""
        cat, steps = self.cats[plan.category], plan.steps
        rounds = 0
        while True:
            steps.append(Step(t, "resolve", resolver, {"body": self.text(cat, "done")}))
            t = self.later(t, 30 * M, 20 * H)
            steps.append(Step(t, "reply", boss, {"body": self.pick(REPLIES)}))
            t = self.later(t, 2 * H, 3 * D)
            if fate == "close" or (rounds and fate == "reopen_close"):
                steps.append(Step(t, "close", boss))
                return
            if fate in ("reopen", "reopen_close") and rounds == 0:
                rating = Rating.UNSATISFIED
            else:
                rating = self.pick([Rating.SATISFIED, Rating.BASIC], [81, 19])
            comment = self.pick(
                {Rating.SATISFIED: SATISFIED, Rating.BASIC: BASIC, Rating.UNSATISFIED: UNSATISFIED}[
                    rating
                ]
            )
            if plan.requester.user:
                steps.append(
                    Step(t, "rate", plan.requester.user, {"rating": rating, "comment": comment})
                )
            else:
                steps.append(Step(t, "revisit", boss, {"rating": rating, "comment": comment}))
            if rating != Rating.UNSATISFIED:
                return
            rounds += 1
            t = self.later(t, 1 * H, 1 * D)
            steps.append(
                Step(t, "start", resolver)
                if resolver != boss
                else Step(t, "progress", boss, {"body": "已再次联系师傅返工。"})
            )
            t = self.later(t, 2 * H, 3 * D)

    def duplicate(self, original: RequestPlan, fate_at: dt.datetime) -> RequestPlan | None:
        """Someone else reports the same thing before it is fixed: merged into ``original``."""
        cat = self.cats[original.category]
        created = self.later(original.created_at, 40 * M, 20 * H)
        merge = self.later(created, 20 * M, 4 * H)
        if merge >= fate_at:
            return None
        dup = self.request(cat, created)
        dup.household, dup.building = original.household, original.building
        dup.unit, dup.location_text = original.unit, original.location_text
        dup.description = original.description
        dup.duplicate_of = original
        dup.steps.append(Step(merge, "mark_duplicate", self.office()))
        return dup


def _stop_before(plan: RequestPlan, action: str, now: dt.datetime) -> None:
    """Make ``plan`` wait at ``action`` now: the steps before it are squeezed into the time
    since submission, it and the steps after it move past ``now``."""
    i = next(n for n, st in enumerate(plan.steps) if st.action == action)
    done, todo = plan.steps[:i], plan.steps[i:]
    start, end = plan.created_at, now - 10 * M
    last = done[-1].at
    if last > end:
        span = (last - start) or M
        for st in done:
            st.at = start + (st.at - start) * ((end - start) / span)
    shift = max(now + H - todo[0].at, dt.timedelta(0))
    for st in todo:
        st.at += shift


def _first(plan: RequestPlan, action: str) -> dt.datetime | None:
    return next((s.at for s in plan.steps if s.action == action), None)


def _season_day(rng: random.Random, today: dt.date, cat: CategorySpec, days: int) -> dt.date:
    while True:
        day = today - dt.timedelta(days=rng.randrange(1, days))
        if rng.random() * 3.0 < cat.months[day.month - 1]:
            return day


def plan_community_requests(
    rng: random.Random, now: dt.datetime, community, cats, cast: Cast, total: int, showcase: bool
) -> list[RequestPlan]:
    p = Planner(rng, now, community, cats, cast)
    today = timezone.localtime(now).date()
    out: list[RequestPlan] = []
    by = {c.code: c for c in cats}

    if showcase:
        # One of each state a visitor should find, at fixed distances from now.
        def ago(delta: dt.timedelta, night: bool = False) -> dt.datetime:
            return min(p.day_time(timezone.localtime(now - delta).date(), night), now - 20 * M)

        def add(code, created, fate="done", own=False, stop=None, **kw):
            plan = p.request(
                by[code],
                created,
                own=own,
                channel=kw.pop("channel", None),
                emergency=kw.pop("emergency", False),
            )
            p.handle(plan, fate, **kw)
            if stop:
                _stop_before(plan, stop, now)
            out.append(plan)
            return plan

        add("water", now - 3 * H, own=True, stop="accept")  # nobody has accepted it yet
        add("lights", now - 5 * H, channel=Channel.PHONE, stop="assign")  # not dispatched
        add("stairwell", ago(1 * D), pool_only=True)  # waiting in a team's pool
        add("parking", ago(2 * D), stop="resolve", late=0)  # in progress
        add("water", ago(3 * D), stop="reply", late=0)  # resolved, the reply still to write
        add("noise", ago(4 * D), own=True, stop="rate", late=0)  # for xc-resident to rate
        for code, days in (("roof", 12), ("water", 14)):  # on hold until a date to come
            held = add(code, ago(days * D), hold=True, late=0, stop="resume")
            hold = next(st for st in held.steps if st.action == "hold")
            hold.args["until"] = timezone.localtime(now).date() + dt.timedelta(days=5)
        add("roof", ago(30 * D), stall=True, late=0)  # overdue, still in progress
        add("lights", ago(20 * D), pool_only=True, late=0)  # overdue, nobody took it
        add("electricity", ago(6 * D), extend=True, late=0, stop="resolve")  # more time
        add("other", ago(60 * D), own=True)
        add("water", ago(130 * D), fate="reopen", own=True)
        add("lights", ago(190 * D), fate="withdraw", own=True)
        add("noise", ago(250 * D), fate="withdraw", own=True)
        add("structure", ago(40 * D), fate="refer")
        add(
            "electricity", ago(80 * D, night=True), emergency=True, channel=Channel.PHONE, late=0
        ).description = "楼道电表箱冒烟，有焦糊味，已经拉了总闸！"
        add("roof", ago(100 * D), fate="reopen_close")

    while len(out) < total:
        cat = p.pick(list(cats), [c.weight for c in cats])
        day = _season_day(rng, today, cat, 366)
        night = cat.code in ("noise", "water") and rng.random() < 0.25
        created = min(p.day_time(day, night), now - 30 * M)
        plan = p.request(cat, created, own=showcase and rng.random() < 0.02)
        roll = rng.random()
        if plan.requester.user and roll < 0.05:
            fate = "withdraw"
        elif cat.referral and roll < (0.45 if cat.code in ("structure", "heating") else 0.06):
            fate = "refer"
        elif roll < 0.11:
            fate = "close"
        elif roll < 0.15:
            fate = "reopen"
        elif roll < 0.16:
            fate = "reopen_close"
        else:
            fate = "done"
        p.handle(
            plan,
            fate,
            hold=fate == "done" and rng.random() < 0.03,
            extend=fate == "done" and rng.random() < 0.04,
        )
        out.append(plan)
        # Several neighbours report the same broken light or blocked drain.
        if cat.code in ("lights", "water", "stairwell", "parking") and rng.random() < 0.07:
            resolved = _first(plan, "resolve") or _first(plan, "refer")
            if resolved and (dup := p.duplicate(plan, resolved)):
                out.append(dup)
    out.sort(key=lambda r: (r.created_at, r.description))
    return out


def casts(plan) -> dict[str, Cast]:
    """Xincun's and Nancun's people, from the demo plan's user names."""
    xc_leaders = {b.number: f"xc-leader-{b.number}" for b in _xincun_spec().buildings}
    xc_grids = {b.number: f"xc-grid-{b.grid}" for b in _xincun_spec().buildings}
    return {
        "xincun": Cast(
            office=["xc-staff", "xc-secretary"],
            teams={
                REPAIR: ["xc-staff", *REPAIR_VOLUNTEERS],
                LONG_MARCH: ["xc-team-leader"],
                MUMS: ["xc-volunteer"],
            },
            leaders=xc_leaders,
            grid_of=xc_grids,
            resident_user="xc-resident",
            resident_home="3-2-501",
            patrol=["xc-team-leader"],
        ),
        "nancun": Cast(office=["nc-secretary"], teams={}, leaders={}, grid_of={}),
    }


def _xincun_spec():
    from .generator import XINCUN

    return XINCUN


# Two retired miners who fix things for the neighbours, with their own log-ins.
REPAIR_VOLUNTEERS = ("xc-repair-1", "xc-repair-2")


def plan_tickets(plan, now: dt.datetime, seed: int = SEED) -> list[RequestPlan]:
    """Every demo request, in order of submission, from the demo plan and ``now``."""
    rng = random.Random(seed)
    cast = casts(plan)
    xc = plan_community_requests(
        rng, now, plan.xincun, XINCUN_CATEGORIES, cast["xincun"], total=600, showcase=True
    )
    nc = plan_community_requests(
        rng, now, plan.nancun, NANCUN_CATEGORIES, cast["nancun"], total=40, showcase=False
    )
    return xc + nc


def repair_volunteers(plan) -> list:
    """Two retired men of Xincun, not already demo users, with a phone (deterministic)."""
    taken = {id(p) for p in plan.linked.values()}
    men = [
        p
        for _, p in plan.xincun.people()
        if p.active and p.gender == "M" and 58 <= p.age <= 70 and p.phone and id(p) not in taken
    ]
    men.sort(key=lambda p: p.id_number)
    return men[:2]


def tickets_digest(requests: list[RequestPlan]) -> str:
    h = hashlib.sha256()
    for r in requests:
        h.update(
            f"{r.community}|{r.category}|{r.channel}|{r.created_at.isoformat()}|"
            f"{r.household}|{r.building}|{r.location_text}|{r.description}|"
            f"{r.requester.name}|{r.created_by}\n".encode()
        )
        for s in r.steps:
            h.update(
                f"  {s.at.isoformat()} {s.action} {s.actor} {sorted(s.args.items())}\n".encode()
            )
    return h.hexdigest()


# --- writing ---------------------------------------------------------------------------------


def write_setup(plan, users: dict[str, User], communities: dict[str, Community]):
    """Handling teams, the repair volunteers' log-ins, and the categories."""
    xc = communities["xincun"]
    password = users["xc-staff"].password  # the demo password, hashed once by the generator
    extra = [
        User(
            username=username,
            password=password,
            display_name=person.name,
            phone=person.phone or None,
            resident_id=person.pk,
        )
        for username, person in zip(REPAIR_VOLUNTEERS, repair_volunteers(plan), strict=True)
    ]
    User.objects.bulk_create(extra)
    users.update({u.username: u for u in extra})
    RoleMembership.objects.bulk_create(
        RoleMembership(user=u, role=Role.VOLUNTEER, community=xc) for u in extra
    )
    volunteer_teams = {t.name: t for t in VolunteerTeam.objects.filter(community=xc)}
    cast = casts(plan)["xincun"]
    teams = {}
    for name in (REPAIR, LONG_MARCH, MUMS):
        teams[name] = HandlingTeam.objects.create(
            community=xc, name=name, volunteer_team=volunteer_teams.get(name)
        )
        teams[name].members.set([users[u] for u in cast.teams[name]])
    categories: dict[tuple[str, str], Category] = {}
    rows = []
    for code, specs in (("xincun", XINCUN_CATEGORIES), ("nancun", NANCUN_CATEGORIES)):
        for sort, c in enumerate(specs):
            rows.append(
                Category(
                    community=communities[code],
                    code=c.code,
                    name=c.name,
                    name_en=c.name_en,
                    description=c.description,
                    default_team=teams.get(c.team) if code == "xincun" else None,
                    respond_within_hours=c.hours,
                    resolve_within_workdays=c.workdays,
                    keywords=c.keywords,
                    public=c.code not in PRIVATE_CATEGORIES,
                    sort=(sort + 1) * 10,
                    attributes=[
                        {
                            "code": "floor",
                            "description": "几楼？",
                            "description_en": "Which floor?",
                            "datatype": "string",
                            "required": False,
                        }
                    ]
                    if c.code in ("water", "roof")
                    else [],
                )
            )
    for c in Category.objects.bulk_create(rows):
        categories[c.community.code, c.code] = c
    return teams, categories


class _Writer:
    """Walks one request's steps up to ``now`` and collects its rows."""

    def __init__(self, now, users, teams, categories, places, ticket_type, calendar):
        self.now, self.users, self.teams = now, users, teams
        self.categories, self.places, self.ticket_type = categories, places, ticket_type
        self.calendar = calendar
        self.events: list[tuple[RequestPlan, Event, TicketComment | None]] = []
        self.comments: list[TicketComment] = []
        self.requesters: list[TicketRequester] = []
        self.tickets: dict[int, Ticket] = {}  # id(plan) → its ticket

    def user(self, name: str | None) -> User | None:
        return self.users[name] if name else None

    def event(self, r: RequestPlan, at, actor, verb, data, comment=None, on=None):
        user = self.user(actor)
        ev = Event(
            created_at=at,
            actor=user,
            actor_name=user.get_full_name() if user else "",
            verb=verb,
            object_type=self.ticket_type,
            data=data,
        )
        self.events.append((on or r, ev, comment))

    def comment(self, t: Ticket, at, actor, kind, body) -> TicketComment:
        c = TicketComment(ticket=t, author=self.user(actor), kind=kind, body=body, created_at=at)
        self.comments.append(c)
        return c

    def ticket(self, r: RequestPlan) -> Ticket:
        cat = self.categories[r.community, r.category]
        hh, building, unit = self.places(r)
        created = r.created_at
        t = Ticket(
            community_id=cat.community_id,
            category=cat,
            channel=r.channel,
            status=Status.SUBMITTED,
            emergency=r.emergency,
            description=r.description,
            # As the services write it (core/public.py): the names are loaded once.
            public_text=scrub_public_text(
                r.description, community=cat.community_id, names=[r.requester.name]
            ),
            household=hh,
            building=building,
            unit=unit,
            location_text=r.location_text,
            contact_preference=(
                ContactPreference.IN_APP
                if r.channel == Channel.WEB
                else ContactPreference.NONE
                if r.requester.anonymous
                else ContactPreference.PHONE
            ),
            assignee_team=cat.default_team,
            created_at=created,
            respond_by=created + cat.respond_within_hours * H,
            resolve_by=self.calendar.add_workdays(
                created, cat.resolve_within_workdays, cat.community_id
            ),
            created_by=self.user(r.created_by),
            updated_at=created,
        )
        self.tickets[id(r)] = t
        self.requester(r.requester, t, primary=True, added_at=created)
        return t

    def requester(self, rq: Requester, t: Ticket, **row: Any) -> None:
        """``rq`` as a requester of ``t`` (the one who asked, or one joined by a merge)."""
        self.requesters.append(
            TicketRequester(
                ticket=t,
                user=self.user(rq.user),
                resident_id=rq.person.pk if rq.person else None,
                name=rq.name[:50],
                phone=rq.phone[:20],
                anonymous=rq.anonymous,
                **row,
            )
        )

    def walk(self, r: RequestPlan, t: Ticket) -> None:
        for step in r.steps:
            if step.at > self.now:
                break
            self.apply(r, t, step)
            t.updated_at = step.at

    def transition(self, r, t: Ticket, step: Step, action: str, to=None, data=None):
        target = check(t, action)  # the demo obeys the same table as the services
        new = str(to or target)
        old, t.status = t.status, new
        t.version += 1
        if t.responded_at is None and new != Status.SUBMITTED:
            t.responded_at = step.at
        self.event(
            r,
            step.at,
            step.actor,
            TICKET_FLOW[action].verb,
            {"from": old, "to": new, **(data or {})},
        )

    def apply(self, r: RequestPlan, t: Ticket, step: Step) -> None:
        a, args, at = step.action, step.args, step.at
        if a == "submit":
            self.event(
                r,
                at,
                step.actor,
                "ticket.submitted",
                {
                    "channel": r.channel,
                    "category": r.category,
                    "emergency": r.emergency,
                    "photos": 0,
                },
            )
        elif a == "accept":
            self.transition(r, t, step, "accept", data=dict(args))
        elif a == "assign":
            user = self.user(args.get("user"))
            team = self.teams.get(args.get("team"))
            firm, contact = args.get("external", ("", ""))
            t.assignee_user, t.assignee_team = user, team
            t.external_handler, t.external_contact = firm, contact
            label = t.assignee_label if not user else user.get_full_name()
            self.transition(r, t, step, "assign", data={"to": label, "status": Status.ASSIGNED})
        elif a == "claim":
            t.assignee_user = self.user(step.actor)
            self.transition(r, t, step, "claim")
        elif a in ("start", "resume", "close", "withdraw", "refer", "mark_duplicate"):
            data: dict[str, Any] = {}
            to = None
            if a == "resume":
                to = t.hold_from or Status.ACCEPTED
                t.hold_from, t.hold_until = "", None
            elif a == "refer":
                t.referred_to, t.referral_reason = args["to"], args["reason"]
                data = {"to": args["to"], "reason": args["reason"]}
            elif a == "withdraw":
                data = {"reason": args.get("reason", "")}
            elif a == "mark_duplicate":
                # Plans stand in for primary keys until the rows are written.
                data = {"original": r.duplicate_of}
                t.duplicate_of = self.tickets[id(r.duplicate_of)]
            if a in ("close", "withdraw", "refer", "mark_duplicate"):
                t.closed_at = at
            self.transition(r, t, step, a, to=to, data=data)
            if a == "mark_duplicate":
                self.merge(r, t, step)
        elif a == "hold":
            t.hold_from, t.hold_reason, t.hold_until = t.status, args["reason"], args["until"]
            self.transition(
                r,
                t,
                step,
                "hold",
                data={"reason": args["reason"], "until": args["until"].isoformat()},
            )
        elif a == "extend":
            if not t.is_extendable:  # as ticket_extend insists
                raise ValueError(f"cannot extend a {t.status} request")
            old = t.resolve_by
            t.resolve_by = self.calendar.add_workdays(max(old, at), args["days"], t.community_id)
            t.extension_count += 1
            t.version += 1
            self.event(
                r,
                at,
                step.actor,
                "ticket.extended",
                {
                    "days": args["days"],
                    "reason": args["reason"],
                    "from": old.isoformat(),
                    "to": t.resolve_by.isoformat(),
                },
            )
        elif a in ("progress", "note"):
            c = self.comment(t, at, step.actor, a, args["body"])
            self.event(r, at, step.actor, f"ticket.{a}", {}, comment=c)
        elif a == "resolve":
            self.transition(r, t, step, "resolve")
            t.resolved_at = at
            self.comment(t, at, step.actor, CommentKind.PROGRESS, args["body"])
        elif a == "reply":
            self.transition(r, t, step, "reply")
            t.replied_at = at
            self.comment(t, at, step.actor, CommentKind.REPLY, args["body"])
        elif a in ("rate", "revisit"):
            rating = args["rating"]
            t.rating, t.rating_comment, t.rated_at = rating, args["comment"], at
            t.rated_by_revisit = a == "revisit"
            if rating == Rating.UNSATISFIED:
                t.reopen_count += 1
                t.resolved_at = t.replied_at = None
                back = (
                    Status.ASSIGNED
                    if (t.assignee_user_id or t.assignee_team_id or t.external_handler)
                    else Status.ACCEPTED
                )
                self.transition(r, t, step, a, to=back, data={"rating": rating, "reopened": True})
            else:
                t.closed_at = at
                self.transition(r, t, step, a, to=Status.CLOSED, data={"rating": rating})
        else:  # pragma: no cover - a planning mistake
            raise ValueError(a)

    def merge(self, dup_plan: RequestPlan, dup: Ticket, step: Step) -> None:
        original = dup_plan.duplicate_of
        self.requester(
            dup_plan.requester,
            self.tickets[id(original)],
            primary=False,
            joined_from=dup,
            added_at=step.at,
        )
        self.event(
            dup_plan, step.at, step.actor, "ticket.merged", {"duplicate": dup_plan}, on=original
        )

    def reminders_sent(self, r: RequestPlan, t: Ticket) -> None:
        """The reminders the periodic task would have sent by now, so it does not send them
        all again on its first run after the demo is loaded."""
        if t.status not in WORKING_STATES:
            return
        for kind in reminders.kinds_due(t, self.now):
            deadline = t.respond_by if kind == reminders.RESPOND_OVERDUE else t.resolve_by
            at = (
                max(
                    deadline if kind != reminders.DUE_SOON_KIND else deadline - 24 * H, t.created_at
                )
                + 7 * M
            )
            self.event(
                r,
                min(at, self.now),
                None,
                reminders.VERB,
                {
                    "key": reminders.reminder_key(t, kind),
                    "kind": kind,
                    "deadline": deadline.isoformat(),
                },
            )


@contextmanager
def _keep_dates(model, *names: str):
    """Let ``bulk_create`` write the story's dates instead of stamping the run time
    (``auto_now``/``auto_now_add``); only for this one-off loading command."""
    fields = [model._meta.get_field(n) for n in names]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (now, add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = now, add


class _Calendar:
    """``calendar.add_workdays`` with the holidays read once instead of once a request."""

    def __init__(self, community_ids: list[int], first: dt.date, last: dt.date):
        self.overrides: dict[int, dict[dt.date, bool]] = {cid: {} for cid in community_ids}
        rows = (
            Holiday.objects.filter(date__gte=first, date__lte=last)
            .filter(Q(community_id__isnull=True) | Q(community_id__in=community_ids))
            .order_by(F("community_id").asc(nulls_first=True))
        )  # a community's own entry comes last and wins
        for h in rows:
            for cid in [h.community_id] if h.community_id else community_ids:
                self.overrides[cid][h.date] = h.is_workday
        self.last = last

    def add_workdays(self, start: dt.datetime, days: int, community_id: int) -> dt.datetime:
        day = timezone.localtime(start).date()
        if day + dt.timedelta(days=days * 3 + 30) > self.last:
            return add_workdays(start, days, community_id)
        overrides, counted = self.overrides[community_id], 0
        while counted < days:
            day += dt.timedelta(days=1)
            if is_workday(day, overrides):
                counted += 1
        end = dt.datetime.combine(day, dt.time(23, 59, 59))
        return timezone.make_aware(end, timezone.get_current_timezone())


def write_tickets(
    requests: list[RequestPlan], now: dt.datetime, users, teams, categories, communities
) -> dict[str, int]:
    households = {
        (h.community_id, h.label): h
        for h in Household.objects.filter(community__in=communities.values())
    }
    buildings = {
        (b.community_id, b.number): b
        for b in Building.objects.filter(community__in=communities.values())
    }
    units = {
        (u.community_id, u.building.number, u.number): u
        for u in Unit.objects.filter(community__in=communities.values()).select_related("building")
    }

    def places(r: RequestPlan):
        cid = communities[r.community].pk
        hh = households.get((cid, r.household)) if r.household else None
        building = buildings.get((cid, r.building)) if r.building else None
        unit = units.get((cid, r.building, r.unit)) if r.building and r.unit else None
        return hh, building, unit

    first = min(r.created_at for r in requests).date() - dt.timedelta(days=7)
    calendar = _Calendar(
        [c.pk for c in communities.values()],
        first,
        timezone.localtime(now).date() + dt.timedelta(days=400),
    )
    w = _Writer(
        now, users, teams, categories, places, ContentType.objects.get_for_model(Ticket), calendar
    )
    tickets = []
    for r in requests:
        t = w.ticket(r)
        w.walk(r, t)
        tickets.append(t)
    # In order of submission, so numbers follow the calendar; a duplicate waits for its
    # original to have a primary key (the database refuses a duplicate without one).
    with _keep_dates(Ticket, "updated_at"):
        batch: list[Ticket] = []
        for t in tickets:
            if t.duplicate_of is not None and t.duplicate_of.pk is None or len(batch) >= 500:
                Ticket.objects.bulk_create(batch)
                batch = []
            batch.append(t)
        Ticket.objects.bulk_create(batch)
    for r, t in zip(requests, tickets, strict=True):
        r.pk = t.pk
        w.reminders_sent(r, t)
    with _keep_dates(TicketRequester, "added_at"):
        TicketRequester.objects.bulk_create(w.requesters, batch_size=1000)
    with _keep_dates(TicketComment, "created_at"):
        TicketComment.objects.bulk_create(w.comments, batch_size=1000)
    events = []
    for r, ev, comment in w.events:
        ev.object_id = r.pk
        ev.object_repr = f"#{r.pk}"
        ev.community_id = communities[r.community].pk
        if comment is not None:
            ev.data = {"comment": comment.pk}
        else:
            ev.data = {k: v.pk if isinstance(v, RequestPlan) else v for k, v in ev.data.items()}
        events.append(ev)
    Event.objects.bulk_create(events, batch_size=1000)
    return Counter(t.status for t in tickets)


def build_demo_tickets(plan, users: dict[str, User], now: dt.datetime | None = None):
    """Categories, teams and a year of requests, into the freshly written demo."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    communities = {c.code: c for c in Community.objects.filter(code__in=["xincun", "nancun"])}
    teams, categories = write_setup(plan, users, communities)
    requests = plan_tickets(plan, now)
    return write_tickets(requests, now, users, teams, categories, communities)


def summary() -> dict[str, int]:
    counts = Counter(Ticket.objects.values_list("status", flat=True))
    out = {"requests": sum(counts.values())}
    out.update({f"  {status}": n for status, n in sorted(counts.items())})
    out["request categories"] = Category.objects.count()
    out["handling teams"] = HandlingTeam.objects.count()
    return out
