"""What every request reads (its session, its user, the unread count), with SQL prepared
once per process instead of a queryset built and compiled on each request.

The ORM's Python around a one-row query costs 4-10 times the query itself (a profile of the
empty page: ``User.objects.get`` 645 µs against 42 µs for its SQL run raw). These helpers keep
the SQL the ORM itself compiles, once per database alias and model, and run it with a cursor;
rows become model instances through ``Model.from_db`` as the ORM's would. They are for the
handful of reads made on every request; everything else uses the ORM.

The reads and rows of the most frequent write (a resident's report: ``objects``, ``insert``,
``insert_rows``) go through ``core.prepared``'s cursor: on PostgreSQL bound and prepared on
the server once per connection, where parsing and planning them cost more of the server's CPU
than running them (−1.1 ms of the server's CPU a report; docs/performance.md, "Session 7").
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connections, router, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    Field,
    ForeignKey,
    IntegerField,
    JSONField,
    Model,
    OneToOneField,
    PositiveBigIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    QuerySet,
    SmallAutoField,
    SmallIntegerField,
    TextField,
)
from django.db.models.query import get_related_populators
from django.db.models.signals import post_save, pre_save
from django.db.models.sql.subqueries import InsertQuery

from . import prepared

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


# --- a query of a write's hot path, compiled once ----------------------------------------------

# Ids stand for the caller's arguments while a query is compiled; their places among the
# compiled parameters say where each argument goes.
_SENTINEL = -(2**40)
_QUERIES: dict[tuple[str, str], tuple[str, list[Any], Any]] = {}


def _query_plan(alias: str, name: str, build: Any, nargs: int) -> tuple[str, list[Any], Any]:
    key = (alias, name)
    hit = _QUERIES.get(key)
    if hit is None:
        sentinels = [_SENTINEL - i for i in range(nargs)]
        qs: QuerySet[Any] = build(*sentinels).using(alias)
        compiler = qs.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        # Each parameter: ("arg", i) for the caller's i-th argument, ("const", value) else.
        slots: list[Any] = [
            ("arg", sentinels.index(p)) if isinstance(p, int) and p in sentinels else ("const", p)
            for p in params
        ]
        if {s[1] for s in slots if s[0] == "arg"} != set(range(nargs)):
            raise ValueError(f"{name}: every argument must be a parameter of the query")
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        converters = compiler.get_converters([s[0] for s in select[0 : compiler.col_count]])
        build_rows = (
            klass_info["model"],
            [f[0].target.attname for f in select[start:end]],
            start,
            end,
            # (django-stubs describe a later Django's signature)
            get_related_populators(klass_info, select, alias),  # type: ignore[call-arg]
            dict(compiler.annotation_col_map or {}),
            converters,
        )
        hit = _QUERIES[key] = (sql, slots, build_rows)
    return hit


def objects(model: type[M], name: str, build: Any, *args: int) -> list[M]:
    """``list(build(*args))`` — a queryset of ``model`` (with ``select_related`` and
    annotations as the caller likes) whose integer arguments (ids) are parameters of its SQL —
    with the SQL compiled by the ORM once per database alias and ``name``, and its rows made
    into instances (related ones and annotations included) as the ORM makes them. For the
    reads of a write that is made often (a resident's submit)."""
    alias = router.db_for_read(model)
    conn = connections[alias]
    sql, slots, (cls, init_list, start, end, populators, annotations, converters) = _query_plan(
        alias, name, build, len(args)
    )
    params = [args[v] if kind == "arg" else v for kind, v in slots]
    with prepared.cursor(conn) as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    converted = [_convert(raw, converters, conn) if converters else list(raw) for raw in rows]
    return _instances(converted, alias, cls, init_list, start, end, populators, annotations)


def _instances(
    rows: Any,
    alias: str,
    cls: Any,
    init_list: Any,
    start: int,
    end: int,
    populators: Any,
    annotations: dict[str, int],
) -> list[Any]:
    """Model instances from converted rows, as the ORM's ``ModelIterable`` makes them (the
    related objects of ``select_related`` by their populators, then the annotations)."""
    out = []
    for row in rows:
        obj = cls.from_db(alias, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        for attr, pos in annotations.items():
            setattr(obj, attr, row[pos])
        out.append(obj)
    return out


# --- a new row, inserted with SQL compiled once ----------------------------------------------

# (alias, model label) -> (sql, fields, returning fields, converters of the returned values,
# the value preparation of each field: ``_preparations``, whether the SQL has ``RETURNING``
# (else the key is the cursor's last row id))
_INSERTS: dict[tuple[str, str], tuple[str, list[Any], list[Any], Any, list[Any], bool]] = {}

# Fields (exact classes: a subclass may convert) whose ``pre_save`` is the attribute and whose
# ``get_db_prep_save`` returns a value of these types unchanged (None too) on every backend.
_AS_IS: dict[type[Field[Any, Any]], tuple[type, ...]] = {
    CharField: (str,),
    TextField: (str,),
    BooleanField: (bool,),
}
# Integers: the backend's ``adapt_integerfield_value`` only (psycopg's typed integers).
_INTEGERS = {
    IntegerField,
    BigIntegerField,
    SmallIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    PositiveBigIntegerField,
}
_AUTO = {AutoField, BigAutoField, SmallAutoField}
# Fields whose ``get_db_prep_save`` makes None of None (with ``pre_save`` the attribute unless
# ``auto_now``/``auto_now_add``): the columns a new row leaves empty.
_NONE_AS_IS = {DateTimeField, DateField, DecimalField, JSONField}


def _preparations(fields: list[Any], conn: Any) -> list[Any]:
    """Per field, how a new row's value becomes its parameter, decided once: ``(types,
    adapt)`` — a value of ``types`` (or None; ``types`` empty: None only) is taken from the instance and passed as it is
    (``adapt``: or through the backend's integer adapter), exactly what ``pre_save`` and
    ``get_db_prep_save`` make of it; ``None``: the field's own methods (dates, JSON, a field
    of the project's own, a foreign key to anything but an automatic key)."""
    plain_ints = (
        type(conn.ops).adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value
    )
    out: list[Any] = []
    for f in fields:
        cls = type(f)
        if cls in _AS_IS:
            out.append((_AS_IS[cls], None))
        elif cls in _INTEGERS:
            adapt = None if plain_ints else (conn.ops.adapt_integerfield_value, cls.__name__)
            out.append(((int,), adapt))
        elif cls in (ForeignKey, OneToOneField) and type(f.target_field) in _AUTO:
            # ``target_field.get_db_prep_save``: an automatic key's is ``int()`` and the
            # backend's ``validate_autopk_value`` (a no-op but on MySQL).
            same = (
                type(conn.ops).validate_autopk_value is BaseDatabaseOperations.validate_autopk_value
            )
            out.append(((int,), None) if same else None)
        elif cls in _NONE_AS_IS and not (
            getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ):
            out.append(((), None))
        else:
            out.append(None)
    return out


def _insert_plan(
    alias: str, obj: Model
) -> tuple[str, list[Any], list[Any], Any, list[Any], bool] | None:
    model = type(obj)
    key = (alias, model._meta.label)
    hit = _INSERTS.get(key)
    if hit is None:
        meta = model._meta
        fields = [
            f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field
        ]
        if any(hasattr(f, "get_placeholder") for f in fields):
            return None  # a field that writes its own SQL: the ORM's insert
        returning = list(meta.db_returning_fields)
        conn = connections[alias]
        # ``RETURNING`` only where it returns more than the key, or the key is not the row id:
        # on SQLite it cost ~0.13 ms a row (a new request writes four), measured
        # (docs/performance.md, "Session 7: submit"), and the row id is there for nothing.
        returns = conn.features.can_return_columns_from_insert and not (
            conn.vendor == "sqlite" and returning == [meta.pk]
        )
        query = InsertQuery(model)
        query.insert_values(fields, [obj], raw=False)
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = returning if returns else None
        ((sql, _params),) = compiler.as_sql()
        if not returns:
            returning = [meta.pk]
        converters = compiler.get_converters([f.get_col(meta.db_table) for f in returning])
        hit = _INSERTS[key] = (
            sql,
            fields,
            returning,
            converters,
            _preparations(fields, conn),
            returns,
        )
    return hit


_PLAIN_MODELS: dict[type[Model], bool] = {}


def _plain(obj: Model) -> bool:
    """Whether a new ``obj`` is one the shortcuts below write as the ORM would: a model with
    no ``save`` of its own, no parents, an automatic key and no database defaults."""
    model = type(obj)
    plain = _PLAIN_MODELS.get(model)
    if plain is None:
        meta = model._meta
        plain = _PLAIN_MODELS[model] = not (
            model.save is not Model.save
            or meta.parents
            or meta.proxy
            or meta.auto_field is None
            or meta.pk is not meta.auto_field
            or any(f.has_db_default() for f in meta.concrete_fields)
        )
    return plain and obj.pk is None and obj._state.adding


def insert(obj: M) -> M:
    """``obj.save()`` for a new row: the same ``pre_save`` values (``auto_now``, defaults),
    the same ``pre_save``/``post_save`` signals, the same row; the INSERT's SQL compiled by the
    ORM once per database alias and model instead of on every save. Anything the shortcut does
    not cover (a model with its own ``save``, parents, a primary key set by hand, an
    expression as a value) is saved by the ORM as usual."""
    if not _plain(obj):
        obj.save()
        return obj
    obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
    _insert(obj, alias)
    post_save.send(
        sender=model, instance=obj, created=True, update_fields=None, raw=False, using=alias
    )
    return obj


def insert_rows(objs: list[M]) -> list[M]:
    """``bulk_create(objs)`` (no signals, keys set on the objects): one new row by the
    statement compiled once, several by the ORM."""
    if len(objs) != 1 or not _plain(objs[0]):
        return type(objs[0])._default_manager.bulk_create(objs) if objs else objs
    obj = objs[0]
    obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    _insert(obj, router.db_for_write(type(obj), instance=obj))
    return objs


def _insert(obj: Model, alias: str) -> None:
    model = type(obj)
    meta = model._meta
    conn = connections[alias]
    plan = _insert_plan(alias, obj)
    params = None
    if plan is not None:
        sql, fields, returning, converters, preparations, returns = plan
        params = _params(obj, fields, preparations, conn)
    with transaction.mark_for_rollback_on_error(using=alias):
        if plan is None or params is None:
            obj._save_table(raw=False, cls=model, force_insert=True, using=alias)  # type: ignore[attr-defined]
        else:
            with prepared.cursor(conn) as cur:
                cur.execute(sql, params)
                if returns:
                    ops: Any = conn.ops  # (a backend's; not in the base class's stubs)
                    row = ops.fetch_returned_insert_columns(cur, ())
                else:
                    column = str(meta.pk.column)
                    row = (conn.ops.last_insert_id(cur, meta.db_table, column),)
            row = _convert(tuple(row), converters, conn) if converters else list(row)
            for value, field in zip(row, returning, strict=True):
                setattr(obj, field.attname, value)
    obj._state.db = alias
    obj._state.adding = False


def _params(obj: Model, fields: list[Any], preparations: list[Any], conn: Any) -> list[Any] | None:
    """The INSERT's parameters for ``obj``, as ``pre_save`` and ``get_db_prep_save`` make
    them (``_preparations``: most values taken as they are, without the calls); None if a
    value is an expression (the ORM's insert then)."""
    d = obj.__dict__
    params: list[Any] = []
    for f, prep in zip(fields, preparations, strict=True):
        if prep is not None:
            value = d[f.attname] if f.attname in d else f.pre_save(obj, True)
            if value is None or type(value) in prep[0]:
                adapt = prep[1]
                params.append(
                    value if adapt is None or value is None else adapt[0](value, adapt[1])
                )
                continue
        else:
            value = f.pre_save(obj, True)
        if hasattr(value, "resolve_expression"):
            return None
        params.append(f.get_db_prep_save(value, connection=conn))
    return params


# --- a read of a page, compiled once per shape -------------------------------------------------

# A page's read whose queryset has one shape for a given ``name`` and only some values change
# (a key, a filter's value, a search's prefix): compiled by the ORM once per process, database
# alias and shape, and run again with the new values. Placeholders stand for the values while
# it is compiled; their places among the compiled parameters say where each value goes.
# ``build(*values)`` must depend on nothing but its arguments and what ``name`` names (the
# caller puts there whatever else the query is made of: the actor's scope, which filters are
# set, the order, the page's slice). A value the ORM turns into something else (a LIKE pattern)
# cannot be placed: such a query is run by the ORM every time, as are queries this does not
# cover (prefetches, extra selects, values() with expressions renamed).
_SHAPES: dict[tuple[str, str, tuple[type, ...]], Any] = {}
_SHAPES_MAX = 4000
_NOT_PREPARED = object()


def _placeholder(i: int, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"a prepared read's values are ints or strings, not {type(value)}")
    return -7_321_000 - i if isinstance(value, int) else f"\x1flinli:{i}\x1f"


def _shape_plan(alias: str, qs: QuerySet[Any], marks: list[Any]) -> Any:
    from django.core.exceptions import EmptyResultSet
    from django.db.models.query import (
        FlatValuesListIterable,
        ModelIterable,
        ValuesIterable,
        ValuesListIterable,
    )

    if qs._prefetch_related_lookups or qs._known_related_objects:  # type: ignore[attr-defined]
        return _NOT_PREPARED
    kind = qs._iterable_class
    if kind not in (ModelIterable, ValuesIterable, ValuesListIterable, FlatValuesListIterable):
        return _NOT_PREPARED
    query = qs.query
    compiler = query.get_compiler(using=alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _NOT_PREPARED
    columns = [col[0] for col in compiler.select[0 : compiler.col_count]]
    if compiler.has_extra_select or compiler.has_composite_fields(columns):
        return _NOT_PREPARED
    slots: list[tuple[str, Any]] = []
    for p in params:
        found = [i for i, m in enumerate(marks) if type(p) is type(m) and p == m]
        slots.append(("arg", found[0]) if found else ("const", p))
    if {v for k, v in slots if k == "arg"} != set(range(len(marks))):
        return _NOT_PREPARED  # a value the ORM transformed: not placeable
    converters = compiler.get_converters(columns)
    if kind is ModelIterable:
        info, select = compiler.klass_info, compiler.select
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        rows: Any = (
            "model",
            info["model"],
            [col[0].target.attname for col in select[start:end]],
            start,
            end,
            get_related_populators(info, select, alias),  # type: ignore[call-arg]
            dict(compiler.annotation_col_map or {}),
        )
    else:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        if kind is ValuesListIterable:
            fields = [*qs._fields, *(f for f in query.annotation_select if f not in qs._fields)]  # type: ignore[attr-defined]
            if qs._fields and fields != names:  # type: ignore[attr-defined]
                return _NOT_PREPARED  # columns reordered: left to the ORM
        rows = ({ValuesIterable: "dicts", ValuesListIterable: "tuples"}.get(kind, "flat"), names)
    return (sql, slots, converters, rows)


def page_rows(model: type[Model], name: str, build: Any, *values: int | str) -> list[Any]:
    """``list(build(*values))`` — a queryset of ``model`` — with the SQL the ORM compiled for
    ``name`` once (see above): model instances (with ``select_related`` rows and
    annotations), dicts, tuples or flat values, as the queryset's own iteration makes them."""
    alias = router.db_for_read(model)
    key = (alias, name, tuple(type(v) for v in values))
    plan = _SHAPES.get(key)
    if plan is None:
        if len(_SHAPES) >= _SHAPES_MAX:
            _SHAPES.clear()
        marks = [_placeholder(i, v) for i, v in enumerate(values)]
        plan = _SHAPES[key] = _shape_plan(alias, build(*marks).using(alias), marks)
    if plan is _NOT_PREPARED:
        return list(build(*values))
    sql, slots, converters, rows_of = plan
    conn = connections[alias]
    params = [values[v] if k == "arg" else v for k, v in slots]
    with conn.cursor() as cur:
        cur.execute(sql, params)
        fetched = cur.fetchall()
    converted = [_convert(r, converters, conn) for r in fetched] if converters else fetched
    kind = rows_of[0]
    if kind == "tuples":
        return [tuple(r) for r in converted]
    if kind == "flat":
        return [r[0] for r in converted]
    if kind == "dicts":
        names = rows_of[1]
        return [dict(zip(names, r, strict=False)) for r in converted]
    _kind, cls, init_list, start, end, populators, annotations = rows_of
    return _instances(converted, alias, cls, init_list, start, end, populators, annotations)
