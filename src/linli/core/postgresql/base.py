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
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.pool
            or self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
        ):
            super().close_if_health_check_failed()
            return
        if socket_quiet(self.connection):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()  # SELECT 1; a dead connection is closed


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
