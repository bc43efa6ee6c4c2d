"""Hostile input: every form a persona can reach gets script, SQL, over-long, control and
astral-plane strings; uploads get damaged and disguised files. Nothing 500s, every page shows
the payloads escaped, and a refused request saves nothing.

The forms are found, not listed: each persona crawls the site from its main pages (and the
known create/edit pages), and every ``<form method=post>`` on the way is filled in and sent.
A new page with a form is covered without anyone remembering to add it here."""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from linli.registry.models import RegistryImport
from linli.tickets.models import Category, HandlingTeam, Ticket, TicketPhoto
from tests.security import hostile

pytestmark = pytest.mark.django_db

PERSONAS = ["staff", "secretary", "resident", "leader"]
MAX_PAGES = 50  # per persona
MAX_DEPTH = 2  # links followed from the start pages

# Payloads a valid form may well accept (so they are stored and shown again) …
RENDERABLE = [p for p in hostile.TEXT_PAYLOADS if len(p) < 100 and "\x00" not in p and p.strip()]
# … and those that must be refused cleanly (too long, NUL, blank).
EDGE = [p for p in hostile.TEXT_PAYLOADS if p not in RENDERABLE]

SKIP_PATH = re.compile(
    r"(/logout/|^/admin/|^/i18n/|^/api/|^/open311/|/photos/\d+/|/qr/|/reveal/"
    r"|\.(xlsx|csv|json)$)"
)
ESCAPED_MARKUP = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;")
TEXT_INPUTS = {"text", "search", "email", "tel", "url", "password", ""}
JS_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


# --- seeing the pages --------------------------------------------------------------------


class PageParser(HTMLParser):
    """Links and POST forms (with their fields) of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["options"].append(value)
            if "selected" in a and self._select["selected"] is None:
                self._select["selected"] = value
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            method = a.get("method", "get").lower()
            self._form = {
                "method": "post" if (method == "post" or "hx-post" in a) else method,
                "action": a.get("hx-post") or a.get("action", ""),
                "multipart": "multipart" in a.get("enctype", ""),
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "").lower()
            if kind in {"submit", "button", "reset", "image"}:
                return
            self._form["fields"].append(
                {
                    "tag": "input",
                    "type": kind,
                    "name": a["name"],
                    "value": a.get("value", ""),
                    "checked": "checked" in a,
                    "min": a.get("min", ""),
                }
            )
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", "type": "", "name": a["name"], "value": ""}
            self._form["fields"].append(self._textarea)
        elif tag == "select":
            self._select = {
                "tag": "select",
                "type": "select",
                "name": a["name"],
                "options": [],
                "selected": None,
                "multiple": "multiple" in a,
            }
            self._form["fields"].append(self._select)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def parse(html: str) -> PageParser:
    p = PageParser()
    p.feed(html)
    p.close()
    return p


def is_html(response) -> bool:
    return "text/html" in response.get("Content-Type", "")


def assert_rendered_safely(response, where: str) -> str:
    """No 500, and no payload markup rendered raw; returns the HTML ("" if not HTML)."""
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if not is_html(response) or getattr(response, "streaming", False):
        return ""
    body = response.content.decode("utf-8", "replace")
    for marker in hostile.RAW_MARKERS:
        assert marker not in body, f"{where}: unescaped {marker!r}"
    assert not JS_URL.search(body), f"{where}: a javascript: URL in an attribute"
    assert "sql_queries" not in body, f"{where}: a {{% debug %}} payload was evaluated"
    return body


def counts() -> dict[str, int]:
    """Row counts of every table of the project's apps, in one query."""
    models = [
        m for m in apps.get_models() if m.__module__.startswith("linli.") and not m._meta.proxy
    ]
    qn = connection.ops.quote_name
    # table names come from the models, quoted; no input reaches this SQL
    counts_sql = (f"(SELECT COUNT(*) FROM {qn(m._meta.db_table)})" for m in models)  # noqa: S608
    sql = "SELECT " + ", ".join(counts_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return {m._meta.label: n for m, n in zip(models, row, strict=True)}


def local_path(base: str, href: str) -> str | None:
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in {"", "http"} or parts.netloc not in {"", "testserver"}:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if SKIP_PATH.search(parts.path):
        return None
    return path


# --- the world they act in ----------------------------------------------------------------


@pytest.fixture
def seeded(world):
    """The personas' world with something on every kind of page: a request, a topic, a
    meeting, a forum, an open survey and a vote being prepared."""
    from linli.deliberation.models import Topic
    from linli.deliberation.services import forums as forum_services
    from linli.deliberation.services import meetings as meeting_services
    from linli.deliberation.services import surveys as survey_services
    from linli.deliberation.services import votes as vote_services
    from linli.tickets import services as tickets

    team = HandlingTeam.objects.create(community=world.xincun, name="维修组")
    water = Category.objects.create(
        community=world.xincun, code="water", name="水管漏水", name_en="Water leak",
        default_team=team,
    )  # fmt: skip
    world.water = water
    world.ticket = tickets.ticket_submit(
        actor=world.resident, category=water, description="厨房水管漏水",
        household=world.hh_3_2_501,
    )  # fmt: skip
    world.zhang_san.tenure = "owner"
    world.zhang_san.save()
    topic = Topic.objects.create(
        community=world.xincun, title="加装电梯", source="staff", raised_by=world.staff
    )
    world.topic = topic
    now = timezone.now()
    m = meeting_services.meeting_create(
        actor=world.staff, community=world.xincun, body="residents_council", title="居民议事会",
        starts_at=now + dt.timedelta(days=5), location="社区活动室",
    )  # fmt: skip
    meeting_services.agenda_add(actor=world.staff, meeting=m, topic=topic)
    meeting_services.meeting_invite(
        actor=world.staff, meeting=m, users=[world.leader, world.resident]
    )
    world.meeting = m
    world.forum = forum_services.forum_create(
        actor=world.staff, building=world.b3, title="3号楼座谈", held_on=timezone.localdate()
    )
    s = survey_services.survey_create(
        actor=world.staff, community=world.xincun, title="意见征询", intro="您好", topic=topic
    )
    survey_services.question_add(
        actor=world.staff, survey=s, kind="single", text="同意吗？", choices="同意\n不同意"
    )
    survey_services.question_add(
        actor=world.staff, survey=s, kind="text", text="其他意见", required=False
    )
    survey_services.survey_assign(actor=world.staff, survey=s, surveyor=world.leader,
                                   building=world.b3)  # fmt: skip
    survey_services.survey_open(actor=world.staff, survey=s)
    world.survey = s
    world.vote = vote_services.vote_create(
        actor=world.staff, topic=topic, title="加装电梯表决", question="是否同意？",
        rule="owners_joint_decision", matter="other_major",
        opens_at=now + dt.timedelta(days=20), closes_at=now + dt.timedelta(days=25),
    )  # fmt: skip
    return world


def start_pages(w) -> list[str]:
    code = w.xincun.code
    r = reverse
    return [
        "/",
        r("notifications"),
        r("notifications_preferences"),
        r("accounts:my_data"),
        r("accounts:password_change"),
        r("accounts:roles", args=[code]),
        r("accounts:user_create", args=[code]),
        r("registry:index"),
        r("registry:community", args=[code]),
        r("registry:building_create", args=[code]),
        r("registry:grid_create", args=[code]),
        r("registry:tags", args=[code]),
        r("registry:building", args=[w.b3.pk]),
        r("registry:household", args=[w.hh_3_2_501.pk]),
        r("registry:household_edit", args=[w.hh_3_2_501.pk]),
        r("registry:household_create", args=[w.b3.pk]),
        r("registry:resident", args=[w.zhang_san.pk]),
        r("registry:resident_edit", args=[w.zhang_san.pk]),
        r("registry:resident_create", args=[w.hh_3_2_501.pk]),
        r("registry:resident_move_out", args=[w.li_si.pk]),
        r("registry:import", args=[code]),
        r("tickets:mine"),
        r("tickets:submit"),
        r("tickets:intake"),
        r("tickets:queue"),
        r("tickets:metrics"),
        r("tickets:categories", args=[code]),
        r("tickets:category_edit", args=[code, w.water.pk]),
        r("tickets:detail", args=[w.ticket.pk]),
        r("deliberation:index"),
        r("deliberation:topic_list"),
        r("deliberation:topic_new"),
        r("deliberation:topic_detail", args=[w.topic.pk]),
        r("deliberation:meeting_list"),
        r("deliberation:meeting_new"),
        r("deliberation:meeting_detail", args=[w.meeting.pk]),
        r("deliberation:meeting_edit", args=[w.meeting.pk]),
        r("deliberation:forum_list"),
        r("deliberation:forum_new"),
        r("deliberation:forum_detail", args=[w.forum.pk]),
        r("deliberation:forum_edit", args=[w.forum.pk]),
        r("deliberation:survey_list"),
        r("deliberation:survey_create"),
        r("deliberation:survey_detail", args=[w.survey.pk]),
        r("deliberation:survey_entry", args=[w.survey.pk]),
        r("deliberation:survey_door", args=[w.survey.pk, w.hh_3_2_501.pk]),
        r("deliberation:vote_list"),
        r("deliberation:vote_create"),
        r("deliberation:vote_detail", args=[w.vote.pk]),
        r("deliberation:vote_edit", args=[w.vote.pk]),
    ]


# --- filling in a form --------------------------------------------------------------------


def is_text(field) -> bool:
    return field["tag"] == "textarea" or (field["tag"] == "input" and field["type"] in TEXT_INPUTS)


def default_value(field):
    """A valid value for a field that is not a free-text field (None: leave it out)."""
    kind = field["type"]
    if field["tag"] == "select":
        if field["selected"] not in (None, ""):
            return field["selected"]
        return next((o for o in field["options"] if o), None)
    if kind in {"checkbox", "radio"}:
        return field["value"] or "on" if field["checked"] else None
    if kind == "file":
        return None
    if field["value"]:
        return field["value"]
    soon = timezone.localtime() + dt.timedelta(days=20)
    return {
        "hidden": "",
        "number": field.get("min") or "1",
        "date": soon.date().isoformat(),
        "datetime-local": soon.strftime("%Y-%m-%dT%H:%M"),
        "time": "10:00",
        "month": soon.strftime("%Y-%m"),
        "color": "#336699",
        "range": field.get("min") or "1",
    }.get(kind, "")


def fill(form, payloads: list[str], offset: int, first: str | None = None) -> tuple[dict, int]:
    """The form's data with its free-text fields given payloads in rotation (the first text
    field ``first`` if given); returns the data and how many text fields it has."""
    data: dict[str, list[str]] = {}
    radios_done: set[str] = set()
    n_text = 0
    for field in form["fields"]:
        name = field["name"]
        if is_text(field) and field["type"] != "hidden":
            value = payloads[(offset + n_text) % len(payloads)]
            if first is not None and n_text == 0:
                value = first
            n_text += 1
        elif field["type"] == "radio":
            if name in radios_done:
                continue
            radios = [f for f in form["fields"] if f["name"] == name]
            chosen = next((f for f in radios if f["checked"]), radios[0])
            value = chosen["value"]
            radios_done.add(name)
        else:
            value = default_value(field)
        if value is None:
            continue
        data.setdefault(name, []).append(value)
    return data, n_text


# --- the test ------------------------------------------------------------------------------


def crawl(client, pages: list[str]):
    """Visit pages breadth-first up to a bound; return the visited paths and the POST forms
    (deduplicated by action and field names), each with the page it came from."""
    seen: set[str] = set()
    queue = deque((p, 0) for p in pages)
    visited: list[str] = []
    forms: dict[tuple, tuple[str, dict]] = {}
    while queue and len(visited) < MAX_PAGES:
        path, depth = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert_rendered_safely(response, f"GET {path}")
        if response.status_code != 200 or not is_html(response):
            continue
        visited.append(path)
        page = parse(response.content.decode())
        for form in page.forms:
            if form["method"] != "post":
                continue
            action = local_path(path, form["action"] or path)
            if action is None:
                continue
            key = (action.split("?")[0], tuple(sorted({f["name"] for f in form["fields"]})))
            forms.setdefault(key, (action, form))
        if depth < MAX_DEPTH:
            for href in page.links:
                target = local_path(path, href)
                if target and target not in seen:
                    queue.append((target, depth + 1))
    return visited, list(forms.values())


def post_and_check(client, action: str, data: dict, where: str) -> int:
    before = counts()
    response = client.post(action, data)
    assert_rendered_safely(response, where)
    if 400 <= response.status_code < 500:
        after = counts()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert not changed, f"{where}: refused with {response.status_code} but saved {changed}"
    elif response.status_code in (301, 302, 303):
        target = local_path(action, response["Location"])
        if target:
            assert_rendered_safely(client.get(target), f"{where} → GET {target}")
    return response.status_code


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_form_takes_hostile_text_without_error_leak_or_half_save(seeded, as_user, persona):
    client = as_user(getattr(seeded, persona))
    pages, forms = crawl(client, start_pages(seeded))
    assert len(pages) >= 8, f"{persona} reached only {pages}"
    fuzzed = 0
    statuses: dict[int, int] = {}
    for i, (action, form) in enumerate(forms):
        if any(f["type"] == "file" for f in form["fields"]) and form["multipart"] is False:
            continue
        # 1. short payloads a form may accept (so they are stored and shown again)
        markup = hostile.SCRIPT if i % 2 == 0 else hostile.IMG
        data, n_text = fill(form, RENDERABLE, i, first=markup)
        if not n_text:
            continue  # a button (confirm, close, delete): nothing typed to attack
        fuzzed += 1
        code = post_and_check(client, action, data, f"{persona} POST {action} (renderable)")
        statuses[code] = statuses.get(code, 0) + 1
        # 2. payloads that must be refused cleanly: over-long, NUL, blank
        data, _ = fill(form, EDGE, i)
        code = post_and_check(client, action, data, f"{persona} POST {action} (edge)")
        statuses[code] = statuses.get(code, 0) + 1
    assert fuzzed, f"{persona}: no form with a text field found on {pages}"
    # Whatever was stored is shown escaped wherever it appears — and it was stored and shown
    # somewhere (else this test would prove nothing).
    shown = 0
    for path in pages:
        body = assert_rendered_safely(client.get(path), f"{persona} GET {path} (after)")
        shown += any(marker in body for marker in ESCAPED_MARKUP)
    assert shown, f"{persona}: no stored payload shown on {pages}"


def test_the_crawl_finds_the_main_forms(seeded, as_user):
    """Guards the crawler itself: staff must reach the main create forms."""
    _, forms = crawl(as_user(seeded.staff), start_pages(seeded))
    actions = {a.split("?")[0] for a, _ in forms}
    for name in ("deliberation:topic_new", "deliberation:meeting_new", "tickets:intake"):
        assert reverse(name) in actions, sorted(actions)
    assert reverse("tickets:comment", args=[seeded.ticket.pk]) in actions


# --- uploads --------------------------------------------------------------------------------


def _nothing_saved(before, media_root) -> None:
    after = counts()
    assert after == before, {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    stored = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    assert not stored, stored


PHOTO_FILES = hostile.upload_corpus("photo") + [
    ("oversized", "huge.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * (8 * 1024 * 1024 + 10)),
]
XLSX_FILES = hostile.upload_corpus("xlsx") + [
    ("oversized", "huge.xlsx", b"PK\x03\x04" + b"\x00" * (5 * 1024 * 1024 + 10)),
]


@pytest.mark.parametrize(("label", "name", "content"), PHOTO_FILES, ids=[f[0] for f in PHOTO_FILES])
def test_a_bad_photo_is_refused_and_saves_nothing(seeded, as_user, settings, label, name, content):
    client = as_user(seeded.resident)
    before = counts()
    r = client.post(
        reverse("tickets:submit"),
        {
            "category": seeded.water.pk,
            "description": "厨房水管漏水",
            "place": "home",
            "household": seeded.hh_3_2_501.pk,
            "contact_preference": "in_app",
            "photos": [SimpleUploadedFile(name, content, content_type="image/jpeg")],
        },
    )
    assert r.status_code == 400, label
    assert_rendered_safely(r, label)
    html = r.content.decode()
    # A message, shown: in the form's error summary (issue 11) or beside a field.
    assert 'data-testid="error-summary"' in html or 'class="errorlist" role="alert"' in html, label
    _nothing_saved(before, settings.MEDIA_ROOT)
    assert Ticket.objects.count() == 1 and not TicketPhoto.objects.exists()


@pytest.mark.parametrize(("label", "name", "content"), XLSX_FILES, ids=[f[0] for f in XLSX_FILES])
def test_a_bad_spreadsheet_is_refused_and_saves_nothing(
    seeded, as_user, settings, label, name, content
):
    client = as_user(seeded.staff)
    before = counts()
    r = client.post(
        reverse("registry:import", args=[seeded.xincun.code]),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert r.status_code == 400, label
    assert_rendered_safely(r, label)
    assert 'class="errorlist' in r.content.decode(), label  # a message, shown
    _nothing_saved(before, settings.MEDIA_ROOT)
    assert not RegistryImport.objects.exists()
