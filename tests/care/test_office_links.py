"""The office finds the care register, coverage and love lunches from "my visits" (the nav's
care link); a volunteer sees only what they may open; every link answers them 200."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _links(client):
    import re

    body = client.get(reverse("care:mine")).content.decode()
    return set(re.findall(r'href="(/care/c/[^"]+)"', body))


def test_the_office_finds_register_coverage_and_meals(care, world, as_user):
    c = as_user(world.staff)
    links = _links(c)
    assert reverse("care:register", args=["xincun"]) in links
    assert reverse("care:coverage", args=["xincun"]) in links
    assert reverse("care:meals", args=["xincun"]) in links
    assert all(c.get(u).status_code == 200 for u in links)
    assert not any("nancun" in u for u in links)


def test_a_volunteer_sees_only_the_love_lunches(care, world, as_user):
    c = as_user(world.volunteer)
    links = _links(c)
    assert links == {reverse("care:meals", args=["xincun"])}
    assert c.get(reverse("care:meals", args=["xincun"])).status_code == 200
