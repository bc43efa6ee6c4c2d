"""The pages on top of the membership services: a volunteer edits their own profile (skills,
availability, limits, public-name consent) and asks to join a team; the team's leader admits or
declines on the team page. Who is refused, and bad input saving nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.core.models import Event
from linli.volunteers.models import MemberStatus, TeamMember

pytestmark = pytest.mark.django_db


def _edit(teams):
    return reverse("volunteers:profile_edit", args=[teams.member_profile.pk])


def test_volunteer_edits_own_profile(teams, as_user):
    c = as_user(teams.member)
    home = c.get(reverse("volunteers:home")).content.decode()
    assert _edit(teams) in home
    page = c.get(_edit(teams))
    assert page.status_code == 200 and teams.member_profile.number in page.content.decode()
    r = c.post(
        _edit(teams),
        {"skills": " 理发 ", "availability": "周末上午", "limits": ["night", "heavy"],
         "public_name_consent": "on"},
    )  # fmt: skip
    assert r.status_code == 302
    p = teams.member_profile
    p.refresh_from_db()
    assert (p.skills, p.availability, p.limits, p.public_name_consent) == (
        "理发", "周末上午", ["night", "heavy"], True,
    )  # fmt: skip
    ev = Event.objects.get(verb="volunteer.profile_changed")
    assert "理发" not in str(ev.data)  # the event names fields, not values
    c.post(_edit(teams), {"skills": "理发"})  # consent withdrawn by leaving the box unticked
    p.refresh_from_db()
    assert p.public_name_consent is False and p.limits == []


def test_profile_edit_refused_to_others(teams, as_user):
    w = teams.world
    url = _edit(teams)
    assert as_user(teams.other_leader).get(url).status_code == 403
    assert as_user(teams.team_leader).post(url, {"skills": "x"}).status_code == 403
    assert as_user(w.resident).get(url).status_code in (403, 404)
    assert as_user(w.outsider).get(url).status_code == 404
    assert as_user(teams.nancun_leader).post(url, {"skills": "x"}).status_code == 404
    assert as_user(w.staff).get(url).status_code == 200  # the office, for an elder
    teams.member_profile.refresh_from_db()
    assert teams.member_profile.skills == ""


@pytest.mark.parametrize(
    "data",
    [
        {"skills": "x", "limits": ["flying"]},  # an unknown limit
        {"skills": "长" * 201},  # too long
        {"availability": "长" * 201},
    ],
)
def test_profile_bad_input_saves_nothing(teams, as_user, data):
    r = as_user(teams.member).post(_edit(teams), data)
    assert r.status_code == 400
    assert 'class="errorlist' in r.content.decode() or "errorlist" in r.content.decode()
    p = teams.member_profile
    p.refresh_from_db()
    assert (p.skills, p.availability, p.limits) == ("", "", [])
    assert not Event.objects.filter(verb="volunteer.profile_changed").exists()


def _join(team):
    return reverse("volunteers:team_join", args=[team.pk])


def test_resident_asks_to_join_leader_admits(teams, as_user):
    w = teams.world
    team_url = reverse("volunteers:team_detail", args=[teams.long_march.pk])
    c = as_user(w.resident)
    assert 'data-testid="team-join"' in c.get(team_url).content.decode()
    assert c.post(_join(teams.long_march)).status_code == 302
    m = TeamMember.objects.get(team=teams.long_march, user=w.resident)
    assert m.status == MemberStatus.REQUESTED
    assert 'data-testid="my-membership"' in c.get(team_url).content.decode()
    r = c.post(_join(teams.long_march))  # twice: told, nothing saved
    assert r["X-Linli-Status"] == "409"
    assert TeamMember.objects.filter(team=teams.long_march, user=w.resident).count() == 1

    leader = as_user(teams.team_leader)
    page = leader.get(team_url).content.decode()
    assert reverse("volunteers:member_approve", args=[m.pk]) in page
    assert leader.post(reverse("volunteers:member_approve", args=[m.pk])).status_code == 302
    m.refresh_from_db()
    assert m.status == MemberStatus.ACTIVE and m.joined_on is not None
    again = leader.post(reverse("volunteers:member_decline", args=[m.pk]))
    assert again["X-Linli-Status"] == "409"  # already admitted: the workflow refuses
    m.refresh_from_db()
    assert m.status == MemberStatus.ACTIVE


def test_leader_declines_a_request(teams, as_user):
    w = teams.world
    as_user(w.resident).post(_join(teams.long_march))
    m = TeamMember.objects.get(team=teams.long_march, user=w.resident)
    r = as_user(teams.team_leader).post(reverse("volunteers:member_decline", args=[m.pk]))
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == MemberStatus.DECLINED


def test_answering_a_request_refused_to_others(teams, as_user):
    w = teams.world
    as_user(w.resident).post(_join(teams.long_march))
    m = TeamMember.objects.get(team=teams.long_march, user=w.resident)
    for name in ("member_approve", "member_decline"):
        url = reverse(f"volunteers:{name}", args=[m.pk])
        assert as_user(teams.other_leader).post(url).status_code == 403  # another team's leader
        assert as_user(teams.member).post(url).status_code == 403  # a member, not a leader
        assert as_user(w.resident).post(url).status_code in (403, 404)  # the asker themself
        assert as_user(w.outsider).post(url).status_code == 404
        assert as_user(teams.nancun_leader).post(url).status_code == 404
    m.refresh_from_db()
    assert m.status == MemberStatus.REQUESTED
    # The team page shows no buttons to those who may not answer.
    page = as_user(teams.other_leader).get(
        reverse("volunteers:team_detail", args=[teams.long_march.pk])
    )
    assert 'data-testid="member-approve"' not in page.content.decode()


def test_joining_refused_across_communities_and_by_get(teams, as_user):
    w = teams.world
    assert as_user(w.outsider).post(_join(teams.long_march)).status_code == 404
    assert as_user(teams.nancun_leader).post(_join(teams.long_march)).status_code == 404
    assert as_user(w.resident).get(_join(teams.long_march)).status_code == 405
    assert not TeamMember.objects.filter(team=teams.long_march, status="requested").exists()
