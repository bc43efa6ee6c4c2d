"""Every page a persona opens is served with the strict Content-Security-Policy, frame denial,
a referrer policy and nosniff, and its HTML holds nothing that policy would refuse: no inline
<script>, no <style> element, no style= or on…= attribute, no javascript: link.

HSTS, secure cookies and SSL redirect are production settings: ``check --deploy`` clean is proven
in tests/core/test_settings.py::test_check_deploy_is_clean_in_production."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from linli.core.security import CONTENT_SECURITY_POLICY
from tests.security.reachable import build_site

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
BACKEND = "linli.accounts.backends.PhoneOrUsernameBackend"


class _InlineFinder(HTMLParser):
    """Collects what a strict CSP (no 'unsafe-inline') refuses to run or apply."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.htmx_config: str | None = None
        self.script_srcs: list[str] = []
        self._script_line = 0
        self._script_text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        line = self.getpos()[0]
        for name, value in attrs:
            if name == "style":
                self.found.append(f"line {line}: <{tag} style={value!r}>")
            elif name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"line {line}: <{tag} {name}={value!r}> (inline handler)")
            elif name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"line {line}: <{tag} {name}={value!r}>")
        if tag == "style":
            self.found.append(f"line {line}: <style> element")
        if tag == "script":
            if a.get("src"):
                self.script_srcs.append(a["src"])
            else:
                self._script_line = line
                self._script_text = ""
        if tag == "meta" and a.get("name") == "htmx-config":
            self.htmx_config = a.get("content")

    def handle_endtag(self, tag):
        if tag == "script" and self._script_line:
            self.found.append(
                f"line {self._script_line}: inline <script>{self._script_text.strip()[:60]}</script>"
            )
            self._script_line = 0

    def handle_data(self, data):
        if self._script_line:
            self._script_text += data


def _scan(html: str) -> _InlineFinder:
    finder = _InlineFinder()
    finder.feed(html)
    finder.close()
    return finder


def _assert_headers(response, where: str) -> None:
    assert response["Content-Security-Policy"] == CSP, where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["X-Content-Type-Options"] == "nosniff", where


def test_the_policy_is_the_strict_one():
    assert CONTENT_SECURITY_POLICY == CSP
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP


@pytest.mark.django_db
def test_every_page_a_persona_opens_has_the_headers_and_no_inline_script_or_style(client):
    site = build_site()
    problems, seen = [], 0
    for who, paths in site.pages.items():
        client.logout()
        if who is not None:
            client.force_login(site.world.people[who], backend=BACKEND)
        for path in paths:
            response = client.get(path)
            where = f"{who or 'visitor'} GET {path}"
            assert response.status_code == 200, f"{where} → HTTP {response.status_code}"
            _assert_headers(response, where)
            page = _scan(response.content.decode())
            problems += [f"{where}: {p}" for p in page.found]
            # htmx is configured without its inline indicator <style> and without eval.
            assert page.htmx_config is not None, f"{where}: no htmx-config meta"
            assert '"includeIndicatorStyles": false' in page.htmx_config, where
            offsite = [s for s in page.script_srcs if "//" in s]
            assert not offsite, f"{where}: scripts from another origin {offsite}"
            seen += 1
    assert not problems, "inline script or style the CSP would refuse:\n" + "\n".join(problems)
    assert seen >= 35, seen


@pytest.mark.django_db
def test_htmx_partials_and_refusals_carry_the_policy_too(client, world):
    client.force_login(world.staff, backend=BACKEND)
    partial = client.get("/registry/search/?q=zs", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    _assert_headers(partial, "htmx search partial")
    assert not _scan(partial.content.decode()).found

    client.force_login(world.outsider, backend=BACKEND)
    refused = client.get(f"/registry/residents/{world.zhang_san.pk}/")
    assert refused.status_code in (403, 404)
    _assert_headers(refused, "a refused page")

    client.logout()
    redirect = client.get("/requests/")
    assert redirect.status_code == 302
    assert redirect["Content-Security-Policy"] == CSP
    api = client.get("/api/openapi.json")
    assert api["Content-Security-Policy"] == CSP


@pytest.mark.django_db
def test_api_docs_load_swagger_from_our_own_origin(client):
    """The policy refuses a CDN, so the OpenAPI page must use django-ninja's bundled copy."""
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    page = _scan(docs.content.decode())
    assert page.script_srcs and not [s for s in page.script_srcs if "//" in s], page.script_srcs
    assert b"cdn." not in docs.content
