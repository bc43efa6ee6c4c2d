"""Accessibility scan (issue 5 item 7): axe-core on every page a persona reaches, in the
standard view and in the elder mode (长辈版): zero "serious" or "critical" violations.

axe-core is test tooling, vendored from the npm registry into tests/browser/vendor/ (with its
licence) and injected by the test; the app never serves it. The injected script would be refused
by the app's own Content-Security-Policy, so the scanning contexts alone bypass CSP — the other
browser tests run under the policy and prove the pages work with it. The elder mode's sizes are
measured in test_shell.py and test_requests.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import login
from tests.security.reachable import build_site

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
BLOCKING = ("serious", "critical")
# The building leader's pages are a subset of the staff member's (same templates, fewer
# powers): scanning them again would add 16 scans (~7 s) and nothing new.
SCANNED = (None, "resident", "staff")
DESKTOP = {
    "viewport": {"width": 1280, "height": 900},
    "device_scale_factor": 1,
    "is_mobile": False,
    "has_touch": False,
}
RUN_AXE = """
async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 160),
                                 summary: n.failureSummary })),
  }));
}
"""


def _describe(where: str, violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for n in v["nodes"][:5]:
            summary = (n["summary"] or "").replace("\n", " ")
            lines.append(f"    {n['target']}  {n['html']}\n      {summary[:300]}")
    return "\n".join(lines)


def _scan(page, path: str, where: str) -> list[str]:
    response = page.goto(path)
    assert response is not None and response.ok, (
        f"{where} {path} → HTTP {response and response.status}"
    )
    violations = [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
    return [_describe(f"{where} {path}", violations)] if violations else []


@pytest.mark.browser
def test_every_page_a_persona_reaches_has_no_serious_accessibility_violations(
    new_context, live_server
):
    site = build_site()
    failures, scanned = [], 0
    for who in SCANNED:
        paths = site.pages[who]
        # Residents and visitors on a phone; the office on a desktop.
        options = DESKTOP if who == "staff" else {}
        ctx = new_context(bypass_csp=True, **options)
        ctx.add_init_script(path=AXE)  # into every page of this context, before its own scripts
        page = ctx.new_page()
        if who is not None:
            user = site.world.people[who]
            login(page, user.phone or user.username)
        for mode in ("standard", "elder"):
            if mode == "elder":
                ctx.add_cookies([{"name": "linli_elder", "value": "1", "url": live_server.url}])
            for path in paths:
                failures += _scan(page, path, f"{who or 'visitor'} ({mode})")
                scanned += 1
            if mode == "elder":
                assert page.evaluate("document.documentElement.classList.contains('elder')")
        ctx.close()
    print(f"axe-core scanned {scanned} pages")  # shown with pytest -s
    assert not failures, "axe-core serious/critical violations:\n" + "\n".join(failures)


CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(`${e.violatedDirective} refused ${e.blockedURI || "inline"} `
                    + `at ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.mark.browser
def test_staff_pages_and_htmx_search_raise_no_csp_violation(new_context):
    """Under the real policy (no bypass): the pages and an htmx swap trip nothing."""
    site = build_site()
    ctx = new_context(**DESKTOP)
    ctx.add_init_script(CSP_LISTENER)
    page = ctx.new_page()
    login(page, "staff")
    refused = []
    for path in site.pages["staff"]:
        page.goto(path)
        refused += [f"{path}: {r}" for r in page.evaluate("window.__csp")]
    page.goto("/registry/search/")
    with page.expect_response(lambda r: "/registry/search/" in r.url and "q=" in r.url):
        page.locator("main input[name=q]").fill("zs")
    page.wait_for_load_state("networkidle")
    refused += [f"search (htmx): {r}" for r in page.evaluate("window.__csp")]
    assert not refused, "Content-Security-Policy violations:\n" + "\n".join(refused)
