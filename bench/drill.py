"""``make drill``: reliability drills against the served app (four on SQLite, one on
PostgreSQL + Redis). Each prints what it checked; the run exits non-zero if any drill lost
something.

    python -m bench.drill                 # all five
    python -m bench.drill writers kill9   # some of them

writers  50 concurrent residents submit for DRILL_SECONDS (60): no "database is locked",
         every acknowledged ticket in the database with its "ticket.submitted" event.
kill9    kill -9 of gunicorn's master and workers in the middle of a write load, restart:
         every acknowledged ticket exists, no ticket lacks its creation event.
huey     the huey worker killed -9 (twice) while delivering SMS, restarted: each message
         delivered exactly once (counted in a file by bench.drill_sms.FileSmsBackend).
backup   `linli backup` while writes continue, `linli restore` into a fresh file: integrity
         check ok, every ticket acknowledged before the backup began is there.
cache    two servers (two gunicorns, 2 workers each) on PostgreSQL sharing Redis (cache and
         sessions): a write through one is seen on the next read of the cached pages (queue,
         request page, search, building page) through the other; a role revoked through one
         refuses the next request in both. Skipped, with the reason, when PostgreSQL or Redis
         is not reachable (DRILL_DATABASE_URL, DRILL_REDIS_URL).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.drill_cache import drill_cache
from bench.server import REPO, VAR, VENV_BIN, Server, bench_env, free_port, login

DRILL = VAR / "drill"
DB = DRILL / "drill.sqlite3"
SECONDS = float(os.environ.get("DRILL_SECONDS", "60"))


def say(msg: str) -> None:
    print(msg, flush=True)


def env(**extra: str) -> dict:
    e = bench_env(DB, LINLI_VAR_DIR=str(DRILL), **extra)
    e.pop("DATABASE_URL", None)
    return e


def fresh_database() -> None:
    """A fresh copy of the community-scale bench data set (built if missing)."""
    cache = VAR / "community.sqlite3"
    e = bench_env(cache)
    e.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "bench.data", "--scale", "community"],
        env=e,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    DRILL.mkdir(parents=True, exist_ok=True)
    for p in DRILL.iterdir():
        p.unlink()
    src, dst = sqlite3.connect(cache), sqlite3.connect(DB)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def db_ids(path: Path = DB) -> tuple[set[int], set[int], str]:
    """(ticket ids, ticket ids with a "ticket.submitted" event, integrity check)."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        ct = conn.execute(
            "SELECT id FROM django_content_type WHERE app_label='tickets' AND model='ticket'"
        ).fetchone()[0]
        tickets = {r[0] for r in conn.execute("SELECT id FROM tickets_ticket")}
        with_event = {
            r[0]
            for r in conn.execute(
                "SELECT object_id FROM core_event WHERE verb='ticket.submitted' "
                "AND object_type_id=?",
                (ct,),
            )
        }
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    return tickets, with_event, check


def residents(n: int) -> list[tuple[str, int, int]]:
    """(user name, household, a category of that community) for n pool residents."""
    conn = sqlite3.connect(DB)
    try:
        rows = conn.execute(
            "SELECT u.username, m.household_id, m.community_id FROM accounts_rolemembership m "
            "JOIN accounts_user u ON u.id = m.user_id WHERE u.username LIKE 'bench-r-%' "
            "ORDER BY u.username LIMIT ?",
            (n,),
        ).fetchall()
        cat = conn.execute(
            "SELECT id FROM tickets_category WHERE community_id=? AND active "
            "AND attributes='[]' ORDER BY id LIMIT 1",
            (rows[0][2],),
        ).fetchone()[0]
    finally:
        conn.close()
    return [(u, hh, cat) for u, hh, _ in rows]


def submit_spec(port: int, n: int, duration: float) -> dict:
    people = residents(n)
    return {
        "port": port,
        "concurrency": n,
        "duration": duration,
        "warmup": 0,
        "max_requests": 1_000_000,
        "record_ids": True,
        "count_warmup_errors": True,
        "sessions": [login(port, u) for u, _, _ in people],
        "requests": [
            [
                (
                    "POST",
                    "/api/tickets/",
                    {"category_id": cat, "description": "演练：楼道灯不亮了", "household_id": hh},
                )
            ]
            for _, hh, cat in people
        ],
    }


def start_load(spec: dict) -> tuple[subprocess.Popen, str]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.load", f.name],
        cwd=REPO,
        env=env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    return proc, f.name


def finish_load(proc: subprocess.Popen, name: str) -> dict:
    out, _ = proc.communicate(timeout=600)
    os.unlink(name)
    return json.loads(out)


def check_acks(acks: list, tickets: set[int], with_event: set[int]) -> list[str]:
    ids = {a[0] for a in acks}
    problems = []
    missing = ids - tickets
    if missing:
        problems.append(f"{len(missing)} acknowledged tickets missing: {sorted(missing)[:10]}")
    no_event = tickets - with_event
    if no_event:
        problems.append(f"{len(no_event)} tickets without their creation event")
    return problems


def drill_writers() -> list[str]:
    say(f"\n[writers] 50 concurrent residents submitting for {SECONDS:.0f} s (SQLite, WAL)")
    log = DRILL / "gunicorn-writers.log"
    port = free_port()
    server = Server(env(), port, log)
    server.start()
    try:
        before = len(db_ids()[0])
        spec = submit_spec(port, 50, SECONDS)
        proc, name = start_load(spec)
        result = finish_load(proc, name)
    finally:
        server.stop()
    tickets, with_event, check = db_ids()
    locked = log.read_text().count("database is locked") + sum(
        "database is locked" in s for s in result["error_samples"]
    )
    problems = check_acks(result["acks"], tickets, with_event)
    say(
        f"  acknowledged {len(result['acks'])} tickets ({result['rps']} rps, p95 "
        f"{result['p95_ms']} ms, p99 {result['p99_ms']} ms); errors {result['errors']}; "
        f'"database is locked" {locked}; tickets in db +{len(tickets) - before}; '
        f"integrity {check}"
    )
    if result["errors"]:
        problems.append(f"{result['errors']} failed requests: {result['error_samples'][:2]}")
    if locked:
        problems.append(f'{locked} "database is locked" errors')
    if check != "ok":
        problems.append(f"integrity check: {check}")
    return problems


def drill_kill9() -> list[str]:
    say("\n[kill9] kill -9 of gunicorn master and workers during 16 concurrent writers")
    port = free_port()
    server = Server(env(), port, DRILL / "gunicorn-kill9.log")
    server.start()
    spec = submit_spec(port, 16, 20)
    proc, name = start_load(spec)
    time.sleep(7)
    pids = server.kill9()
    say(f"  t=7 s: killed -9 pids {pids}")
    time.sleep(2)
    server.start()
    say("  t~9 s: restarted")
    result = finish_load(proc, name)
    server.stop()
    tickets, with_event, check = db_ids()
    problems = check_acks(result["acks"], tickets, with_event)
    say(
        f"  acknowledged {len(result['acks'])}; failed while down {result['errors']} "
        f"(not acknowledged, expected); every acknowledged ticket present: "
        f"{not any('missing' in p for p in problems)}; tickets without creation event: "
        f"{len(tickets - with_event)}; integrity {check}"
    )
    if check != "ok":
        problems.append(f"integrity check: {check}")
    return problems


HUEY_SETUP = """
import json, sys
import django
django.setup()
from django.utils import timezone
from linli.accounts.models import User
from linli.core.models import Notification, NotificationPreference
from linli.core import notifications
from linli.core.tasks import deliver_notification
n, mode = int(sys.argv[1]), sys.argv[2]
if mode == "create":
    u, _ = User.objects.get_or_create(username="drill-sms", defaults={"phone": "13800000000"})
    NotificationPreference.objects.update_or_create(user=u, defaults={"sms": True, "email": False})
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        Notification(recipient=u, channel=Notification.Channel.SMS, verb="drill.sms",
                     title=f"drill-sms-{i}", body="", created_at=now) for i in range(n))
    for r in rows:
        deliver_notification(r.pk)
    print(json.dumps(len(rows)))
elif mode == "requeue":
    later = timezone.now() + notifications.REQUEUE_SENDING_AFTER + timezone.timedelta(minutes=1)
    ids = notifications.stuck_notifications_requeue(now=later)
    for pk in ids:
        deliver_notification(pk)
    print(json.dumps(len(ids)))
else:
    q = Notification.objects.filter(verb="drill.sms")
    print(json.dumps({s: q.filter(status=s).count() for s in ("pending", "sending", "sent", "failed")}))
"""


def huey_call(mode: str, n: int = 0):
    out = subprocess.run(
        [sys.executable, "-c", HUEY_SETUP, str(n), mode],
        env=env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def deliveries(path: Path) -> dict[int, int]:
    counts: dict[int, int] = {}
    if path.exists():
        for m in re.finditer(r"drill-sms-(\d+)", path.read_text()):
            counts[int(m.group(1))] = counts.get(int(m.group(1)), 0) + 1
    return counts


def drill_huey(n: int = 3000) -> list[str]:
    say(f"\n[huey] {n} SMS notifications; the huey worker is killed -9 twice while delivering")
    sms = DRILL / "sms.txt"
    e = env(LINLI_SMS_BACKEND="bench.drill_sms.FileSmsBackend", BENCH_SMS_FILE=str(sms))
    huey_call("create", n)
    cmd = [str(VENV_BIN / "linli"), "run_huey", "--workers", "2", "--worker-type", "thread"]
    log = open(DRILL / "huey.log", "a")  # noqa: SIM115

    def start():
        return subprocess.Popen(cmd, env=e, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)

    for _k in range(2):
        w = start()
        time.sleep(4)
        w.kill()
        w.wait()
        say(f"  killed -9 worker {w.pid} with {len(deliveries(sms))} of {n} delivered")
    w = start()
    deadline = time.time() + 120
    while time.time() < deadline:
        st = huey_call("status")
        if st["pending"] == 0 and st["sending"] <= 2:
            time.sleep(1)
            if huey_call("status") == st:
                break
        time.sleep(1)
    st = huey_call("status")
    counts = deliveries(sms)
    say(
        f"  after restart: rows {st}; delivered once {sum(v == 1 for v in counts.values())}, "
        f"twice or more {sum(v > 1 for v in counts.values())}, never {n - len(counts)}"
    )
    requeued = huey_call("requeue")
    say(f"  ten minutes later (simulated clock): the requeue job puts back {requeued} rows")
    deadline = time.time() + 60
    while time.time() < deadline and requeued:
        st = huey_call("status")
        if st["pending"] == 0 and st["sending"] == 0:
            break
        time.sleep(1)
    w.terminate()
    w.wait(20)
    log.close()
    st = huey_call("status")
    counts = deliveries(sms)
    once = sum(v == 1 for v in counts.values())
    dup = {k: v for k, v in counts.items() if v > 1}
    lost = n - len(counts)
    say(
        f"  final: rows {st}; delivered exactly once {once}, more than once {len(dup)} "
        f"{sorted(dup)[:10]}, never {lost}"
    )
    problems = []
    if lost:
        problems.append(f"{lost} notifications never delivered")
    if dup:
        problems.append(f"{len(dup)} notifications delivered more than once (at-least-once window)")
    return problems


def drill_backup() -> list[str]:
    say("\n[backup] `linli backup` while 16 residents keep submitting; `linli restore`")
    port = free_port()
    server = Server(env(), port, DRILL / "gunicorn-backup.log")
    server.start()
    dest, fresh = DRILL / "backup.sqlite3", DRILL / "restored.sqlite3"
    spec = submit_spec(port, 16, 14)
    proc, name = start_load(spec)
    time.sleep(5)
    t0 = time.time()
    out = subprocess.run(
        [str(VENV_BIN / "linli"), "backup", str(dest)],
        env=env(),
        capture_output=True,
        text=True,
    )
    t1 = time.time()
    say(f"  {out.stdout.strip() or out.stderr.strip()}")
    result = finish_load(proc, name)
    server.stop()
    if out.returncode:
        return ["linli backup failed"]
    out = subprocess.run(
        [str(VENV_BIN / "linli"), "restore", str(dest), "--to", str(fresh)],
        env=env(),
        capture_output=True,
        text=True,
    )
    say(f"  {out.stdout.strip() or out.stderr.strip()}")
    if out.returncode:
        return ["linli restore failed"]
    tickets, with_event, check = db_ids(fresh)
    before = [a for a in result["acks"] if a[1] < t0]
    during = [a for a in result["acks"] if t0 <= a[1] <= t1]
    problems = check_acks(before, tickets, with_event)
    say(
        f"  acknowledged before the backup began {len(before)}, all restored: "
        f"{not problems}; acknowledged while it ran {len(during)}; after "
        f"{len(result['acks']) - len(before) - len(during)}; load errors {result['errors']}; "
        f"restored integrity {check}"
    )
    if check != "ok":
        problems.append(f"integrity check: {check}")
    if result["errors"]:
        problems.append(f"{result['errors']} writes failed during the backup")
    return problems


DRILLS = {
    "writers": drill_writers,
    "kill9": drill_kill9,
    "huey": drill_huey,
    "backup": drill_backup,
    "cache": drill_cache,  # PostgreSQL + Redis (bench/drill_cache.py)
}
ON_SQLITE = {"writers", "kill9", "huey", "backup"}


def main() -> None:
    chosen = sys.argv[1:] or list(DRILLS)
    unknown = [c for c in chosen if c not in DRILLS]
    if unknown:
        sys.exit(f"unknown drill(s) {unknown}; choose from {list(DRILLS)}")
    if ON_SQLITE & set(chosen):
        fresh_database()
    failed, skipped = {}, []
    for name in chosen:
        problems = DRILLS[name]()
        if problems is None:  # what it needs is not here (it said why)
            skipped.append(name)
            say(f"  => {name}: SKIPPED")
            continue
        say(f"  => {name}: {'OK' if not problems else 'FAILED: ' + '; '.join(problems)}")
        if problems:
            failed[name] = problems
    ran = len(chosen) - len(skipped)
    say(
        f"\n{ran - len(failed)} of {ran} drills passed"
        + (f"; skipped: {', '.join(skipped)}" if skipped else "")
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
