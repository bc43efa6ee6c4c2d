"""Residents' requests in a real browser (issue 3): a resident in elder mode reports a leak with a
photo on a phone; staff assign it from the queue; the repairman resolves it; staff reply; the
resident rates it. Each person has their own browser context (own cookies); the resident is on a
phone, the office on a desktop."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from linli.tickets import services
from linli.tickets.models import Category, HandlingTeam, Status, Ticket
from tests.browser.helpers import MEASURE_JS, MIN_BODY_PX, MIN_TAP_PX, login
from tests.factories import grant, make_user, make_world

DESKTOP = {
    "viewport": {"width": 1280, "height": 900},
    "device_scale_factor": 1,
    "is_mobile": False,
    "has_touch": False,
}
ELDER = re.compile(r"\belder\b")
NOTE = "水压偏高，下次检修总阀"  # the handler's internal note: never shown to the resident

# What a person taps on the report form: buttons, fields, and the whole label row of a radio
# or a checkbox (the small box itself is not the target).
FORM_TARGETS = (
    "main button, main a.button, "
    "main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), "
    "main select, main textarea, "
    "main label:has(> input[type=radio]), main label:has(> input[type=checkbox])"
)
# Text a person reads on the report form, whatever the element.
TEXT_SIZES_JS = """
() => [...document.querySelectorAll(
    "main p, main label, main legend, main .helptext, main textarea, main select")]
  .filter((el) => el.getClientRects().length && el.innerText.trim() !== "" || el.tagName === "TEXTAREA")
  .map((el) => ({
    el: el.tagName.toLowerCase() + (el.className ? "." + el.className : "")
        + ` "${(el.innerText || el.value || "").trim().slice(0, 30)}"`,
    fontSize: parseFloat(getComputedStyle(el).fontSize),
  }))
"""


def zh(msgid: str) -> str:
    """The Chinese the server shows for ``msgid`` (same catalogue, same process); fails if it is
    untranslated, so the resident never reads English office words."""
    with translation.override("zh-hans"):
        text = str(translation.gettext(msgid))
    assert text != msgid, f"APP i18n: {msgid!r} has no Chinese translation in django.po"
    return text


def _ticket_world():
    """make_world() plus what tests/tickets/conftest.py's ``tw`` adds (categories water and
    lights, the repair team 维修组 with the volunteer repairman ``handler``)."""
    w = make_world()
    repair = HandlingTeam.objects.create(community=w.xincun, name="维修组")
    handler = make_user("handler", display_name="老李师傅")
    grant(handler, "volunteer", w.xincun)
    repair.members.add(handler)
    w.people["handler"] = handler
    water = Category.objects.create(
        community=w.xincun,
        code="water",
        name="水管漏水",
        name_en="Water leak",
        default_team=repair,
        respond_within_hours=24,
        resolve_within_workdays=5,
        attributes=[
            {"code": "floor", "description": "几楼?", "datatype": "string", "required": False}
        ],
    )
    Category.objects.create(
        community=w.xincun, code="lights", name="路灯不亮", name_en="Street light out"
    )
    return w, water, repair


def _photo(tmp_path):
    path = tmp_path / "leak.jpg"
    Image.new("RGB", (640, 480), (200, 30, 30)).save(path, "JPEG")
    return path


def _open_action(page, action: str):
    """Open the ``<details>`` of one action on the request page; returns its form."""
    box = page.locator(f"details[data-action={action}]")
    box.locator("summary").click()
    return box.locator("form")


def _submit(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def _assert_elder_report_form(page) -> None:
    metrics = page.evaluate(MEASURE_JS, FORM_TARGETS)
    assert metrics["targets"], "no tap targets found on the report form"
    short = [
        f"{t['el']}: {t['width']:.0f}×{t['height']:.0f}px"
        for t in metrics["targets"]
        if t["height"] < MIN_TAP_PX
    ]
    assert not short, (
        f"APP CSS: elder mode tap targets under {MIN_TAP_PX}px tall on /requests/new/: "
        + "; ".join(short)
    )
    sizes = page.evaluate(TEXT_SIZES_JS)
    body_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_px >= MIN_BODY_PX, f"APP CSS: elder body font {body_px}px on /requests/new/"
    small = [f"{s['el']}: {s['fontSize']}px" for s in sizes if s["fontSize"] < MIN_BODY_PX]
    assert not small, f"APP CSS: elder text under {MIN_BODY_PX}px on /requests/new/: " + "; ".join(
        small
    )
    lowest = min(metrics["targets"], key=lambda t: t["height"])
    print(  # shown with pytest -s
        f"elder mode on /requests/new/: {len(metrics['targets'])} targets, lowest "
        f"{lowest['el']} {lowest['height']:.0f}px; {len(sizes)} texts ≥ "
        f"{min(s['fontSize'] for s in sizes)}px; body {body_px}px"
    )


@pytest.mark.browser
def test_leak_reported_in_elder_mode_is_handled_replied_and_rated(new_context, tmp_path):
    w, water, _repair = _ticket_world()
    photo = _photo(tmp_path)

    # 1. The resident, on a phone, in elder mode, reports the leak with a photo.
    res = new_context().new_page()
    login(res, "13812341234")
    res.goto("/")
    _submit(res, res.get_by_test_id("elder-home-switch"))
    expect(res.locator("html")).to_have_class(ELDER)
    _submit(res, res.get_by_test_id("home-report"))
    expect(res).to_have_url(re.compile(r"/requests/new/$"))
    _assert_elder_report_form(res)

    form = res.get_by_test_id("submit-form")
    form.locator(f"input[name=category][value='{water.pk}']").check()
    form.locator("textarea[name=description]").fill("厨房水管漏水")
    expect(form.locator("input[name=place][value=home]")).to_be_checked()  # kept: 3-2-501
    form.locator("input[name=photos]").set_input_files(photo)
    _submit(res, form.locator("button[type=submit]"))

    expect(res).to_have_url(re.compile(r"/requests/\d+/\?sent=1$"))
    t = Ticket.objects.get()
    ticket_url = f"/requests/{t.pk}/"
    assert t.household_id == w.hh_3_2_501.pk and t.photos.count() == 1
    expect(res.locator("main .messages")).to_contain_text(f"#{t.pk}")
    expect(res.locator("h1")).to_contain_text(f"#{t.pk}")
    expect(res.get_by_test_id("status")).to_have_text(zh("Received — waiting for the community"))
    expect(res.locator("ul.photos img")).to_have_count(1)

    # 2. Staff, on a desktop, find it in the queue and give it to the repairman.
    staff = new_context(**DESKTOP).new_page()
    login(staff, "staff")
    staff.goto("/requests/queue/")
    row = staff.locator(f"[data-testid=queue-table] tr[data-ticket='{t.pk}']")
    expect(row).to_contain_text("厨房水管漏水")
    _submit(staff, row.get_by_role("link", name=f"#{t.pk}"))
    expect(staff).to_have_url(re.compile(rf"{ticket_url}$"))
    assign = _open_action(staff, "assign")
    assign.locator("select[name=user]").select_option(label="老李师傅")
    _submit(staff, assign.locator("button[type=submit]"))
    expect(staff.get_by_test_id("assignee")).to_have_text("老李师傅")

    # 3. The repairman finds it among his tasks, starts, notes, and resolves it.
    hand = new_context(**DESKTOP).new_page()
    login(hand, "handler")
    hand.goto("/requests/")
    _submit(hand, hand.locator("main").get_by_role("link", name=f"#{t.pk}"))
    _submit(hand, hand.locator("form[data-action=start] button[type=submit]"))
    note = _open_action(hand, "note")
    note.locator("textarea[name=body]").fill(NOTE)
    _submit(hand, note.locator("button[type=submit]"))
    resolve = _open_action(hand, "resolve")
    resolve.locator("textarea[name=result]").fill("换了新阀门")
    _submit(hand, resolve.locator("button[type=submit]"))
    expect(hand.get_by_test_id("status")).to_have_text(zh("Resolved"))

    # 4. Staff reply to the resident.
    staff.goto(ticket_url)
    reply = _open_action(staff, "reply")
    reply.locator("textarea[name=body]").fill("已修好，请您查看")
    _submit(staff, reply.locator("button[type=submit]"))
    expect(staff.get_by_test_id("status")).to_have_text(zh("Replied"))

    # 5. The resident rates it with one big button: thanked, and it is finished.
    res.goto(ticket_url)
    satisfied = res.locator("form[data-action=rate] button[value=satisfied]")
    box = satisfied.bounding_box()
    assert box and box["height"] >= MIN_TAP_PX, f"APP CSS: elder 'satisfied' button {box}"
    _submit(res, satisfied)
    expect(res.locator("main .messages")).to_contain_text(zh("Thank you for telling us."))
    expect(res.get_by_test_id("status")).to_have_text(zh("Finished"))
    t.refresh_from_db()
    assert (t.status, t.rating) == (Status.CLOSED, "satisfied")

    # 6. The resident's timeline: every step in plain words, nothing internal, no names.
    timeline = res.get_by_test_id("timeline")
    steps = [
        zh("Request received"),
        zh("Handed to someone to do it"),
        zh("Work started"),
        zh("Done"),
        zh("The community replied"),
        zh("Rated"),
    ]
    for step in steps:
        expect(timeline).to_contain_text(step)
    expect(timeline).to_contain_text("已修好，请您查看")
    seen = timeline.inner_text()
    assert seen.index(steps[0]) < seen.index(steps[3]) < seen.index(steps[5])
    for secret in (NOTE, zh("Internal note"), "老李师傅", "staff"):
        assert secret not in seen, f"the resident's timeline shows {secret!r}: {seen}"
    assert NOTE not in res.inner_text("main")

    # … and the office's full history names the repairman and keeps the note.
    staff.goto(ticket_url)
    full = staff.get_by_test_id("timeline")
    for text in (*steps, zh("Internal note"), NOTE, "老李师傅", "换了新阀门"):
        expect(full).to_contain_text(text)
    expect(full.locator("li.internal")).to_contain_text(NOTE)


@pytest.mark.browser
def test_my_requests_in_english_shows_english_status_words(new_context):
    w, water, _repair = _ticket_world()
    first = services.ticket_submit(
        actor=w.resident, category=water, description="厨房水管漏水", household=w.hh_3_2_501
    )
    second = services.ticket_submit(
        actor=w.resident, category=water, description="卫生间滴水", household=w.hh_3_2_501
    )
    services.ticket_assign(actor=w.staff, ticket=second, user=w.handler)

    page = new_context().new_page()
    login(page, "13812341234")
    page.goto("/requests/")
    mine = page.get_by_test_id("my-requests")
    expect(mine).to_contain_text(zh("Received — waiting for the community"))

    _submit(page, page.get_by_test_id("lang-switch"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/requests/$"))
    expect(page.locator("h1")).to_have_text("My requests")
    expect(mine.locator("li", has_text=f"#{first.pk}")).to_contain_text(
        "Received — waiting for the community"
    )
    expect(mine.locator("li", has_text=f"#{second.pk}")).to_contain_text(
        "Someone has been given it"
    )
    assert not re.search(r"[\u4e00-\u9fff]", mine.locator(".plain-status").first.inner_text())
