"""Service certificates: verified hours only (refused, saying why, otherwise), a numbered A4
PDF with the name, masked ID, hours and number in embedded fonts, a public verification page
without personal data beyond the consented name, the seal upload, and the command line."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from linli.core.errors import DomainError
from linli.core.models import Event, PersonalDataRead
from linli.volunteers import services
from linli.volunteers.models import Certificate, CommunitySeal
from linli.volunteers.services.certificates import certificate_issue, seal_upload
from tests import pdfs
from tests.factories import VALID_ID

pytestmark = pytest.mark.django_db


def _png(size=(120, 120), fmt="PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


@pytest.fixture
def resident_volunteer(teams):
    """The resident 张三 (with an ID number on file) volunteers in the long march team, with
    3 hours verified and 1 pending, and the committee's seal uploaded."""
    w = teams.world
    p = services.profile_ensure(community=w.xincun, user=w.resident)
    services.member_add(actor=None, team=teams.long_march, profile=p)
    start = timezone.now() - dt.timedelta(days=5)
    for i, verify in ((0, True), (1, True), (2, True), (3, False)):
        s = start + dt.timedelta(days=i)
        e = services.hours_add_manual(
            actor=teams.team_leader, team=teams.long_march, profile=p, started_at=s,
            ended_at=s + dt.timedelta(hours=1), description="安全巡逻",
        )  # fmt: skip
        if verify:
            services.hours_verify(actor=teams.team_leader, entry=e)
    seal_upload(actor=w.secretary, community=w.xincun, data=_png())
    return p


def _period():
    today = timezone.localdate()
    return today - dt.timedelta(days=30), today


def test_certificate_pdf_has_name_masked_id_hours_number_in_embedded_fonts(
    teams, resident_volunteer, as_user
):
    w = teams.world
    a, b = _period()
    cert = certificate_issue(actor=w.staff, profile=resident_volunteer, period_from=a, period_to=b)
    assert cert.minutes == 180 and cert.entries.count() == 3
    assert cert.number.startswith(f"XINCUN-{b.year}-")
    r = as_user(w.resident).get(reverse("volunteers:certificate_pdf", args=[cert.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdfs.text(r.content)
    assert "张三" in text and cert.number in text and "3.0" in text
    masked = w.resident.resident.id_number_masked
    assert masked in text and VALID_ID not in text
    assert pdfs.all_fonts_embedded(r.content)
    # Issuing is on the volunteer's "My data" (a read by the office) and an event.
    assert PersonalDataRead.objects.filter(
        subject_id=w.resident.resident_id, purpose="volunteer.certificate"
    ).exists()
    assert Event.objects.filter(verb="certificate.issued", object_id=cert.pk).exists()


def test_no_verified_hours_refused_saying_why(teams, resident_volunteer):
    today = timezone.localdate()
    with pytest.raises(DomainError) as exc:
        certificate_issue(
            actor=teams.world.staff, profile=resident_volunteer,
            period_from=today - dt.timedelta(days=2), period_to=today,
        )  # fmt: skip
    assert exc.value.code == "no_verified_hours" and "60" in str(exc.value.message)
    assert not Certificate.objects.exists()


def test_bad_periods_refused(teams, resident_volunteer):
    today = timezone.localdate()
    for a, b in ((today, today - dt.timedelta(days=1)), (today, today + dt.timedelta(days=1))):
        with pytest.raises(DomainError):
            certificate_issue(actor=teams.world.staff, profile=resident_volunteer,
                              period_from=a, period_to=b)  # fmt: skip


def test_who_may_issue(teams, resident_volunteer):
    a, b = _period()
    w = teams.world
    with pytest.raises(Http404):
        certificate_issue(
            actor=w.other_resident, profile=resident_volunteer, period_from=a, period_to=b
        )
    with pytest.raises(Http404):
        certificate_issue(actor=w.outsider, profile=resident_volunteer, period_from=a, period_to=b)
    certificate_issue(actor=w.resident, profile=resident_volunteer, period_from=a, period_to=b)


def test_public_verification_page_shows_no_personal_data_beyond_the_consented_name(
    teams, resident_volunteer, client
):
    a, b = _period()
    cert = certificate_issue(
        actor=teams.world.staff, profile=resident_volunteer, period_from=a, period_to=b
    )
    url = reverse("volunteers:certificate_verify", args=[cert.verify_token])
    body = client.get(url).content.decode()
    assert cert.number in body and "180" in body
    assert "张三" not in body  # no consent
    assert resident_volunteer.number not in body
    assert client.get(reverse("volunteers:certificate_verify", args=["forged"])).status_code == 404
    services.profile_update(
        actor=teams.world.resident, profile=resident_volunteer, public_name_consent=True
    )
    cert2 = certificate_issue(
        actor=teams.world.staff, profile=resident_volunteer, period_from=a, period_to=b
    )
    body = client.get(
        reverse("volunteers:certificate_verify", args=[cert2.verify_token])
    ).content.decode()
    assert "张三" in body


def test_certificate_needs_the_seal(teams):
    w = teams.world
    start = timezone.now() - dt.timedelta(days=2)
    e = services.hours_add_manual(
        actor=teams.team_leader, team=teams.long_march, profile=teams.member_profile,
        started_at=start, ended_at=start + dt.timedelta(hours=1), description="x",
    )  # fmt: skip
    services.hours_verify(actor=teams.team_leader, entry=e)
    a, b = _period()
    with pytest.raises(DomainError) as exc:
        certificate_issue(actor=w.staff, profile=teams.member_profile, period_from=a, period_to=b)
    assert exc.value.code == "no_seal"


@pytest.mark.parametrize(
    "data",
    [
        b"not an image at all",
        _png(fmt="GIF"),
        b"\x89PNG" + b"0" * (1024 * 1024 + 10),
        _png((20, 20)),
    ],
)
def test_bad_seal_uploads_refused(teams, data):
    with pytest.raises(DomainError):
        seal_upload(actor=teams.world.secretary, community=teams.world.xincun, data=data)
    assert not CommunitySeal.objects.exists()


def test_only_the_secretary_uploads_the_seal(teams, as_user):
    w = teams.world
    with pytest.raises(PermissionDenied):
        seal_upload(actor=w.staff, community=w.xincun, data=_png())
    url = reverse("volunteers:seal", args=["xincun"])
    assert as_user(w.outsider).get(url).status_code == 404
    c = as_user(w.secretary)
    bad = c.post(url, {"image": SimpleUploadedFile("s.txt", b"hello", "text/plain")})
    assert bad.status_code == 400
    ok = c.post(url, {"image": SimpleUploadedFile("s.png", _png(), "image/png")})
    assert ok.status_code == 302 and CommunitySeal.objects.filter(community=w.xincun).exists()


def test_command_line_issue_and_hours(teams, resident_volunteer, tmp_path, capsys):
    a, b = _period()
    out = tmp_path / "c.pdf"
    call_command(
        "certificate", "issue", "--as", "staff", "--volunteer", "resident",
        "--from", a.isoformat(), "--to", b.isoformat(), "--out", str(out),
    )  # fmt: skip
    number = capsys.readouterr().out.strip()
    assert Certificate.objects.get().number == number
    assert number in pdfs.text(out.read_bytes())
    call_command("volunteers", "hours", "--community", "xincun", "--year", str(b.year), "--json")
    data = json.loads(capsys.readouterr().out)
    assert {
        "number": resident_volunteer.number,
        "name": "张三",
        "minutes": 180,
        "hours": 3.0,
    } in data["volunteers"]
    assert data["teams"] == [{"team": teams.long_march.name, "minutes": 180, "hours": 3.0}]
