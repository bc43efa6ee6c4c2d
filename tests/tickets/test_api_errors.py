"""Every error path of the requests API: its HTTP status and its translated message, in both
languages, as they were before the per-router error decorator gave way to the one
``DomainError`` handler (api/api.py). A 409 for a move not possible now still names the
``allowed`` actions."""

import datetime as dt

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from linli.tickets import services
from linli.tickets.models import Channel

pytestmark = pytest.mark.django_db

API = "/api/tickets/"


def _post(client, url, payload, lang):
    return client.post(url, payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)


def _text(lang, msgid, params=None):
    with translation.override(lang):
        text = gettext(msgid)
    return text % params if params else text


# The actions' names as the refusal of a move not possible now gives them.
ACTION_LABELS = {
    "accept": "Accept",
    "assign": "Assign",
    "hold": "Put on hold",
    "reply": "Reply to the requester",
    "rate": "Rate",
    "mark_duplicate": "Mark as duplicate",
    "refer": "Refer elsewhere",
    "withdraw": "Withdraw",
}
SUBMITTED_ALLOWS = ["accept", "assign", "mark_duplicate", "refer", "withdraw"]


def _not_possible(lang, action):
    """The sentence refusing ``action`` on a submitted request, naming what is possible."""
    with translation.override(lang):
        return gettext(
            "This request is %(status)s; “%(action)s” is not possible now. Possible: %(allowed)s."
        ) % {
            "status": gettext("Submitted"),
            "action": gettext(ACTION_LABELS[action]),
            "allowed": ", ".join(gettext(ACTION_LABELS[a]) for a in SUBMITTED_ALLOWS),
        }


# (name, who, how to build the call from (tw, ticket), status, msgid, params or None, allowed?)
# ``url`` "" means the ticket's transitions endpoint.
CASES = [
    # --- creating ---
    (
        "unknown category",
        "resident",
        lambda tw, t: ("", {"category_id": 999999, "description": "x"}),
        400,
        "Please choose one of this community's request categories.",
        None,
        False,
    ),
    (
        "another community's category",
        "resident",
        lambda tw, t: ("", {"category_id": tw.nancun_cat.pk, "description": "x"}),
        400,
        "Please choose one of this community's request categories.",
        None,
        False,
    ),
    (
        "unknown room",
        "resident",
        lambda tw, t: (
            "",
            {"category_id": tw.water.pk, "description": "x", "household_id": 999999},
        ),
        400,
        "Unknown room.",
        None,
        False,
    ),
    (
        "unknown building",
        "staff",
        lambda tw, t: (
            "",
            {
                "category_id": tw.water.pk,
                "description": "x",
                "channel": "phone",
                "building_id": 999999,
            },
        ),
        400,
        "Unknown building.",
        None,
        False,
    ),
    (
        "unknown unit",
        "staff",
        lambda tw, t: (
            "",
            {"category_id": tw.water.pk, "description": "x", "channel": "phone", "unit_id": 999999},
        ),
        400,
        "Unknown unit.",
        None,
        False,
    ),
    (
        "empty description",
        "resident",
        lambda tw, t: (
            "",
            {"category_id": tw.water.pk, "description": "  ", "household_id": tw.hh_3_2_501.pk},
        ),
        400,
        "Please describe the problem.",
        None,
        False,
    ),
    (
        "no place",
        "resident",
        lambda tw, t: ("", {"category_id": tw.water.pk, "description": "漏水"}),
        400,
        "Please say where: a room, a building, or a place in the estate.",
        None,
        False,
    ),
    (
        "someone else's home",
        "resident",
        lambda tw, t: (
            "",
            {"category_id": tw.water.pk, "description": "漏水", "household_id": tw.hh_4_1_101.pk},
        ),
        400,
        "You can name only your own home; for another place choose the building or a spot.",
        None,
        False,
    ),
    (
        "intake without a requester",
        "staff",
        lambda tw, t: (
            "",
            {
                "category_id": tw.water.pk,
                "description": "漏水",
                "channel": "phone",
                "location_text": "3号楼",
            },
        ),
        400,
        "Give the requester's name or phone, or mark it anonymous.",
        None,
        False,
    ),
    (
        "half a map position",
        "staff",
        lambda tw, t: (
            "",
            {
                "category_id": tw.water.pk,
                "description": "漏水",
                "channel": "phone",
                "anonymous": True,
                "lat": "31.2",
            },
        ),
        400,
        "A map position needs both latitude and longitude.",
        None,
        False,
    ),
    (
        "staff reporting for themselves",
        "staff",
        lambda tw, t: (
            "",
            {"category_id": tw.water.pk, "description": "漏水", "location_text": "门口"},
        ),
        403,
        "You may not do this here.",
        None,
        False,
    ),
    # --- moving a request on ---
    (
        "unknown action",
        "staff",
        lambda tw, t: (None, {"action": "explode"}),
        400,
        "Unknown action: %(action)s",
        {"action": "explode"},
        True,
    ),
    (
        "not possible now",
        "staff",
        lambda tw, t: (None, {"action": "reply", "body": "x"}),
        409,
        "reply",
        None,
        True,
    ),
    (
        "stale version",
        "staff",
        lambda tw, t: (None, {"action": "accept", "version": 0}),
        409,
        "Someone else changed this request a moment ago. Please look again.",
        None,
        False,
    ),
    (
        "assign to nobody",
        "staff",
        lambda tw, t: (None, {"action": "assign"}),
        400,
        "Choose one: a person, a team, or an outside contractor.",
        None,
        False,
    ),
    (
        "assign to an unknown person",
        "staff",
        lambda tw, t: (None, {"action": "assign", "user_id": 999999}),
        400,
        "Unknown person.",
        None,
        False,
    ),
    (
        "assign to an unknown team",
        "staff",
        lambda tw, t: (None, {"action": "assign", "team_id": 999999}),
        400,
        "Unknown team.",
        None,
        False,
    ),
    (
        "assign to an outsider",
        "staff",
        lambda tw, t: (None, {"action": "assign", "user_id": tw.outsider.pk}),
        400,
        "This person holds no role in this community.",
        None,
        False,
    ),
    (
        "contractor without contact",
        "staff",
        lambda tw, t: (None, {"action": "assign", "external_handler": "水电公司"}),
        400,
        "Give the contractor's contact (phone or address).",
        None,
        False,
    ),
    (
        "hold without a date",
        "staff",
        lambda tw, t: (None, {"action": "hold", "reason": "等配件"}),
        400,
        "Give the date the work should resume.",
        None,
        False,
    ),
    (
        "hold without a reason",
        "staff",
        lambda tw, t: (
            None,
            {"action": "hold", "until": (timezone.localdate() + dt.timedelta(days=3)).isoformat()},
        ),
        400,
        "Say why the request is on hold.",
        None,
        False,
    ),
    (
        "hold not possible now",
        "staff",
        lambda tw, t: (
            None,
            {
                "action": "hold",
                "reason": "等配件",
                "until": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            },
        ),
        409,
        "hold",
        None,
        True,
    ),
    (
        "extend a new request",
        "staff",
        lambda tw, t: (None, {"action": "extend", "days": 3, "reason": "等配件"}),
        400,
        "Only a request still being worked on can be given more time.",
        None,
        False,
    ),
    (
        "duplicate without original",
        "staff",
        lambda tw, t: (None, {"action": "mark_duplicate"}),
        400,
        "Choose the original request.",
        None,
        False,
    ),
    (
        "duplicate of itself",
        "staff",
        lambda tw, t: (None, {"action": "mark_duplicate", "original_id": t.pk}),
        400,
        "Choose another request of this community as the original.",
        None,
        False,
    ),
    (
        "refer without reason",
        "staff",
        lambda tw, t: (None, {"action": "refer", "to": "街道"}),
        400,
        "Say where the request was referred and why.",
        None,
        False,
    ),
    (
        "a resident accepting",
        "resident",
        lambda tw, t: (None, {"action": "accept"}),
        403,
        "You may not do this here.",
        None,
        False,
    ),
    (
        "an outsider",
        "outsider",
        lambda tw, t: (None, {"action": "accept"}),
        404,
        "Not found.",
        None,
        False,
    ),
    # --- comments, replies, ratings ---
    (
        "unknown kind of note",
        "staff",
        lambda tw, t: ("comments", {"kind": "gossip", "body": "x"}),
        400,
        "Unknown kind of note.",
        None,
        False,
    ),
    (
        "empty note",
        "staff",
        lambda tw, t: ("comments", {"kind": "note", "body": " "}),
        400,
        "The note is empty.",
        None,
        False,
    ),
    (
        "a resident's internal note",
        "resident",
        lambda tw, t: ("comments", {"kind": "note", "body": "x"}),
        403,
        "You may not do this here.",
        None,
        False,
    ),
    (
        "empty reply",
        "staff",
        lambda tw, t: ("replies", {"body": " "}),
        400,
        "Write the reply to the requester.",
        None,
        False,
    ),
    (
        "reply not possible now",
        "staff",
        lambda tw, t: ("replies", {"body": "修好了"}),
        409,
        "reply",
        None,
        True,
    ),
    (
        "rating not possible now",
        "resident",
        lambda tw, t: ("rating", {"rating": "satisfied"}),
        409,
        "rate",
        None,
        True,
    ),
    (
        "staff rating",
        "staff",
        lambda tw, t: ("rating", {"rating": "satisfied"}),
        403,
        "You may not do this here.",
        None,
        False,
    ),
]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "name,who,call,status,msgid,params,allowed", CASES, ids=[c[0] for c in CASES]
)
def test_every_api_error_keeps_its_status_and_translated_message(
    tw, submit, as_user, lang, name, who, call, status, msgid, params, allowed
):
    t = submit()
    where, payload = call(tw, t)
    if where == "":
        url = API
    elif where is None:
        url = f"{API}{t.pk}/transitions"
    else:
        url = f"{API}{t.pk}/{where}"
    before = (t.version, t.status)
    r = _post(as_user(getattr(tw, who)), url, payload, lang)
    assert r.status_code == status, r.content
    body = r.json()
    if msgid in ACTION_LABELS:
        assert body["detail"] == _not_possible(lang, msgid)
    else:
        assert body["detail"] == _text(lang, msgid, params)
    if allowed:
        assert set(body["allowed"]) >= set(SUBMITTED_ALLOWS) - {"withdraw"}
    t.refresh_from_db()
    assert (t.version, t.status) == before  # nothing saved


def test_a_409_names_the_allowed_actions_in_the_reply(tw, submit, as_user):
    t = submit()
    services.ticket_accept(actor=tw.staff, ticket=t)
    r = _post(as_user(tw.staff), f"{API}{t.pk}/transitions", {"action": "close"}, "en")
    assert r.status_code == 409
    assert "assign" in r.json()["allowed"] and "close" not in r.json()["allowed"]
    assert "Assign" in r.json()["detail"]


def test_the_channel_of_a_web_report_stays_the_residents(tw, as_user):
    """A resident sending another channel is taking a request in, which they may not."""
    r = _post(
        as_user(tw.resident),
        API,
        {
            "category_id": tw.water.pk,
            "description": "漏水",
            "channel": Channel.PHONE,
            "anonymous": True,
            "location_text": "门口",
        },
        "en",
    )
    assert r.status_code == 403 and r.json()["detail"] == "You may not do this here."
