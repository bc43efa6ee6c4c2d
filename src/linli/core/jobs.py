"""Typed fronts for huey's Django task decorators (huey ships no type information, so its
decorators would make every task untyped). Same behaviour: these call
``huey.contrib.djhuey.db_task`` / ``db_periodic_task`` with the same options.

    @jobs.db_task(retries=3, retry_delay=60)
    def deliver_notification(notification_id: int) -> None: ...

    deliver_notification(42)  # enqueued; the type checker checks the arguments
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, ParamSpec, Protocol

from huey.contrib import djhuey

_P = ParamSpec("_P")


class Task(Protocol, Generic[_P]):
    """A huey task: calling it enqueues the function (huey's ``Result``, Any: untyped);
    ``call_local`` runs it here and now."""

    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> Any: ...

    def call_local(self, *args: _P.args, **kwargs: _P.kwargs) -> Any: ...


def db_task(*, retries: int = 0, retry_delay: int = 0) -> Callable[[Callable[_P, Any]], Task[_P]]:
    """A task run by the worker, with the database connection closed after it (huey's
    defaults: no retries)."""
    decorator: Callable[[Callable[_P, Any]], Task[_P]] = djhuey.db_task(
        retries=retries, retry_delay=retry_delay
    )
    return decorator


def db_periodic_task(
    validate_datetime: Callable[[datetime], bool],
) -> Callable[[Callable[[], Any]], Task[[]]]:
    """A task the worker runs whenever ``validate_datetime`` (e.g. a huey ``crontab``) says."""
    decorator: Callable[[Callable[[], Any]], Task[[]]] = djhuey.db_periodic_task(validate_datetime)
    return decorator
