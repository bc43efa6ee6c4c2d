"""Sessions kept in the database, read with one prepared statement (``SESSION_ENGINE`` when
no ``REDIS_URL`` is configured; with Redis, settings choose Django's ``cached_db``, whose cache
every server process shares, so a log-out ends the session everywhere).

Without a shared cache the database stays the only store: a per-process cache would let a
session that was logged out in one process live on in another. What is saved here is the
ORM's Python around the one-row read (~0.6 ms of a request), not the read itself, and the
signature check and decoding of the same stored text again and again (~35 µs): a session's
text, once its signature is checked, always decodes to the same values, so the values are
remembered per process by that text (a copy is handed out; a changed session is new text)."""

from __future__ import annotations

import copy
import logging
import threading
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.db import connections, router
from django.utils import timezone

from . import prepared
from .fastpath import table

_TEXT: dict[str, str] = {}


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        model = self.model
        key = self.session_key
        data = None
        if key:
            alias = router.db_for_read(model)
            conn = connections[alias]
            now = conn.ops.adapt_datetimefield_value(timezone.now())
            text = _TEXT.get(alias)
            if text is None:
                text = _TEXT[alias] = _sql(conn)
            with prepared.cursor(conn) as cur:
                cur.execute(text, [key, now])
                row = cur.fetchone()
            data = row[0] if row else None
        if data is None:
            self._session_key = None
            return {}
        try:
            return decode_remembered(self, data)
        except SuspiciousOperation as e:  # pragma: no cover - decode already logs and drops
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            self._session_key = None
            return {}


def _sql(conn: Any) -> str:
    t, key, data, expires = table(conn, db.SessionStore.get_model_class(), "session_key",
                                  "session_data", "expire_date")  # fmt: skip
    return f"SELECT {data} FROM {t} WHERE {key} = %s AND {expires} > %s"  # noqa: S608


_DECODED: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_DECODED_MAX = 4096
_lock = threading.Lock()
_PLAIN = (str, int, float, bool, type(None))


def decode_remembered(store: Any, data: str) -> dict[str, Any]:
    """``store.decode(data)``, remembered by the text (and the store's salt): only text whose
    signature was checked and decoded to something is kept; a copy is returned each time."""
    # The keys it was checked with are part of it: text signed with a retired key is refused.
    key = (store.key_salt, settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS), data)
    with _lock:
        values = _DECODED.get(key)
        if values is not None:
            _DECODED.move_to_end(key)
    if values is None:
        values = store.decode(data)
        if not values:  # a bad signature or an empty session: nothing to remember
            return values  # type: ignore[no-any-return]
        with _lock:
            _DECODED[key] = values
            while len(_DECODED) > _DECODED_MAX:
                _DECODED.popitem(last=False)
    if all(isinstance(v, _PLAIN) for v in values.values()):
        return dict(values)
    return copy.deepcopy(values)
