"""Memberships are reused across requests in a server process only while the user's
``roles_version`` is unchanged: a role granted or revoked in another process takes effect on
the user's next request."""

import time

import pytest
from django.urls import reverse

from linli.accounts import services
from linli.accounts.models import User
from linli.core import policy
from tests.factories import grant

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as the next request loads them."""
    return User.objects.get(pk=user.pk)


def test_an_unchanged_user_reuses_the_loaded_memberships(world, django_assert_num_queries):
    first = policy.memberships(fresh(world.staff))
    again = fresh(world.staff)
    with django_assert_num_queries(0):
        assert policy.memberships(again) == first


def test_a_revoked_role_is_gone_on_the_next_request_even_if_another_process_held_it(world):
    staff = fresh(world.staff)
    stale = list(policy.memberships(staff))
    version = staff.roles_version
    membership = stale[0]
    services.membership_revoke(actor=world.secretary, membership=membership)
    # Another server process still holds the list it loaded before the revocation.
    policy._LOADED[staff.pk] = (version, time.monotonic(), stale)
    after = fresh(world.staff)
    assert after.roles_version > version
    assert membership.pk not in [m.pk for m in policy.memberships(after)]


def test_a_granted_role_counts_on_the_next_request(world, as_user):
    client = as_user(world.volunteer)
    assert client.get(reverse("tickets:queue")).status_code == 403
    grant(world.volunteer, "community_staff", world.xincun)
    assert client.get(reverse("tickets:queue")).status_code == 200


def test_a_role_revoked_by_the_secretary_refuses_the_next_page(world, as_user):
    client = as_user(world.staff)
    assert client.get(reverse("tickets:queue")).status_code == 200
    held = list(policy.memberships(fresh(world.staff)))
    version = fresh(world.staff).roles_version
    for m in held:
        services.membership_revoke(actor=world.secretary, membership=m)
    policy._LOADED[world.staff.pk] = (version, time.monotonic(), held)  # the other process
    assert client.get(reverse("tickets:queue")).status_code in (403, 404)


def test_the_loaded_list_is_reloaded_after_its_time(world, monkeypatch, django_assert_num_queries):
    policy.memberships(fresh(world.staff))
    monkeypatch.setattr(policy, "MEMBERSHIPS_TTL", 0.0)
    again = fresh(world.staff)
    with django_assert_num_queries(1):
        policy.memberships(again)
