"""Sessions kept in the database, read with one prepared statement (``SESSION_ENGINE`` when
no ``REDIS_URL`` is configured; with Redis, settings choose Django's ``cached_db``, whose cache
every server process shares, so a log-out ends the session everywhere).

Without a shared cache the database stays the only store: a per-process cache would let a
session that was logged out in one process live on in another. What is saved here is the
ORM's Python around the one-row read (~0.6 ms of a request), not the read itself."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.db import connections, router
from django.utils import timezone

from .fastpath import scalar, table


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        model = self.model
        key = self.session_key
        data = None
        if key:
            conn = connections[router.db_for_read(model)]
            now = conn.ops.adapt_datetimefield_value(timezone.now())
            data = scalar(model, "session", _sql, [key, now])
        if data is None:
            self._session_key = None
            return {}
        try:
            return self.decode(data)
        except SuspiciousOperation as e:  # pragma: no cover - decode already logs and drops
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            self._session_key = None
            return {}


def _sql(conn: Any) -> str:
    t, key, data, expires = table(conn, db.SessionStore.get_model_class(), "session_key",
                                  "session_data", "expire_date")  # fmt: skip
    return f"SELECT {data} FROM {t} WHERE {key} = %s AND {expires} > %s"  # noqa: S608
