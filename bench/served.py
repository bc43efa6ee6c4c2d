"""Any scenario of ``bench.run`` served by gunicorn, with where its CPU goes (``python -m
bench.served SCENARIO[,SCENARIO…] [--profile] [--workers W] [--concurrency C] [DB]``).

The bench's server (W workers, default 2) and load generator (C threads, default 16;
``BENCH_SECONDS``, default 6, per round); the scenarios alternated for ``BENCH_ROUNDS``
(default 3) rounds, each printed with rps, p50/p95 and CPU per request of:

- ``server``: gunicorn's processes, user + system (as ``make bench-quick`` reports it), and
  the two apart (``usr``/``sys``: the kernel's share is the sockets, the waits and the
  switches between processes);
- ``db``: with ``DATABASE_URL``, the PostgreSQL server processes serving the bench's database
  (``/proc``; found by ``pg_stat_activity``), which a served figure otherwise leaves out and
  which share the machine's cores with the workers.

With ``--profile`` each worker runs cProfile (``bench/served_profile.py``, CPU time from
gunicorn's ``pre_request`` to ``post_request``) and the summed stats are printed. SQLite: the
last ``make bench-quick`` copy or DB; PostgreSQL with ``DATABASE_URL``.
"""

from __future__ import annotations

import os
import sys


def _opt(name: str, default: int) -> int:
    if name in sys.argv:
        return int(sys.argv[sys.argv.index(name) + 1])
    return default


def _proc_cpu(pids: list[int]) -> tuple[float, float]:
    """(user, system) seconds the processes have used (Linux ``/proc``)."""
    user = system = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, IndexError):
            continue
        user += int(fields[11])
        system += int(fields[12])
    tick = os.sysconf("SC_CLK_TCK")
    return user / tick, system / tick


def _db_pids() -> list[int]:
    """The PostgreSQL server processes connected to this database, this one's aside."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cur.fetchall()]


def main() -> None:
    import pstats
    import tempfile

    from bench.run import STAFF, SUPERVISOR, scenario_inputs, specs
    from bench.server import VAR, Server, bench_env, free_port, load, login

    args = [a for a in sys.argv[1:] if not a.startswith("-") and not a.isdigit()]
    if not args:
        sys.exit(__doc__)
    names = args[0].split(",")
    db = None if os.environ.get("DATABASE_URL") else (args[1] if len(args) > 1 else None)
    if db is None and not os.environ.get("DATABASE_URL"):
        db = str(VAR / "run-community.sqlite3")
    workers, concurrency = _opt("--workers", 2), _opt("--concurrency", 16)
    seconds = float(os.environ.get("BENCH_SECONDS", "6"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    env = bench_env(db)
    prof_dir = None
    if "--profile" in sys.argv:
        prof_dir = tempfile.mkdtemp(prefix="served-prof-")
        here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "served_profile.py")
        env["GUNICORN_CMD_ARGS"] = f"-c {here}"
        env["BENCH_PROFILE_DIR"] = prof_dir
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "LINLI_VAR_DIR")})
    if db:
        os.environ["LINLI_SQLITE_PATH"] = db
    import django

    django.setup()
    from django.db import connection

    ids = scenario_inputs("community")
    port = free_port()
    server = Server(env, port, VAR / "gunicorn.log", workers=workers)
    server.start()
    try:
        residents = ids["residents"][:concurrency]
        users = {STAFF["community"], SUPERVISOR["community"]} | {u for u, _ in residents}
        sessions = {u: login(port, u) for u in sorted(users)}
        plans = specs(port, "community", ids, concurrency, sessions)
        for r in range(rounds):
            for name in names:
                sess, reqs = plans[name]
                spec = {
                    "port": port,
                    "concurrency": concurrency,
                    "warmup": 1,
                    "duration": seconds,
                    "max_requests": 2_000_000,
                    "sessions": sess,
                    "requests": reqs,
                }
                db_pids = _db_pids()
                before, db_before = _proc_cpu(server.pids()), _proc_cpu(db_pids)
                result = load(spec, env)
                after, db_after = _proc_cpu(server.pids()), _proc_cpu(db_pids)
                # The warm-up's requests are counted too: CPU over everything sent.
                per = 1000 / max(result.get("sent", 0), 1)
                usr, sys_ = ((a - b) * per for a, b in zip(after, before, strict=True))
                line = (
                    f"round {r + 1} {name:<18} {result['rps']:>8.1f} rps  "
                    f"p50 {result['p50_ms']:>6.1f} p95 {result['p95_ms']:>6.1f} ms  "
                    f"errors {result['errors']}  server {usr + sys_:5.2f} ms "
                    f"(usr {usr:4.2f} sys {sys_:4.2f})"
                )
                if db_pids:
                    d = sum(db_after) - sum(db_before)
                    line += f"  db {d * per:5.2f} ms"
                print(line, flush=True)
    finally:
        server.stop()
        connection.close()
    if prof_dir:
        files = [os.path.join(prof_dir, f) for f in os.listdir(prof_dir)]
        if not files:
            print("no worker profiles written")
            return
        stats = pstats.Stats(*files)
        stats.sort_stats("cumulative").print_stats(int(os.environ.get("BENCH_PROFILE_TOP", "60")))
        stats.sort_stats("tottime").print_stats(40)


if __name__ == "__main__":
    main()
