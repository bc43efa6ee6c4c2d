"""``linli demo``: the Xincun demo community, its log-ins and teams, and the district variant."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from linli.accounts.models import RoleMembership, User
from linli.core.models import Event
from linli.core.personal import birth_date_from_id, blind_index, unseal, validate_id_number
from linli.demo import district, generator, names
from linli.registry.models import (
    Building,
    Community,
    Household,
    Resident,
    ResidentStatus,
    ResidentTag,
    StreetOffice,
)
from linli.volunteers.models import VolunteerTeam

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db):
    return run_demo()


def log_in(client, username: str, password: str = generator.PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_xincun_has_exactly_416_households_and_about_1100_residents(demo):
    xincun = Community.objects.get(code="xincun")
    assert xincun.street_office.code == "baiyuan"
    assert Household.objects.filter(community=xincun).count() == 416
    assert 1050 <= Resident.objects.filter(community=xincun).count() <= 1150
    living = Resident.objects.filter(community=xincun, status=ResidentStatus.ACTIVE).count()
    occupied = Household.objects.filter(community=xincun, residents__status="active").distinct()
    assert 2.4 <= living / occupied.count() <= 2.8
    assert Household.objects.filter(community=xincun, label="3-2-501").exists()
    assert "households" in demo and "xc-secretary" in demo


def test_every_id_number_is_valid_and_agrees_with_the_birth_date_and_gender(demo):
    for r in Resident.objects.all():
        value = unseal(r.id_number_sealed)
        assert validate_id_number(value) == value
        assert birth_date_from_id(value) == r.birth_date
        assert int(value[16]) % 2 == (1 if r.gender == "M" else 0)
        assert r.name_pinyin and r.name_initials
    assert Resident.objects.filter(status="deceased", deceased_on__isnull=False).exists()
    assert Resident.objects.filter(status="moved_out", moved_out_on__isnull=False).exists()


def test_care_and_civic_tags_come_in_plausible_numbers(demo):
    counts = Counter(
        ResidentTag.objects.filter(community__code="xincun").values_list("tag__code", flat=True)
    )
    assert counts["veteran"] == 30
    assert counts["party_member"] == 80
    assert counts["disability"] == 30
    assert 20 <= counts["low_income"] <= 35
    assert 8 <= counts["left_behind_child"] <= 25
    assert 25 <= counts["living_alone"] <= 50
    assert 120 <= counts["empty_nest"] <= 250


def test_every_building_has_a_leader_who_lives_in_it(demo):
    for b in Building.objects.filter(community__code="xincun"):
        m = RoleMembership.objects.get(role="building_leader", building=b)
        user = m.user
        assert user.username == f"xc-leader-{b.number}"
        assert user.resident.household.building_id == b.pk
        assert user.display_name == user.resident.name


def test_each_demo_role_logs_in_with_the_demo_password(demo, client):
    for username in ("xc-secretary", "xc-leader-3", "xc-grid-1", "by-supervisor"):
        assert log_in(client, username).status_code == 302, username
    resident = User.objects.get(username="xc-resident")
    assert resident.resident.household.label == "3-2-501"
    assert resident.memberships.get().household.label == "3-2-501"
    if resident.phone:  # the resident can also log in with their phone number
        assert log_in(client, resident.phone).status_code == 302


def test_both_standing_volunteer_teams_exist(demo):
    long_march = VolunteerTeam.objects.get(name="新长征志愿服务队")
    members = list(long_march.members.select_related("resident"))
    assert 12 <= len(members) <= 15
    for m in members:
        codes = set(m.resident.tags.values_list("code", flat=True))
        assert {"veteran", "party_member"} <= codes
    leader = long_march.members.get(role="leader")
    assert leader.user.username == "xc-team-leader"

    mums = VolunteerTeam.objects.get(name="妈妈帮帮团")
    assert mums.members.count() == 20
    assert not mums.members.exclude(resident__gender="F").exists()
    assert mums.members.filter(joined_on__year=1991).exists()
    assert mums.members.filter(user__username="xc-volunteer").exists()


def test_nancun_is_a_separate_community_its_secretary_cannot_open_xincun(demo, client):
    nancun = Community.objects.get(code="nancun")
    assert 50 <= Household.objects.filter(community=nancun).count() <= 70
    assert not Resident.objects.filter(community=nancun).exclude(household__community=nancun)
    assert log_in(client, "nc-secretary").status_code == 302
    assert client.get(reverse("registry:community", args=["nancun"])).status_code == 200
    assert client.get(reverse("registry:community", args=["xincun"])).status_code == 404


def test_the_demo_is_the_same_on_every_run(demo):
    plan = generator.plan_demo()
    assert generator.plan_digest(plan) == generator.plan_digest(generator.plan_demo())
    planned = sorted(p.name for cp in (plan.xincun, plan.nancun) for _, p in cp.people())
    assert sorted(Resident.objects.values_list("name", flat=True)) == planned
    planned_ids = sorted(
        blind_index(p.id_number) for cp in (plan.xincun, plan.nancun) for _, p in cp.people()
    )
    assert sorted(Resident.objects.values_list("id_number_digest", flat=True)) == planned_ids


def test_no_generated_name_is_a_famous_persons():
    plan = generator.plan_demo()
    generated = {p.name for cp in (plan.xincun, plan.nancun) for _, p in cp.people()}
    assert not generated & names.FAMOUS


def test_a_second_run_is_refused_with_a_clear_message(demo):
    with pytest.raises(CommandError, match="already holds communities"):
        run_demo()
    assert Community.objects.count() == 2


def test_if_empty_does_nothing_when_the_database_has_a_community(world):
    before = Resident.objects.count()
    assert "demo not loaded" in run_demo("--if-empty")
    assert Community.objects.count() == 2
    assert Resident.objects.count() == before


def test_logins_prints_the_table_without_touching_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        out = run_demo("--logins")
    assert "xc-secretary" in out and generator.PASSWORD in out
    assert "by-supervisor" in out


def test_district_generator_at_small_scale():
    counts = district.build_district(communities=3, households=20, per_street=2)
    assert StreetOffice.objects.count() == 2
    assert Community.objects.count() == 3
    assert Household.objects.count() == 60 == counts["households"]
    assert Resident.objects.count() == counts["residents"]
    assert 120 <= counts["residents"] <= 240
    roles = Counter(RoleMembership.objects.values_list("role", flat=True))
    assert roles == {"street_supervisor": 2, "secretary": 3}
    assert User.objects.count() == 5
    assert not Event.objects.exists()
    for r in Resident.objects.all()[:50]:
        assert validate_id_number(unseal(r.id_number_sealed))


def test_district_scale_from_the_command(db):
    out = run_demo("--scale", "district", "--communities", "2", "--households", "10")
    assert "2 communities, 20 households" in out


@pytest.mark.django_db
def test_make_run_prints_the_log_ins_once(monkeypatch):
    """``make run`` loads with --if-empty and then prints the table itself (after the URL):
    the loader prints it only when run on its own."""
    monkeypatch.setattr(generator, "build_demo", lambda: None)
    monkeypatch.setattr(generator, "summary", lambda: {"households": 0})
    assert "Demo log-ins" not in run_demo("--if-empty")
    assert run_demo().count("Demo log-ins") == 1


def test_the_demo_keeps_no_personal_value_in_events_and_no_id_digits_beyond_the_region(demo):
    """Issue 9 (1, 15): the events the demo writes (some in bulk, past ``log_event``) pass the
    event guard, and no resident's clear columns hold more of the ID number than its region."""
    from linli.core.events import check_event_data

    for e in Event.objects.select_related("object_type").iterator():
        check_event_data(e.data, e.object_type.model_class())
    for r in Resident.objects.all()[:300]:
        value = unseal(r.id_number_sealed)
        assert r.id_number_region == value[:6]
        assert r.id_number_masked == value[:6] + "*" * 12
