"""The care register: enrolment, tiers with reasons and history, consents, visitors."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from linli.care import services
from linli.care.models import CarePerson, Consent, TierChange
from linli.core.models import Event
from tests.factories import make_resident


def test_enrolled_person_is_due_a_first_visit_today(care):
    assert care.li.due_on == care.li.enrolled_on
    assert care.li.due_reason == "first"
    assert TierChange.objects.filter(person=care.li).count() == 1


def test_tier_change_needs_a_reason_and_keeps_history(care, world):
    with pytest.raises(services.CareError) as e:
        services.person_set_tier(actor=world.staff, person=care.wang, tier="high", reason=" ")
    assert "理由" in str(e.value.message) and e.value.field == "reason"
    services.person_set_tier(actor=world.staff, person=care.wang, tier="high", reason="病后独居")
    care.wang.refresh_from_db()
    assert care.wang.tier == "high"
    assert list(care.wang.tier_history.values_list("tier", flat=True)) == ["high", "key"]
    ev = Event.objects.filter(verb="care.tier_set").get()
    assert ev.data == {"from": "key", "to": "high"}


def test_only_the_office_manages_the_register(care, world):
    for who in (world.volunteer, world.grid_worker, world.leader):
        with pytest.raises((PermissionDenied, Http404)):
            services.person_set_tier(actor=who, person=care.li, tier="key", reason="x")
    with pytest.raises(Http404):
        services.person_set_tier(actor=world.outsider, person=care.li, tier="key", reason="x")


def test_left_behind_child_without_guardian_consent_is_refused(world):
    child = make_resident(
        world.hh_3_2_502, "小明", birth_date=dt.date.today() - dt.timedelta(days=365 * 8)
    )
    with pytest.raises(services.ConsentMissing) as e:
        services.person_enroll(actor=world.staff, resident=child, tier="key", reason="父母外出务工")
    assert "consent" in str(e.value.message).lower() or "同意" in str(e.value.message)
    assert not CarePerson.objects.filter(resident=child).exists()
    p = services.person_enroll(
        actor=world.staff,
        resident=child,
        tier="key",
        reason="父母外出务工",
        consent={
            "given_by": "王奶奶",
            "relation": "祖母",
            "given_on": dt.date.today(),
            "method": "paper",
        },
    )
    c = Consent.objects.get(person=p)
    assert (c.subject, c.method, c.given_by) == ("minor", "paper", "王奶奶")


def test_health_note_needs_its_own_consent(care, world):
    with pytest.raises(services.ConsentMissing):
        services.health_note_set(actor=world.staff, person=care.li, note="高血压")
    care.li.refresh_from_db()
    assert not care.li.has_health_note
    services.consent_record(
        actor=world.staff, person=care.li, subject="health", given_by="李四",
        given_on=dt.date.today(), method="oral",
    )  # fmt: skip
    services.health_note_set(actor=world.staff, person=care.li, note="高血压")
    care.li.refresh_from_db()
    assert "高血压" not in care.li.health_note_sealed  # sealed at rest
    assert services.health_note_of(care.li) == "高血压"


def test_visitor_must_hold_a_fitting_role(care, world):
    # The leader of building 3 cannot be the building leader visitor of building 4.
    with pytest.raises(services.CareError):
        services.visitor_assign(
            actor=world.staff, person=care.wang, user=world.leader, kind="building_leader"
        )
    services.visitor_assign(
        actor=world.staff, person=care.wang, user=world.grid_worker, kind="grid_worker"
    )


def test_per_person_and_per_community_frequency(care, world):
    services.person_set_frequency(actor=world.staff, person=care.wang, frequency_days=14)
    care.wang.refresh_from_db()
    assert care.wang.frequency_days == 14
    services.settings_save(
        actor=world.staff, community=world.xincun, high_days=14, key_days=30, general_days=91
    )
    assert services.settings_for(world.xincun.pk).days_for("high") == 14


@pytest.mark.parametrize(
    "who,status",
    [
        ("staff", 200),
        ("secretary", 200),
        ("volunteer", 200),  # assigned
        ("leader", 200),  # assigned
        ("grid_worker", 403),  # in their grid, not assigned
        ("outsider", 404),
        ("other_resident", 404),
        ("supervisor", 403),
    ],
)
def test_care_page_personas(care, world, as_user, who, status):
    r = as_user(getattr(world, who)).get(reverse("care:person", args=[care.li.pk]))
    assert r.status_code == status


def test_leader_of_building_3_cannot_open_a_person_of_building_4(care, world, as_user):
    assert as_user(world.leader).get(reverse("care:person", args=[care.wang.pk])).status_code == 404
    # and an unassigned volunteer, whose role covers the community, is refused
    assert (
        as_user(world.volunteer).get(reverse("care:person", args=[care.wang.pk])).status_code == 403
    )


def test_office_page_forms(care, world, as_user):
    c = as_user(world.staff)
    r = c.post(reverse("care:tier", args=[care.wang.pk]), {"tier": "high", "reason": ""})
    assert r["X-Linli-Status"] == "400"
    care.wang.refresh_from_db()
    assert care.wang.tier == "key"
    r = c.post(
        reverse("care:contact", args=[care.wang.pk]),
        {"kind": "child", "name": "王小五", "phone": "13500000000", "lives_in": "深圳"},
    )
    assert r.status_code == 302 and care.wang.contacts.count() == 1
    r = c.post(
        reverse("care:consent", args=[care.wang.pk]),
        {"subject": "health", "given_by": "王五", "given_on": "2030-01-01", "method": "oral"},
    )
    assert r["X-Linli-Status"] == "400" and not care.wang.consents.exists()
    assert (
        as_user(world.volunteer)
        .post(reverse("care:tier", args=[care.li.pk]), {"tier": "key", "reason": "x"})
        .status_code
        == 403
    )


def test_register_page_filters(care, world, as_user):
    c = as_user(world.staff)
    r = c.get(reverse("care:register", args=["xincun"]), {"tier": "high"})
    assert r.status_code == 200
    assert [p.pk for p in r.context["page"].object_list] == [care.li.pk]
    r = c.get(reverse("care:register", args=["xincun"]), {"building": "4"})
    assert [p.pk for p in r.context["page"].object_list] == [care.wang.pk]
    assert (
        as_user(world.volunteer).get(reverse("care:register", args=["xincun"])).status_code == 403
    )
    assert as_user(world.outsider).get(reverse("care:register", args=["xincun"])).status_code == 404


def test_enroll_page(world, as_user):
    from linli.registry.models import ResidentTag, Tag

    tag = Tag.objects.get_or_create(
        code="empty_nest", community=None, defaults={"name": "空巢老人"}
    )[0]
    ResidentTag.objects.create(resident=world.wang_wu, tag=tag, community=world.xincun)
    c = as_user(world.staff)
    r = c.get(reverse("care:enroll", args=["xincun"]))
    assert r.status_code == 200 and world.wang_wu in r.context["candidates"]
    r = c.post(
        reverse("care:enroll", args=["xincun"]),
        {"resident": world.wang_wu.pk, "tier": "key", "reason": "空巢"},
    )
    assert r.status_code == 302
    assert CarePerson.objects.filter(resident=world.wang_wu).exists()


def test_the_person_sees_their_own_care_record(world, as_user):
    p = services.person_enroll(
        actor=world.staff, resident=world.zhang_san, tier="key", reason="空巢"
    )
    r = as_user(world.resident).get(reverse("care:person", args=[p.pk]))
    assert r.status_code == 200 and not r.context["manage"] and not r.context["can_visit"]
    assert as_user(world.other_resident).get(reverse("care:person", args=[p.pk])).status_code == 404
