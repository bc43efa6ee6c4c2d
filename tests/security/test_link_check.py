"""Link check (issue 11, item 1): every link a persona is shown leads somewhere for that persona.

For each persona, start from the home page (whose shell holds the navigation) and follow the
same-site GET links (``<a href>``) breadth-first, to a bounded depth and number of pages,
skipping log-out, downloads (exports, prints, files), static files and the admin. A link that
answers 403 or 404 (or 500, or a log-in page for someone logged in) to the person it was shown
to is a dead end Linli put in front of them: the test names the page it was on and the link.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from linli.tickets.models import HandlingTeam, Status, Ticket
from tests.factories import grant, make_user
from tests.security.reachable import build_site

pytestmark = pytest.mark.django_db

MAX_DEPTH = 5
MAX_PAGES = 250  # per persona
MAX_VARIANTS = 3  # of one path with different query strings (filters, pages)
SKIP = re.compile(
    r"^/(static|media|admin|api)/|/logout|/export|\.(xlsx|csv|pdf|json|png|jpe?g|svg|txt)$"
    r"|/print|/download|/photos/\d+/|/qr/?$|/import-template"
)
VERBOSE = False
PERSONAS = [
    None,
    "resident",
    "other_resident",
    "leader",
    "grid_worker",
    "volunteer",
    "mediator",
    "handler",
    "staff",
    "secretary",
    "supervisor",
    "outsider",
]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag != "a":
            return
        a = dict(attrs)
        if "download" in a or not a.get("href"):
            return
        self.links.append(unescape(a["href"]))


def links_on(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.links:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # another site, tel:, mailto:, a fragment on this page
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(parts.path):
            out.append(url)
    return out


@pytest.fixture
def site():
    s = build_site()
    w = s.world
    # A repairman of the repair team with a request of his own to handle (the handler who met
    # a 403 from the "requests" link on his request's page).
    team = HandlingTeam.objects.create(community=w.xincun, name="维修组")
    handler = make_user("handler", display_name="老李师傅")
    grant(handler, "volunteer", w.xincun)
    team.members.add(handler)
    w.people["handler"] = handler
    t = Ticket.objects.first()
    t.assignee_team = team
    t.assignee_user = handler
    t.status = Status.ASSIGNED
    t.resolve_by = timezone.now() + dt.timedelta(days=3)
    t.save()
    return s


def crawl(client, *, logged_in: bool) -> tuple[list[str], int]:
    """Breadth-first from the home page; returns the dead links found and the pages read."""
    dead: list[str] = []
    seen: set[str] = {"/"}
    variants: dict[str, int] = {}
    queue: deque[tuple[str, int, str]] = deque([("/", 0, "(start)")])
    read = 0
    while queue and read < MAX_PAGES:
        url, depth, came_from = queue.popleft()
        resp = client.get(url)
        read += 1
        if VERBOSE:
            print("  ", resp.status_code, url)
        status = resp.status_code
        location = resp.get("Location", "")
        if status in (403, 404) or status >= 500:
            dead.append(f"{url} → {status} (linked from {came_from})")
            continue
        if status in (301, 302, 303):
            if logged_in and "/accounts/login/" in location:
                dead.append(f"{url} → the log-in page (linked from {came_from})")
            else:  # follow a redirect on this site (/registry/ → the one community)
                for link in links_on(f'<a href="{location}"></a>'):
                    if link not in seen:
                        seen.add(link)
                        queue.append((link, depth, url))
            continue
        if depth >= MAX_DEPTH or "text/html" not in resp.get("Content-Type", ""):
            continue
        for link in links_on(resp.content.decode()):
            if link in seen:
                continue
            path = urlsplit(link).path
            if "?" in link:
                if variants.get(path, 0) >= MAX_VARIANTS:
                    continue
                variants[path] = variants.get(path, 0) + 1
            seen.add(link)
            queue.append((link, depth + 1, url))
    return dead, read


@pytest.mark.parametrize("who", PERSONAS, ids=[p or "visitor" for p in PERSONAS])
def test_every_link_a_persona_is_shown_answers_them(site, as_user, who):
    user = site.world.people[who] if who else None
    client = as_user(user)
    dead, read = crawl(client, logged_in=user is not None)
    print(f"link check {who or 'visitor'}: {read} pages read, {len(dead)} dead links")
    assert read > 1, "the crawl read only the start page"
    assert not dead, f"{who or 'visitor'} is shown links that refuse them:\n" + "\n".join(dead)


def test_the_crawl_finds_a_dead_link(site, as_user, monkeypatch):
    """The check itself: a link the persona may not follow is reported."""
    client = as_user(site.world.resident)
    original = client.get

    def get(path, *a, **kw):
        resp = original(path, *a, **kw)
        if path == "/":
            resp.content = resp.content.replace(
                b"</main>", b'<a href="/requests/queue/">queue</a></main>'
            )
        return resp

    monkeypatch.setattr(client, "get", get)
    dead, _ = crawl(client, logged_in=True)
    assert any(d.startswith("/requests/queue/ → 403") for d in dead), dead
