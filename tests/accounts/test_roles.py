"""The community secretary manages who holds which role in the community."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404

from linli.accounts import services
from linli.accounts.models import RoleMembership, User
from linli.core import policy
from linli.core.errors import DomainError
from linli.core.models import Event
from tests.factories import grant, make_user

ROLES = "/accounts/c/xincun/roles/"
GRANT = "/accounts/c/xincun/roles/grant/"
NEW_USER = "/accounts/c/xincun/users/new/"


def revoke_url(m):
    return f"/accounts/c/{m.community.code}/roles/{m.pk}/revoke/"


def events(verb):
    return Event.objects.filter(verb=verb)


# --- who may open the pages ------------------------------------------------------------------


@pytest.mark.parametrize("path", [ROLES, GRANT, NEW_USER])
def test_secretary_opens_role_pages(as_user, world, path):
    assert as_user(world.secretary).get(path).status_code == 200


@pytest.mark.parametrize("path", [ROLES, GRANT, NEW_USER])
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("staff", 403),
        ("leader", 403),
        ("grid_worker", 403),
        ("resident", 403),
        ("supervisor", 403),
        ("outsider", 404),
    ],
)
def test_people_other_than_the_secretary_are_refused(as_user, world, path, persona, status):
    assert as_user(getattr(world, persona)).get(path).status_code == status


def test_secretary_of_one_community_cannot_see_another(as_user, world):
    assert as_user(world.secretary).get("/accounts/c/nancun/roles/").status_code == 404


@pytest.mark.parametrize("path", [ROLES, GRANT, NEW_USER])
def test_anonymous_is_sent_to_log_in(as_user, world, path):
    r = as_user(None).get(path)
    assert r.status_code == 302
    assert r.url.startswith("/accounts/login/")


def test_roles_page_lists_the_communitys_memberships(as_user, world):
    body = as_user(world.secretary).get(ROLES).content.decode()
    for name in ("leader", "grid_worker", "staff", "resident", "volunteer"):
        assert name in body
    assert "outsider" not in body  # staff of the other community
    assert "supervisor" not in body  # held at the street office


def test_roles_page_query_count_does_not_grow_with_memberships(
    as_user, world, django_assert_max_num_queries
):
    client = as_user(world.secretary)
    client.get(ROLES)  # warm up: session, content types
    with django_assert_max_num_queries(12) as small:
        client.get(ROLES)
    for i in range(60):
        grant(make_user(f"helper{i}"), "volunteer", world.xincun)
    for i in range(10):
        grant(make_user(f"lead{i}"), "building_leader", world.b4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = client.get(ROLES)
    assert r.context["page"].paginator.num_pages == 2


def test_roles_page_paginates(as_user, world):
    for i in range(60):
        grant(make_user(f"helper{i:02}"), "volunteer", world.xincun)
    r = as_user(world.secretary).get(ROLES + "?page=2")
    assert r.status_code == 200
    assert r.context["page"].number == 2


# --- granting ---------------------------------------------------------------------------------


def test_secretary_makes_a_resident_building_leader_by_phone(as_user, world):
    r = as_user(world.secretary).post(
        GRANT, {"user": "138 1234 1234", "role": "building_leader", "building": world.b4.pk}
    )
    assert r.status_code == 302
    assert r.url == ROLES
    m = RoleMembership.objects.get(user=world.resident, role="building_leader")
    assert m.building == world.b4
    assert m.community == world.xincun
    e = events("membership.granted").get()
    assert e.actor == world.secretary
    assert e.community_id == world.xincun.pk
    assert e.object_type == ContentType.objects.get_for_model(RoleMembership)
    assert e.object_id == m.pk
    # The new power works at once.
    assert policy.can(world.resident, "household.edit", world.hh_4_1_101)


def test_secretary_grants_grid_community_and_household_roles(as_user, world):
    client = as_user(world.secretary)
    # Opened by this community's office (an account from nowhere is "not found" since issue 9:
    # the look-up reveals only the community's own people).
    new = services.user_create(
        actor=world.secretary,
        community=world.xincun,
        username="newcomer",
        phone="",
        display_name="Newcomer",
        password="plum-blossom-2024",
    )
    assert (
        client.post(
            GRANT, {"user": "newcomer", "role": "grid_worker", "grid": world.grid2.pk}
        ).status_code
        == 302
    )
    assert client.post(GRANT, {"user": "newcomer", "role": "mediator"}).status_code == 302
    assert (
        client.post(
            GRANT, {"user": "newcomer", "role": "resident", "household": "3-2-502"}
        ).status_code
        == 302
    )
    held = {(m.role, m.grid_id, m.household_id) for m in new.memberships.all()}
    assert held == {
        ("grid_worker", world.grid2.pk, None),
        ("mediator", None, None),
        ("resident", None, world.hh_3_2_502.pk),
    }
    assert all(m.community_id == world.xincun.pk for m in new.memberships.all())
    assert events("membership.granted").count() == 3


def test_grant_page_prefills_the_user_from_the_query(as_user, world):
    r = as_user(world.secretary).get(GRANT + "?user=newbie")
    assert r.context["form"]["user"].value() == "newbie"


def _refused(r, field, code=None):
    assert r.status_code == 400
    assert field in r.context["form"].errors
    assert RoleMembership.objects.count() == 10  # the personas' memberships only
    assert not events("membership.granted").exists()


def test_unknown_user_is_a_clear_error(as_user, world):
    r = as_user(world.secretary).post(GRANT, {"user": "ghost", "role": "volunteer"})
    _refused(r, "user")
    assert r.context["form"].has_error("user", "unknown_user")


def test_building_of_another_community_cannot_be_chosen(as_user, world):
    nancun_building = world.hh_nancun.building
    r = as_user(world.secretary).post(
        GRANT, {"user": "resident", "role": "building_leader", "building": nancun_building.pk}
    )
    _refused(r, "building")
    assert r.context["form"].has_error("building", "invalid_choice")


def test_household_of_another_community_is_not_found(as_user, world):
    r = as_user(world.secretary).post(
        GRANT, {"user": "resident", "role": "resident", "household": world.hh_nancun.label}
    )
    _refused(r, "household")


@pytest.mark.parametrize(
    ("role", "field"),
    [("building_leader", "building"), ("grid_worker", "grid"), ("resident", "household")],
)
def test_missing_place_is_a_clear_error(as_user, world, role, field):
    r = as_user(world.secretary).post(GRANT, {"user": "resident", "role": role})
    _refused(r, field)


def test_street_supervisor_cannot_be_granted(as_user, world):
    r = as_user(world.secretary).post(GRANT, {"user": "resident", "role": "street_supervisor"})
    _refused(r, "role")


def test_the_same_role_twice_is_refused(as_user, world):
    r = as_user(world.secretary).post(
        GRANT, {"user": "leader", "role": "building_leader", "building": world.b3.pk}
    )
    assert r.status_code == 400
    assert r.context["form"].non_field_errors()
    assert RoleMembership.objects.filter(user=world.leader).count() == 1


def test_staff_cannot_grant_by_posting_directly(as_user, world):
    r = as_user(world.staff).post(GRANT, {"user": "resident", "role": "community_staff"})
    assert r.status_code == 403
    assert not RoleMembership.objects.filter(user=world.resident, role="community_staff").exists()


# --- another community's people stay unknown (issue 9, finding 8) --------------------------


def test_secretary_of_nancun_cannot_find_a_xincun_resident_by_phone(as_user, world):
    nancun_secretary = make_user("nc_secretary")
    grant(nancun_secretary, "secretary", world.nancun)
    liang = make_user("liang", phone="13911112222", display_name="梁阿姨")
    grant(liang, "resident", world.hh_3_2_502)
    r = as_user(nancun_secretary).post(
        "/accounts/c/nancun/roles/grant/", {"user": "13911112222", "role": "volunteer"}
    )
    assert r.status_code == 400
    assert r.context["form"].has_error("user", "unknown_user")
    assert "梁阿姨" not in r.content.decode()
    assert not RoleMembership.objects.filter(user=liang, community=world.nancun).exists()


def test_secretary_of_nancun_cannot_attach_a_role_to_a_xincun_account(world):
    nancun_secretary = make_user("nc_secretary")
    grant(nancun_secretary, "secretary", world.nancun)
    with pytest.raises(DomainError) as exc:
        services.membership_grant(
            actor=nancun_secretary, user=world.staff, role="volunteer", place=world.nancun
        )
    assert "staff" not in str(exc.value)
    assert not RoleMembership.objects.filter(user=world.staff, community=world.nancun).exists()


def test_account_opened_by_another_community_is_not_found(as_user, world):
    nancun_secretary = make_user("nc_secretary")
    grant(nancun_secretary, "secretary", world.nancun)
    services.user_create(
        actor=nancun_secretary,
        community=world.nancun,
        username="nc_newbie",
        phone="13500002222",
        display_name="南村新人",
        password="plum-blossom-2024",
    )
    r = as_user(world.secretary).post(GRANT, {"user": "13500002222", "role": "volunteer"})
    assert r.status_code == 400
    assert r.context["form"].has_error("user", "unknown_user")
    assert "南村新人" not in r.content.decode()


def test_account_just_opened_here_is_found_and_named(as_user, world):
    client = as_user(world.secretary)
    client.post(NEW_USER, GOOD)
    r = client.post(GRANT, {"user": "wangayi", "role": "volunteer"}, follow=True)
    assert RoleMembership.objects.filter(user__username="wangayi", role="volunteer").exists()
    assert "王阿姨" in " ".join(str(m) for m in r.context["messages"])


def test_former_member_of_this_community_is_found(as_user, world):
    m = world.volunteer.memberships.get()
    m.active = False
    m.save()
    r = as_user(world.secretary).post(GRANT, {"user": "volunteer", "role": "mediator"})
    assert r.status_code == 302


# --- the service, called directly (views, admin and commands share it) ----------------------


def test_service_refuses_a_place_in_another_community(world):
    with pytest.raises(Http404):
        services.membership_grant(
            actor=world.secretary,
            user=world.resident,
            role="building_leader",
            place=world.hh_nancun.building,
        )
    assert not events("membership.granted").exists()


def test_service_refuses_secretary_of_another_community(world):
    with pytest.raises(Http404):
        services.membership_grant(
            actor=world.secretary, user=world.staff, role="secretary", place=world.nancun
        )


def test_service_refuses_street_roles_and_wrong_place_kinds(world):
    with pytest.raises(DomainError):
        services.membership_grant(
            actor=world.secretary, user=world.staff, role="street_supervisor", place=world.street
        )
    with pytest.raises(DomainError):
        services.membership_grant(
            actor=world.secretary, user=world.staff, role="building_leader", place=world.grid1
        )


def test_service_refuses_staff(world):
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            actor=world.staff, user=world.resident, role="volunteer", place=world.xincun
        )


def test_granting_yourself_a_role_refreshes_your_cached_powers(world):
    sec = world.secretary
    assert not policy.has_any(sec, "access_log.view_own")  # caches memberships on the object
    services.membership_grant(actor=sec, user=sec, role="resident", place=world.hh_3_2_502)
    assert policy.has_any(sec, "access_log.view_own")


# --- revoking ---------------------------------------------------------------------------------


def test_secretary_removes_a_role(as_user, world):
    m = world.leader.memberships.get()
    r = as_user(world.secretary).post(revoke_url(m))
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.active is False
    e = events("membership.revoked").get()
    assert (e.actor, e.object_id, e.community_id) == (world.secretary, m.pk, world.xincun.pk)
    # The leader's building page is closed to them now.
    leader = User.objects.get(pk=world.leader.pk)
    assert not policy.can(leader, "registry.browse", world.b3)
    # And the role is gone from the list.
    listed = as_user(world.secretary).get(ROLES).context["page"].object_list
    assert m.pk not in [x.pk for x in listed]


def test_removing_twice_changes_nothing(as_user, world):
    m = world.leader.memberships.get()
    client = as_user(world.secretary)
    client.post(revoke_url(m))
    client.post(revoke_url(m))
    assert events("membership.revoked").count() == 1


def test_revoke_needs_post(as_user, world):
    m = world.leader.memberships.get()
    assert as_user(world.secretary).get(revoke_url(m)).status_code == 405


def test_secretary_cannot_remove_their_own_secretary_role(as_user, world):
    m = world.secretary.memberships.get()
    r = as_user(world.secretary).post(revoke_url(m), follow=True)
    assert r.status_code == 200
    m.refresh_from_db()
    assert m.active is True
    assert [str(x) for x in r.context["messages"]]


@pytest.mark.parametrize(("persona", "status"), [("staff", 403), ("outsider", 404)])
def test_others_cannot_remove_roles(as_user, world, persona, status):
    m = world.leader.memberships.get()
    assert as_user(getattr(world, persona)).post(revoke_url(m)).status_code == status
    m.refresh_from_db()
    assert m.active is True


def test_membership_of_another_community_is_not_found_under_this_one(as_user, world):
    m = world.outsider.memberships.get()  # held in nancun
    r = as_user(world.secretary).post(f"/accounts/c/xincun/roles/{m.pk}/revoke/")
    assert r.status_code == 404
    m.refresh_from_db()
    assert m.active is True


def test_service_refuses_street_office_membership(world):
    with pytest.raises(Http404):
        services.membership_revoke(
            actor=world.secretary, membership=world.supervisor.memberships.get()
        )


# --- opening accounts -------------------------------------------------------------------------

GOOD = {
    "display_name": "王阿姨",
    "username": "wangayi",
    "phone": "139-0000-1111",
    "password": "plum-blossom-2024",
    "password2": "plum-blossom-2024",
}


def test_secretary_opens_an_account_and_is_taken_to_grant_a_role(as_user, world, client):
    r = as_user(world.secretary).post(NEW_USER, GOOD)
    assert r.status_code == 302
    assert r.url == GRANT + "?user=wangayi"
    u = User.objects.get(username="wangayi")
    assert u.phone == "13900001111"
    assert u.display_name == "王阿姨"
    assert u.check_password("plum-blossom-2024")
    e = events("user.created").get()
    assert (e.actor, e.object_id, e.community_id) == (world.secretary, u.pk, world.xincun.pk)
    # The new person can log in with the phone number.
    client.logout()
    r = client.post(
        "/accounts/login/", {"username": "13900001111", "password": "plum-blossom-2024"}
    )
    assert r.status_code == 302


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phone": "13812341234"}, "phone"),  # the resident persona's phone
        ({"phone": "not-a-phone"}, "phone"),
        ({"username": "Resident"}, "username"),  # differs only in case
        ({"username": "13900005678", "phone": ""}, None),  # fine: nobody has it
        ({"username": "has space"}, "username"),
        ({"password": "12345678", "password2": "12345678"}, "password"),
        ({"password": "wangayi1", "password2": "wangayi1"}, "password"),
        ({"password2": "different-words-2024"}, "password2"),
        ({"display_name": ""}, "display_name"),
    ],
)
def test_bad_account_details_are_refused_with_a_message(as_user, world, change, field):
    before = User.objects.count()
    r = as_user(world.secretary).post(NEW_USER, {**GOOD, **change})
    if field is None:
        assert r.status_code == 302
        return
    assert r.status_code == 400
    assert r.context["form"].errors[field]
    assert User.objects.count() == before
    assert not events("user.created").exists()


def test_phone_that_is_another_persons_user_name_is_refused(as_user, world):
    make_user("13500001234")
    r = as_user(world.secretary).post(NEW_USER, {**GOOD, "phone": "13500001234"})
    assert r.status_code == 400
    assert r.context["form"].errors["phone"]


def test_user_name_that_is_another_persons_phone_is_refused(as_user, world):
    r = as_user(world.secretary).post(NEW_USER, {**GOOD, "username": "13812341234", "phone": ""})
    assert r.status_code == 400
    assert r.context["form"].errors["username"]


def test_staff_cannot_open_accounts(as_user, world):
    assert as_user(world.staff).post(NEW_USER, GOOD).status_code == 403
    assert not User.objects.filter(username="wangayi").exists()


def test_user_create_service_refuses_people_without_the_power(world):
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=world.leader,
            username="x1",
            phone="",
            display_name="X",
            password="plum-blossom-2024",
        )
