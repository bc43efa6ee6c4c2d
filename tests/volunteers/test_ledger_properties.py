"""The ledger's invariants, under any sequence of adds, verifications, declines and
corrections (hypothesis): nothing is edited in place, reversals sum to zero, a person's live
credits never overlap, and an add is refused exactly when an independent model says it
overlaps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.core.errors import DomainError
from linli.volunteers import queries, services
from linli.volunteers.models import HourEntry, HourStatus

pytestmark = pytest.mark.django_db

BASE = timezone.make_aware(dt.datetime(2026, 6, 1, 8, 0))
SLOT = dt.timedelta(minutes=30)

add = st.tuples(st.just("add"), st.integers(0, 16), st.integers(1, 6))
verify = st.tuples(st.just("verify"), st.integers(0, 30))
decline = st.tuples(st.just("decline"), st.integers(0, 30))
correct = st.tuples(st.just("correct"), st.integers(0, 30), st.none() | st.integers(0, 16))
ops = st.lists(st.one_of(add, verify, decline, correct), min_size=1, max_size=14)


class _Rollback(Exception):
    pass


def _live_overlaps(intervals, start, end):
    return any(s < end and e > start for s, e in intervals)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops)
def test_ledger_invariants(teams, steps):
    leader, profile, team = teams.team_leader, teams.member_profile, teams.long_march
    try:
        with transaction.atomic():
            created: dict[int, tuple] = {}
            live: dict[int, tuple] = {}  # oracle: entry id → (start, end) of live credits
            order: list[int] = []
            for step in steps:
                kind = step[0]
                if kind == "add":
                    start = BASE + step[1] * SLOT
                    end = start + step[2] * SLOT
                    expect_ok = not _live_overlaps(live.values(), start, end)
                    try:
                        e = services.hours_add_manual(
                            actor=leader, team=team, profile=profile, started_at=start,
                            ended_at=end, description="x",
                        )  # fmt: skip
                    except DomainError as exc:
                        assert not expect_ok, exc
                        assert exc.code == "overlap"
                        continue
                    assert expect_ok
                    created[e.pk] = (e.started_at, e.ended_at, e.minutes)
                    live[e.pk] = (start, end)
                    order.append(e.pk)
                    continue
                if not order:
                    continue
                e = HourEntry.objects.get(pk=order[step[1] % len(order)])
                try:
                    if kind == "verify":
                        services.hours_verify(actor=leader, entry=e)
                    elif kind == "decline":
                        services.hours_decline(actor=leader, entry=e, reason="r")
                        live.pop(e.pk, None)
                    else:
                        times = None
                        if step[2] is not None:
                            s = BASE + step[2] * SLOT
                            times = (s, s + 2 * SLOT)
                        rev, new = services.hours_correct(
                            actor=leader, entry=e, reason="r",
                            started_at=times[0] if times else None,
                            ended_at=times[1] if times else None,
                        )  # fmt: skip
                        live.pop(e.pk, None)
                        created[rev.pk] = (rev.started_at, rev.ended_at, rev.minutes)
                        if new is not None:
                            created[new.pk] = (new.started_at, new.ended_at, new.minutes)
                            live[new.pk] = times
                            order.append(new.pk)
                except DomainError:
                    # Refused: the whole step left nothing behind (checked below).
                    pass

            rows = list(HourEntry.objects.filter(profile=profile))
            # 1. Nothing edited in place, nothing deleted.
            assert {r.pk: (r.started_at, r.ended_at, r.minutes) for r in rows} == created
            by_pk = {r.pk: r for r in rows}
            # 2. Reversals: verified, the exact negative of a verified credit, one each.
            for r in rows:
                if r.reverses_id is not None:
                    target = by_pk[r.reverses_id]
                    assert r.minutes == -target.minutes
                    assert r.status == target.status == HourStatus.VERIFIED
            # 3. Live credits never overlap, and are what the oracle says.
            live_rows = list(queries.live_credits_of(profile))
            assert {r.pk for r in live_rows} == set(live)
            spans = sorted((r.started_at, r.ended_at) for r in live_rows)
            assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
            # 4. The verified total is the sum of verified live credits.
            expected = sum(r.minutes for r in live_rows if r.status == HourStatus.VERIFIED)
            assert queries.totals_for_profile(profile)["verified"] == expected
            raise _Rollback
    except _Rollback:
        pass
