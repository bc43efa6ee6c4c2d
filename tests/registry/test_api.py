import pytest

pytestmark = pytest.mark.django_db


def test_api_search_is_scoped_like_the_pages(world, as_user):
    data = as_user(world.staff).get("/api/registry/search", {"q": "zs"}).json()
    assert [r["name"] for r in data["residents"]] == ["张三"]
    assert data["residents"][0]["id_number_masked"] == "110105************"
    assert as_user(world.volunteer).get("/api/registry/search", {"q": "zs"}).status_code == 403


def test_api_household_404_for_an_outsider_and_anonymous_401(world, as_user, client):
    url = f"/api/registry/households/{world.hh_3_2_501.pk}"
    assert client.get(url).status_code == 401
    assert as_user(world.outsider).get(url).status_code == 404
    data = as_user(world.resident).get(url).json()
    assert data["label"] == "3-2-501" and len(data["residents"]) == 2


def test_openapi_schema_is_served(client):
    assert client.get("/api/openapi.json").status_code == 200


def test_a_nul_character_is_never_a_server_error(world, as_user):
    import json

    from linli.tickets.models import Category

    cat = Category.objects.create(community=world.xincun, code="misc", name="其他")
    client = as_user(world.resident)
    body = {
        "category": cat.code,
        "channel": "web",
        "description": "漏水\u0000",
        "household_id": world.hh_3_2_501.pk,
    }
    r = client.post("/api/tickets/", json.dumps(body), content_type="application/json")
    assert r.status_code in (201, 400, 422), r.content
