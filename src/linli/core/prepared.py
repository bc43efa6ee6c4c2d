"""``cursor(connection)``: the cursor for the statements every request runs (its user row,
its session without Redis, a cached page's change counters) and those of the most frequent
write (a report's reads and rows, ``core.fastpath``; the change counter's bump, which every
service's write makes). On PostgreSQL (core/postgresql)
they are prepared on the server once per connection instead of parsed and planned on each
request; SQLite's driver keeps its statements compiled already, so there it is the usual
cursor. Same SQL (``%s`` placeholders), same results, counted in Django's query log alike."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def cursor(conn: Any) -> Any:
    make = getattr(conn, "prepared_cursor", None)
    if make is None or not settings.LINLI_PG_PREPARE:
        return conn.cursor()
    return make()
