"""Mediation test data: the committee of xincun, a case between 3-2-501 and 4-1-101."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.mediation import services as s
from linli.mediation.models import Case, Gender
from tests.factories import grant, make_user


def committee(world):
    c = s.committee_for(world.xincun)
    head = make_user("head", display_name="老周")
    grant(head, "mediator", world.xincun)
    s.committee_member_add(
        actor=world.secretary,
        committee=c,
        name="老周",
        gender=Gender.MALE,
        term_start=dt.date(2025, 1, 1),
        is_head=True,
        user=head,
    )
    world.people["head"] = head
    return c


def open_case(world, *, actor=None, **kw) -> Case:
    actor = actor or world.mediator
    kw.setdefault("dispute_type", "water_leak")
    kw.setdefault("facts", "五楼漏水到四楼天花板。")
    parties = kw.pop("parties", None) or [
        s.PartyIn(resident=world.zhang_san, side=1),
        s.PartyIn(resident=world.wang_wu, side=2),
    ]
    return s.case_open(actor=actor, community=world.xincun, parties=parties, **kw)


def agreement_data(**kw):
    d = {
        "form": "written",
        "parties_details": "甲方张三,3栋2单元501;乙方王五,4栋1单元101。",
        "facts": "五楼卫生间漏水,四楼天花板受损。",
        "disputed_points": "维修费用由谁承担。",
        "responsibilities": "甲方负主要责任。",
        "terms": "甲方赔偿乙方维修费800元。",
        "performance_method": "现金一次付清",
        "performance_by": timezone.localdate() + dt.timedelta(days=10),
        "performance_place": "社区调解室",
    }
    d.update(kw)
    return d


def mediating_case(world) -> Case:
    case = open_case(world)
    s.case_accept(actor=world.mediator, case=case)
    s.case_start(actor=world.mediator, case=case)
    return case


def signed_case(world, *, on=None) -> Case:
    on = on or timezone.localdate()
    case = mediating_case(world)
    s.agreement_save(actor=world.mediator, case=case, data=agreement_data())
    s.agreement_fix(actor=world.mediator, case=case)
    for p in case.parties.all():
        s.signature_record(actor=world.mediator, case=case, kind="party", party=p, signed_on=on)
    s.signature_record(
        actor=world.mediator, case=case, kind="mediator", mediator=world.mediator, signed_on=on
    )
    s.signature_record(actor=world.mediator, case=case, kind="seal", signed_on=on)
    return case
