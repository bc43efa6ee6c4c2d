"""The home page per role (issue 11, item 9): a handler's, a building leader's and a grid
worker's home shows "my tasks" (given to me or my team; overdue; due soon); staff homes carry
no elder-mode card and no "my roles" card; a building leader's registry page is headed with
their building and its counts; a street supervisor sees each community side by side, not the
sum. Query counts stay the same as the rows grow."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linli.tickets.models import Status, Ticket
from tests.factories import make_household

pytestmark = pytest.mark.django_db


def _count(html: str, testid: str, key: str) -> int:
    section = html.split(f'data-testid="{testid}"', 1)[1]
    return int(re.search(rf'data-count="{key}">(\d+)<', section).group(1))


def _give(submit, tw, n, *, to_team=True, overdue=False, due_in=None):
    out = []
    for _ in range(n):
        t = submit()
        if to_team:
            t.assignee_team = tw.repair_team
        t.status = Status.ASSIGNED
        if overdue:
            t.resolve_by = timezone.now() - dt.timedelta(days=1)
        elif due_in is not None:
            t.resolve_by = timezone.now() + due_in
        else:
            t.resolve_by = timezone.now() + dt.timedelta(days=10)
        t.save()
        out.append(t)
    return out


def test_a_handler_sees_the_tasks_of_his_team_overdue_first(tw, submit, as_user):
    late = _give(submit, tw, 1, overdue=True)[0]
    _give(submit, tw, 1, due_in=dt.timedelta(hours=20))
    _give(submit, tw, 2)
    submit(category=tw.lights)  # no default team: not his task
    html = as_user(tw.handler).get("/").content.decode()
    assert 'data-testid="my-tasks"' in html
    assert _count(html, "my-tasks", "total") == 4
    assert _count(html, "my-tasks", "overdue") == 1
    assert _count(html, "my-tasks", "due_soon") == 1
    first = html.split('data-testid="my-tasks"', 1)[1].split("data-ticket=", 2)[1]
    assert first.startswith(f'"{late.pk}"'), "the overdue task is not first"
    assert reverse("tickets:detail", args=[late.pk]) in html


def test_overdue_is_the_metrics_rule(tw, submit, as_user):
    """A request not yet accepted past its response deadline is overdue too (metrics.overdue_q)."""
    t = submit()
    Ticket.objects.filter(pk=t.pk).update(
        assignee_user=tw.handler, respond_by=timezone.now() - dt.timedelta(hours=1)
    )
    html = as_user(tw.handler).get("/").content.decode()
    assert _count(html, "my-tasks", "overdue") == 1


@pytest.mark.parametrize("who", ["leader", "grid_worker", "staff", "handler"])
def test_workers_have_a_tasks_card_residents_do_not(tw, as_user, who):
    html = as_user(getattr(tw, who)).get("/").content.decode()
    assert 'data-testid="my-tasks"' in html
    resident = as_user(tw.resident).get("/").content.decode()
    assert 'data-testid="my-tasks"' not in resident


@pytest.mark.parametrize("who", ["staff", "secretary", "leader", "grid_worker", "supervisor"])
def test_staff_homes_have_no_elder_card_nor_roles_card(world, as_user, who):
    html = as_user(getattr(world, who)).get("/").content.decode()
    assert 'data-testid="elder-home-switch"' not in html
    assert 'id="roles-h"' not in html
    assert 'data-testid="my-roles-line"' in html
    assert 'data-testid="elder-switch"' in html  # the header's switch stays


def test_residents_and_visitors_keep_the_elder_card(world, as_user):
    for user in (None, world.resident):
        html = as_user(user).get("/").content.decode()
        assert 'data-testid="elder-home-switch"' in html
    assert 'id="roles-h"' in as_user(world.resident).get("/").content.decode()


def test_a_building_leaders_registry_page_is_headed_with_the_building(world, as_user):
    make_household(world.b4, world.b4.units.first(), "102")  # not the leader's
    url = reverse("registry:community", args=[world.xincun.code])
    html = as_user(world.leader).get(url).content.decode()
    heading = re.search(r'data-testid="registry-heading">([^<]*)<', html).group(1)
    assert heading == "3号楼"
    # Building 3 has 2 households and 2 residents: its counts, not the community's 5.
    assert "2 户" in html.split("registry-heading", 1)[1].split("</p>", 1)[0]
    office = as_user(world.staff).get(url).content.decode()
    assert re.search(r'data-testid="registry-heading">([^<]*)<', office).group(1) == "新村社区"


def test_a_grid_workers_page_is_headed_with_the_grid(world, as_user):
    url = reverse("registry:community", args=[world.xincun.code])
    html = as_user(world.grid_worker).get(url).content.decode()
    assert re.search(r'data-testid="registry-heading">([^<]*)<', html).group(1) == "第一网格"


def test_the_street_supervisor_sees_each_community_side_by_side(tw, submit, as_user):
    _give(submit, tw, 2, overdue=True)
    html = as_user(tw.supervisor).get("/").content.decode()
    assert 'data-testid="street-communities"' in html
    assert 'data-testid="home-tiles"' not in html  # not the sum
    rows = html.split('data-testid="street-communities"', 1)[1]
    xin = rows.split('data-community="xincun"', 1)[1].split("</tr>", 1)[0]
    nan = rows.split('data-community="nancun"', 1)[1].split("</tr>", 1)[0]
    assert 'data-count="open">2<' in xin and 'data-count="overdue">2<' in xin
    assert 'data-count="open">0<' in nan
    # The secretary of one community keeps her tiles.
    sec = as_user(tw.secretary).get("/").content.decode()
    assert 'data-testid="home-tiles"' in sec and 'data-testid="street-communities"' not in sec


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx.captured_queries)


def test_home_queries_do_not_grow_with_the_rows(tw, submit, as_user):
    handler = as_user(tw.handler)
    _give(submit, tw, 2)
    for_handler = _queries(handler)
    _give(submit, tw, 12, overdue=True)
    assert _queries(handler) == for_handler
    supervisor = as_user(tw.supervisor)
    for_supervisor = _queries(supervisor)
    _give(submit, tw, 12)
    assert _queries(supervisor) == for_supervisor
    print(f"home page: handler {for_handler} queries, supervisor {for_supervisor}")


def test_home_query_budget(tw, submit, as_user, django_assert_max_num_queries):
    _give(submit, tw, 30)
    for user in (tw.handler, tw.supervisor, tw.leader):
        client = as_user(user)
        with django_assert_max_num_queries(14):
            client.get("/")
