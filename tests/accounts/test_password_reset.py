"""Issue 11: nobody could recover a forgotten password. The log-in page says whom to ask; the
community secretary sets a new temporary password for an account of the community."""

import re

import pytest
from django.urls import reverse

from linli.core.models import Event

pytestmark = pytest.mark.django_db


def _reset(client, world, user):
    return client.post(reverse("accounts:user_password_reset", args=[world.xincun.code, user.pk]))


def test_the_log_in_page_says_whom_to_ask(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'data-testid="forgot-password"' in page and "社区书记" in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Forgot your password?" in page and "community secretary" in page


def test_the_secretary_sets_a_new_password_shown_once_and_the_old_one_stops(world, as_user):
    world.leader.set_password("old-password-1")
    world.leader.save()
    roles = as_user(world.secretary).get(reverse("accounts:roles", args=[world.xincun.code]))
    assert f'data-reset="{world.leader.pk}"' in roles.content.decode()
    r = _reset(as_user(world.secretary), world, world.leader)
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    password = re.search(r'data-testid="temporary-password">([^<]+)<', r.content.decode())[1]
    world.leader.refresh_from_db()
    assert world.leader.check_password(password) and not world.leader.check_password(
        "old-password-1"
    )
    ev = Event.objects.get(verb="user.password_reset")
    assert ev.community_id == world.xincun.pk and password not in repr(ev.data)


@pytest.mark.parametrize("persona", ["staff", "leader", "resident"])
def test_only_the_secretary_may_set_a_password(world, as_user, persona):
    before = world.grid_worker.password
    r = _reset(as_user(getattr(world, persona)), world, world.grid_worker)
    assert r.status_code == 403
    world.grid_worker.refresh_from_db()
    assert world.grid_worker.password == before


def test_another_communitys_secretary_cannot_reach_our_people(world, as_user):
    from tests.factories import grant, make_user

    nancun_secretary = make_user("nc_sec")
    grant(nancun_secretary, "secretary", world.nancun)
    r = as_user(nancun_secretary).post(
        reverse("accounts:user_password_reset", args=[world.nancun.code, world.leader.pk])
    )
    assert r.status_code == 404
    r = as_user(nancun_secretary).post(
        reverse("accounts:user_password_reset", args=[world.xincun.code, world.leader.pk])
    )
    assert r.status_code in (403, 404)
    assert not Event.objects.filter(verb="user.password_reset").exists()


def test_the_secretary_resets_no_superuser_and_not_themself(world, as_user):
    from tests.factories import grant, make_user

    admin = make_user("root_admin")
    admin.is_superuser = True
    admin.save()
    grant(admin, "community_staff", world.xincun)
    assert _reset(as_user(world.secretary), world, admin).status_code == 403
    assert _reset(as_user(world.secretary), world, world.secretary).status_code == 403


def test_a_new_password_needs_a_post(world, as_user):
    r = as_user(world.secretary).get(
        reverse("accounts:user_password_reset", args=[world.xincun.code, world.leader.pk])
    )
    assert r.status_code == 405
