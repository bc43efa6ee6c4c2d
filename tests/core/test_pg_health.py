"""The health check of a kept PostgreSQL connection (core/postgresql): no round trip while the
connection's socket is quiet, and a connection the server dropped (as a restart drops every
one: the backend is terminated) replaced before the request's first query, not an error."""

from __future__ import annotations

import time

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from linli.core.postgresql.base import socket_quiet

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def _new_request() -> None:
    # What Django does between two requests on a kept connection (close_old_connections).
    connection.close_if_unusable_or_obsolete()
    assert connection.connection is not None
    assert not connection.health_check_done


def _pid() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return int(cur.fetchone()[0])


def test_settings_use_the_backend_with_health_checks():
    assert connection.settings_dict["ENGINE"] == "linli.core.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert type(connections["default"]).__module__ == "linli.core.postgresql.base"


def test_a_quiet_connection_is_checked_without_a_round_trip(monkeypatch):
    _pid()
    _new_request()
    calls = []
    monkeypatch.setattr(
        type(connections["default"]), "is_usable", lambda self: calls.append(1) or True
    )
    assert socket_quiet(connection.connection)
    with CaptureQueriesContext(connection) as ctx:
        _pid()
    assert calls == []  # no SELECT 1
    assert len(ctx.captured_queries) == 1
    assert connection.health_check_done


def _terminate(pid):
    """The server ends backend ``pid`` (as a restart does), and its FATAL message and end of
    file reach this connection's socket: it is no longer quiet."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    deadline = time.monotonic() + 5
    while socket_quiet(connection.connection) and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_dropped_connection_is_replaced_before_the_first_query():
    old = _pid()
    _new_request()
    _terminate(old)
    assert not socket_quiet(connection.connection)
    new = _pid()  # no OperationalError: the health check closed it, this query reconnected
    assert new != old


def test_without_the_check_the_dropped_connection_would_have_failed():
    """The check above is what saves the request: the same drop, health checks off, errors."""
    from django.db import OperationalError

    old = _pid()
    _new_request()
    connection.health_check_enabled = False
    _terminate(old)
    with pytest.raises(OperationalError):
        _pid()
    connection.close()


def test_a_closed_or_broken_connection_is_not_quiet():
    class Closed:
        closed = True

    assert not socket_quiet(Closed())
    assert not socket_quiet(object())
