"""What every request reads (its session, its user, the unread count), with SQL prepared
once per process instead of a queryset built and compiled on each request.

The ORM's Python around a one-row query costs 4-10 times the query itself (a profile of the
empty page: ``User.objects.get`` 645 µs against 42 µs for its SQL run raw). These helpers keep
the SQL the ORM itself compiles, once per database alias and model, and run it with a cursor;
rows become model instances through ``Model.from_db`` as the ORM's would. They are for the
handful of reads made on every request; everything else uses the ORM.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

# (alias, name) -> (sql, field names, converters by column): SQL compiled by the ORM, once.
_COMPILED: dict[tuple[str, str], tuple[str, list[str], dict[int, tuple[list[Any], Any]]]] = {}
_SQL: dict[tuple[str, str], str] = {}


def compiled(
    alias: str, name: str, build: Any
) -> tuple[str, list[str], dict[int, tuple[list[Any], Any]]]:
    """The SQL of ``build()`` (a queryset whose parameters are placeholders the caller
    passes again) compiled once for ``alias``, the attnames of its columns and the backend's
    converters of their values (SQLite's datetimes and booleans), as the ORM applies them."""
    key = (alias, name)
    hit = _COMPILED.get(key)
    if hit is None:
        qs: QuerySet[Any] = build()
        compiler = qs.query.get_compiler(using=alias)
        sql, _params = compiler.as_sql()
        fields = [f.attname for f in qs.model._meta.concrete_fields]
        converters = compiler.get_converters([col for col, _sql, _alias in compiler.select])
        hit = _COMPILED[key] = (sql, fields, converters)
    return hit


def _convert(
    row: tuple[Any, ...], converters: dict[int, tuple[list[Any], Any]], conn: Any
) -> list[Any]:
    values = list(row)
    for pos, (funcs, expression) in converters.items():
        value = values[pos]
        for func in funcs:
            value = func(value, expression, conn)
        values[pos] = value
    return values


def get_by_pk(model: type[M], pk: Any, *, extra: tuple[str, str, Any] | None = None) -> M | None:
    """``model.objects.filter(pk=pk).first()`` without ordering, as one prepared statement.
    ``extra``: (attribute, name, sql(conn)) — one more column, a scalar subquery in terms of
    the row's primary key column ``%(pk)s``, set on the instance as ``attribute``."""
    alias = router.db_for_read(model)
    conn = connections[alias]
    name = f"pk:{model._meta.label}:{extra[1] if extra else ''}"

    def build() -> QuerySet[Any]:
        return model._base_manager.using(alias).filter(pk=0)

    sql, fields, converters = compiled(alias, name, build)
    if extra is not None and (alias, name + ":sql") not in _SQL:
        q = conn.ops.quote_name
        col = f"{q(model._meta.db_table)}.{q(str(model._meta.pk.column))}"
        head, _sep, tail = sql.partition(" FROM ")
        _SQL[(alias, name + ":sql")] = f"{head}, ({extra[2](conn) % {'pk': col}}) FROM {tail}"
    if extra is not None:
        sql = _SQL[(alias, name + ":sql")]
    with conn.cursor() as cur:
        cur.execute(sql, [model._meta.pk.get_db_prep_value(pk, conn)])
        row = cur.fetchone()
    if row is None:
        return None
    obj = model.from_db(alias, fields, _convert(row[: len(fields)], converters, conn))
    if extra is not None:
        setattr(obj, extra[0], row[len(fields)])
    return obj


def scalar(model: type[Model], name: str, sql: Any, params: list[Any]) -> Any:
    """The first column of the first row of ``sql(connection)`` (a statement written for
    this read, compiled once per alias) run with ``params``."""
    alias = router.db_for_read(model)
    conn = connections[alias]
    key = (alias, name)
    text = _SQL.get(key)
    if text is None:
        text = _SQL[key] = sql(conn)
    with conn.cursor() as cur:
        cur.execute(text, params)
        row = cur.fetchone()
    return row[0] if row else None


def table(conn: Any, model: type[Model], *columns: str) -> tuple[str, ...]:
    """The quoted table name of ``model`` and the quoted names of its ``columns``."""
    q = conn.ops.quote_name
    fields = [model._meta.get_field(c) for c in columns]
    return (q(model._meta.db_table), *(q(str(getattr(f, "column", ""))) for f in fields))
