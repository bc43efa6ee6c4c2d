"""Per-community change counters: the versions cached pages are keyed by.

Every write a page of a community shows bumps that community's counter (``ChangeCounter``)
**in the write's own transaction**: ``core.events.log_event`` calls ``bump`` (every state
change of every service records an event), and a signal bumps it on every save or delete of a
row that has a ``community`` (a category, a team, a building, a resident, a membership …; so
admin edits, imports and test factories count too). A reader that sees the new counter
therefore sees the write; a page cached under the old counter is never looked up again.

``scope_version(actor)`` is the sum of the counters of the communities the actor's memberships
reach (a street office's: all of its communities). Counters only grow, so the sum changes
whenever one of them does. Reading it is one indexed query.

Within one transaction a community is bumped once (savepoints that roll back are accounted
for: a bump inside a rolled-back savepoint is forgotten with it), so an import of thousands of
rows in one transaction pays one UPDATE, not one per row.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import connections, router, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from . import prepared
from .models import ChangeCounter

# Street office id -> (loaded at, its community ids). Communities join a street rarely; a new
# one is seen within STREET_TTL seconds.
_STREET: dict[int, tuple[float, list[int]]] = {}
STREET_TTL = 60.0
_CONN_ATTR = "_linli_bumped"


def bump(community_id: int | None, *, using: str | None = None) -> None:
    """Count one change of ``community_id`` in the current transaction (or at once)."""
    if community_id is None:
        return
    alias = using or router.db_for_write(ChangeCounter)
    conn = connections[alias]
    token = _transaction_token(conn) if conn.in_atomic_block else None
    if token is not None:
        done: dict[int, tuple[Any, Any]] = getattr(conn, _CONN_ATTR, None) or {}
        setattr(conn, _CONN_ATTR, done)
        seen = done.get(community_id)
        if (
            seen is not None
            and seen[0] == token
            and any(entry[1] is seen[1] for entry in conn.run_on_commit)
        ):
            return
        # A no-op on-commit callback, new each time, whose presence in the connection's list
        # says "bumped in this transaction" (a rolled-back savepoint drops it from the list;
        # a commit or rollback empties it).
        mark = _Mark()
        done[community_id] = (token, mark)
        transaction.on_commit(mark, using=alias)
    q = conn.ops.quote_name
    t, k, n = q(ChangeCounter._meta.db_table), q("key"), q("n")
    # Prepared on PostgreSQL (core/prepared.py): every write of every service runs it.
    with prepared.cursor(conn) as cur:
        cur.execute(
            f"INSERT INTO {t} ({k}, {n}) VALUES (%s, 1) "  # noqa: S608
            f"ON CONFLICT ({k}) DO UPDATE SET {n} = {t}.{n} + 1",
            [community_id],
        )


def _transaction_token(conn: Any) -> Any:
    """What identifies the application's transaction: the outermost atomic block, or under
    a test case's wrapping blocks (which never commit) the savepoint of the first block the
    code opened, so each service call in a test counts as the transaction it would be.
    ``None``: nothing to count once (bump every time)."""
    for i, block in enumerate(conn.atomic_blocks):
        if not getattr(block, "_from_testcase", False):
            return conn.savepoint_ids[i - 1] if i else "outer"
    return None  # directly in a test case's block: no transaction of the code's own


class _Mark:
    def __call__(self) -> None:
        pass


def bump_many(community_ids: Iterable[int | None], *, using: str | None = None) -> None:
    for c in sorted({c for c in community_ids if c is not None}):
        bump(c, using=using)


def communities_of_street(street_id: int) -> list[int]:
    now = time.monotonic()
    hit = _STREET.get(street_id)
    if hit is None or now - hit[0] > STREET_TTL:
        Community = apps.get_model("registry", "Community")
        ids = list(
            Community.objects.filter(street_office_id=street_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        hit = _STREET[street_id] = (now, ids)
    return hit[1]


def scope_communities(actor: Any) -> list[int]:
    """The communities the actor's memberships reach, sorted."""
    from . import policy

    ids: set[int] = set()
    for m in policy.memberships(actor):
        if m.community_id is not None:
            ids.add(m.community_id)
        elif m.street_office_id is not None:
            ids.update(communities_of_street(m.street_office_id))
    return sorted(ids)


def version_of(community_ids: Iterable[int], *, choices: bool = False) -> int:
    """The sum of the counters of ``community_ids`` (0 for none); ``choices``: of their
    choice-list counters (kept under minus the community's id)."""
    ids = [-c for c in community_ids] if choices else list(community_ids)
    if not ids:
        return 0
    alias = router.db_for_read(ChangeCounter)
    conn = connections[alias]
    q = conn.ops.quote_name
    t, k, n = q(ChangeCounter._meta.db_table), q("key"), q("n")
    marks = ", ".join(["%s"] * len(ids))
    with prepared.cursor(conn) as cur:
        cur.execute(
            f"SELECT COALESCE(SUM({n}), 0) FROM {t} WHERE {k} IN ({marks})",  # noqa: S608
            ids,
        )
        row = cur.fetchone()
    return int(row[0]) if row else 0


def scope_version(actor: Any, *, choices: bool = False) -> tuple[int, int]:
    """(number of communities in the actor's scope, the sum of their counters)."""
    ids = scope_communities(actor)
    return len(ids), version_of(ids, choices=choices)


def cached_for_scope(name: str, actor: Any, compute: Any) -> Any:
    """``compute()`` kept per process for ``actor`` while their roles and the choice-list
    counters of the communities in their scope are unchanged (at most
    ``LINLI_PAGE_CACHE_SECONDS``): the choice lists of a page (categories, buildings, teams,
    people), which requests written every second do not change. Values are pickled."""
    from django.conf import settings
    from django.core.cache import caches

    if not getattr(actor, "is_authenticated", False) or not settings.LINLI_PAGE_CACHE:
        return compute()
    n, version = scope_version(actor, choices=True)
    key = f"scope:{name}:{actor.pk}:{actor.roles_version}:{n}:{version}"
    store = caches["pages"]
    value = store.get(key)
    if value is None:
        value = compute()
        store.set(key, value, settings.LINLI_PAGE_CACHE_SECONDS)
    return value


# --- the signal: every save or delete of a row with a community ------------------------------

# Rows whose saves do not change what a community's pages show, or that are counted elsewhere.
_SKIP = {"core.event", "core.notification", "core.personaldataread", "core.changecounter"}


# Rows the pages' choice lists are made of: a save also bumps the community's choice-list
# counter (kept under minus its id), which ``cached_for_scope`` reads.
CHOICE_MODELS = {
    "tickets.category",
    "tickets.handlingteam",
    "registry.building",
    "registry.unit",
    "registry.grid",
    "accounts.rolemembership",
}


def _changed(sender: type[Model], instance: Model, using: str = "default", **kwargs: Any) -> None:
    community_id = getattr(instance, "community_id", None)
    bump(community_id, using=using)
    if community_id is not None and sender._meta.label_lower in CHOICE_MODELS:
        bump(-community_id, using=using)


def connect_signals() -> None:
    """Bump on every save/delete of a model with a ``community`` field (from CoreConfig.ready)."""
    for model in apps.get_models():
        if model._meta.label_lower in _SKIP:
            continue
        try:
            field = model._meta.get_field("community")
        except Exception:  # noqa: S112 - FieldDoesNotExist: not a community's row
            continue
        if not getattr(field, "concrete", False) or not field.is_relation:
            continue
        uid = f"linli.versions.{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + ".save", weak=False)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + ".delete", weak=False)
