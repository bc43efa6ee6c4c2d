"""The next-due rule, as properties: only the next visit, from the last reached visit and
the tier; late paper visits; major events; move-out and death stop visits."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.care import services
from linli.care.due import EVENT, EventWindow, is_overdue, next_due
from linli.care.models import CarePerson, MajorEvent, Visit
from tests.care.conftest import back

days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31))
freq = st.sampled_from([7, 14, 30, 91])


@given(enrolled=days, f=freq, gap=st.integers(0, 400))
def test_due_is_last_reached_visit_plus_frequency(enrolled, f, gap):
    last = enrolled + dt.timedelta(days=gap)
    d = next_due(enrolled_on=enrolled, frequency_days=f, last_reached_on=last)
    assert d.on == last + dt.timedelta(days=f) and d.by is None


@given(enrolled=days, f=freq)
def test_never_visited_is_due_on_enrolment(enrolled, f):
    assert next_due(enrolled_on=enrolled, frequency_days=f, last_reached_on=None).on == enrolled


@given(enrolled=days, f=freq, gap=st.integers(0, 400), moved=st.booleans())
def test_stopped_people_are_due_nothing(enrolled, f, gap, moved):
    last = enrolled + dt.timedelta(days=gap)
    assert (
        next_due(enrolled_on=enrolled, frequency_days=f, last_reached_on=last, stopped=True) is None
    )
    assert not is_overdue(None, timezone.now())


@given(enrolled=days, f1=freq, f2=freq, gap=st.integers(0, 400))
def test_a_higher_frequency_never_makes_the_visit_later(enrolled, f1, f2, gap):
    last = enrolled + dt.timedelta(days=gap)
    a = next_due(enrolled_on=enrolled, frequency_days=min(f1, f2), last_reached_on=last)
    b = next_due(enrolled_on=enrolled, frequency_days=max(f1, f2), last_reached_on=last)
    assert a.on <= b.on


@given(
    enrolled=days,
    f=freq,
    gap=st.integers(0, 200),
    after=st.integers(1, 300),
    hours=st.sampled_from([24, 48, 72]),
)
def test_event_after_last_visit_makes_it_due_within_its_hours(enrolled, f, gap, after, hours):
    last = enrolled + dt.timedelta(days=gap)
    declared = dt.datetime.combine(last + dt.timedelta(days=after), dt.time(9), tzinfo=dt.UTC)
    d = next_due(
        enrolled_on=enrolled, frequency_days=f, last_reached_on=last,
        events=[EventWindow(declared, hours)],
    )  # fmt: skip
    regular = last + dt.timedelta(days=f)
    deadline = declared + dt.timedelta(hours=hours)
    assert d.on == min(regular, deadline.date())
    if deadline.date() <= regular:
        assert d.reason == EVENT and d.by == deadline


@given(enrolled=days, f=freq, gap=st.integers(0, 200), before=st.integers(0, 100))
def test_event_answered_by_a_visit_on_or_after_it_is_forgotten(enrolled, f, gap, before):
    last = enrolled + dt.timedelta(days=gap)
    declared = dt.datetime.combine(last - dt.timedelta(days=before), dt.time(9), tzinfo=dt.UTC)
    d = next_due(enrolled_on=enrolled, frequency_days=f, last_reached_on=last,
                 events=[EventWindow(declared, 24)])  # fmt: skip
    assert d.on == last + dt.timedelta(days=f) and d.by is None


@given(enrolled=days, f=freq, gap=st.integers(0, 200))
def test_event_that_does_not_apply_changes_nothing(enrolled, f, gap):
    last = enrolled + dt.timedelta(days=gap)
    declared = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC)
    d = next_due(enrolled_on=enrolled, frequency_days=f, last_reached_on=last,
                 events=[EventWindow(declared, None)])  # fmt: skip
    assert d.on == last + dt.timedelta(days=f)


# --- the stored due date is the rule's answer ------------------------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["visit", "not_home", "tier", "event"]),
            st.integers(0, 120),
            st.sampled_from(["high", "key", "general"]),
        ),
        max_size=6,
    )
)
@pytest.mark.django_db
def test_stored_due_equals_the_rule_from_raw_visits(care, world, ops):
    p = care.wang
    Visit.objects.filter(person=p).delete()
    MajorEvent.objects.all().delete()
    today = timezone.localdate()
    CarePerson.objects.filter(pk=p.pk).update(enrolled_on=today - dt.timedelta(days=200))
    p.refresh_from_db()
    services.person_refresh_due(p)
    for op, ago, tier in ops:
        if op in ("visit", "not_home"):  # late paper visits too: any past date
            services.visit_record(
                actor=world.staff, person=p, visited_on=today - dt.timedelta(days=ago),
                method="home", outcome="reached" if op == "visit" else "not_home",
            )  # fmt: skip
        elif op == "tier":
            services.person_set_tier(actor=world.staff, person=p, tier=tier, reason="变化")
        else:
            services.event_declare(
                actor=world.staff, community=world.xincun, kind="cold_wave",
                others_within_hours=48,
            )  # fmt: skip
        p.refresh_from_db()
    p = CarePerson.objects.select_related("resident").get(pk=p.pk)
    reached = [v.visited_on for v in p.visits.all() if v.outcome == "reached"]
    last = max(reached) if reached else None
    expect = next_due(
        enrolled_on=p.enrolled_on,
        frequency_days=services.frequency_of(p, services.settings_for(p.community_id)),
        last_reached_on=last,
        events=[
            EventWindow(e.declared_at, e.within_hours(p.tier)) for e in MajorEvent.objects.all()
        ],
        tz=timezone.get_current_timezone(),
    )
    assert (p.due_on, p.due_by, p.last_reached_on) == (expect.on, expect.by, last)


def test_major_event_makes_high_risk_due_within_24_hours(care, world):
    services.visit_record(
        actor=world.staff, person=care.li, visited_on=timezone.localdate(), method="home"
    )
    back(care.li, 30)
    Visit.objects.filter(person=care.li).update(
        visited_on=timezone.localdate() - dt.timedelta(days=2)
    )
    services.person_refresh_due(care.li)
    ev = services.event_declare(actor=world.staff, community=world.xincun, kind="cold_wave")
    care.li.refresh_from_db()
    care.wang.refresh_from_db()
    assert care.li.due_reason == "event"
    assert care.li.due_by == ev.declared_at + dt.timedelta(hours=24)
    assert care.wang.due_reason != "event"  # no time chosen for the others


def test_move_out_and_death_stop_visits(care, world):
    r = world.li_si
    r.status, r.moved_out_on = "moved_out", timezone.localdate()
    r.save()
    from linli.care.alerts import refresh_stopped

    refresh_stopped()
    care.li.refresh_from_db()
    assert care.li.due_on is None
    w = world.wang_wu
    w.status, w.deceased_on = "deceased", timezone.localdate()
    w.save()
    refresh_stopped()
    care.wang.refresh_from_db()
    assert care.wang.due_on is None
