"""The secretary's settings page: categories with time limits and extra questions, handling
teams and their members, the holiday calendar — and everyone else refused."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.urls import reverse

from linli.core.models import Event, Holiday
from linli.tickets.models import Category, HandlingTeam

pytestmark = pytest.mark.django_db

URL = "tickets:categories"


def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _cat(tw, **over):
    data = {
        "code": "noise",
        "name": "噪音扰民",
        "name_en": "Noise",
        "description": "夜间噪音",
        "default_team": tw.repair_team.pk,
        "respond_within_hours": 12,
        "resolve_within_workdays": 3,
        "active": "on",
        "attributes": "",
    }
    data.update(over)
    return data


QUESTIONS = [
    {
        "code": "time",
        "description": "什么时候?",
        "datatype": "singlevaluelist",
        "required": True,
        "values": [{"key": "night", "name": "夜里"}, {"key": "day", "name": "白天"}],
    },
    {"code": "source", "description": "哪里来的?", "datatype": "string"},
]


def test_secretary_sees_categories_teams_and_holidays(tw, as_user):
    r = as_user(tw.secretary).get(reverse(URL, args=["xincun"]))
    page = r.content.decode()
    assert r.status_code == 200
    assert tw.water.name in page and tw.lights.name in page and tw.repair_team.name in page
    assert tw.handler.get_full_name() in page
    assert tw.nancun_cat.name + "<" not in page


def test_create_a_category_with_extra_questions(tw, as_user):
    c = as_user(tw.secretary)
    r = c.post(
        reverse(URL, args=["xincun"]),
        _cat(tw, attributes=json.dumps(QUESTIONS, ensure_ascii=False)),
    )
    assert r.status_code == 302
    cat = Category.objects.get(community=tw.xincun, code="noise")
    assert (cat.respond_within_hours, cat.resolve_within_workdays) == (12, 3)
    assert cat.default_team == tw.repair_team
    assert [a["code"] for a in cat.attributes] == ["time", "source"]
    assert cat.attributes[1]["datatype"] == "string" and cat.attributes[1]["required"] is False
    event = Event.objects.get(verb="category.saved")
    assert event.actor == tw.secretary and event.data["created"] is True
    # The resident's form now asks the questions.
    page = as_user(tw.resident).get(reverse("tickets:submit")).content.decode()
    assert "什么时候?" in page and "夜里" in page


def test_the_extra_questions_are_checked_when_reporting(tw, as_user):
    as_user(tw.secretary).post(
        reverse(URL, args=["xincun"]), _cat(tw, attributes=json.dumps(QUESTIONS))
    )
    cat = Category.objects.get(code="noise")
    c = en(as_user(tw.resident))
    data = {
        "category": cat.pk,
        "description": "吵",
        "place": "home",
        "household": tw.hh_3_2_501.pk,
        "contact_preference": "in_app",
    }
    r = c.post(reverse("tickets:submit"), data)
    assert r.status_code == 400 and "什么时候?" in r.content.decode()
    assert not cat.tickets.exists()
    data[f"attr_{cat.pk}_0"] = "night"
    assert c.post(reverse("tickets:submit"), data).status_code == 302
    assert cat.tickets.get().attributes == {"time": "night"}


@pytest.mark.parametrize(
    "attributes, message",
    [
        ("[{", "not valid JSON"),
        ('{"code": "x"}', "must be a list"),
        ('[{"code": "a b", "description": "x"}]', "needs a code"),
        ('[{"code": "a", "description": ""}]', "needs a description"),
        ('[{"code": "a", "description": "x", "datatype": "colour"}]', "datatype must be one of"),
        ('[{"code": "a", "description": "x", "datatype": "singlevaluelist"}]', "list of values"),
        ('[{"code": "a", "description": "x"}, {"code": "a", "description": "y"}]', "Two questions"),
        ('[{"code": "a", "description": "x", "required": "yes"}]', "true or false"),
    ],
)
def test_bad_extra_questions_are_refused_with_nothing_saved(tw, as_user, attributes, message):
    r = en(as_user(tw.secretary)).post(
        reverse(URL, args=["xincun"]), _cat(tw, attributes=attributes)
    )
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not Category.objects.filter(code="noise").exists()


def test_bad_category_fields_are_refused(tw, as_user):
    c = en(as_user(tw.secretary))
    r = c.post(reverse(URL, args=["xincun"]), _cat(tw, code="water"))
    assert r.status_code == 400 and "already a category" in r.content.decode()
    r = c.post(reverse(URL, args=["xincun"]), _cat(tw, code="Bad Code"))
    assert r.status_code == 400
    r = c.post(reverse(URL, args=["xincun"]), _cat(tw, respond_within_hours=0))
    assert r.status_code == 400
    other_team = HandlingTeam.objects.create(community=tw.nancun, name="南村组")
    r = c.post(reverse(URL, args=["xincun"]), _cat(tw, default_team=other_team.pk))
    assert r.status_code == 400
    assert not Category.objects.filter(code="noise").exists()


def test_edit_a_category_keeps_its_code(tw, as_user):
    c = as_user(tw.secretary)
    url = reverse("tickets:category_edit", args=["xincun", tw.water.pk])
    page = c.get(url).content.decode()
    assert "几楼?" in page and 'name="code"' not in page
    r = c.post(url, _cat(tw, code="changed", name="水管", active="", attributes="[]"))
    assert r.status_code == 302
    tw.water.refresh_from_db()
    assert (tw.water.code, tw.water.name, tw.water.active, tw.water.attributes) == (
        "water",
        "水管",
        False,
        [],
    )
    # An inactive category is no longer offered to residents.
    page = as_user(tw.resident).get(reverse("tickets:submit")).content.decode()
    assert f'name="category" value="{tw.water.pk}"' not in page
    assert f'name="category" value="{tw.lights.pk}"' in page


def test_another_communitys_category_cannot_be_edited_here(tw, as_user):
    url = reverse("tickets:category_edit", args=["xincun", tw.nancun_cat.pk])
    assert as_user(tw.secretary).get(url).status_code == 404


def test_teams_create_add_and_remove_members(tw, as_user):
    c = as_user(tw.secretary)
    assert (
        c.post(
            reverse("tickets:team_create", args=["xincun"]), {"name": "保洁组", "active": "on"}
        ).status_code
        == 302
    )
    team = HandlingTeam.objects.get(name="保洁组")
    members = reverse("tickets:team_members", args=["xincun", team.pk])
    assert c.post(members, {"op": "add", "user": tw.volunteer.pk}).status_code == 302
    assert list(team.members.all()) == [tw.volunteer]
    # A resident without a working role, or someone of another community, cannot join.
    assert c.post(members, {"op": "add", "user": tw.resident.pk}).status_code == 400
    assert c.post(members, {"op": "add", "user": tw.outsider.pk}).status_code == 400
    assert c.post(members, {"op": "remove", "user": tw.volunteer.pk}).status_code == 302
    assert not team.members.exists()
    r = en(c).post(reverse("tickets:team_create", args=["xincun"]), {"name": "保洁组"})
    assert r.status_code == 400 and "already a team" in r.content.decode()
    assert (
        c.post(
            reverse("tickets:team_edit", args=["xincun", team.pk]), {"name": "保洁组"}
        ).status_code
        == 302
    )
    team.refresh_from_db()
    assert not team.active
    assert Event.objects.filter(verb="team.saved", object_id=team.pk).count() == 4


def test_holidays(tw, as_user):
    c = as_user(tw.secretary)
    url = reverse("tickets:holiday_add", args=["xincun"])
    day = dt.date.today() + dt.timedelta(days=30)
    assert c.post(url, {"date": day.isoformat(), "name": "社区活动日"}).status_code == 302
    h = Holiday.objects.get(community_id=tw.xincun.pk)
    assert h.date == day and not h.is_workday
    r = en(c).post(url, {"date": day.isoformat(), "name": "again"})
    assert r.status_code == 400 and "already in the calendar" in r.content.decode()
    assert c.post(url, {"date": "", "name": "x"}).status_code == 400
    assert Holiday.objects.filter(community_id=tw.xincun.pk).count() == 1
    assert Event.objects.filter(verb="holiday.added").count() == 1
    assert "社区活动日" in c.get(reverse(URL, args=["xincun"])).content.decode()


@pytest.mark.parametrize(
    "persona, status",
    [
        ("staff", 403),
        ("resident", 403),
        ("leader", 403),
        ("grid_worker", 403),
        ("volunteer", 403),
        ("supervisor", 403),
        ("outsider", 404),
    ],
)
def test_only_the_secretary_manages_categories(tw, as_user, persona, status):
    c = as_user(getattr(tw, persona))
    assert c.get(reverse(URL, args=["xincun"])).status_code == status
    assert c.post(reverse(URL, args=["xincun"]), _cat(tw)).status_code == status
    assert (
        c.get(reverse("tickets:category_edit", args=["xincun", tw.water.pk])).status_code == status
    )
    assert (
        c.post(reverse("tickets:team_create", args=["xincun"]), {"name": "x"}).status_code == status
    )
    assert (
        c.post(
            reverse("tickets:team_members", args=["xincun", tw.repair_team.pk]),
            {"op": "remove", "user": tw.handler.pk},
        ).status_code
        == status
    )
    assert (
        c.post(
            reverse("tickets:holiday_add", args=["xincun"]), {"date": "2099-01-01", "name": "x"}
        ).status_code
        == status
    )
    assert not Category.objects.filter(code="noise").exists()
    assert tw.repair_team.members.filter(pk=tw.handler.pk).exists()
    assert not Holiday.objects.filter(community_id=tw.xincun.pk).exists()


def test_outsider_secretary_of_nancun_gets_404_on_xincun(tw, as_user):
    from tests.factories import grant, make_user

    sec = make_user("nancun_sec")
    grant(sec, "secretary", tw.nancun)
    assert as_user(sec).get(reverse(URL, args=["xincun"])).status_code == 404
    assert as_user(sec).get(reverse(URL, args=["nancun"])).status_code == 200
