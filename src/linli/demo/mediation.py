"""A year of people's mediation in Xincun (民事民管): the committee of the mediation room, and
five cases — a water leak from the 5th to the 4th floor settled by an agreement confirmed in
court, a parking dispute ended without agreement (routes told), a family case kept private, a
quarrel reported to the police, and one still open. Written through the services, then dated
back (the services refuse dates in the future, not in the past)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from linli.accounts.models import User
from linli.mediation import services as s
from linli.mediation.models import (
    Agreement,
    Case,
    CaseTask,
    Committee,
    Gender,
    MemberKind,
    Signature,
)
from linli.registry.models import Community, Household, Resident

from .clock import local

# The committee beside its head (the demo's mediator): three members, and two invited helpers
# of the residents' affairs council.
COMMITTEE = (
    ("陈秀英", Gender.FEMALE, MemberKind.MEMBER),
    ("刘建国", Gender.MALE, MemberKind.MEMBER),
    ("王桂兰", Gender.FEMALE, MemberKind.MEMBER),
    ("孙志强", Gender.MALE, MemberKind.HELPER),
    ("周丽华", Gender.FEMALE, MemberKind.HELPER),
)


def _resident(hh: Household) -> Resident | None:
    return hh.residents.filter(status="active").order_by("id").first()


def _pair_above_below(xc: Community) -> tuple[Resident, Resident] | None:
    for up in Household.objects.filter(community=xc, room__startswith="5").order_by("id"):
        below = Household.objects.filter(
            building=up.building_id, unit=up.unit_id, room="4" + up.room[1:]
        ).first()
        if below is None:
            continue
        a, b = _resident(up), _resident(below)
        if a and b:
            return a, b
    return None


def _others(xc: Community, n: int, skip: set[int]) -> list[Resident]:
    return list(
        Resident.objects.filter(community=xc, status="active")
        .exclude(pk__in=skip)
        .order_by("household_id", "id")[: n * 7 : 7]
    )


def _back(
    case: Case, applied: dt.date, accepted: dt.date | None = None, ended: dt.date | None = None
) -> None:
    Case.objects.filter(pk=case.pk).update(applied_on=applied, accepted_on=accepted, ended_on=ended)
    case.refresh_from_db()


def _agreement(
    actor: User, case: Case, *, fixed: dt.date, signed: dt.date, terms: str, amount_text: str
) -> Agreement:
    parties = list(case.parties.all())
    a = s.agreement_save(
        actor=actor,
        case=case,
        data={
            "form": "written",
            "parties_details": "\n".join(f"{p.name},{p.address}" for p in parties),
            "facts": case.facts,
            "disputed_points": "漏水原因及维修、赔偿费用的承担。",
            "responsibilities": "五楼卫生间防水层老化,五楼住户承担主要责任。",
            "terms": terms,
            "performance_method": amount_text,
            "performance_by": signed + dt.timedelta(days=14),
            "performance_place": "新村社区调解室",
        },
    )
    s.agreement_fix(actor=actor, case=case)
    at = local(fixed, 9)
    Agreement.objects.filter(pk=a.pk).update(fixed_at=at)
    # Signatures are dated as on the paper; the check against the fixed text holds.
    for p in parties:
        Signature.objects.create(
            agreement=a, kind="party", party=p, method="signed", signed_on=signed, recorded_by=actor
        )
    Signature.objects.create(
        agreement=a, kind="mediator", mediator=actor, signed_on=signed, recorded_by=actor
    )
    Signature.objects.create(
        agreement=a, kind="seal", method="sealed", signed_on=signed, recorded_by=actor
    )
    return s.agreement_make_effective(actor=actor, case=case)


def build_demo_mediation(plan: Any, users: dict[str, User]) -> None:
    xc = Community.objects.get(code="xincun")
    secretary, mediator = users["xc-secretary"], users["xc-mediator"]
    today = timezone.localdate()
    committee: Committee = s.committee_for(xc)
    committee.room_name = f"{mediator.get_full_name()}调解室"
    committee.save()
    start = dt.date(today.year - 1, 3, 1)
    s.committee_member_add(
        actor=secretary,
        committee=committee,
        user=mediator,
        name=mediator.get_full_name(),
        gender=Gender.MALE,
        term_start=start,
        is_head=True,
    )
    for name, g, kind in COMMITTEE:
        s.committee_member_add(
            actor=secretary, committee=committee, name=name, gender=g, term_start=start, kind=kind
        )

    pair = _pair_above_below(xc)
    if pair is None:
        return
    up, down = pair
    rest = _others(xc, 8, {up.pk, down.pk, mediator.resident_id or 0})

    def mediating(d: dt.date, dispute_type: str, facts: str, a: Any, b: Any, **more: Any) -> Any:
        """A case the mediator opened on day ``d`` between residents ``a`` and ``b``,
        accepted and being mediated."""
        case = s.case_open(
            actor=mediator,
            community=xc,
            dispute_type=dispute_type,
            facts=facts,
            parties=[s.PartyIn(resident=a, side=1), s.PartyIn(resident=b, side=2)],
            applied_on=d,
            **more,
        )
        s.case_accept(actor=mediator, case=case)
        s.case_start(actor=mediator, case=case)
        return case

    # 1. The water leak: settled, effective, confirmed in court, performed.
    d0 = today - dt.timedelta(days=200)
    leak = mediating(
        d0, "water_leak", "五楼卫生间漏水,四楼天花板和墙面受潮发霉,双方多次协商未果。", up, down,
        amount=Decimal("3200.00"),
    )  # fmt: skip
    _back(leak, d0, d0 + dt.timedelta(days=1))
    s.session_record(
        actor=mediator,
        case=leak,
        held_on=d0 + dt.timedelta(days=5),
        place="新村社区调解室",
        present="双方当事人、调解员、物业维修员",
        statements="四楼:天花板受损,要求赔偿。五楼:愿意维修,对金额有异议。",
        proposals="五楼重做防水,赔偿四楼维修费。",
    )
    _agreement(
        mediator,
        leak,
        fixed=d0 + dt.timedelta(days=9),
        signed=d0 + dt.timedelta(days=10),
        terms="五楼住户在十日内重做卫生间防水,并赔偿四楼住户维修费3200元。",
        amount_text="现金一次付清,调解员在场见证",
    )
    s.agreement_court_confirmed(actor=mediator, case=leak, confirmed_on=d0 + dt.timedelta(days=25))
    s.visit_record(
        actor=mediator,
        case=leak,
        visited_on=d0 + dt.timedelta(days=30),
        outcome="performed",
        note="已付清,防水已重做。",
    )

    # 2. Parking: ended without agreement, the parties told their routes.
    d1 = today - dt.timedelta(days=120)
    park = mediating(d1, "parking", "固定车位被邻居长期占用,双方争执。", rest[0], rest[1])
    s.session_record(
        actor=mediator,
        case=park,
        held_on=today - dt.timedelta(days=1),
        place="新村社区调解室",
        present="双方当事人、调解员",
        statements="双方均坚持车位归自己使用。",
    )
    s.case_fail(
        actor=mediator,
        case=park,
        routes_told=True,
        routes_note="告知可向人民法院起诉,或请物业依车位合同处理。",
    )
    _back(park, d1, d1 + dt.timedelta(days=2), d1 + dt.timedelta(days=20))

    # 3. A family case, mediated in private.
    d2 = today - dt.timedelta(days=70)
    fam = mediating(d2, "family", "老人赡养费用分担问题。", rest[2], rest[3], private=True)
    _back(fam, d2, d2 + dt.timedelta(days=1))

    # 4. A quarrel that might turn violent: reported to the police (Art. 25).
    d3 = today - dt.timedelta(days=40)
    noisy = mediating(d3, "noise", "夜间噪音引发争吵,一方扬言动手。", rest[4], rest[5])
    s.case_escalate(
        actor=mediator,
        case=noisy,
        reported_at=timezone.now() - dt.timedelta(days=38),
        reported_to="白源派出所社区民警",
        note="防止矛盾激化",
    )
    _back(noisy, d3, d3 + dt.timedelta(days=1))

    # 5. Still open: applied a few days ago.
    s.case_open(
        actor=mediator,
        community=xc,
        dispute_type="neighbours",
        facts="楼道堆放杂物,影响通行。",
        parties=[s.PartyIn(resident=rest[6], side=1), s.PartyIn(resident=rest[7], side=2)],
        applied_on=today - dt.timedelta(days=3),
    )
    CaseTask.objects.filter(case=leak).exclude(done_on__isnull=False).update(done_on=today)
