"""The service-hour ledger (Order 67): pending until verified by the team's leader or the
office, corrections by reversal, disputes, no overlapping credit, totals in SQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from linli.core.errors import Conflict, DomainError
from linli.core.models import Event
from linli.volunteers import queries, services
from linli.volunteers.models import HourDispute, HourEntry, HourStatus

pytestmark = pytest.mark.django_db


def _at(days_ago: int, hour: int) -> dt.datetime:
    d = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime(d.year, d.month, d.day, hour))


def _manual(teams, days_ago=3, start=9, end=11, who=None):
    return services.hours_add_manual(
        actor=teams.team_leader,
        team=teams.long_march,
        profile=who or teams.member_profile,
        started_at=_at(days_ago, start),
        ended_at=_at(days_ago, end),
        description="巡逻",
    )


def test_hours_are_pending_until_the_leader_verifies(teams):
    e = _manual(teams)
    assert e.status == HourStatus.PENDING and e.minutes == 120
    assert queries.totals_for_profile(teams.member_profile)["verified"] == 0
    services.hours_verify(actor=teams.team_leader, entry=e)
    assert queries.totals_for_profile(teams.member_profile) == {"verified": 120, "pending": 0}
    assert Event.objects.filter(verb="hours.verified", object_id=e.pk).exists()


def test_verification_by_anyone_but_the_teams_leader_or_the_office_is_refused(teams):
    e = _manual(teams)
    w = teams.world
    for who in (teams.other_leader, w.resident, w.leader, w.grid_worker, w.volunteer):
        with pytest.raises((PermissionDenied, Http404)):
            services.hours_verify(actor=who, entry=e)
    with pytest.raises(Http404):
        services.hours_verify(actor=w.outsider, entry=e)
    with pytest.raises(Http404):
        services.hours_verify(actor=teams.nancun_leader, entry=e)
    assert HourEntry.objects.get(pk=e.pk).status == HourStatus.PENDING
    services.hours_verify(actor=w.secretary, entry=e)


def test_a_leader_does_not_verify_their_own_hours(teams):
    lp = services.profile_ensure(community=teams.world.xincun, user=teams.team_leader)
    e = _manual(teams, who=lp)
    with pytest.raises(DomainError) as exc:
        services.hours_verify(actor=teams.team_leader, entry=e)
    assert exc.value.status == 403


def test_overlapping_hours_of_the_same_person_are_refused(teams):
    _manual(teams, start=9, end=11)
    with pytest.raises(DomainError) as exc:
        _manual(teams, start=10, end=12)
    assert exc.value.code == "overlap"
    _manual(teams, start=11, end=12)  # touching is not overlapping
    assert HourEntry.objects.count() == 2


def test_declined_hours_free_the_time(teams):
    e = _manual(teams)
    with pytest.raises(DomainError):
        services.hours_decline(actor=teams.team_leader, entry=e, reason=" ")
    services.hours_decline(actor=teams.team_leader, entry=e, reason="不在现场")
    _manual(teams)  # the same time again: the declined entry does not count


@pytest.mark.parametrize(
    ("start", "end", "days_ago", "code"),
    [(11, 9, 3, "ledger"), (9, 9, 3, "ledger"), (0, 20, 3, "ledger"), (9, 11, -2, "ledger")],
)
def test_bad_times_refused_with_a_clear_error(teams, start, end, days_ago, code):
    with pytest.raises(DomainError) as exc:
        _manual(teams, start=start, end=end, days_ago=days_ago)
    assert exc.value.code == code and str(exc.value.message)
    assert not HourEntry.objects.exists()


def test_correction_is_a_reversal_and_a_new_entry_both_kept(teams):
    e = _manual(teams)
    services.hours_verify(actor=teams.team_leader, entry=e)
    with pytest.raises(DomainError):
        services.hours_correct(actor=teams.team_leader, entry=e, reason="")
    rev, new = services.hours_correct(
        actor=teams.team_leader, entry=e, reason="少记半小时",
        started_at=_at(3, 9), ended_at=_at(3, 12),
    )  # fmt: skip
    assert rev.minutes == -120 and rev.reverses_id == e.pk
    assert new is not None and new.minutes == 180 and new.corrects_id == e.pk
    e.refresh_from_db()
    assert e.minutes == 120 and e.status == HourStatus.VERIFIED  # untouched
    assert queries.totals_for_profile(teams.member_profile)["verified"] == 180
    with pytest.raises(Conflict):
        services.hours_correct(actor=teams.team_leader, entry=e, reason="again")
    with pytest.raises(Conflict):
        services.hours_correct(actor=teams.team_leader, entry=rev, reason="again")


def test_pending_hours_are_declined_not_corrected(teams):
    e = _manual(teams)
    with pytest.raises(Conflict):
        services.hours_correct(actor=teams.team_leader, entry=e, reason="x")


def test_volunteer_disputes_and_the_leader_upholds(teams):
    e = _manual(teams)
    services.hours_verify(actor=teams.team_leader, entry=e)
    with pytest.raises(Http404):
        services.hours_dispute(actor=teams.world.resident, entry=e, reason="x")
    with pytest.raises(PermissionDenied):
        services.hours_dispute(actor=teams.team_leader, entry=e, reason="x")
    d = services.hours_dispute(actor=teams.member, entry=e, reason="我做到了12点")
    with pytest.raises(Conflict):
        services.hours_dispute(actor=teams.member, entry=e, reason="again")
    services.dispute_resolve(
        actor=teams.team_leader, dispute=d, uphold=True, outcome="已更正",
        started_at=_at(3, 9), ended_at=_at(3, 12),
    )  # fmt: skip
    d.refresh_from_db()
    assert d.status == "upheld" and d.resolved_by == teams.team_leader
    assert queries.totals_for_profile(teams.member_profile)["verified"] == 180


def test_rejected_dispute_changes_nothing_but_is_recorded(teams):
    e = _manual(teams)
    d = services.hours_dispute(actor=teams.member, entry=e, reason="不对")
    services.dispute_resolve(actor=teams.world.staff, dispute=d, uphold=False, outcome="核实无误")
    assert HourDispute.objects.get(pk=d.pk).status == "rejected"
    assert HourEntry.objects.count() == 1


def test_hours_add_pending_for_other_apps(teams):
    """The care app's entry point: the volunteer's profile is made when missing; the office
    verifies entries that belong to no team."""
    w = teams.world
    e = services.hours_add_pending(
        actor=w.staff, user=w.resident, community=w.xincun, started_at=_at(1, 14),
        ended_at=_at(1, 15), source="care", description="探访",
    )  # fmt: skip
    assert e.status == HourStatus.PENDING and e.team_id is None and e.profile.user == w.resident
    with pytest.raises(PermissionDenied):
        services.hours_verify(actor=teams.team_leader, entry=e)
    services.hours_verify(actor=w.staff, entry=e)
    with pytest.raises(PermissionDenied):  # someone of another community
        services.hours_add_pending(
            actor=w.outsider, user=w.resident, community=w.xincun, started_at=_at(2, 14),
            ended_at=_at(2, 15), source="care",
        )  # fmt: skip
    with pytest.raises(DomainError):
        services.hours_add_pending(
            actor=w.staff, user=w.resident, community=w.xincun, started_at=_at(2, 14),
            ended_at=_at(2, 15), source="bogus",
        )  # fmt: skip


def test_totals_per_volunteer_team_month_and_year_in_sql(teams, django_assert_max_num_queries):
    e1 = _manual(teams, days_ago=40)
    e2 = _manual(teams, days_ago=3)
    for e in (e1, e2):
        services.hours_verify(actor=teams.team_leader, entry=e)
    services.hours_correct(actor=teams.team_leader, entry=e1, reason="重复")
    year = timezone.localdate().year
    with django_assert_max_num_queries(1):
        by_volunteer = queries.hours_totals(community=teams.world.xincun, year=year, by="volunteer")
    with django_assert_max_num_queries(1):
        by_team = queries.hours_totals(community=teams.world.xincun, year=year, by="team")
    with django_assert_max_num_queries(1):
        by_month = queries.hours_totals(community=teams.world.xincun, year=year, by="month")
    assert sum(r["minutes"] for r in by_volunteer) == 120
    assert by_team == [{"key": teams.long_march.pk, "label": teams.long_march.name, "minutes": 120}]
    assert sum(r["minutes"] for r in by_month) == 120
