"""The demo's clock: a year of history written through services that check the time.

- ``as_of(when)``: run the services as if it were ``when`` (they check the time against notice
  periods, voting windows and sign-in times, and stamp what they write with it);
- ``events_on_clock()``: the event log's rows stamped by that clock too;
- ``local(day, hour, minute)``: that time of ``day`` in the local time zone.

Only for the one-off loading command, like ``tickets._keep_dates``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.db.models.signals import pre_save
from django.utils import timezone

from linli.core.models import Event


@contextmanager
def as_of(when: dt.datetime) -> Iterator[None]:
    with mock.patch.object(timezone, "now", lambda: when):
        yield


def _event_on_clock(sender: Any, instance: Event, raw: bool = False, **kwargs: Any) -> None:
    # The event log's default stamp was taken when the row was built, bypassing ``as_of``.
    if not raw and instance.pk is None:
        instance.created_at = timezone.now()


@contextmanager
def events_on_clock() -> Iterator[None]:
    pre_save.connect(_event_on_clock, sender=Event, dispatch_uid=__name__)
    try:
        yield
    finally:
        pre_save.disconnect(sender=Event, dispatch_uid=__name__)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``hour:minute`` on ``day``, local time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
