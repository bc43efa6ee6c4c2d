"""Django's PostgreSQL backend, with the health check of a kept connection made without a
round trip when the connection's socket is quiet (``ENGINE`` with ``DATABASE_URL``).

``CONN_HEALTH_CHECKS`` makes Django send ``SELECT 1`` before the first query of every request
on a connection kept from an earlier one, so that a connection the server dropped (a restart,
``pg_terminate_backend``, an idle timeout) is replaced instead of failing the request with an
error. Measured on the empty page: one more round trip per request, ~65 µs of the worker's CPU
and the server's work for the statement (docs/performance.md, session 6).

A connection the server has dropped is always *readable* at that point: the server sends its
``FATAL`` message (57P01 "terminating connection due to administrator command", or the crash
notice) and closes the socket, and the kernel then reports end of file. An idle connection in
good health has nothing to read: every result was read to its ``ReadyForQuery``. So the socket
is polled (no I/O, a few µs): quiet means healthy, and anything to read (that, or a NOTIFY, or
a poll that cannot be made) means Django's own check, ``SELECT 1``, which replaces a dead
connection. A server that vanished without closing the socket (a network partition) is
neither readable nor answering: ``SELECT 1`` would wait for the TCP timeout as the request's
query does, so it protected nothing there either.

``prepared_cursor()``: a cursor for the few statements every request runs (its user row, the
change counters of a cached page; ``core.prepared``), bound on the server and prepared there
the first time a connection runs each, so the server parses and plans it once per connection
instead of on every request. Django's own cursors bind on the client (its default), which
keeps every other query as the ORM expects it.
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base, operations
from django.db.backends.postgresql.psycopg_any import is_psycopg3

if is_psycopg3:
    from psycopg.pq import Format

    class PreparedCursor(base.ServerBindingCursor):
        """Server-side binding, each statement prepared on its first run on a connection."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            # Django opens connections with preparation off (``prepare_threshold`` None), which
            # psycopg reads as "never, even when asked": on for this statement only. Django's
            # client-binding cursors never prepare, whatever the threshold.
            conn = self.connection  # type: ignore[attr-defined]
            threshold = conn.prepare_threshold
            conn.prepare_threshold = _ONLY_WHEN_ASKED
            try:
                return super().execute(query, params, prepare=True, **kwargs)  # type: ignore[misc]
            finally:
                conn.prepare_threshold = threshold


_ONLY_WHEN_ASKED = 2**62  # a count of runs no statement reaches: prepared only by ``prepare=True``


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: Any, params: Any) -> Any:
        # A prepared statement leaves psycopg no query text to read back: the SQL with its
        # parameters, as Django writes it for server-side binding (the query log, tests).
        if is_psycopg3 and isinstance(cursor, PreparedCursor):
            try:
                return self.compose_sql(sql, params)
            except Exception:  # noqa: BLE001 - as Django's: no text rather than an error
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def close_if_health_check_failed(self) -> None:
        if (
            self.pool
            or self.connection is None
            or not self.health_check_enabled  # type: ignore[attr-defined]
            or self.health_check_done  # type: ignore[has-type]
        ):
            super().close_if_health_check_failed()
            return
        if socket_quiet(self.connection):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()  # SELECT 1; a dead connection is closed

    def prepared_cursor(self) -> Any:
        """As ``cursor()`` (health check, query log, errors wrapped), over a
        ``PreparedCursor``; Django's client-binding cursor with psycopg 2."""
        if not is_psycopg3:
            return self.cursor()
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = PreparedCursor(self.connection)  # type: ignore[call-arg]
            tzloader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, Format.TEXT)
            if self.timezone != tzloader.timezone:
                base.register_tzloader(self.timezone, cursor)  # type: ignore[attr-defined]
            return self._prepare_cursor(cursor)  # type: ignore[attr-defined]


def socket_quiet(conn: object) -> bool:
    """True when the psycopg connection is open and its socket has nothing to read."""
    try:
        if getattr(conn, "closed", True) or getattr(conn, "broken", False):
            return False
        fd = conn.pgconn.socket  # type: ignore[attr-defined]
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except Exception:  # noqa: BLE001 - no poll here, a closed descriptor: make the real check
        return False
