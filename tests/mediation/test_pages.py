"""The pages, by persona: the mediator's work, staff seeing status only, a party's plain
view, refusals (403 inside, 404 outside), reads recorded, query counts constant."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.core.models import Event, PersonalDataRead
from linli.mediation import services as s
from linli.mediation.models import Case, CaseStatus
from linli.tickets import services as ticket_services
from linli.tickets.models import Category
from tests import pdfs
from tests.factories import grant, make_user

from .helpers import agreement_data, mediating_case, open_case, signed_case

pytestmark = pytest.mark.django_db


def _url(name, case, *args):
    return reverse(f"mediation:{name}", args=[case.pk, *args])


def test_mediator_registers_a_case_through_the_intake_form(world, as_user):
    c = as_user(world.mediator)
    assert c.get(reverse("mediation:new")).status_code == 200
    r = c.post(
        reverse("mediation:new"),
        {
            "dispute_type": "noise",
            "facts": "楼上夜里噪音",
            "source": "application",
            "applied_on": timezone.localdate().isoformat(),
            "p1_resident": world.zhang_san.pk,
            "p2_resident": world.wang_wu.pk,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.get()
    assert r["Location"] == _url("case", case)
    page = c.get(r["Location"]).content.decode()
    assert "楼上夜里噪音" in page and "张三" in page


def test_intake_bad_input_keeps_nothing(world, as_user):
    c = as_user(world.mediator)
    r = c.post(
        reverse("mediation:new"),
        {
            "dispute_type": "noise",
            "facts": "x",
            "source": "application",
            "applied_on": timezone.localdate().isoformat(),
            "p1_resident": world.zhang_san.pk,
        },
    )
    assert r.status_code == 400
    assert (
        "two sides" in r.content.decode()
        or "双方" in r.content.decode()
        or "两" in r.content.decode()
    )
    assert not Case.objects.exists()


@pytest.mark.parametrize("who", ["resident", "volunteer", "leader", "grid_worker"])
def test_intake_refused_without_the_role(world, as_user, who):
    assert as_user(getattr(world, who)).get(reverse("mediation:new")).status_code == 403


def test_staff_see_the_status_not_the_content(world, as_user):
    case = open_case(world, facts="保密的事实")
    c = as_user(world.staff)
    page = c.get(_url("case", case))
    assert page.status_code == 200
    text = page.content.decode()
    assert case.number in text and "保密的事实" not in text and "张三" not in text
    assert 'data-testid="status-only"' in text
    assert c.get(_url("content", case)).status_code == 403
    assert c.get(_url("agreement", case)).status_code == 403
    assert c.get(_url("session", case)).status_code == 403
    assert c.get(_url("signatures", case)).status_code == 403
    listing = c.get(reverse("mediation:list")).content.decode()
    assert case.number in listing and "张三" not in listing
    assert not PersonalDataRead.objects.exists()


def test_a_nancun_mediator_gets_404(world, as_user):
    case = open_case(world)
    nm = make_user("nancun_mediator")
    grant(nm, "mediator", world.nancun)
    c = as_user(nm)
    for name in ("case", "content", "agreement", "signatures", "session", "agreement_pdf"):
        assert c.get(_url(name, case)).status_code == 404, name
    assert case.number not in c.get(reverse("mediation:list")).content.decode()


def test_another_mediator_of_the_community_gets_403_on_content(world, as_user):
    case = open_case(world)
    m2 = make_user("m2")
    grant(m2, "mediator", world.xincun)
    assert as_user(m2).get(_url("case", case)).status_code == 403


def test_a_party_sees_their_case_in_plain_language_another_resident_404(world, as_user):
    case = signed_case(world)
    s.agreement_make_effective(actor=world.mediator, case=case)
    c = as_user(world.resident)  # 张三, a party
    page = c.get(_url("case", case)).content.decode()
    assert 'data-testid="party-view"' in page and "五楼漏水" not in page
    assert c.get(_url("content", case)).status_code == 403
    pdf = c.get(_url("agreement_pdf", case))
    assert pdf.status_code == 200 and "张三" in pdfs.text(pdf.content)
    assert case.number in c.get(reverse("mediation:list")).content.decode()
    other = make_user("li", resident=world.li_si)
    grant(other, "resident", world.hh_3_2_502)
    assert as_user(other).get(_url("case", case)).status_code == 404


def test_every_read_of_the_content_is_recorded(world, as_user):
    case = open_case(world)
    c = as_user(world.mediator)
    c.get(_url("case", case))
    c.get(_url("case", case))
    reads = PersonalDataRead.objects.filter(purpose="mediation.case")
    assert sorted(reads.values_list("subject_id", flat=True)) == sorted(
        [world.zhang_san.pk, world.wang_wu.pk] * 2
    )
    assert Event.objects.filter(verb="mediation.case.viewed").count() == 2
    c.get(reverse("mediation:list"))
    assert PersonalDataRead.objects.filter(purpose="mediation.list").count() == 2


def test_the_mediator_carries_a_case_to_an_effective_agreement(world, as_user):
    case = open_case(world)
    c = as_user(world.mediator)
    assert c.post(_url("act", case, "accept")).status_code == 302
    assert c.post(_url("act", case, "start")).status_code == 302
    r = c.post(
        _url("session", case),
        {
            "held_on": timezone.localdate().isoformat(),
            "place": "调解室",
            "present": "双方",
            "statements": "甲:…;乙:…",
            "proposals": "赔偿",
        },
    )
    assert r.status_code == 302
    data = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in agreement_data().items()
    }
    r = c.post(_url("agreement", case), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    page = c.get(_url("agreement", case)).content.decode()
    assert 'data-testid="agreement-preview"' in page and "赔偿乙方维修费" in page
    assert c.post(_url("agreement_step", case, "fix")).status_code == 302
    today = timezone.localdate().isoformat()
    for p in case.parties.all():
        r = c.post(
            _url("signatures", case),
            {"kind": "party", "party": p.pk, "method": "fingerprint", "signed_on": today},
        )
        assert r.status_code == 302, r.content.decode()[:3000]
    # Not yet: the refusal names what is missing, nothing changes.
    r = c.post(_url("agreement_step", case, "effective"))
    assert r["X-Linli-Status"] == "400"
    c.post(_url("signatures", case), {"kind": "mediator", "method": "signed", "signed_on": today})
    c.post(_url("signatures", case), {"kind": "seal", "method": "sealed", "signed_on": today})
    r = c.post(_url("agreement_step", case, "effective"))
    assert "X-Linli-Status" not in r
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED
    page = c.get(_url("signatures", case)).content.decode()
    assert 'data-testid="confirm-by"' in page
    page = c.get(_url("case", case)).content.decode()
    assert 'data-testid="confirm-by"' in page and 'data-testid="tasks"' in page


def test_editing_after_signing_is_refused_on_the_page(world, as_user):
    case = mediating_case(world)
    s.agreement_save(actor=world.mediator, case=case, data=agreement_data())
    s.agreement_fix(actor=world.mediator, case=case)
    s.signature_record(
        actor=world.mediator,
        case=case,
        kind="party",
        party=case.parties.first(),
        signed_on=timezone.localdate(),
    )
    data = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in agreement_data(terms="新条款").items()
    }
    r = as_user(world.mediator).post(_url("agreement", case), data)
    assert r.status_code == 400
    assert case.agreements.get().terms != "新条款"


def test_refer_a_request_to_mediation(world, as_user):
    cat = Category.objects.create(community=world.xincun, code="nb", name="邻里")
    t = ticket_services.ticket_submit(
        actor=world.resident, category=cat, description="楼上漏水到我家", household=world.hh_3_2_501
    )
    c = as_user(world.staff)
    detail = c.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert 'data-testid="refer-to-mediation"' in detail
    form = c.get(reverse("mediation:from_request", args=[t.pk])).content.decode()
    assert "楼上漏水到我家" in form
    r = c.post(
        reverse("mediation:from_request", args=[t.pk]),
        {
            "dispute_type": "water_leak",
            "facts": "楼上漏水到我家",
            "source": "request",
            "applied_on": timezone.localdate().isoformat(),
            "p1_resident": world.zhang_san.pk,
            "p2_resident": world.wang_wu.pk,
        },
    )
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.ticket_id == t.pk and case.source == "request"
    # the staff member who registered it sees its status only
    assert c.get(_url("content", case)).status_code == 403
    # a resident's request page has no such button
    page = as_user(world.resident).get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert "refer-to-mediation" not in page


def test_statistics_and_the_monthly_table(world, as_user):
    case = signed_case(world)
    s.agreement_make_effective(actor=world.mediator, case=case)
    year = timezone.localdate().year
    c = as_user(world.secretary)
    page = c.get(reverse("mediation:stats") + f"?year={year}").content.decode()
    assert 'data-testid="monthly"' in page and "张三" not in page
    r = c.get(reverse("mediation:stats_export") + f"?year={year}&format=csv")
    text = r.content.decode("utf-8-sig")
    assert text.count("\n") == 13 and "张三" not in text
    assert Event.objects.filter(verb="mediation.stats.exported").exists()
    assert as_user(world.secretary).get(reverse("mediation:stats_export")).status_code == 200
    assert as_user(world.staff).get(reverse("mediation:stats_export")).status_code == 403
    assert as_user(world.resident).get(reverse("mediation:stats")).status_code == 403


def test_committee_page_warns_outside_the_law(world, as_user):
    c = as_user(world.secretary)
    page = c.get(reverse("mediation:committee", args=["xincun"])).content.decode()
    assert page.count('data-testid="committee-warning"') == 3
    for i, g in enumerate("FMM"):
        r = c.post(
            reverse("mediation:committee", args=["xincun"]),
            {
                "name": f"委员{i}",
                "gender": g,
                "kind": "member",
                "is_head": "on" if i == 0 else "",
                "term_start": timezone.localdate().isoformat(),
            },
        )
        assert r.status_code == 302
    page = c.get(reverse("mediation:committee", args=["xincun"])).content.decode()
    assert 'data-testid="committee-warning"' not in page
    assert (
        as_user(world.staff).post(reverse("mediation:committee", args=["xincun"]), {}).status_code
        == 403
    )
    assert (
        as_user(world.outsider).get(reverse("mediation:committee", args=["xincun"])).status_code
        == 404
    )


def test_the_committee_head_reads_every_case(world, as_user):
    from .helpers import committee

    committee(world)
    case = open_case(world)
    page = as_user(world.head).get(_url("case", case)).content.decode()
    assert "五楼漏水" in page


@pytest.mark.parametrize("n", [1, 12])
def test_case_list_and_page_query_counts_are_constant(
    world, as_user, django_assert_max_num_queries, n
):
    for _ in range(n):
        case = signed_case(world)
    c = as_user(world.mediator)
    c.get(reverse("mediation:list"))
    with django_assert_max_num_queries(9):
        assert c.get(reverse("mediation:list")).status_code == 200
    with django_assert_max_num_queries(20):
        assert c.get(_url("case", case)).status_code == 200


def test_the_case_register_export_is_masked_recorded_and_logged(world, as_user):
    open_case(
        world,
        parties=[
            s.PartyIn(resident=world.zhang_san, side=1),
            s.PartyIn(name="外人", contact="13511112222", side=2),
        ],
    )
    r = as_user(world.secretary).get(reverse("mediation:register_export") + "?format=csv")
    text = r.content.decode("utf-8-sig")
    assert "张三" in text and "外人" in text
    assert "13511112222" not in text and "135****2222" in text
    assert PersonalDataRead.objects.filter(purpose="mediation.export", kind="exported").count() == 1
    assert Event.objects.filter(verb="mediation.register.exported").exists()
    for who in ("staff", "mediator", "supervisor", "resident"):
        assert (
            as_user(getattr(world, who)).get(reverse("mediation:register_export")).status_code
            == 403
        )


def test_the_secretary_records_the_mediators_signature_for_them(world, as_user):
    case = mediating_case(world)
    s.agreement_save(actor=world.mediator, case=case, data=agreement_data())
    s.agreement_fix(actor=world.mediator, case=case)
    r = as_user(world.secretary).post(
        _url("signatures", case),
        {
            "kind": "mediator",
            "signer": world.mediator.pk,
            "method": "signed",
            "signed_on": timezone.localdate().isoformat(),
        },
    )
    assert r.status_code == 302
    sig = case.agreements.get().signatures.get()
    assert sig.mediator == world.mediator and sig.recorded_by == world.secretary


def test_the_home_card_shows_the_mediators_cases_and_nav(world, as_user):
    open_case(world)
    page = as_user(world.mediator).get(reverse("home")).content.decode()
    assert 'data-testid="home-mediation"' in page
    assert reverse("mediation:list") in page
    page = as_user(world.resident).get(reverse("home")).content.decode()
    assert 'data-testid="home-mediation"' not in page


def test_a_partys_my_data_shows_who_opened_their_case(world, as_user):
    case = open_case(world)
    as_user(world.mediator).get(_url("case", case))
    page = as_user(world.resident).get(reverse("accounts:my_data")).content.decode()
    assert "mediation case" in page or "调解案件" in page


def test_the_secretary_turns_return_visits_off(world, as_user):
    url = reverse("mediation:committee_settings", args=["xincun"])
    assert as_user(world.staff).post(url, {}).status_code == 403
    assert as_user(world.outsider).post(url, {}).status_code == 404
    assert as_user(world.secretary).post(url, {}).status_code == 302
    from linli.mediation.models import Committee

    assert Committee.objects.get(community=world.xincun).return_visits is False
    as_user(world.secretary).post(url, {"return_visits": "on"})
    assert Committee.objects.get(community=world.xincun).return_visits is True
