"""Scope and permission: "may this actor do this action on this object?"

A user's powers come from role memberships (``accounts.RoleMembership``), each held at one
place: a street office, community, grid, building or household. A model that lives in the
territory declares ``SCOPE_PATHS``: for each level, the ORM path from the model to that level's
id. A membership covers an object when the object's path at the membership's level equals the
membership's place.

- ``scope_filter(actor, qs, action)`` narrows a queryset to what the actor may do ``action`` on.
- ``get_for(actor, qs, action, **lookup)`` fetches one object and authorises it in one step:
  outside every place the actor holds a role at → 404; inside, but no role allows → 403.
  ``get_for(actor, Model, action, fetch=read)``: the same step for a row the caller reads
  itself (a prepared read), so the 404/403 stay here.
- A model whose rows are hidden in some statuses declares ``SCOPE_HIDDEN = (field,
  statuses, action)`` — e.g. drafts are seen only by whoever may manage them: ``("status",
  {"draft"}, "vote.manage")``. ``scope_filter`` leaves such rows out and ``get_for`` with a
  ``.view`` action answers 404 for them (or 403, a fourth item of the declaration) unless
  the actor may take ``action`` on the row (``hidden``); other actions are authorised as
  usual (403, or the workflow's refusal).
- ``holds_role_in(actor, roles, place)``: whether the actor holds one of ``roles`` in the
  place's community (the named sets of ``core.roles``), for rules that depend on who someone
  is rather than on one action.
- ``checker(actor)``: one memoised ``can`` for a page (``Checker``).

Views never filter by community by hand; they call these.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, TypeVar, cast

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import ForeignKey, Model, Q, QuerySet
from django.http import Http404

from .actors import Actor, Membership
from .roles import ROLE_LEVEL, SELF_PREFIX, roles_for

_M = TypeVar("_M", bound=Model)

LEVELS = ("street", "community", "grid", "building", "household")


# Memberships loaded by this process, by user id: (roles_version, loaded at, memberships).
# Reused while the user's ``roles_version`` (read with the user on every request) is the one
# they were loaded at, for at most MEMBERSHIPS_TTL seconds (place names shown from them stay
# fresh). Saves a 6-table query on every page (0.6 ms; docs/performance.md).
_LOADED: dict[int, tuple[int, float, list[Membership]]] = {}
MEMBERSHIPS_TTL = 60.0
_LOADED_MAX = 5000
# The request's copy, kept on the user object (a name, not a field of ``User``).
_ON_USER = "_linli_memberships"


def memberships(actor: Actor | None) -> list[Membership]:
    """The actor's active memberships, cached on the user object for the request and, while
    their roles are unchanged, in this process."""
    if actor is None or not actor.is_authenticated:
        return []
    cached: list[Membership] | None = getattr(actor, _ON_USER, None)
    if cached is None:
        version = getattr(actor, "roles_version", None)
        now = time.monotonic()
        hit = _LOADED.get(actor.pk)
        if hit is not None and hit[0] == version and now - hit[1] < MEMBERSHIPS_TTL:
            cached = hit[2]
        else:
            cached = list(
                actor.memberships.filter(active=True).select_related(
                    "street_office", "community", "grid", "building", "household"
                )
            )
            if version is not None:
                if len(_LOADED) >= _LOADED_MAX:
                    _LOADED.clear()
                _LOADED[actor.pk] = (version, now, cached)
        setattr(actor, _ON_USER, cached)
    return cached


def scope_signature(actor: Actor | None) -> str:
    """What ``scope_filter`` and ``in_scope`` make an actor's conditions of — their id (the
    personal relations) and their memberships' roles and places — as a string: two actors
    with the same signature are filtered by the same SQL. A key for a read compiled once
    (``core.fastpath.page_rows``), never a permission."""
    if actor is None or not actor.is_authenticated:
        return "-"
    return f"{actor.pk}:" + ",".join(f"{m.role}@{m.place_id}" for m in memberships(actor))


def forget_memberships(actor: Actor | None) -> None:
    for name in (_ON_USER, "_linli_checker"):
        if hasattr(actor, name):
            delattr(actor, name)
    forget_memberships_of(getattr(actor, "pk", None))


def forget_memberships_of(user_id: int | None) -> None:
    """Drop what this process holds for the user (other processes see the new version)."""
    if user_id is not None:
        _LOADED.pop(user_id, None)


def forget_all_memberships() -> None:
    _LOADED.clear()


def _paths(model: type[Model]) -> dict[str, str]:
    paths: dict[str, str] | None = getattr(model, "SCOPE_PATHS", None)
    if paths is None:
        raise TypeError(f"{model.__name__} declares no SCOPE_PATHS")
    return paths


def _self_q(model: type[Model], actor: Actor | None, relations: Iterable[str]) -> Q | None:
    """Objects tied to the actor personally (``SCOPE_SELF_PATHS``: e.g. the requester of a
    ticket, its handler), whatever roles they hold."""
    if actor is None or not actor.is_authenticated:
        return None
    q: Q | None = None
    for rel in relations:
        found = self_path(model, rel)
        if found is None:
            continue
        term = _term(model, found[0], actor.pk, found[1])
        q = term if q is None else q | term
    return q


def self_path(model: type[Model], relation: str) -> tuple[str, dict[str, Any]] | None:
    """A personal relation's path and the conditions on the same related row. A model
    declares each relation in ``SCOPE_SELF_PATHS`` as a path (``"assignee_user_id"``) or as
    ``(path, {field: value})`` when only some related rows count: a request's primary
    requester is ``("requesters__user_id", {"requesters__primary": True})``, someone whose
    duplicate was merged into it the same path with ``primary`` False — two relations, each
    allowed its own actions in ``core/roles.py``."""
    declared = getattr(model, "SCOPE_SELF_PATHS", {}).get(relation)
    if declared is None:
        return None
    if isinstance(declared, str):
        return declared, {}
    path, where = declared
    return path, dict(where)


def _or(a: Q | None, b: Q | None) -> Q | None:
    if a is None:
        return b
    if b is None:
        return a
    return a | b


def _q(model: type[Model], ms: Iterable[Membership]) -> Q | None:
    paths = _paths(model)
    q: Q | None = None
    for m in ms:
        level = ROLE_LEVEL[m.role]
        path = paths.get(level)
        place_id = m.place_id
        if path is None or place_id is None:
            continue
        term = _term(model, path, place_id)
        q = term if q is None else q | term
    return q


@lru_cache(maxsize=512)
def _multivalued(model: type[Model], path: str) -> bool:
    """Whether ``path`` crosses a to-many relation (reverse foreign key or many-to-many)."""
    opts = model._meta
    for part in path.split("__")[:-1]:
        field = opts.get_field(part)
        if field.one_to_many or field.many_to_many:
            return True
        # A to-one or to-many field: its related model is a class once the apps are loaded.
        opts = cast(type[Model], field.related_model)._meta
    return False


def _term(model: type[Model], path: str, value: Any, where: dict[str, Any] | None = None) -> Q:
    """One scope condition. A direct path stays a plain, indexable comparison. A to-many
    path (a container seen from below, a ticket's requesters) becomes its own small
    ``pk IN (…)`` subquery, so it neither multiplies rows nor turns the whole filter into a
    scan of the table (measured: 1.0 s → 1 ms for one ticket among 1,000,000)."""
    # ``where``: conditions on the same related row (one ``filter`` call: one join).
    cond = {path: value, **(where or {})}
    if _multivalued(model, path):
        # order_by(): a subquery's order is meaningless, and compiling the model's default
        # ordering was a tenth of the cost of a ticket lookup (measured 4.9 → 4.4 ms).
        return Q(pk__in=model._default_manager.filter(**cond).order_by().values("pk"))
    return Q(**cond)


def _filter(qs: QuerySet[_M], ms: list[Membership], extra: Q | None = None) -> QuerySet[_M]:
    q = _or(_q(qs.model, ms), extra)
    if q is None:
        return qs.none()
    return qs.filter(q)


def allowed_memberships(actor: Actor | None, action: str) -> list[Membership]:
    roles = roles_for(action)
    return [m for m in memberships(actor) if m.role in roles]


def _self_relations(action: str) -> list[str]:
    return [r.split(":", 1)[1] for r in roles_for(action) if r.startswith(SELF_PREFIX)]


def scope_filter(actor: Actor | None, qs: QuerySet[_M], action: str) -> QuerySet[_M]:
    """The rows of ``qs`` the actor may take ``action`` on (hidden rows only for those who
    may take the model's ``SCOPE_HIDDEN`` action on them)."""
    extra = _self_q(qs.model, actor, _self_relations(action))
    rows = _filter(qs, allowed_memberships(actor, action), extra)
    declared = _hidden_rule(qs.model)
    if declared is None or declared[2] == action:
        return rows
    field, statuses, manage = declared
    hidden = Q(**{f"{field}__in": statuses})
    managed = scope_filter(actor, qs.model._default_manager.filter(hidden), manage)
    return rows.filter(~hidden | Q(pk__in=managed.values("pk")))


def _hidden_rule(model: type[Model]) -> tuple[str, frozenset[str], str] | None:
    declared = getattr(model, "SCOPE_HIDDEN", None)
    if declared is None:
        return None
    field, statuses, action = declared[:3]
    return field, frozenset(str(s) for s in statuses), action


def _hidden_refusal(model: type[Model]) -> int:
    """What reading a hidden row answers: 404 (it does not exist yet for this actor), or the
    403 a model declares as the fourth item of ``SCOPE_HIDDEN``."""
    declared: tuple[Any, ...] = tuple(getattr(model, "SCOPE_HIDDEN", ()))
    return int(declared[3]) if len(declared) > 3 else 404


def hidden(actor: Actor | None, obj: Model) -> bool:
    """Whether ``obj`` is in a status its model hides (``SCOPE_HIDDEN``) from this actor."""
    declared = _hidden_rule(type(obj))
    if declared is None:
        return False
    field, statuses, manage = declared
    return str(getattr(obj, field)) in statuses and not can(actor, manage, obj)


def holds_role_in(actor: Actor | None, roles: Iterable[str], place: Model) -> bool:
    """Whether the actor holds one of ``roles`` at any place of ``place``'s community (a
    community, or anything with a ``community_id``)."""
    community_id = place.pk if type(place).__name__ == "Community" else place.community_id  # type: ignore[attr-defined]
    wanted = frozenset(str(r) for r in roles)
    return any(m.role in wanted and m.community_id == community_id for m in memberships(actor))


class Checker:
    """``can(action, obj)`` for one page, memoised per object and set of roles: many actions
    share the office's roles, so a page asks once per distinct set. ``checker(actor)`` keeps
    one per request (on the user object, as ``memberships`` does)."""

    def __init__(self, actor: Actor | None) -> None:
        self.actor = actor
        self._memo: dict[tuple[type[Model], Any, frozenset[str]], bool] = {}

    def can(self, action: str, obj: Model, *, known: dict[str, bool] | None = None) -> bool:
        """``known``: as ``can``'s — personal relations the caller holds for certain. They
        are the truth about the actor and the object, so the answer memoised is the same
        with or without them (they only spare the query)."""
        key = (type(obj), obj.pk, roles_for(action))
        if key not in self._memo:
            self._memo[key] = can(self.actor, action, obj, known=known)
        return self._memo[key]

    def on(self, obj: Model, *, known: dict[str, bool] | None = None) -> Callable[[str], bool]:
        """The questions for one object: ``may = checker(actor).on(vote); may("vote.manage")``
        (``known``: see ``can``; a request's page passes the requester relations it read)."""
        return lambda action: self.can(action, obj, known=known)


_CHECKER = "_linli_checker"


def checker(actor: Actor | None) -> Checker:
    if actor is None:
        return Checker(None)
    found: Checker | None = getattr(actor, _CHECKER, None)
    if found is None:
        found = Checker(actor)
        setattr(actor, _CHECKER, found)
    return found


def in_scope(actor: Actor | None, qs: QuerySet[_M]) -> QuerySet[_M]:
    """The rows of ``qs`` inside any place the actor holds any role at, or tied to the actor
    personally (their own request, a task assigned to them)."""
    extra = _self_q(qs.model, actor, getattr(qs.model, "SCOPE_SELF_PATHS", {}).keys())
    return _filter(qs, memberships(actor), extra)


def has_any(actor: Actor | None, action: str) -> bool:
    """Whether the actor holds a role that may take ``action`` somewhere (for pages not tied
    to one object). Personal relations ("self:…") do not count here."""
    return bool(allowed_memberships(actor, action))


def require_any(actor: Actor | None, action: str) -> None:
    if not has_any(actor, action):
        raise PermissionDenied


_UNKNOWN = object()


def _value_on(obj: Model, path: str) -> Any:
    """The value at ``path`` read from ``obj`` and the related objects already loaded with
    it, or ``_UNKNOWN`` when that would take a query (a relation not loaded, a to-many)."""
    parts = path.split("__")
    for part in parts[:-1]:
        try:
            link = obj._meta.get_field(part)
        except FieldDoesNotExist:  # not a plain field: leave it to SQL
            return _UNKNOWN
        if not (link.many_to_one or link.one_to_one) or not link.concrete:
            return _UNKNOWN
        if not isinstance(link, ForeignKey):  # (a concrete to-one field is one)
            return _UNKNOWN
        if getattr(obj, link.attname) is None:
            return None  # no related row: the path holds no value (SQL: no match)
        if not link.is_cached(obj):
            return _UNKNOWN
        related: Model | None = link.get_cached_value(obj)
        if related is None:
            return None
        obj = related
    last = parts[-1]
    # A field, a reverse relation or a generic key (``get_field`` answers any of them): only
    # concrete, single-valued ones are read below, by their ``attname``.
    field: Any
    try:
        field = obj._meta.get_field(last)
    except FieldDoesNotExist:  # an attname such as "community_id"
        field = next((f for f in obj._meta.concrete_fields if f.attname == last), None)
    if field is None or not field.concrete or field.many_to_many:
        return _UNKNOWN
    return getattr(obj, field.attname)


def _can_in_memory(
    actor: Actor | None,
    obj: Model,
    ms: list[Membership],
    relations: list[str],
    known: dict[str, bool] | None = None,
) -> bool | None:
    """``can`` decided from the object as loaded, when every condition is a column of the
    object or of a relation loaded with it: True/False, or None to ask the database. The
    detail page of a request asked the database 6 times for this (docs/performance.md).
    ``known``: personal relations the caller knows to hold or not (see ``can``)."""
    model = type(obj)
    paths = _paths(model)
    # Personal relations are asked about for a signed-in actor only (``relations`` is empty
    # otherwise): no one else is anybody's requester.
    me = actor.pk if actor is not None and actor.is_authenticated else None
    unknown = False
    for m in ms:
        path, place_id = paths.get(ROLE_LEVEL[m.role]), m.place_id
        if path is None or place_id is None:
            continue
        value = _value_on(obj, path)
        if value is _UNKNOWN:
            unknown = True
        elif value == place_id:
            return True
    for rel in relations:
        found = self_path(model, rel)
        if found is None:
            continue
        if known is not None and rel in known:
            if known[rel]:
                return True
            continue
        path, where = found
        if where:  # a condition on a related row: the database knows
            unknown = True
            continue
        value = _value_on(obj, path)
        if value is _UNKNOWN:
            unknown = True
        elif me is not None and value == me:
            return True
    return None if unknown else False


def can(
    actor: Actor | None, action: str, obj: Model, *, known: dict[str, bool] | None = None
) -> bool:
    """``known``: personal relations ("requester", "team", …) whose answer the caller holds
    for certain — e.g. the requesters of a request it has just written — so they need no
    query; any relation not named is read as usual."""
    ms = allowed_memberships(actor, action)
    relations = _self_relations(action) if getattr(actor, "is_authenticated", False) else []
    if obj.pk is not None and not obj._state.adding:
        decided = _can_in_memory(actor, obj, ms, relations, known)
        if decided is not None:
            return decided
    return _can_in_database(actor, action, obj)


def _can_in_database(actor: Actor | None, action: str, obj: Model) -> bool:
    ms = allowed_memberships(actor, action)
    q = _or(_q(type(obj), ms) if ms else None, _self_q(type(obj), actor, _self_relations(action)))
    if q is None:
        return False
    return type(obj)._default_manager.filter(q, pk=obj.pk).exists()


def _placed(actor: Actor | None, obj: Model) -> bool:
    """Whether ``obj`` (read from the database) is inside the actor's places or tied to them
    personally: from its own columns when they decide it (the usual case: a staff member
    and a request of their community), otherwise the database decides."""
    placed: bool | None = None
    if obj.pk is not None and not obj._state.adding:
        relations = list(getattr(type(obj), "SCOPE_SELF_PATHS", {}))
        if not getattr(actor, "is_authenticated", False):
            relations = []
        placed = _can_in_memory(actor, obj, memberships(actor), relations)
    if placed is None:
        placed = in_scope(actor, type(obj)._default_manager.filter(pk=obj.pk)).exists()
    return placed


def _get_in_scope_by_pk(actor: Actor | None, qs: QuerySet[_M], lookup: dict[str, Any]) -> _M | None:
    """One object by primary key, or None when it is outside the actor's places. The row is
    read by its key alone and placed by ``_placed``. Fetching a request through the full
    scope filter cost 4.4 ms of query building, mostly the ORDER BY and the
    personal-relation subqueries (docs/performance.md)."""
    obj = next(iter(qs.filter(**lookup).order_by()[:1]), None)
    if obj is None or not _placed(actor, obj):
        return None
    return obj


def get_for(
    actor: Actor | None,
    qs: QuerySet[_M] | type[_M],
    action: str,
    *,
    fetch: Callable[[], _M | None] | None = None,
    **lookup: Any,
) -> _M:
    """Fetch one object and authorise ``action`` on it: 404 out of scope, 403 not allowed.

    ``fetch``: instead of reading ``qs`` by ``lookup``, a function that reads the object by
    its key and returns it, or None when there is no such row — a read the caller prepared
    (``tickets.queries.ticket_get_for``: SQL compiled once per process). The object is then
    placed and authorised exactly as one ``get_for`` read itself (404, hidden, 403)."""
    obj: _M | None
    if fetch is not None:
        if lookup:
            raise TypeError("get_for takes a fetch function or a lookup, not both")
        found = fetch()
        obj = found if found is not None and _placed(actor, found) else None
    else:
        if isinstance(qs, type):
            qs = qs._default_manager.all()
        if set(lookup) <= {"pk", "id"}:
            obj = _get_in_scope_by_pk(actor, qs, lookup)
        else:
            obj = in_scope(actor, qs).filter(**lookup).first()
    if obj is None:
        raise Http404
    if action.endswith(".view") and hidden(actor, obj):
        if _hidden_refusal(type(obj)) == 403:
            raise PermissionDenied
        raise Http404
    if not can(actor, action, obj):
        raise PermissionDenied
    return obj


def authorize(actor: Actor | None, action: str, obj: Model) -> None:
    """For an object already fetched: 404 if outside the actor's places, 403 if not allowed.
    Placed from the object's own columns when they decide it, as ``get_for`` does (an import
    authorises every household and resident it writes)."""
    if not _placed(actor, obj):
        raise Http404
    if not can(actor, action, obj):
        raise PermissionDenied


def sees_minors(actor: Actor | None, obj: Model) -> bool:
    """Whether the actor sees children's names in full on ``obj``'s pages: the office, and a
    resident in their own household. Everyone else sees 张** (PIPL Arts. 28, 31)."""
    if can(actor, "resident.reveal", obj):
        return True
    household_id = getattr(obj, "household_id", None) or (
        obj.pk if type(obj).__name__ == "Household" else None
    )
    return any(m.role == "resident" and m.household_id == household_id for m in memberships(actor))
