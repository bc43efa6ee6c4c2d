"""The Django admin is a superuser's tool only."""

import pytest

from linli.accounts.models import RoleMembership
from linli.core.models import Event
from tests.factories import make_user


@pytest.fixture
def root(db):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/rolemembership/",
        "/admin/accounts/user/add/",
    ],
)
def test_superuser_uses_the_admin(as_user, world, root, path):
    assert as_user(root).get(path).status_code == 200


def test_superuser_sees_a_users_phone_and_resident_link(as_user, world, root):
    r = as_user(root).get(f"/admin/accounts/user/{world.resident.pk}/change/")
    body = r.content.decode()
    assert r.status_code == 200
    assert 'name="phone"' in body and "13812341234" in body
    assert 'name="display_name"' in body
    assert 'name="resident"' in body


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/"])
def test_staff_flag_alone_does_not_open_the_admin(as_user, world, path):
    world.staff.is_staff = True  # set by mistake, or by someone who thought it was harmless
    world.staff.save()
    r = as_user(world.staff).get(path)
    assert r.status_code == 302
    assert r.url.startswith("/admin/login/")


@pytest.mark.parametrize("persona", ["secretary", "resident", None])
def test_community_people_and_anonymous_cannot_use_the_admin(as_user, world, persona):
    user = getattr(world, persona) if persona else None
    r = as_user(user).get("/admin/accounts/user/")
    assert r.status_code == 302
    assert r.url.startswith("/admin/login/")


def test_switched_off_superuser_cannot_use_the_admin(as_user, world, root):
    root.is_active = False
    root.save()
    client = as_user(None)
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/").status_code == 302


def test_role_granted_in_the_admin_is_written_to_the_event_log(as_user, world, root):
    r = as_user(root).post(
        "/admin/accounts/rolemembership/add/",
        {
            "user": world.resident.pk,
            "role": "volunteer",
            "community": world.xincun.pk,
            "active": "on",
        },
    )
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    m = RoleMembership.objects.get(user=world.resident, role="volunteer")
    e = Event.objects.get(verb="membership.granted")
    assert (e.actor, e.object_id, e.community_id) == (root, m.pk, world.xincun.pk)


def test_memberships_cannot_be_deleted_in_the_admin(as_user, world, root):
    m = world.leader.memberships.get()
    r = as_user(root).get(f"/admin/accounts/rolemembership/{m.pk}/delete/")
    assert r.status_code == 403
