"""The ``cache`` drill of ``make drill`` (bench/drill.py): two servers on PostgreSQL sharing
Redis, and the pages each keeps rendered in its own processes (core/pagecache.py).

Two gunicorn instances (A and B, two sync workers each: four processes, four page caches)
serve one PostgreSQL database (``DRILL_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/linli_drill``, created and filled with the community-scale
bench data set once) and share one Redis database (``DRILL_REDIS_URL``, default
``redis://127.0.0.1:6379/13``, flushed at the start) for the cache and the sessions: a person
logs in through A and is served by B with the same cookie.

(a) Every cached page is read through both servers until each answers from its cache, then a
    write goes through A and the page is read through B (and A) again: every answer must show
    the write. Writes: a resident's submit (the queue), a staff member's progress note (the
    request's page), the office registering a resident (search and the building's page).
(b) A community staff member reads the four pages through both servers (200, cached); the
    office revokes their role through A; their very next request to each page, through B and
    through A, must be refused (403/404), never a cached copy.

Each read opens a new connection, so the two workers of a server share the reads; the counts
of ``X-Linli-Page-Cache: hit/miss`` answers say how many were served from a cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

from bench.server import VAR, Server, bench_env, free_port, login, request

DRILL = VAR / "drill"
PG_URL = os.environ.get("DRILL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linli_drill")
REDIS_URL = os.environ.get("DRILL_REDIS_URL", "redis://127.0.0.1:6379/13")
COMMUNITY = "xincun"
OFFICE, STAFF = "xc-secretary", "xc-staff"
READS = 8  # reads of a page through a server after each write (each on a new connection)


def say(msg: str) -> None:
    print(msg, flush=True)


def env() -> dict:
    e = bench_env(None, LINLI_VAR_DIR=str(DRILL), DATABASE_URL=PG_URL, REDIS_URL=REDIS_URL)
    e.pop("LINLI_SQLITE_PATH", None)
    return e


def unreachable() -> str | None:
    """Why the drill cannot run here (None: it can). Creates the database if it is missing."""
    try:
        import psycopg
        import redis
    except ImportError as exc:  # pragma: no cover - both are dependencies with Redis/PG
        return f"missing driver: {exc}"
    url = urllib.parse.urlsplit(PG_URL)
    name = url.path.lstrip("/")
    admin = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, connect_timeout=3, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
                say(f"  created database {name}")
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_URL}: {str(exc).strip().splitlines()[0]}"
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except Exception as exc:
        return f"Redis not reachable at {REDIS_URL}: {exc}"
    return None


def prepare() -> dict:
    """The data set (built once), a flushed Redis database, the staff member's role back on,
    and the ids the drill uses."""
    import psycopg
    import redis

    subprocess.run(
        [sys.executable, "-m", "bench.data", "--scale", "community"],
        env=env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    redis.Redis.from_url(REDIS_URL).flushdb()
    with psycopg.connect(PG_URL, autocommit=True) as conn:

        def one(sql: str, *args):
            row = conn.execute(sql, args).fetchone()
            if row is None:
                raise RuntimeError(f"drill data missing: {sql}")
            return row

        (cid,) = one("SELECT id FROM registry_community WHERE code = %s", COMMUNITY)
        staff_id, membership = one(
            "SELECT u.id, m.id FROM accounts_rolemembership m JOIN accounts_user u "
            "ON u.id = m.user_id WHERE u.username = %s AND m.community_id = %s "
            "AND m.role = 'community_staff' ORDER BY m.id LIMIT 1",
            STAFF,
            cid,
        )
        # An earlier run revoked it: switch it on again (the servers start with empty caches).
        conn.execute("UPDATE accounts_rolemembership SET active = true WHERE id = %s", [membership])
        conn.execute(
            "UPDATE accounts_user SET roles_version = roles_version + 1 WHERE id = %s", [staff_id]
        )
        resident, household = one(
            "SELECT u.username, m.household_id FROM accounts_rolemembership m JOIN accounts_user u "
            "ON u.id = m.user_id WHERE u.username LIKE 'bench-r-%%' AND m.community_id = %s "
            "AND m.active ORDER BY u.username LIMIT 1",
            cid,
        )
        (category,) = one(
            "SELECT id FROM tickets_category WHERE community_id = %s AND active "
            "AND attributes = '[]' ORDER BY id LIMIT 1",
            cid,
        )
        # A request the staff member handles through their role only (not theirs, not their
        # team's, not reported by them): revoking the role must take it away.
        (ticket,) = one(
            "SELECT t.id FROM tickets_ticket t WHERE t.community_id = %s "
            "AND t.status IN ('submitted', 'accepted', 'assigned', 'in_progress') "
            "AND t.assignee_user_id IS DISTINCT FROM %s "
            "AND NOT EXISTS (SELECT 1 FROM tickets_ticketrequester r "
            "  WHERE r.ticket_id = t.id AND r.user_id = %s) "
            "AND NOT EXISTS (SELECT 1 FROM tickets_handlingteam_members m "
            "  WHERE m.handlingteam_id = t.assignee_team_id AND m.user_id = %s) "
            "ORDER BY t.id DESC LIMIT 1",
            cid,
            staff_id,
            staff_id,
            staff_id,
        )
        target_hh, building = one(
            "SELECT h.id, h.building_id FROM registry_household h WHERE h.community_id = %s "
            "ORDER BY h.building_id, h.id LIMIT 1",
            cid,
        )
    return {
        "membership": membership,
        "resident": resident,
        "household": household,
        "category": category,
        "ticket": ticket,
        "target_household": target_hh,
        "building": building,
    }


@dataclass
class Person:
    name: str
    cookies: dict

    def headers(self, port: int, **extra: str) -> dict:
        h = {
            "Cookie": f"sessionid={self.cookies['sessionid']}; csrftoken={self.cookies['csrftoken']}",
            "X-CSRFToken": self.cookies["csrftoken"],
            "Referer": f"http://127.0.0.1:{port}/",
        }
        h.update(extra)
        return h

    def get(self, port: int, path: str) -> tuple[int, str, str]:
        status, headers, body = request(port, "GET", path, headers=self.headers(port))
        seen = {k.lower(): v for k, v in headers}.get("x-linli-page-cache", "-")
        return status, seen, body.decode("utf-8", "replace")

    def post_form(self, port: int, path: str, data: dict) -> tuple[int, bytes]:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.cookies["csrftoken"]})
        status, _, out = request(
            port,
            "POST",
            path,
            body=body,
            headers=self.headers(port, **{"Content-Type": "application/x-www-form-urlencoded"}),
        )
        return status, out

    def post_json(self, port: int, path: str, data: dict) -> tuple[int, bytes]:
        status, _, out = request(
            port,
            "POST",
            path,
            body=json.dumps(data).encode(),
            headers=self.headers(port, **{"Content-Type": "application/json"}),
        )
        return status, out


@dataclass
class Tally:
    problems: list[str] = field(default_factory=list)
    answers: Counter = field(default_factory=Counter)
    reads: int = 0

    def read_until_cached(self, who: Person, ports: list[int], path: str, tries: int = 12) -> None:
        """Read ``path`` through each server until both of its workers have answered from
        their cache (or ``tries`` reads): the page is cached everywhere before the write."""
        for port in ports:
            hits = 0
            for _ in range(tries):
                status, seen, _ = who.get(port, path)
                if status != 200:
                    self.problems.append(f"{who.name} {path} on :{port}: {status} before the write")
                    return
                hits += seen == "hit"
                if hits >= 4:
                    break

    def expect(self, who: Person, port: int, path: str, ok, what: str, reads: int = READS) -> str:
        """``reads`` reads of ``path``; each must satisfy ``ok(status, body)``."""
        seen_here: Counter = Counter()
        bad = 0
        for _ in range(reads):
            status, seen, body = who.get(port, path)
            self.reads += 1
            seen_here[seen] += 1
            self.answers[seen] += 1
            if not ok(status, body):
                bad += 1
        if bad:
            self.problems.append(f"{what}: {bad} of {reads} reads through :{port} wrong")
        cached = ", ".join(f"{k} {v}" for k, v in sorted(seen_here.items()))
        return f"{reads - bad}/{reads} show it ({cached})"


def chinese_number(n: int) -> str:
    return "".join("零一二三四五六七八九"[int(d)] for d in str(n))


def drill_cache() -> list[str] | None:
    """The problems found (none: passed), or None when skipped."""
    say("\n[cache] two servers on PostgreSQL sharing Redis; per-process page caches")
    reason = unreachable()
    if reason:
        say(f"  skipped: {reason} (set DRILL_DATABASE_URL / DRILL_REDIS_URL)")
        return None
    t0 = time.time()
    ids = prepare()
    say(f"  data set ready in {time.time() - t0:.0f} s ({PG_URL}; Redis {REDIS_URL}, flushed)")
    pa, pb = free_port(), free_port()
    a = Server(env(), pa, DRILL / "gunicorn-cache-a.log")
    b = Server(env(), pb, DRILL / "gunicorn-cache-b.log")
    a.start()
    b.start()
    try:
        return _run(ids, pa, pb)
    finally:
        a.stop()
        b.stop()


def _run(ids: dict, pa: int, pb: int) -> list[str]:
    t = Tally()
    office = Person(OFFICE, login(pa, OFFICE))
    staff = Person(STAFF, login(pa, STAFF))
    resident = Person(ids["resident"], login(pa, ids["resident"]))
    # The sessions are in Redis and the database: logged in through A, served by B.
    status, _, _ = office.get(pb, "/requests/queue/")
    say(f"  sessions: logged in through A (:{pa}), the queue through B (:{pb}) answers {status}")
    if status != 200:
        return [f"a session made through A is not valid on B ({status})"]

    run = int(time.time()) % 1_000_000
    name = "演练" + chinese_number(run)
    ticket, hh, building = ids["ticket"], ids["target_household"], ids["building"]
    queue = "/requests/queue/?status=open"
    detail = f"/requests/{ticket}/"
    search = "/registry/search/?q=" + urllib.parse.quote(name)
    building_page = f"/registry/buildings/{building}/"
    pages = [queue, detail, search, building_page]
    for who in (office, staff):
        for path in pages:
            t.read_until_cached(who, [pa, pb], path)
    say(
        f"  warm: {len(pages)} pages × 2 people × 2 servers, each read until it has answered "
        "4 times from a page cache"
    )

    # (a1) a resident's submit through A -> the office's queue through B.
    status, out = resident.post_json(
        pa,
        "/api/tickets/",
        {
            "category_id": ids["category"],
            "description": f"演练：缓存 {run}",
            "household_id": ids["household"],
        },
    )
    if status != 201:
        return [f"submit through A failed: {status} {out[:200]!r}"]
    new_id = json.loads(out)["id"]
    link = f"/requests/{new_id}/"
    seen = [
        t.expect(office, port, queue, lambda s, body: s == 200 and link in body, "queue")
        for port in (pb, pa)
    ]
    say(
        f"  (a) a resident submits #{new_id} through A; the office's queue: B {seen[0]}; A {seen[1]}"
    )

    # (a2) a staff member's progress note through A -> the request's page through B.
    note = f"演练进展 {run}"
    status, _ = staff.post_form(
        pa, f"/requests/{ticket}/comment/", {"kind": "progress", "body": note}
    )
    if status not in (200, 302):
        t.problems.append(f"progress note through A: {status}")
    say(f"  (a) {STAFF} writes a progress note on #{ticket} through A (status {status}); its page:")
    for who in (office, staff):
        seen = [
            t.expect(who, port, detail, lambda s, body: s == 200 and note in body, "request page")
            for port in (pb, pa)
        ]
        say(f"      for {who.name}: B {seen[0]}; A {seen[1]}")

    # (a3) the office registers a resident through A -> search and building page through B.
    status, _ = office.post_form(
        pa,
        f"/registry/households/{hh}/residents/new/",
        {"name": name, "relation": "other", "tenure": "other"},
    )
    if status != 302:
        t.problems.append(f"registering {name} through A: {status}")
    say(f"  (a) the office registers {name} through A (status {status}):")
    for label, path in (("search", search), ("building page", building_page)):
        seen = [
            t.expect(office, port, path, lambda s, body: s == 200 and name in body, label)
            for port in (pb, pa)
        ]
        say(f"      {label}: B {seen[0]}; A {seen[1]}")

    # (b) the office revokes the staff member's role through A; their next request, anywhere.
    before = {(port, path): staff.get(port, path)[0] for port in (pa, pb) for path in pages}
    if set(before.values()) != {200}:
        t.problems.append(f"staff pages before the revoke: {before}")
    status, _ = office.post_form(
        pa, f"/accounts/c/{COMMUNITY}/roles/{ids['membership']}/revoke/", {}
    )
    if status != 302:
        t.problems.append(f"revoke through A: {status}")
    after: Counter = Counter()
    for port in (pb, pa):
        for path in pages:
            # The very next request through each server, then a few more (both workers).
            for _ in range(4):
                s, seen, _ = staff.get(port, path)
                t.reads += 1
                after[(s, seen)] += 1
                if s not in (403, 404):
                    t.problems.append(f"{STAFF} {path} on :{port} after the revoke: {s} ({seen})")
    say(
        f"  (b) {STAFF}'s role revoked through A (status {status}); before: 16 × 200; after, "
        f"through B then A (status, cache answer): {dict(after)}"
    )
    say(f"  {t.reads} checked reads after writes; page-cache answers among them: {dict(t.answers)}")
    return t.problems
