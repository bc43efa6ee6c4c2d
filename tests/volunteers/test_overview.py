"""The office's overview with the Excel export, the public activities page (names only with
consent), and the home card."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linli.volunteers import services
from linli.volunteers.models import Audience
from linli.volunteers.services.activities import ShiftSpec, activity_create, signup_create

pytestmark = pytest.mark.django_db


def _verified(teams, profile, days_ago=2):
    s = timezone.now() - dt.timedelta(days=days_ago)
    e = services.hours_add_manual(
        actor=teams.team_leader, team=teams.long_march, profile=profile, started_at=s,
        ended_at=s + dt.timedelta(hours=2), description="=HYPERLINK(\"x\")",
    )  # fmt: skip
    services.hours_verify(actor=teams.team_leader, entry=e)


def test_office_overview_and_xlsx_export(teams, as_user):
    _verified(teams, teams.member_profile)
    url = reverse("volunteers:office", args=["xincun"])
    c = as_user(teams.world.staff)
    page = c.get(url)
    assert page.status_code == 200 and teams.long_march.name in page.content.decode()
    year = timezone.localdate().year
    r = c.get(url + f"?year={year}&format=xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert [teams.member_profile.number, teams.member_profile.name, 2.0, 120] in [
        list(x) for x in rows
    ]
    for who in (teams.team_leader, teams.member, teams.world.resident):
        assert as_user(who).get(url).status_code in (403, 404)
    assert as_user(teams.world.outsider).get(url).status_code == 404


def test_public_activities_show_only_consented_names(teams, client):
    start = timezone.now() + dt.timedelta(days=2)
    a = activity_create(
        actor=teams.team_leader, community=teams.world.xincun, team=teams.long_march,
        title="植树", audience=Audience.RESIDENTS,
        shifts=[ShiftSpec(start, start + dt.timedelta(hours=2), 5)],
    )  # fmt: skip
    teams.member_profile.name = "李四"
    teams.member_profile.save()
    signup_create(actor=teams.member, shift=a.shifts.get())
    p = services.profile_ensure(community=teams.world.xincun, user=teams.world.resident)
    services.profile_update(actor=teams.world.resident, profile=p, public_name_consent=True)
    signup_create(actor=teams.world.resident, shift=a.shifts.get())
    body = client.get(reverse("volunteers:public", args=["xincun"])).content.decode()
    assert "植树" in body and p.name in body
    assert "李四" not in body


def test_home_card(teams, as_user):
    _verified(teams, teams.member_profile)
    body = as_user(teams.member).get(reverse("home")).content.decode()
    assert 'data-testid="volunteer-card"' in body
    body = as_user(teams.world.other_resident).get(reverse("home")).content.decode()
    assert 'data-testid="volunteer-card"' not in body
