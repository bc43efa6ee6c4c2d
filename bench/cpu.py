"""CPU time per request in process, through Django's real WSGI handler (``python -m bench.cpu
[DB]``): the median ``time.process_time`` of N requests per page after a warm-up, as a ratio to
``/bench/hello`` measured in the same run. Less noisy than the load test on a shared machine
(other processes' CPU is not counted). ``*_miss`` rows bump the community's change counter
before every request (core/versions.py), so every version-keyed cache misses.

    PYTHONPATH=. .venv/bin/python -m bench.cpu                 # the last bench-quick copy
    BENCH_ONLY=baseline_page PYTHONPATH=. .venv/bin/python -m bench.cpu   # hello and these
    DATABASE_URL=postgres://… REDIS_URL=redis://… PYTHONPATH=. .venv/bin/python -m bench.cpu

With ``DATABASE_URL`` (PostgreSQL on this machine) a second column: the median CPU the
database server's process for this connection spent per request (``/proc/PID/schedstat``),
which a served run's figures leave out and which shares the same two cores. (Redis's is not
counted: its one process is shared with everyone's.) ``*_miss`` rows include the bump.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time


def main() -> None:
    from bench.server import VAR

    db = sys.argv[1] if len(sys.argv) > 1 else str(VAR / "run-community.sqlite3")
    n = int(os.environ.get("BENCH_CPU_N", "40"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ["LINLI_SQLITE_PATH"] = db
    os.environ.setdefault("LINLI_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from bench.data import SCENARIO_COMMUNITY, STAFF, SUPERVISOR
    from linli.accounts.models import User
    from linli.tickets.models import Ticket

    try:
        from linli.core import versions
    except ImportError:  # older code
        versions = None  # type: ignore[assignment]
    from importlib import import_module

    from django.conf import settings

    store_cls = import_module(settings.SESSION_ENGINE).SessionStore

    def session_for(username: str) -> str:
        user = User.objects.get(username=username)
        s = store_cls()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "linli.accounts.backends.PhoneOrUsernameBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        return s.session_key

    from django.middleware.csrf import _get_new_csrf_string

    csrf_cookie = _get_new_csrf_string()
    app = WSGIHandler()
    staff, sup = session_for(STAFF["community"]), session_for(SUPERVISOR["community"])
    ticket = Ticket.objects.filter(community__code=SCENARIO_COMMUNITY["community"]).latest("id")
    community_id = ticket.community_id
    connection.close()

    def call(path: str, session: str | None) -> int:
        p, _, q = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": p,
            "QUERY_STRING": q,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        if session:
            # As a browser does (and the load generator): the session and the CSRF cookie.
            environ["HTTP_COOKIE"] = f"sessionid={session}; csrftoken={csrf_cookie}"
        status: list[str] = []
        body = app(environ, lambda s, h: status.append(s))
        b"".join(body)
        if hasattr(body, "close"):
            body.close()
        return int(status[0].split()[0])

    pages = [
        ("baseline_hello", "/bench/hello", None),
        ("baseline_page", "/bench/page", staff),
        ("staff_queue", "/requests/queue/?status=open", staff),
        ("ticket_detail", f"/requests/{ticket.pk}/", staff),
        ("registry_search", "/registry/search/?q=zh", sup),
    ]
    only = [x for x in os.environ.get("BENCH_ONLY", "").split(",") if x]
    rows = []
    for miss in (False, True):
        for name, path, session in pages:
            if miss and name.startswith("baseline_hello"):
                continue
            if only and name + ("_miss" if miss else "") not in {*only, "baseline_hello"}:
                continue
            code = call(path, session)
            assert code == 200, (name, code)
            for _ in range(3):
                call(path, session)
            times, db_times = [], []
            for _ in range(n):
                if miss and versions is not None:
                    versions.bump(community_id)
                db0 = db_cpu()
                t = time.process_time()
                call(path, session)
                times.append(time.process_time() - t)
                db1 = db_cpu()
                if db0 is not None and db1 is not None and db1[0] == db0[0]:
                    db_times.append(db1[1] - db0[1])
            db_ms = statistics.median(db_times) * 1000 if db_times else None
            rows.append((name + ("_miss" if miss else ""), statistics.median(times) * 1000, db_ms))
    hello = rows[0][1]
    for name, ms, db_ms in rows:
        db = f"   + database {db_ms:5.2f} ms" if db_ms is not None else ""
        print(f"{name:<22} {ms:7.2f} ms CPU   {hello / ms:5.2f} x hello{db}")


def db_cpu() -> tuple[int, float] | None:
    """(pid, seconds on CPU) of the PostgreSQL server process of this thread's connection,
    when it runs on this machine; None otherwise."""
    from django.db import connection

    raw = getattr(connection, "connection", None)
    if connection.vendor != "postgresql" or raw is None:
        return None
    try:
        pid = raw.info.backend_pid
        with open(f"/proc/{pid}/schedstat") as f:
            return pid, int(f.read().split()[0]) / 1e9
    except (OSError, AttributeError, ValueError):
        return None


if __name__ == "__main__":
    main()
