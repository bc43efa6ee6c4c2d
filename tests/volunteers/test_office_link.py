"""The office finds the volunteer service overview from the volunteers' home page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_office_finds_the_overview_and_a_volunteer_does_not(teams, as_user):
    w = teams.world
    url = reverse("volunteers:office", args=["xincun"])
    staff = as_user(w.staff)
    assert url in staff.get(reverse("volunteers:home")).content.decode()
    assert staff.get(url).status_code == 200
    body = as_user(teams.member).get(reverse("volunteers:home")).content.decode()
    assert "volunteers-office" not in body
