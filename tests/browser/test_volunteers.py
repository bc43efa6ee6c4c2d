"""Volunteering in a real browser (issue 13): a member, on a 390 px phone in elder mode, signs
up for a shift, checks in and out through the link the venue's QR code encodes, the team leader
verifies the pending hours in the verification queue, and the member downloads the certificate
PDF, which names them."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from linli.core import documents
from linli.volunteers import services
from linli.volunteers.models import Attendance, HourEntry, HourStatus, Shift
from linli.volunteers.services.activities import ShiftSpec, activity_create
from linli.volunteers.services.certificates import seal_upload
from tests import pdfs
from tests.browser.helpers import assert_elder_targets, login
from tests.factories import make_world
from tests.volunteers.conftest import make_teams


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (120, 120), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _click(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


@pytest.mark.browser
def test_member_signs_up_checks_in_by_qr_leader_verifies_member_gets_certificate(
    new_context, live_server
):
    w = make_world()
    teams = make_teams(w)
    member = services.profile_ensure(community=w.xincun, user=w.resident)  # 张三
    services.member_add(actor=None, team=teams.long_march, profile=member)
    seal_upload(actor=w.secretary, community=w.xincun, data=_png())
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=3)
    activity = activity_create(
        actor=teams.team_leader, community=w.xincun, team=teams.long_march,
        title="重阳敬老", place="活动室",
        shifts=[ShiftSpec(start, start + dt.timedelta(hours=2), 5)],
    )  # fmt: skip
    shift = activity.shifts.get()

    # 1. The member, on a phone, in elder mode, signs up on the activity page.
    ctx = new_context()
    ctx.set_default_timeout(30_000)  # a loaded machine: the first page can take seconds
    page = ctx.new_page()
    login(page, "resident")
    page.goto("/")
    _click(page, page.get_by_test_id("elder-switch"))
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    page.goto(f"/volunteers/activities/{activity.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_elder_targets(page, "the activity page")
    _click(page, page.get_by_test_id("signup"))
    assert page.get_by_test_id("my-signup").is_visible()
    page.goto("/volunteers/")
    assert "重阳敬老" in page.get_by_test_id("my-shifts").inner_text()

    # 2. The shift begins (the clock moves: the shift now started 40 minutes ago).
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=40),
        ends_at=timezone.now() + dt.timedelta(minutes=80),
    )
    # The leader's attendance page shows the QR code; it encodes the check-in link.
    lctx = new_context()
    lctx.set_default_timeout(30_000)
    leader = lctx.new_page()
    login(leader, "team_leader")
    leader.goto(f"/volunteers/shifts/{shift.pk}/attendance/")
    checkin_path = f"/volunteers/shifts/{shift.pk}/checkin/{shift.checkin_token}/"
    # No QR decoder here: the code shown is exactly segno's code of the check-in link.
    shown = leader.get_by_test_id("checkin-qr").inner_html()
    drawn = re.search(r'<path[^>]* d="([^"]+)"', shown)
    expected = re.search(
        r'<path[^>]* d="([^"]+)"', documents.qr_svg(live_server.url + checkin_path, "x")
    )
    assert drawn and expected and drawn.group(1) == expected.group(1), "QR ≠ check-in link"

    # 3. The member opens the link: a button (a GET never acts), pressed to check in...
    page.goto(checkin_path)
    assert not Attendance.objects.exists()
    assert_elder_targets(page, "the check-in page")
    _click(page, page.get_by_test_id("checkin"))
    att = Attendance.objects.get(shift=shift, profile=member)
    # ... and, half an hour of service later, to check out.
    Attendance.objects.filter(pk=att.pk).update(
        checked_in_at=timezone.now() - dt.timedelta(minutes=30)
    )
    _click(page, page.get_by_test_id("checkin"))
    assert page.get_by_test_id("checked-out").is_visible()
    entry = HourEntry.objects.get(profile=member)
    assert entry.status == HourStatus.PENDING and 29 <= entry.minutes <= 31

    # 4. The team leader verifies the pending hours in the verification queue.
    leader.goto("/volunteers/hours/queue/")
    card = leader.locator(f"[data-entry='{entry.pk}']")
    assert member.number in card.inner_text()
    _click(leader, card.get_by_test_id("verify"))
    entry.refresh_from_db()
    assert entry.status == HourStatus.VERIFIED

    # 5. The member asks for a certificate of the month and downloads the PDF.
    page.goto("/volunteers/")
    _click(page, page.get_by_test_id("certificate-link"))
    today = timezone.localdate()
    page.fill("input[name=period_from]", (today - dt.timedelta(days=30)).isoformat())
    page.fill("input[name=period_to]", today.isoformat())
    assert_elder_targets(page, "the certificate page")
    with page.expect_download() as dl:
        page.get_by_test_id("issue").click()
    path = dl.value.path()
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF")
    text = re.sub(r"\s+", "", pdfs.text(data))
    assert "张三" in text
    assert member.certificates.count() == 1
    assert member.certificates.get().number in text
