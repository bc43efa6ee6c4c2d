"""The shell's header and navigation kept per person (core/templatetags/shell.py).

- the fragment reads no variable its key does not name (besides the holes filled per request),
  so a navigation line added under a new condition cannot be served to the wrong person;
- for every ordered pair of personas, the header kept for the first is never what the second
  sees: the second's header equals the one rendered with nothing kept;
- language, elder mode, a new name or role, the unread count and the current address show on
  the next page; the CSRF token is the request's own and is accepted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext_lazy

from linli.core import notifications
from linli.core.templatetags import shell
from tests.factories import PERSONAS, grant

pytestmark = pytest.mark.django_db

BASE = Path(__file__).resolve().parents[2] / "src" / "linli" / "templates" / "base.html"
_TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")([^"]+)')


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user, backend="linli.accounts.backends.PhoneOrUsernameBackend")
    return c


def _header(client: Client, url: str = "/") -> str:
    page = client.get(url).content.decode()
    start, end = page.index("<body"), page.index("</nav>")
    return _TOKEN.sub(r"\1-", page[start:end])


# --- the key covers what the fragment reads -----------------------------------------------

_WORDS = {"and", "or", "not", "in", "is", "as", "True", "False", "None"}


def test_each_shell_fragment_reads_only_what_its_key_names():
    tokens = Lexer(BASE.read_text()).tokenize()
    fragments: list[tuple[set[str], set[str]]] = []  # (named, read) per {% shell %}
    inside = False
    for tok in tokens:
        if tok.token_type == TokenType.BLOCK and tok.contents.split()[0] == "shell":
            assert not inside, "{% shell %} inside {% shell %}"
            inside = True
            fragments.append((set(tok.contents.split()[1:]), set()))
            continue
        if tok.token_type == TokenType.BLOCK and tok.contents == "endshell":
            inside = False
            continue
        if not inside:
            continue
        read = fragments[-1][1]
        if tok.token_type == TokenType.VAR:
            read.add(tok.contents.split("|")[0].strip())
        elif tok.token_type == TokenType.BLOCK:
            bits = tok.split_contents()
            if bits[0] in ("if", "elif"):
                for bit in bits[1:]:
                    if bit not in _WORDS and not bit.startswith(("'", '"', "=", "!", "<", ">")):
                        read.add(bit.split("|")[0])
            else:
                # Tags with constant arguments only (url names, message ids, static files).
                assert bits[0] in ("url", "translate", "static", "csrf_token", "else", "endif"), (
                    bits,
                    "a tag the key does not know: keep it out of {% shell %}",
                )
                for bit in bits[1:]:
                    assert bit[:1] in ("'", '"'), (bits, "a variable argument: name it")
            assert bits[0] != "block", "a block inside {% shell %} would be kept for every page"
    assert len(fragments) >= 2, "base.html keeps its head and header with {% shell … %}"
    assert not inside, "{% endshell %} missing"
    for named, read in fragments:
        unnamed = read - named - set(shell.HOLES)
        assert not unnamed, f"a shell fragment reads {unnamed}: name them in its {{% shell %}}"


# --- isolation ----------------------------------------------------------------------------


def test_a_header_kept_for_one_person_is_never_shown_to_another(world):
    people = [world.people[name] for name in PERSONAS]
    clients = {p.pk: _client(p) for p in people}
    fresh = {}
    for p in people:
        shell.clear()
        fresh[p.pk] = _header(clients[p.pk])
    assert len(set(fresh.values())) > 3  # names and navigation differ
    for first in people:
        for second in people:
            if first is second:
                continue
            shell.clear()
            _header(clients[first.pk])  # kept for the first
            got = _header(clients[second.pk])
            assert got == fresh[second.pk], (first.username, second.username)
            assert first.get_full_name() not in got or (first.get_full_name() in fresh[second.pk])


def test_a_visitor_is_not_shown_a_signed_in_header(world):
    _header(_client(world.secretary))
    visitor = _header(_client())
    assert world.secretary.get_full_name() not in visitor
    assert reverse("accounts:login") in visitor and reverse("accounts:logout") not in visitor


def test_language_and_elder_mode_change_the_header(world):
    client = _client(world.resident)
    assert "长辈版" in _header(client)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = _header(client)
    assert "Elder mode" in english and "Log out" in english
    client.post(reverse("elder_mode"), {"on": "1"})
    assert "Standard view" in _header(client)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "标准版" in _header(client)
    client.post(reverse("elder_mode"), {"on": "0"})
    assert "长辈版" in _header(client)


def test_a_new_name_or_role_is_in_the_next_header(world):
    client = _client(world.resident)
    before = _header(client)
    assert reverse("registry:search") not in before
    world.resident.display_name = "张新名"
    world.resident.save(update_fields=["display_name"])
    assert "张新名" in _header(client)
    grant(world.resident, "community_staff", world.xincun)
    assert reverse("registry:search") in _header(client)


def test_the_unread_count_and_the_address_are_filled_in_per_request(world):
    client = _client(world.resident)

    def count(header: str) -> int:
        return int(re.search(r'data-testid="nav-notifications">[^(]*\((\d+)\)', header)[1])

    n = count(_header(client))
    notifications.notify(
        recipients=[world.resident],
        verb="test.said",
        title=gettext_lazy("Hi"),
        body=gettext_lazy("Hi"),
    )
    assert count(_header(client)) == n + 1
    header = _header(client, "/notifications/?page=1&x=%22")
    assert 'name="next" value="/notifications/?page=1&amp;x=%22"' in header
    assert 'name="next" value="/"' in _header(client, "/")


def test_the_kept_header_carries_each_requests_own_token(world):
    a, b = _client(world.resident), _client(world.resident)  # one person, two browsers
    page_a = a.get("/").content.decode()
    page_b = b.get("/").content.decode()
    token_a = _TOKEN.search(page_a)[2]
    token_b = _TOKEN.search(page_b)[2]
    assert token_a != token_b
    assert a.cookies["csrftoken"].value != b.cookies["csrftoken"].value
    for c, token in ((a, token_a), (b, token_b)):
        c.handler.enforce_csrf_checks = True
        r = c.post(reverse("elder_mode"), {"on": "1", "csrfmiddlewaretoken": token})
        assert r.status_code == 302
    a.handler.enforce_csrf_checks = True
    r = a.post(reverse("elder_mode"), {"on": "0", "csrfmiddlewaretoken": token_b})
    assert r.status_code == 403  # b's token is no good with a's cookie


def test_the_static_tag_gives_the_storages_address():
    from django.templatetags.static import static

    assert shell._static_url("css/linli.css") == static("css/linli.css")
