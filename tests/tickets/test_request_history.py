"""A household's page and a resident's page show their own request history (issue 11, item
13): paginated, scoped to what the viewer may see, with constant query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.tickets import services
from linli.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def hh_url(tw):
    return reverse("registry:household", args=[tw.hh_3_2_501.pk])


def res_url(tw):
    return reverse("registry:resident", args=[tw.zhang_san.pk])


def history(page: str) -> str:
    if 'data-testid="request-history"' not in page:
        return ""
    return page.split('data-testid="request-history"')[1].split("</section>")[0]


@pytest.fixture
def asked(tw, submit):
    mine = submit(description="厨房水管漏水")
    other = services.ticket_intake(
        actor=tw.staff,
        category=tw.lights,
        channel="phone",
        description="门口灯坏了",
        requester_name="李四",
        requester_phone="13900005678",
        household=tw.hh_3_2_501,
    )
    elsewhere = services.ticket_intake(
        actor=tw.staff,
        category=tw.water,
        channel="phone",
        description="4号楼漏水",
        requester_name="王五",
        household=tw.hh_4_1_101,
    )
    return mine, other, elsewhere


@pytest.mark.parametrize("who", ["staff", "secretary", "leader", "grid_worker"])
def test_keepers_see_every_request_of_the_household(tw, as_user, asked, who):
    mine, other, elsewhere = asked
    box = history(as_user(getattr(tw, who)).get(hh_url(tw)).content.decode())
    assert f"#{mine.pk}" in box and f"#{other.pk}" in box
    assert f"#{elsewhere.pk}" not in box
    assert reverse("tickets:detail", args=[mine.pk]) in box


def test_the_resident_page_lists_what_that_resident_asked(tw, as_user, asked):
    mine, other, _ = asked
    box = history(as_user(tw.staff).get(res_url(tw)).content.decode())
    assert f"#{mine.pk}" in box and f"#{other.pk}" not in box


def test_a_resident_sees_only_the_requests_they_may_see(tw, as_user, asked):
    mine, other, _ = asked
    c = as_user(tw.resident)
    box = history(c.get(hh_url(tw)).content.decode())
    assert f"#{mine.pk}" in box and f"#{other.pk}" not in box
    assert f"#{mine.pk}" in history(c.get(res_url(tw)).content.decode())


def test_a_household_without_requests_shows_no_empty_section(tw, as_user):
    page = as_user(tw.staff).get(hh_url(tw)).content.decode()
    assert 'data-testid="request-history"' not in page


def test_others_do_not_reach_the_pages(tw, as_user, asked):
    for who in ("outsider", "other_resident"):
        assert as_user(getattr(tw, who)).get(hh_url(tw)).status_code == 404, who
        assert as_user(getattr(tw, who)).get(res_url(tw)).status_code == 404, who


def _many(tw, n):
    for i in range(n):
        services.ticket_intake(
            actor=tw.staff,
            category=tw.water,
            channel="phone",
            description=f"第{i}次",
            requester_name="张三",
            household=tw.hh_3_2_501,
        )


def test_history_is_paginated_with_its_own_parameter(tw, as_user):
    _many(tw, 12)
    c = as_user(tw.staff)
    first = history(c.get(hh_url(tw)).content.decode())
    assert first.count("<li>") == 10 and "requests_page=2" in first
    second = history(c.get(hh_url(tw), {"requests_page": 2}).content.decode())
    assert second.count("<li>") == 2
    newest = Ticket.objects.order_by("-created_at", "-id").first()
    assert f"#{newest.pk}" in first and f"#{newest.pk}" not in second
    # A bad page number shows a page, not an error.
    assert c.get(hh_url(tw), {"requests_page": "x"}).status_code == 200
    assert c.get(hh_url(tw), {"requests_page": "999"}).status_code == 200


@pytest.mark.parametrize("n", [2, 40])
def test_query_counts_do_not_grow(tw, as_user, django_assert_max_num_queries, n):
    _many(tw, n)
    c = as_user(tw.staff)
    c.get(hh_url(tw))
    with django_assert_max_num_queries(18):
        assert c.get(hh_url(tw)).status_code == 200
    with django_assert_max_num_queries(18):
        assert c.get(res_url(tw)).status_code == 200
