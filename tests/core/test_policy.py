"""The one policy: unknown actions fail loudly; scope_filter and get_for agree."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from linli.core import policy
from linli.registry.models import Household, Resident

pytestmark = pytest.mark.django_db


def test_unknown_action_is_a_programming_error(world):
    with pytest.raises(LookupError):
        policy.has_any(world.staff, "registry.delete_everything")


def test_get_for_out_of_scope_is_404_in_scope_not_allowed_is_403(world):
    with pytest.raises(Http404):
        policy.get_for(world.outsider, Household, "household.view", pk=world.hh_3_2_501.pk)
    with pytest.raises(PermissionDenied):
        policy.get_for(world.volunteer, Household, "household.view", pk=world.hh_3_2_501.pk)
    assert policy.get_for(world.leader, Household, "household.edit", pk=world.hh_3_2_501.pk)


def test_anonymous_has_no_scope(world):
    from django.contrib.auth.models import AnonymousUser

    assert not policy.scope_filter(
        AnonymousUser(), Resident.objects.all(), "resident.view"
    ).exists()


def test_inactive_membership_grants_nothing(world):
    world.staff.memberships.update(active=False)
    policy.forget_memberships(world.staff)
    assert not policy.scope_filter(world.staff, Resident.objects.all(), "resident.view").exists()


def test_two_memberships_do_not_duplicate_rows(world):
    from tests.factories import grant

    grant(world.leader, "building_leader", world.b4)
    policy.forget_memberships(world.leader)
    from linli.registry.models import Community

    qs = policy.scope_filter(world.leader, Community.objects.all(), "registry.browse")
    assert list(qs) == [world.xincun]


# --- get_for with a fetch function (a read the caller prepared) ------------------------------


def _fetcher(pk):
    calls = []

    def fetch():
        calls.append(pk)
        return Household.objects.filter(pk=pk).first()

    return fetch, calls


def test_get_for_with_a_fetch_function_answers_as_with_a_lookup(world):
    hh = world.hh_3_2_501.pk
    fetch, calls = _fetcher(hh)
    assert policy.get_for(world.leader, Household, "household.edit", fetch=fetch).pk == hh
    assert calls == [hh]  # read once, by the caller's function
    with pytest.raises(Http404):  # outside the outsider's places: as if it did not exist
        policy.get_for(world.outsider, Household, "household.view", fetch=_fetcher(hh)[0])
    with pytest.raises(PermissionDenied):  # inside the volunteer's, but not theirs to view
        policy.get_for(world.volunteer, Household, "household.view", fetch=_fetcher(hh)[0])


def test_get_for_with_a_fetch_function_that_finds_nothing_is_404(world):
    with pytest.raises(Http404):
        policy.get_for(world.staff, Household, "household.view", fetch=lambda: None)


def test_get_for_takes_a_fetch_function_or_a_lookup_not_both(world):
    with pytest.raises(TypeError):
        policy.get_for(
            world.staff, Household, "household.view", fetch=lambda: None, pk=world.hh_3_2_501.pk
        )
