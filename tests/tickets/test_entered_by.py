"""A request entered by someone for another person says so on its timeline (issue 11, item
13): "梁洁 代 黄海辉 登记", not "收到诉求 · 梁洁" as if the clerk had asked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.tickets import services

pytestmark = pytest.mark.django_db


def timeline(client, t) -> str:
    page = client.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    return page.split('data-testid="timeline"')[1].split("</ol>")[0]


@pytest.fixture
def entered(tw):
    tw.staff.display_name = "梁洁"
    tw.staff.save()
    return services.ticket_intake(
        actor=tw.staff,
        category=tw.water,
        channel="phone",
        description="楼道水管漏水",
        requester_name="黄海辉",
        requester_phone="13912345678",
        household=tw.hh_3_2_501,
    )


@pytest.mark.parametrize("who", ["staff", "secretary", "leader"])
def test_the_staff_timeline_names_who_entered_it_and_for_whom(tw, as_user, entered, who):
    text = timeline(as_user(getattr(tw, who)), entered)
    assert "梁洁 代 黄海辉 登记" in text


def test_in_english_too(tw, as_user, entered):
    client = as_user(tw.staff)
    page = client.get(
        reverse("tickets:detail", args=[entered.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "entered by 梁洁 for 黄海辉" in page


def test_a_request_entered_by_its_requester_names_only_them(tw, as_user, submit):
    t = submit()
    text = timeline(as_user(tw.staff), t)
    assert " 代 " not in text and "登记" not in text


def test_residents_see_no_other_names_on_their_timeline(tw, as_user, entered):
    # The household's resident follows a request entered for 黄海辉; they read no staff name.
    r = as_user(tw.resident).get(reverse("tickets:detail", args=[entered.pk]))
    if r.status_code == 200:
        text = timeline(as_user(tw.resident), entered)
        assert "梁洁" not in text and " 代 " not in text
    else:
        assert r.status_code in (403, 404)
