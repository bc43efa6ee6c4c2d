"""Deadline reminders: one month from acceptance, 30 days for judicial confirmation, return
visits — idempotent, to the case's mediators, carrying no content."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.core.models import Notification
from linli.mediation import services as s
from linli.mediation.models import Case
from linli.mediation.reminders import send_reminders

from .helpers import open_case, signed_case

pytestmark = pytest.mark.django_db


def _inbox(user):
    return list(Notification.objects.filter(recipient=user, channel="in_app").order_by("verb"))


def test_one_month_reminders_before_and_after_once_each(world):
    case = open_case(world)
    s.case_accept(actor=world.mediator, case=case)
    accepted = timezone.localdate() - dt.timedelta(days=27)
    Case.objects.filter(pk=case.pk).update(accepted_on=accepted)
    today = timezone.localdate()
    assert send_reminders(today) == 1
    assert send_reminders(today) == 0  # idempotent
    assert send_reminders(today + dt.timedelta(days=10)) == 1  # now overdue
    assert send_reminders(today + dt.timedelta(days=11)) == 0
    verbs = [n.verb for n in _inbox(world.mediator)]
    assert verbs == ["mediation.reminder.settle_over", "mediation.reminder.settle_soon"]
    for n in _inbox(world.mediator):
        assert "漏水" not in n.title + n.body and "张三" not in n.title + n.body
        assert case.number in n.title


def test_no_reminder_for_a_fresh_or_closed_case(world):
    case = open_case(world)
    s.case_accept(actor=world.mediator, case=case)
    assert send_reminders() == 0


def test_judicial_confirmation_reminders(world):
    case = signed_case(world)
    s.agreement_make_effective(actor=world.mediator, case=case)
    today = timezone.localdate()
    assert send_reminders(today) == 1  # the window opened: tell the parties
    assert send_reminders(today) == 0
    # a week before its end, and the return visit (due on day 15) now due: one each
    assert send_reminders(today + dt.timedelta(days=24)) == 2
    assert send_reminders(today + dt.timedelta(days=25)) == 0
    # each reminded once
    verbs = sorted(n.verb for n in _inbox(world.mediator))
    assert verbs == [
        "mediation.reminder.confirm_soon",
        "mediation.reminder.confirm_start",
        "mediation.reminder.visit_due",
    ]


def test_a_confirmed_agreement_is_no_longer_reminded(world):
    case = signed_case(world)
    s.agreement_make_effective(actor=world.mediator, case=case)
    s.agreement_court_confirmed(actor=world.mediator, case=case, confirmed_on=timezone.localdate())
    case.tasks.update(done_on=timezone.localdate())
    assert send_reminders(timezone.localdate() + dt.timedelta(days=25)) == 0
