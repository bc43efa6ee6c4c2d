"""Reads of personal data: recording them where the data is read, and reading them back.

PIPL Art. 45 lets a person know who processed their data, and "My data" shows it. A query
that hands residents' records to a page, an API answer or an export calls
``record_reads(actor, residents, kind=…, purpose=…)`` once, with every resident the answer
contains: one INSERT per request, page or export, whatever the number of rows. Given a
queryset (an export), the rows are written by ``INSERT … SELECT`` from it, so no id travels
through Python and an export of a whole community is still one query.

What is stored (``core.PersonalDataRead``): the subject's id, the actor, the role they read as,
the kind of read and the page (``purpose``) — never a personal value. A person reading their
own record is not written down. Domain apps register how each purpose reads on "My data"
(``register_read_purposes``); core imports no domain app.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterable
from typing import Any, TypedDict

from django.core.paginator import Page, Paginator
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, F, Max, Min, Model, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import policy, prepared
from .actors import Actor
from .models import PersonalDataRead
from .roles import Role

# What kind of read. A listed name (a building page, search results, the intake look-up)
# counts: the list shows the name with the household, phone mask, age and tags, which is
# processing that person's data as much as opening their page is.
VIEWED, LISTED, SEARCHED, LOOKED_UP, EXPORTED, REVEALED = (
    "viewed",
    "listed",
    "searched",
    "looked_up",
    "exported",
    "revealed",
)
KINDS = frozenset({VIEWED, LISTED, SEARCHED, LOOKED_UP, EXPORTED, REVEALED})

# purpose → how it reads after the actor on "My data" ("… viewed your household page").
PURPOSE_LABELS: dict[str, Any] = {}

# The role a read is written under when the actor holds several: the most official one.
ROLE_ORDER = (
    Role.SECRETARY,
    Role.STAFF,
    Role.STREET_SUPERVISOR,
    Role.GRID_WORKER,
    Role.BUILDING_LEADER,
    Role.MEDIATOR,
    Role.TEAM_LEADER,
    Role.VOLUNTEER,
    Role.RESIDENT,
)
# Roles whose holder is named on "My data". A resident reading a neighbour's record (their
# own household's) is shown by relation only: "My data" never shows another resident's data.
NAMED_ROLES = frozenset(ROLE_ORDER) - {Role.RESIDENT}

PER_PAGE = 30


def register_read_purposes(labels: dict[str, Any]) -> None:
    PURPOSE_LABELS.update(labels)


def actor_role(actor: Actor | None) -> str:
    """The actor's most official role (memberships are cached: no query)."""
    held = {m.role for m in policy.memberships(actor)}
    return next((str(r) for r in ROLE_ORDER if r in held), "")


def record_reads(
    actor: Actor | None,
    residents: QuerySet[Any] | Iterable[Model | int | None],
    *,
    kind: str,
    purpose: str,
    community_id: int | None = None,
) -> int:
    """Write down that ``actor`` read each of ``residents`` (Resident objects, their ids, or a
    queryset of residents) for ``purpose``. One query (up to 490 objects; a queryset: always
    one); returns the number of rows written.
    ``community_id`` is used for bare ids (objects carry their own)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of read {kind!r}")
    if purpose not in PURPOSE_LABELS:
        raise ValueError(f"unregistered read purpose {purpose!r}")
    if actor is None or not actor.is_authenticated:
        return 0
    own: int | None = getattr(actor, "resident_id", None)
    role = actor_role(actor)
    now = timezone.now()
    if isinstance(residents, QuerySet):
        if _CAPTURE.get() is not None:  # a page being cached: replayed with its ids on a hit
            residents = list(residents.only("pk", "community_id"))
        else:
            return _insert_from(residents, actor, role, now, kind, purpose, own)
    seen: dict[int, int | None] = {}
    for r in residents:
        if isinstance(r, int):
            seen.setdefault(r, community_id)
        elif r is not None and r.pk is not None:
            seen.setdefault(r.pk, getattr(r, "community_id", community_id))
    if own is not None:
        seen.pop(own, None)
    if not seen:
        return 0
    captured = _CAPTURE.get()
    if captured is not None:
        captured.append((kind, purpose, list(seen.items())))
    _insert_values(list(seen.items()), actor, role, now, kind, purpose)
    return len(seen)


# A page being stored by core.pagecache: the reads it recorded, to record again on each hit.
Captured = list[tuple[str, str, list[tuple[int, int | None]]]]
_CAPTURE: contextvars.ContextVar[Captured | None] = contextvars.ContextVar(
    "linli_reads_capture", default=None
)


def start_capture() -> None:
    _CAPTURE.set([])


def stop_capture() -> Captured:
    captured = _CAPTURE.get() or []
    _CAPTURE.set(None)
    return captured


def replay(actor: Actor, captured: Captured) -> None:
    """Record again, now, the reads a cached page recorded when it was rendered for ``actor``
    (the same person: their id is in the page's key)."""
    if not captured:
        return
    role, now = actor_role(actor), timezone.now()
    for kind, purpose, rows in captured:
        _insert_values(rows, actor, role, now, kind, purpose)


# Rows per statement: SQLite takes at most 999 parameters (2 a row, 5 shared).
_VALUES_BATCH = 490
_COLUMNS = ("at", "actor_id", "actor_role", "kind", "purpose", "subject_id", "community_id")


def _insert_sql(conn: BaseDatabaseWrapper, select: str) -> str:
    table = conn.ops.quote_name(PersonalDataRead._meta.db_table)
    cols = ", ".join(conn.ops.quote_name(c) for c in _COLUMNS)
    # Only quoted identifiers and SQL built here or by Django are interpolated; values are
    # parameters.
    return f"INSERT INTO {table} ({cols}) SELECT %s, %s, %s, %s, %s, {select}"  # noqa: S608


def _insert_values(
    rows: list[tuple[int, int | None]],
    actor: Actor,
    role: str,
    now: dt.datetime,
    kind: str,
    purpose: str,
) -> None:
    """``INSERT … SELECT`` from a ``VALUES`` list of (subject, community): the shared
    columns are bound once. bulk_create spent ~0.1 ms a row building model instances and
    preparing 7 values each, 10 ms for a building page (docs/performance.md)."""
    conn = connections[router.db_for_write(PersonalDataRead)]
    shared = [conn.ops.adapt_datetimefield_value(now), actor.pk, role, kind, purpose]
    if conn.vendor == "postgresql":
        # One text for any number of rows (two arrays), so it is prepared on the server once
        # per connection (core/prepared.py) instead of a VALUES list parsed and planned on
        # every page: ~0.1-0.2 ms of the server's CPU for a page of 50 (session 7).
        # The arrays go as their text ('{1,2,NULL}'): psycopg dumps a list of ints element by
        # element in Python, ~0.1 ms for 100.
        select = "v.s, v.c FROM unnest(%s::bigint[], %s::bigint[]) AS v(s, c)"
        subjects = ",".join(str(int(s)) for s, _c in rows)
        communities = ",".join("NULL" if c is None else str(int(c)) for _s, c in rows)
        with prepared.cursor(conn) as cursor:
            cursor.execute(
                _insert_sql(conn, select), [*shared, f"{{{subjects}}}", f"{{{communities}}}"]
            )
        return
    with conn.cursor() as cursor:
        for i in range(0, len(rows), _VALUES_BATCH):
            chunk = rows[i : i + _VALUES_BATCH]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            # VALUES names its columns column1, column2 on both SQLite and PostgreSQL.
            select = (
                f"CAST(v.column1 AS BIGINT), CAST(v.column2 AS BIGINT) FROM (VALUES {values}) v"
            )
            cursor.execute(_insert_sql(conn, select), [*shared, *(x for row in chunk for x in row)])


def _insert_from(
    qs: QuerySet[Any],
    actor: Actor,
    role: str,
    now: dt.datetime,
    kind: str,
    purpose: str,
    own: int | None,
) -> int:
    """``INSERT … SELECT`` from the residents' queryset: one statement for any number."""
    rows = qs.order_by().values(s_id=F("pk"), s_community=F("community_id")).distinct()
    if own is not None:
        rows = rows.exclude(pk=own)
    db = router.db_for_write(PersonalDataRead)
    conn = connections[db]
    inner, inner_params = rows.query.get_compiler(using=db).as_sql()
    shared = [conn.ops.adapt_datetimefield_value(now), actor.pk, role, kind, purpose]
    sql = _insert_sql(conn, f"sub.s_id, sub.s_community FROM ({inner}) sub")
    with conn.cursor() as cursor:
        cursor.execute(sql, [*shared, *inner_params])
        count: int = cursor.rowcount
        return count


def reads_purge(*, now: dt.datetime | None = None) -> int:
    """Delete reads older than ``LINLI_READS_KEEP_DAYS`` (nightly, ``core.tasks``)."""
    from datetime import timedelta

    from django.conf import settings

    cutoff = (now or timezone.now()) - timedelta(days=settings.LINLI_READS_KEEP_DAYS)
    deleted, _by_model = PersonalDataRead.objects.filter(at__lt=cutoff).delete()
    return deleted


# --- "My data" -----------------------------------------------------------------------------


def reads_of(
    subject_id: int, *, page: int | str = 1, per_page: int = PER_PAGE
) -> Page[dict[str, Any]]:
    """The reads of one person's record, aggregated in SQL: one line per actor, role, kind
    of read and page, per day, with how many times and the last time; newest first. Each line
    is a dict with ``who``, ``what``, ``when`` and ``count`` in the current language."""
    qs = (
        PersonalDataRead.objects.filter(subject_id=subject_id)
        .annotate(day=TruncDate("at"))
        .values("day", "actor_id", "actor_role", "kind", "purpose")
        .annotate(n=Count("id"), last=Max("at"), first=Min("at"))
        .order_by("-day", "-last", "actor_id", "purpose")
    )
    # A page of dicts: the aggregated rows, replaced below by their lines.
    result: Page[Any] = Paginator(qs, per_page).get_page(page)
    rows: list[_Row] = list(result.object_list)
    names = _actor_names({r["actor_id"] for r in rows if r["actor_role"] in NAMED_ROLES})
    result.object_list = [_line(r, names) for r in rows]
    return result


class _Row(TypedDict):
    """One aggregated line of ``reads_of``'s query."""

    day: dt.date
    actor_id: int | None
    actor_role: str
    kind: str
    purpose: str
    n: int
    last: dt.datetime
    first: dt.datetime


def _actor_names(ids: set[int | None]) -> dict[int, str]:
    from django.contrib.auth import get_user_model

    known = {i for i in ids if i is not None}  # None: an account since removed
    if not known:
        return {}
    return {u.pk: u.get_full_name() for u in get_user_model().objects.filter(pk__in=known)}


def _who(role: str, actor_id: int | None, names: dict[int, str]) -> str:
    if role == Role.RESIDENT:
        return _("A member of your household")
    label = str(Role(role).label) if role in Role.values else _("Someone")
    if actor_id is None:
        return _("%(role)s (account since removed)") % {"role": label}
    name = names.get(actor_id) if role in NAMED_ROLES else None
    return f"{label} {name}" if name else label


def _line(row: _Row, names: dict[int, str]) -> dict[str, Any]:
    last = timezone.localtime(row["last"])
    n = row["n"]
    parts = {
        "who": _who(row["actor_role"], row["actor_id"], names),
        "what": str(PURPOSE_LABELS.get(row["purpose"], row["purpose"])),
        # "2 Dec, 14:05" / "12月2日 14:05"
        "when": date_format(last, _("j M, H:i")),
        "n": n,
    }
    if n == 1:
        text = _("%(who)s %(what)s, %(when)s") % parts
    else:
        text = (
            ngettext(
                "%(who)s %(what)s, %(n)s time, the last at %(when)s",
                "%(who)s %(what)s, %(n)s times, the last at %(when)s",
                n,
            )
            % parts
        )
    return {
        **parts,
        "text": text,
        "day": row["day"],
        "kind": row["kind"],
        "purpose": row["purpose"],
        "count": n,
        "last": last,
    }
