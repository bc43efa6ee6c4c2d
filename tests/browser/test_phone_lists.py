"""Lists on a 390 px phone are cards, on a desk tables (issue 11, item 3): the request queue,
the statistics, the registry's lists (building, household, search results, tags, a tag's
residents) and the deliberation tables. On a phone, in the standard view and in elder mode:
no horizontal scroll (of the page or of any box), no cell narrower than its word, and no
short label — a room number, a status chip, a date, a name — broken across two lines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from linli.registry.models import ResidentTag, Tag
from linli.tickets import services
from linli.tickets.models import Category, HandlingTeam
from tests.browser.helpers import login
from tests.factories import make_world

DESKTOP = {
    "viewport": {"width": 1366, "height": 900},
    "device_scale_factor": 1,
    "is_mobile": False,
    "has_touch": False,
}
# A token (text between spaces) up to this long is a label that must stay on one line; longer
# runs are prose (a description), which may wrap.
LABEL_CHARS = 12

CHECK_JS = """
(maxLabel) => {
  const out = {pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
               scrollers: [], broken: [], narrow: [], cells: 0};
  for (const el of document.querySelectorAll("main *")) {
    const s = getComputedStyle(el);
    if (el.scrollWidth > el.clientWidth + 1 && /(auto|scroll)/.test(s.overflowX))
      out.scrollers.push(`${el.tagName.toLowerCase()}.${el.className}: ${el.scrollWidth}>${el.clientWidth}`);
  }
  const cells = document.querySelectorAll(
    "main td, main th, main .tag, main .nowrap, main .room, main time, main dt, main dd");
  const seen = new Set();
  for (const cell of cells) {
    // Not shown (display: none) or shown to screen readers only (the 1 px visually-hidden box).
    if (!cell.getClientRects().length || cell.closest(".visually-hidden, thead")) continue;
    out.cells++;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (seen.has(node)) continue;
      seen.add(node);
      const text = node.textContent;
      const re = /\\S+/g;
      let m;
      while ((m = re.exec(text))) {
        if (m[0].length > maxLabel) continue;
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0);
        const lines = new Set(rects.map((r) => Math.round(r.top)));
        if (lines.size > 1) out.broken.push(`"${m[0]}" in ${cell.tagName.toLowerCase()} (${lines.size} lines)`);
        const word = range.getBoundingClientRect().width;
        const box = node.parentElement.getBoundingClientRect().width;
        if (lines.size === 1 && box + 1 < word) out.narrow.push(`"${m[0]}": ${box.toFixed(0)} < ${word.toFixed(0)}px`);
      }
    }
  }
  return out;
}
"""


def _world():
    w = make_world()
    team = HandlingTeam.objects.create(community=w.xincun, name="维修组")
    water = Category.objects.create(
        community=w.xincun,
        code="water",
        name="水管漏水",
        name_en="Water leak",
        default_team=team,
    )
    for i in range(4):
        services.ticket_submit(
            actor=w.resident,
            category=water,
            description=f"厨房水管漏水，楼下天花板在滴水，第{i}次",
            household=w.hh_3_2_501,
            emergency=i == 0,
        )
    w.zhang_san.birth_date = dt.date(1945, 3, 1)
    w.zhang_san.save()
    # The live server's flush empties the built-in tags the migration wrote.
    tag, _ = Tag.objects.get_or_create(
        community=None, code="empty_nest", defaults={"name": "空巢老人"}
    )
    for r in (w.zhang_san, w.wang_wu):
        ResidentTag.objects.create(community=w.xincun, resident=r, tag=tag)
    return w


def _pages(w) -> dict[str, str]:
    return {
        "queue": reverse("tickets:queue") + "?status=",
        "metrics": reverse("tickets:metrics"),
        "building": reverse("registry:building", args=[w.b3.pk]),
        "household": reverse("registry:household", args=[w.hh_3_2_501.pk]),
        "search": reverse("registry:search") + "?q=%E5%BC%A0",  # 张
        "tags": reverse("registry:tags", args=[w.xincun.code]),
        "tag list": reverse("registry:tag_list", args=[w.xincun.code, "empty_nest"]),
        "deliberation": reverse("deliberation:index"),
        "roles": reverse("accounts:roles", args=[w.xincun.code]),
        "categories": reverse("tickets:categories", args=[w.xincun.code]),
        "home": reverse("home"),
    }


def _check(page, where: str) -> dict:
    got = page.evaluate(CHECK_JS, LABEL_CHARS)
    problems = []
    if got["pageOverflow"] > 1:
        problems.append(f"the page scrolls sideways by {got['pageOverflow']}px")
    problems += [f"scrolls sideways: {s}" for s in got["scrollers"]]
    problems += [f"broken label {b}" for b in got["broken"]]
    problems += [f"cell narrower than its word {n}" for n in got["narrow"]]
    assert not problems, f"APP CSS at 390 px on {where}: " + "; ".join(problems[:12])
    return got


@pytest.mark.browser
@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_lists_are_cards_on_a_phone(new_context, elder):
    w = _world()
    w.secretary.elder_mode = elder
    w.secretary.save(update_fields=["elder_mode"])
    page = new_context().new_page()
    login(page, "secretary")
    checked = {}
    for name, url in _pages(w).items():
        page.goto(url)
        where = f"{name} ({url}, {'elder' if elder else 'standard'})"
        assert "elder" in (page.locator("html").get_attribute("class") or "") or not elder
        checked[name] = _check(page, where)["cells"]
    # The queue's rows are cards: one request per card, its number, status, place and deadline
    # each on a labelled line.
    page.goto(_pages(w)["queue"])
    rows = page.locator("[data-testid=queue-table] tbody tr")
    assert rows.count() == 4
    first = rows.first
    assert first.evaluate("(el) => getComputedStyle(el).display") == "block"
    box = first.bounding_box()
    assert box and box["width"] > 300, f"a queue card is {box} wide"
    labels = first.evaluate(
        "(el) => [...el.querySelectorAll('[data-label]')].map("
        "(c) => getComputedStyle(c, '::before').content)"
    )
    assert any("状态" in x for x in labels), labels
    assert any("地点" in x or "位置" in x for x in labels), labels
    print(f"390 px {'elder' if elder else 'standard'}: labelled cells checked {checked}")


@pytest.mark.browser
def test_lists_stay_tables_on_a_desk(new_context):
    w = _world()
    page = new_context(**DESKTOP).new_page()
    login(page, "secretary")
    page.goto(_pages(w)["queue"])
    row = page.locator("[data-testid=queue-table] tbody tr").first
    assert row.evaluate("(el) => getComputedStyle(el).display") == "table-row"
    assert page.locator("[data-testid=queue-table] thead").is_visible()
