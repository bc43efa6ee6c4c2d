"""The benchmark data set, built once and cached (``python -m bench.data --scale …``).

``community``: the normal demo (Xincun and Nancun, a year of requests). ``district``: the demo,
plus ``linli demo --scale district``'s territory (500 communities, 200,000 households, ~600,000
residents), the demo's request categories copied to every district community, and
``BENCH_TICKETS`` requests (default 2,000,000) spread over five years, each with its
requester row and its ``ticket.submitted`` event (and a ``ticket.close`` event when closed).
The requests go in with raw ``executemany`` in batches: one service call each would take
hours. Both scales add a pool of resident accounts (``bench-r-NN``) in the community the
scenarios use. Runs against whatever database the settings name (SQLite or ``DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import time

import django

SCENARIO_COMMUNITY = {"community": "xincun", "district": "d-c001"}
STAFF = {"community": "xc-secretary", "district": "d-c001-secretary"}
SUPERVISOR = {"community": "by-supervisor", "district": "d-s01-supervisor"}
RESIDENT_POOL = 64
BATCH = 20_000


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()


SUBMITTED_TEXT = "压测：楼道灯不亮了"  # what ticket_submit reports (bench/run.py)


def forget_earlier_runs() -> None:
    """Remove what earlier runs' ``ticket_submit`` wrote into a reused database (PostgreSQL;
    SQLite runs work on a fresh copy), so each run starts from the same data set."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from linli.core.models import Event, Notification
    from linli.tickets.models import Ticket

    if connection.vendor != "postgresql":
        return
    with transaction.atomic():
        ids = list(Ticket.objects.filter(description=SUBMITTED_TEXT).values_list("pk", flat=True))
        if not ids:
            return
        ct = ContentType.objects.get_for_model(Ticket)
        Event.objects.filter(object_type=ct, object_id__in=ids).delete()
        Notification.objects.filter(object_type=ct, object_id__in=ids).delete()
        Ticket.objects.filter(pk__in=ids).delete()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE tickets_ticket")
    print(f"removed {len(ids)} requests left by earlier runs", flush=True)


def meta_get() -> dict | None:
    from django.db import connection

    if "bench_meta" not in connection.introspection.table_names():
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT data FROM bench_meta")
        row = cur.fetchone()
    return json.loads(row[0]) if row else None


def meta_set(data: dict) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (data TEXT NOT NULL)")
        cur.execute("DELETE FROM bench_meta")
        cur.execute("INSERT INTO bench_meta (data) VALUES (%s)", [json.dumps(data)])


def resident_pool(code: str, n: int = RESIDENT_POOL) -> list[str]:
    """``n`` resident log-ins, one household each, in community ``code``."""
    from django.contrib.auth.hashers import make_password

    from linli.accounts.models import RoleMembership, User
    from linli.core.roles import Role
    from linli.demo.generator import PASSWORD
    from linli.registry.models import Community, Household

    c = Community.objects.get(code=code)
    homes = list(Household.objects.filter(community=c).order_by("id")[:n])
    pw = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(username=f"bench-r-{i:02d}", password=pw, display_name=f"压测居民{i:02d}")
        for i in range(len(homes))
    )
    RoleMembership.objects.bulk_create(
        RoleMembership(user=u, role=Role.RESIDENT, community=c, household=h)
        for u, h in zip(users, homes, strict=True)
    )
    return [u.username for u in users]


def copy_categories() -> int:
    """The demo's Xincun categories, copied to every community that has none."""
    from linli.registry.models import Community
    from linli.tickets.models import Category

    model = list(Category.objects.filter(community__code="xincun"))
    bare = Community.objects.exclude(ticket_categories__isnull=False)
    rows = [
        Category(
            community=c,
            code=k.code,
            name=k.name,
            name_en=k.name_en,
            description=k.description,
            respond_within_hours=k.respond_within_hours,
            resolve_within_workdays=k.resolve_within_workdays,
            attributes=k.attributes,
            keywords=k.keywords,
            active=k.active,
            sort=k.sort,
        )
        for c in bare
        for k in model
    ]
    Category.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


OPEN = ["submitted", "accepted", "assigned", "in_progress", "resolved", "replied"]
RATINGS = ["satisfied", "satisfied", "satisfied", "basic", "unsatisfied"]
TEXTS = ["楼道灯不亮了", "水管漏水，请尽快维修", "小区垃圾没有及时清运", "下水道堵塞", "噪音扰民"]


def _insert_sql(
    model, given: list[str], *, fixed: dict | None = None, json: set[str] = frozenset()
) -> tuple[str, tuple]:
    """``INSERT`` of every concrete column of ``model``: the ``given`` columns from each row,
    in that order, then every other column's value — ``fixed`` or the field's default, as the
    database stores it — appended to each row as the returned tuple. A column with neither
    (no default, not null) stops the build by name: a field added to the model must be given
    a value here, not found missing two million rows later."""
    from django.db import connection

    fixed = fixed or {}
    pg = connection.vendor == "postgresql"
    fields = {f.column: f for f in model._meta.concrete_fields}
    missing = [c for c in given if c not in fields]
    if missing:
        raise SystemExit(f"bench.data: {model.__name__} has no column {missing}")
    rest, values = [], []
    for column, field in fields.items():
        if column in given or (field.primary_key and column not in fixed and field.db_returning):
            continue  # given, or a key the database numbers
        if column in fixed:
            value = fixed[column]
        elif field.has_default() or field.empty_strings_allowed:
            value = field.get_db_prep_save(field.get_default(), connection)
        elif field.null:
            value = None
        else:
            raise SystemExit(f"bench.data: give {model.__name__}.{field.name} a value")
        rest.append(column)
        values.append(value)
    columns = [*given, *rest]
    marks = ["%s::jsonb" if pg and c in json else "%s" for c in given] + ["%s"] * len(rest)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {model._meta.db_table} ({quoted}) VALUES ({', '.join(marks)})"  # noqa: S608
    return sql, tuple(values)


def add_tickets(n: int, community_codes_prefix: str = "d-c", seed: int = 5) -> dict:
    """``n`` requests over the five years before now in the communities whose code starts with
    the prefix, with requesters and events, by raw ``executemany``. Returns counts and rate."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from linli.core.models import Event
    from linli.registry.models import Household
    from linli.tickets.models import Category, Ticket, TicketRequester

    rng = random.Random(seed)
    pg = connection.vendor == "postgresql"

    def ts(value: dt.datetime):
        return value if pg else value.strftime("%Y-%m-%d %H:%M:%S.%f")

    cats: dict[int, list[tuple[int, str]]] = {}
    for pk, cid, code in Category.objects.filter(
        community__code__startswith=community_codes_prefix
    ).values_list("pk", "community_id", "code"):
        cats.setdefault(cid, []).append((pk, code))
    homes: dict[int, list[tuple[int, int, int]]] = {}
    for pk, cid, b, u in Household.objects.filter(
        community__code__startswith=community_codes_prefix
    ).values_list("pk", "community_id", "building_id", "unit_id"):
        homes.setdefault(cid, []).append((pk, b, u))
    communities = sorted(set(cats) & set(homes))
    ct = ContentType.objects.get_for_model(Ticket).pk
    t_table = Ticket._meta.db_table
    t_sql, t_rest = _insert_sql(
        Ticket,
        ["id", "status", "emergency", "description", "attributes", "created_at", "respond_by",
         "resolve_by", "responded_at", "resolved_at", "replied_at", "closed_at", "rating",
         "rated_at", "rated_by_revisit", "updated_at", "building_id", "category_id",
         "community_id", "household_id", "unit_id"],
        fixed={"channel": "web", "contact_preference": "in_app", "version": 1},
        json={"attributes"},
    )  # fmt: skip
    e_sql, e_rest = _insert_sql(
        Event,
        ["created_at", "verb", "community_id", "object_id", "object_repr", "data"],
        fixed={"actor_name": "", "object_type_id": ct},
        json={"data"},
    )
    r_sql, r_rest = _insert_sql(
        TicketRequester,
        ["name", "anonymous", "primary", "added_at", "ticket_id"],
        fixed={"phone": ""},
    )
    now = timezone.now()
    span = 5 * 365 * 24 * 3600
    next_id = (Ticket.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    started = time.perf_counter()
    done = events = 0
    while done < n:
        size = min(BATCH, n - done)
        tickets, evs, reqs = [], [], []
        for _ in range(size):
            pk = next_id
            next_id += 1
            cid = rng.choice(communities)
            cat_pk, cat_code = rng.choice(cats[cid])
            home, building, unit = rng.choice(homes[cid])
            created = now - dt.timedelta(seconds=rng.randrange(span))
            age_days = (now - created).days
            closed = age_days > 30 or rng.random() < 0.5
            status = "closed" if closed else rng.choice(OPEN)
            responded = created + dt.timedelta(hours=rng.randint(1, 6))
            resolved = created + dt.timedelta(days=rng.randint(1, 8)) if closed else None
            closed_at = resolved + dt.timedelta(days=1) if closed else None
            rating = rng.choice(RATINGS) if closed else ""
            tickets.append(
                (
                    pk,
                    status,
                    False,
                    rng.choice(TEXTS),
                    "{}",
                    ts(created),
                    ts(created + dt.timedelta(hours=4)),
                    ts(created + dt.timedelta(days=7)),
                    ts(responded) if status != "submitted" else None,
                    ts(resolved) if resolved else None,
                    ts(closed_at) if closed_at else None,
                    ts(closed_at) if closed_at else None,
                    rating,
                    ts(closed_at) if closed_at else None,
                    False,
                    ts(closed_at or created),
                    building,
                    cat_pk,
                    cid,
                    home,
                    unit,
                )
                + t_rest
            )
            data = json.dumps(
                {"channel": "web", "category": cat_code, "emergency": False, "photos": 0}
            )
            evs.append((ts(created), "ticket.submitted", cid, pk, f"#{pk}", data) + e_rest)
            if closed_at:
                evs.append(
                    (
                        ts(closed_at),
                        "ticket.closed",
                        cid,
                        pk,
                        f"#{pk}",
                        '{"from": "replied", "to": "closed"}',
                    )
                    + e_rest
                )
            reqs.append(("居民", False, True, ts(created), pk) + r_rest)
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(t_sql, tickets)
            cur.executemany(e_sql, evs)
            cur.executemany(r_sql, reqs)
        done += size
        events += len(evs)
        rate = done / (time.perf_counter() - started)
        print(f"  {done:,}/{n:,} tickets ({rate:,.0f}/s)", flush=True)
    if pg:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{t_table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {t_table}))"
            )
    elapsed = time.perf_counter() - started
    return {"tickets": n, "events": events, "seconds": round(elapsed, 1)}


def build(scale: str, tickets: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from bench.urls import ensure_table
    from linli.demo import district

    call_command("migrate", verbosity=0, interactive=False)
    from linli.registry.models import Community

    if Community.objects.exists():
        sys.exit("bench.data: the database already holds communities but no bench data set")
    info: dict = {"scale": scale, "database": connection.vendor}
    t0 = time.perf_counter()
    call_command("demo", stdout=io.StringIO())
    info["demo_seconds"] = round(time.perf_counter() - t0, 1)
    if scale == "district":
        t0 = time.perf_counter()
        counts = district.build_district(
            progress=lambda d, t: print(f"  {d}/{t} communities", flush=True) if d % 50 == 0 else 0
        )
        info["district"] = dict(counts)
        info["district_seconds"] = round(time.perf_counter() - t0, 1)
        info["categories_copied"] = copy_categories()
        info["bulk_tickets"] = add_tickets(tickets)
    info["residents_pool"] = len(resident_pool(SCENARIO_COMMUNITY[scale]))
    ensure_table()
    if connection.vendor == "postgresql":
        # As autovacuum would in production after a bulk load: planner statistics.
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    meta_set(info)
    return info


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["community", "district"], default="community")
    parser.add_argument(
        "--tickets", type=int, default=int(os.environ.get("BENCH_TICKETS", "2000000"))
    )
    args = parser.parse_args()
    setup()
    existing = meta_get()
    if existing:
        # A data set built by older code gets the newer migrations (cheap: small tables).
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        forget_earlier_runs()
        print(f"bench data set present: {json.dumps(existing)}")
        return
    info = build(args.scale, args.tickets)
    print(f"bench data set built: {json.dumps(info)}")


if __name__ == "__main__":
    main()
