"""What the public reads of a request (issue 9, finding 5; FixMyStreet's practice): only
public requests, their moderated public text — never the description as typed, a staff reply,
a name, a phone, an ID number or a room — and the office's moderation of it."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from linli.core.models import Event
from linli.core.public import REMOVED, scrub_public_text
from linli.tickets import services
from linli.tickets.models import Channel, Ticket
from tests.factories import VALID_ID, make_resident

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"

# What the probe typed into #641: a name, a phone, an ID number and the room, as people write.
PROBE_TEXT = (
    "我是梁秀英，电话13812341234，身份证11010519491231002X，住3号楼2单元501室，"
    "老母亲一个人在家，厨房水管漏水。"
)


# --- the scrubber --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "住3号楼2单元501室",
        "3栋2单元501",
        "3幢2单元501号",
        "三号楼二单元501",
        "３号楼２单元５０１室",
        "3号楼501室",
        "3#2-501",
        "住在3-2-501",
        "住在3-501",
        "501室",
        "1202号房",
    ],
)
def test_scrubber_removes_a_room_in_every_written_form(text):
    out = scrub_public_text(text)
    assert not re.search(r"501|５０１|1202", out), out
    assert REMOVED in out


@pytest.mark.parametrize(
    "phone",
    ["13812341234", "138 1234 5678", "138-1234-5678", "+86 13812341234", "0799-6638811"],
)
def test_scrubber_removes_phone_numbers(phone):
    out = scrub_public_text(f"请打{phone}联系")
    assert out == f"请打{REMOVED}联系"


def test_scrubber_removes_id_numbers_emails_and_masked_phones():
    out = scrub_public_text(
        f"身份证{VALID_ID}，旧证110105491231002，邮箱 liang@example.com，138****1234"
    )
    assert VALID_ID not in out and "110105491231002" not in out
    assert "liang@example.com" not in out and "1234" not in out


def test_scrubber_keeps_what_the_public_needs():
    text = "3号楼前的路灯坏了好几天了。3号楼2单元楼道灯全不亮，2026-11-25 来看过，花了200元。"
    assert scrub_public_text(text) == text


def test_scrubber_removes_registry_names_and_how_people_are_addressed(world):
    make_resident(world.hh_3_2_502, "梁秀英")
    out = scrub_public_text("梁秀英家漏水，梁阿姨您好，张三也说了", community=world.xincun)
    assert "梁秀英" not in out and "梁阿姨" not in out and "张三" not in out
    assert "漏水" in out and "您好" in out
    # Another community's residents are not this community's names.
    assert "赵六" in scrub_public_text("赵六", community=world.xincun)


def test_scrubber_loads_a_communitys_names_once(world, django_assert_num_queries):
    scrub_public_text("张三", community=world.xincun)  # loaded
    with django_assert_num_queries(0):
        for _ in range(50):
            assert "张三" not in scrub_public_text("张三在家", community=world.xincun)


def test_a_new_resident_is_scrubbed_at_once(world):
    assert "钱七" in scrub_public_text("钱七", community=world.xincun)  # names loaded
    make_resident(world.hh_4_1_101, "钱七")
    assert "钱七" not in scrub_public_text("钱七", community=world.xincun)


# --- the Open311 feed ----------------------------------------------------------------------


def _crawl(client) -> list[str]:
    """Every public answer an anonymous reader can get: the lists and each request, in JSON
    and XML."""
    client.logout()
    bodies = []
    ids = set()
    for fmt in ("json", "xml"):
        r = client.get(BASE + f"requests.{fmt}", {"start_date": "2000-01-01"})
        assert r.status_code == 200
        bodies.append(r.content.decode())
    for row in json.loads(bodies[0]):
        ids.add(row["service_request_id"])
    for pk in Ticket.objects.values_list("pk", flat=True):
        for fmt in ("json", "xml"):
            r = client.get(BASE + f"requests/{pk}.{fmt}")
            if r.status_code == 200:
                ids.add(pk)
            bodies.append(r.content.decode())
    return bodies, ids


@pytest.fixture
def demo_like(tw, submit):
    """Requests as the demo and the probe have them: a resident's own, one taken by phone for
    a named caller, one about a public spot, a reply addressed by name, a private one, a
    withdrawn one and a merged duplicate."""
    liang = make_resident(tw.hh_3_2_502, "梁秀英", phone="13900001111", id_number=VALID_ID)
    own = submit(description=PROBE_TEXT)
    phoned = services.ticket_intake(
        actor=tw.staff,
        category=tw.water,
        channel=Channel.PHONE,
        description="梁秀英打电话说3-2-502卫生间漏水，回电13900001111",
        requester_name="梁秀英",
        requester_phone="13900001111",
        household=tw.hh_3_2_502,
    )
    spot = submit(
        category=tw.lights,
        household=None,
        building=tw.b4,
        location_text="4号楼北侧，王五家(4-1-101)门口",
        description="路灯不亮，王五说的",
    )
    services.ticket_assign(actor=tw.staff, ticket=own, team=tw.repair_team)
    services.ticket_claim(actor=tw.handler, ticket=own)
    services.ticket_resolve(actor=tw.handler, ticket=own, result="换了阀门")
    services.ticket_reply(
        actor=tw.staff, ticket=own, body="梁阿姨您好，师傅已修好，有事打13700001234"
    )
    private = submit(description="私事：楼上漏水", private=True)
    withdrawn = submit(description="已经自己修好了")
    services.ticket_withdraw(actor=tw.resident, ticket=withdrawn)
    dup = submit(description="又漏了，3-2-501")
    original = submit(description="厨房漏水")
    services.ticket_mark_duplicate(actor=tw.staff, ticket=dup, original=original)
    return {
        "liang": liang,
        "own": own,
        "phoned": phoned,
        "spot": spot,
        "private": private,
        "withdrawn": withdrawn,
        "dup": dup,
        "original": original,
    }


def test_anonymous_open311_crawl_shows_no_phone_id_room_or_registry_name(client, tw, demo_like):
    bodies, ids = _crawl(client)
    names = ["张三", "李四", "王五", "梁秀英", "梁阿姨", tw.resident.get_full_name()]
    text = "\n".join(bodies)
    for secret in [*names, "13812341234", "13900001111", "13700001234", VALID_ID]:
        assert secret not in text, secret
    for room in ("3-2-501", "3-2-502", "4-1-101", "501", "502", "101室", "4-1"):
        assert room not in text, room
    assert not re.search(r"1[3-9]\d{9}", text)  # no mobile number at all
    assert "师傅已修好" not in text  # the reply is to the requester, not the public
    assert {demo_like["own"].pk, demo_like["phoned"].pk, demo_like["spot"].pk} <= ids


def test_private_withdrawn_and_merged_requests_are_not_published(client, tw, demo_like):
    _bodies, ids = _crawl(client)
    for name in ("private", "withdrawn", "dup"):
        assert demo_like[name].pk not in ids, name
    r = client.get(BASE + f"requests/{demo_like['private'].pk}.json")
    assert r.status_code == 404  # answered as an unknown request: no oracle
    assert demo_like["original"].pk in ids


def test_a_category_that_is_not_public_is_not_published(client, tw, submit):
    t = submit(description="隔壁装修吵")
    tw.water.public = False
    tw.water.save()
    assert client.get(BASE + f"requests/{t.pk}.json").status_code == 404
    assert t.pk not in {r["service_request_id"] for r in client.get(BASE + "requests.json").json()}


def test_the_public_text_is_scrubbed_when_the_request_is_made(tw, submit):
    t = submit(description=PROBE_TEXT)
    assert t.description == PROBE_TEXT  # the office reads what was written
    for secret in ("13812341234", VALID_ID, "3号楼2单元501室", "501"):
        assert secret not in t.public_text
    assert "厨房水管漏水" in t.public_text


def test_the_resident_can_ask_to_keep_it_private_on_the_form(as_user, tw):
    c = as_user(tw.resident)
    page = c.get("/requests/new/")
    html = page.content.decode()
    assert 'data-testid="public-notice"' in html and 'name="private"' in html
    r = c.post(
        "/requests/new/",
        {
            "category": tw.water.pk,
            "description": "漏水",
            "place": "home",
            "household": tw.hh_3_2_501.pk,
            "contact_preference": "in_app",
            "private": "on",
        },
    )
    assert r.status_code == 302
    assert Ticket.objects.get().private is True


def test_the_resident_can_ask_to_keep_it_private_through_the_api(as_user, tw):
    c = as_user(tw.resident)
    r = c.post(
        "/api/tickets/",
        {
            "category_id": tw.water.pk,
            "description": "漏水",
            "household_id": tw.hh_3_2_501.pk,
            "private": True,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert Ticket.objects.get(pk=r.json()["id"]).private is True


# --- moderation ----------------------------------------------------------------------------


def test_staff_edit_of_the_public_text_shows_publicly_and_is_logged(as_user, client, tw, submit):
    t = submit(description="厨房水管漏水，张三")
    c = as_user(tw.staff)
    page = c.get(f"/requests/{t.pk}/").content.decode()
    assert 'data-testid="public-text"' in page and 'data-action="moderate"' in page
    r = c.post(
        f"/requests/{t.pk}/public/",
        {"public_text": "3号楼厨房水管漏水，请打13812341234"},
    )
    assert r.status_code == 302
    t.refresh_from_db()
    # A phone typed back in is removed again; the rest is the office's text.
    assert t.public_text == f"3号楼厨房水管漏水，请打{REMOVED}"
    client.logout()
    got = client.get(BASE + f"requests/{t.pk}.json").json()[0]
    assert got["description"] == t.public_text
    ev = Event.objects.get(verb="ticket.moderated", object_id=t.pk)
    assert ev.actor_id == tw.staff.pk
    assert "漏水" not in json.dumps(ev.data, ensure_ascii=False)  # no text in the event


def test_staff_can_hide_a_request_from_the_public(as_user, client, tw, submit):
    t = submit()
    as_user(tw.staff).post(f"/requests/{t.pk}/public/", {"public_text": "漏水", "hidden": "on"})
    client.logout()
    assert client.get(BASE + f"requests/{t.pk}.json").status_code == 404


@pytest.mark.parametrize("who", ["resident", "leader", "grid_worker", "handler", "supervisor"])
def test_only_the_office_moderates(as_user, tw, submit, who):
    t = submit()
    r = as_user(getattr(tw, who)).post(f"/requests/{t.pk}/public/", {"public_text": "改了"})
    assert r.status_code == 403
    t.refresh_from_db()
    assert t.public_text != "改了"
    assert not Event.objects.filter(verb="ticket.moderated").exists()


def test_another_communitys_office_gets_404_on_moderation(as_user, tw, submit):
    t = submit()
    r = as_user(tw.outsider).post(f"/requests/{t.pk}/public/", {"public_text": "改了"})
    assert r.status_code == 404


def test_moderation_refuses_a_text_too_long_and_saves_nothing(as_user, tw, submit):
    t = submit()
    before = t.public_text
    r = as_user(tw.staff).post(f"/requests/{t.pk}/public/", {"public_text": "长" * 2001})
    assert r.status_code == 400
    t.refresh_from_db()
    assert t.public_text == before


def test_open311_xml_of_a_moderated_request_parses(client, tw, submit):
    t = submit(description="漏水\x01了")
    r = client.get(BASE + f"requests/{t.pk}.xml")
    root = ET.fromstring(r.content)  # noqa: S314 — our own answer
    assert root.find("request/description").text.startswith("漏水")


def test_the_migration_fills_the_public_text_of_existing_requests(tw, submit):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("linli.tickets.migrations.0005_public_text")
    t = submit(description=PROBE_TEXT)
    phoned = services.ticket_intake(
        actor=tw.staff,
        category=tw.water,
        channel=Channel.PHONE,
        description="钱老师来电：水管漏水",
        requester_name="钱老师",
        requester_phone="13900001111",
        household=tw.hh_3_2_502,
    )
    Ticket.objects.update(public_text="")  # as before the migration
    migration.fill_public_text(apps, None)
    t.refresh_from_db()
    phoned.refresh_from_db()
    assert "厨房水管漏水" in t.public_text
    for secret in ("13812341234", VALID_ID, "501"):
        assert secret not in t.public_text
    assert "钱老师" not in phoned.public_text and "漏水" in phoned.public_text
