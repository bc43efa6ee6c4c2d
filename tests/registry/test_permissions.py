"""The permission matrix over every registry page: who sees what, who is refused how.

Out of the actor's places → 404; inside but not allowed → 403; anonymous → log-in page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, MISSING = 200, 403, 404


def _pages(w):
    return {
        "community": reverse("registry:community", args=["xincun"]),
        "building3": reverse("registry:building", args=[w.b3.pk]),
        "building4": reverse("registry:building", args=[w.b4.pk]),
        "household_own": reverse("registry:household", args=[w.hh_3_2_501.pk]),
        "household_b4": reverse("registry:household", args=[w.hh_4_1_101.pk]),
        "resident_zhang": reverse("registry:resident", args=[w.zhang_san.pk]),
        "resident_wang": reverse("registry:resident", args=[w.wang_wu.pk]),
        "edit_zhang": reverse("registry:resident_edit", args=[w.zhang_san.pk]),
        "edit_wang": reverse("registry:resident_edit", args=[w.wang_wu.pk]),
        "new_household_b3": reverse("registry:household_create", args=[w.b3.pk]),
        "nancun": reverse("registry:community", args=["nancun"]),
        "nancun_household": reverse("registry:household", args=[w.hh_nancun.pk]),
        "search": reverse("registry:search") + "?q=zs",
    }


# persona → page → expected status
MATRIX = {
    # A resident's community and building contain their household: in scope, not allowed.
    "resident": {
        "community": FORBIDDEN,
        "building3": FORBIDDEN,
        "building4": MISSING,
        "household_own": OK,
        "household_b4": MISSING,
        "resident_zhang": OK,
        "resident_wang": MISSING,
        "edit_zhang": FORBIDDEN,
        "new_household_b3": FORBIDDEN,
        "nancun": MISSING,
        "nancun_household": MISSING,
        "search": FORBIDDEN,
    },
    "leader": {  # building 3 only
        "community": OK,
        "building3": OK,
        "building4": MISSING,
        "household_own": OK,
        "household_b4": MISSING,
        "resident_zhang": OK,
        "resident_wang": MISSING,
        "edit_zhang": OK,
        "edit_wang": MISSING,
        "new_household_b3": FORBIDDEN,
        "nancun": MISSING,
        "nancun_household": MISSING,
        "search": OK,
    },
    "grid_worker": {  # grid 1: buildings 3 and 4
        "community": OK,
        "building3": OK,
        "building4": OK,
        "household_b4": OK,
        "resident_wang": OK,
        "edit_wang": OK,
        "new_household_b3": OK,
        "nancun": MISSING,
        "nancun_household": MISSING,
    },
    "volunteer": {
        "community": FORBIDDEN,
        "building3": FORBIDDEN,
        "household_own": FORBIDDEN,
        "resident_zhang": FORBIDDEN,
        "edit_zhang": FORBIDDEN,
        "nancun": MISSING,
        "search": FORBIDDEN,
    },
    "mediator": {"community": FORBIDDEN, "resident_zhang": FORBIDDEN, "nancun": MISSING},
    "staff": {
        "community": OK,
        "building3": OK,
        "building4": OK,
        "household_b4": OK,
        "resident_wang": OK,
        "edit_wang": OK,
        "new_household_b3": OK,
        "nancun": MISSING,
        "nancun_household": MISSING,
        "search": OK,
    },
    "secretary": {"community": OK, "edit_zhang": OK, "nancun": MISSING},
    "supervisor": {  # read-mostly over the whole street office
        "community": OK,
        "nancun": OK,
        "nancun_household": OK,
        "resident_zhang": OK,
        "edit_zhang": FORBIDDEN,
        "new_household_b3": FORBIDDEN,
        "search": OK,
    },
    "outsider": {
        "community": MISSING,
        "building3": MISSING,
        "household_own": MISSING,
        "resident_zhang": MISSING,
        "edit_zhang": MISSING,
        "nancun": OK,
        "nancun_household": OK,
    },
}


@pytest.mark.parametrize(
    ("persona", "page", "expected"),
    [(p, page, exp) for p, pages in MATRIX.items() for page, exp in pages.items()],
)
def test_registry_permission_matrix(world, as_user, persona, page, expected):
    client = as_user(world.people[persona])
    response = client.get(_pages(world)[page])
    assert response.status_code == expected, (persona, page, response.status_code)


@pytest.mark.parametrize("page", ["community", "household_own", "resident_zhang", "search"])
def test_anonymous_is_sent_to_log_in(world, client, page):
    response = client.get(_pages(world)[page])
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_leader_of_building_3_cannot_post_an_edit_to_building_4(world, as_user):
    client = as_user(world.leader)
    url = reverse("registry:resident_edit", args=[world.wang_wu.pk])
    response = client.post(url, {"name": "篡改", "relation": "head", "tenure": "owner"})
    assert response.status_code == 404
    world.wang_wu.refresh_from_db()
    assert world.wang_wu.name == "王五"


def test_outsider_cannot_reveal_an_id_number(world, as_user):
    client = as_user(world.outsider)
    url = reverse("registry:resident_reveal", args=[world.zhang_san.pk, "id_number"])
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_leader_may_not_reveal_an_id_number(world, as_user):
    client = as_user(world.leader)
    url = reverse("registry:resident_reveal", args=[world.zhang_san.pk, "id_number"])
    assert client.post(url, {"reason": "x"}).status_code == 403
