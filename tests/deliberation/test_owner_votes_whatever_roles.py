"""An owner votes as an owner: a building leader, grid worker or staff member who owns a flat
casts their own ballot online, though they hold no resident membership; the same roles
without a flat are still refused (issue 9, finding 15)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.deliberation.models import Ballot, Voter
from tests.deliberation.test_votes import OPENS, Clock, announce
from tests.factories import make_household, make_resident

ROLES = ["leader", "grid_worker", "staff"]  # building 3, grid 1, the community office


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def _owns_4_1_102(dw, user):
    """``user`` becomes the owner of flat 4-1-102 in the registry (their own record)."""
    flat = make_household(dw.b4, dw.hh_4_1_101.unit, "102", "60.00")
    owner = make_resident(flat, "陈七", tenure="owner")
    user.resident = owner
    user.save(update_fields=["resident"])
    return flat


def _cast(as_user, user, vote, choice="yes"):
    """Choose and confirm (the page asks for the confirmation first; issue 11)."""
    return as_user(user).post(
        reverse("deliberation:vote_cast", args=[vote.pk]), {"choice": choice, "confirm": "1"}
    )


@pytest.mark.parametrize("persona", ROLES)
def test_an_owner_who_also_holds_a_role_votes_online_as_an_owner(dw, clock, as_user, persona):
    user = getattr(dw, persona)
    assert not user.memberships.filter(role="resident").exists()
    _owns_4_1_102(dw, user)
    vote = announce(dw, clock)
    clock.set(OPENS)  # the first request after the window starts opens the vote
    response = _cast(as_user, user, vote)
    assert response.status_code == 302, response.content.decode()[:300]
    ballot = Ballot.objects.get()
    assert ballot.choice == "yes" and ballot.method == "online"
    assert ballot.voter.user == user
    assert [u["id"] for u in ballot.voter.units] == ["4-1-102"]
    page = as_user(user).get(reverse("deliberation:vote_detail", args=[vote.pk]))
    assert 'data-testid="my-ballot"' in page.content.decode()


@pytest.mark.parametrize("persona", ROLES)
def test_the_same_roles_without_a_flat_cannot_vote_online(dw, clock, as_user, persona):
    user = getattr(dw, persona)
    vote = announce(dw, clock)
    clock.set(OPENS)
    assert _cast(as_user, user, vote).status_code == 403
    assert not Ballot.objects.exists()
    assert Voter.objects.filter(vote=vote).exists()  # the vote is open; they are not on it
    page = as_user(user).get(reverse("deliberation:vote_detail", args=[vote.pk]))
    assert 'data-testid="cast-form"' not in page.content.decode()


def test_an_owner_from_another_community_cannot_vote_here(dw, clock, as_user):
    vote = announce(dw, clock)
    clock.set(OPENS)
    assert _cast(as_user, dw.outsider, vote).status_code == 404
    assert not Ballot.objects.exists()
