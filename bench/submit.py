"""A resident's submit in process, through Django's real WSGI handler (``python -m bench.submit
[--profile] [DB]``): the median ``time.process_time`` of N ``POST /api/tickets/`` (session +
CSRF, as ``ticket_submit`` of ``bench.run``) against ``POST /bench/insert`` measured in the same
run, the statements one submit runs (``-v``: their SQL), and with ``--profile`` pyinstrument's
call tree of the submits (``pip install pyinstrument`` into .venv; not a project dependency).
Works on the last ``make bench-quick`` copy (SQLite) or, with ``DATABASE_URL``, on PostgreSQL
(then also the CPU the database server's process spent per request, as ``bench.cpu`` reads it).

More views of the same submit: ``--sample`` samples the stack on CPU time (``bench/cpusample.py``:
no call slowed down, waits not counted); ``--cprofile`` (with ``--profile``) cProfile, its stats
kept in ``BENCH_PROFILE_OUT`` when set; ``--statements`` the CPU of each statement (mean, in
Django's cursor); ``--floor`` what a signed-in API POST costs that the view never runs (a 422),
against hello and the insert.

``--served [--workers W] [--concurrency C]``: the same two requests served by gunicorn (the
bench's server, W workers, default 2) and sent by the bench's load generator (C threads,
default 16; ``BENCH_SECONDS``, default 6, per round), insert and submit alternated for
``BENCH_ROUNDS`` (default 3) rounds (``BENCH_SERVED=ticket_submit``: that one only): rps and the
server's CPU per request (user + system of
gunicorn's processes, as ``make bench-quick`` reports it). With ``--profile`` each worker runs
cProfile (``bench/served_profile.py``) and the summed stats are printed: where a served
submit's CPU goes that the in-process figure does not show.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time


def served(db: str | None) -> None:
    """``--served``: the insert and the submit served, as ``bench.served`` serves any scenario
    (``BENCH_SERVED`` names others); see the module's docstring."""
    from bench import served as serving
    from bench.served import _opt

    names = os.environ.get("BENCH_SERVED", "baseline_insert,ticket_submit")
    flags = ["--profile"] if "--profile" in sys.argv else []
    for opt in ("--workers", "--concurrency"):
        if opt in sys.argv:
            flags += [opt, str(_opt(opt, 0))]
    sys.argv = [sys.argv[0], names, *([db] if db else []), *flags]
    serving.main()


def main() -> None:
    from bench.server import VAR

    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    profile, verbose = "--profile" in sys.argv, "-v" in sys.argv
    args = [a for a in args if not a.isdigit()]  # (the values of --workers/--concurrency)
    if "--served" in sys.argv:
        served(
            None
            if os.environ.get("DATABASE_URL")
            else (args[0] if args else str(VAR / "run-community.sqlite3"))
        )
        return
    db = args[0] if args else str(VAR / "run-community.sqlite3")
    n = int(os.environ.get("BENCH_CPU_N", "60"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ["LINLI_SQLITE_PATH"] = db
    os.environ.setdefault("LINLI_LOG_LEVEL", "WARNING")
    os.environ.setdefault("LINLI_RATE_SUBMIT", "1000000/h")  # counted, never reached
    os.environ.setdefault("LINLI_RATE_API", "1000000/m")
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.run import scenario_inputs
    from linli.accounts.models import User

    store_cls = import_module(settings.SESSION_ENGINE).SessionStore
    ids = scenario_inputs("community")
    username, household = ids["residents"][0]
    user = User.objects.get(username=username)
    # Its notifications read first, as a resident reads theirs: the unread count, read with the
    # user on every request, would otherwise grow by one a submit, run after run on a kept
    # PostgreSQL data set (5,000 made its COUNT cost the server 2.5 ms a request).
    from django.utils import timezone

    from linli.core.models import Notification

    Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())
    s = store_cls()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "linli.accounts.backends.PhoneOrUsernameBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    csrf = "b" * 32
    cookie = f"sessionid={s.session_key}; csrftoken={csrf}"
    body = json.dumps(
        {
            "category_id": ids["categories"][0],
            "description": "压测：楼道灯不亮了",
            "household_id": household,
        }  # fmt: skip
    ).encode()
    app = WSGIHandler()
    connection.close()

    def call(method: str, path: str, data: bytes, headers: dict) -> int:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            **headers,
        }
        status: list[str] = []
        out = app(environ, lambda st, h: status.append(st))
        b"".join(out)
        if hasattr(out, "close"):
            out.close()
        return int(status[0].split()[0])

    submit_headers = {"HTTP_COOKIE": cookie, "HTTP_X_CSRFTOKEN": csrf}

    def submit() -> None:
        code = call("POST", "/api/tickets/", body, submit_headers)
        assert code == 201, code

    def insert() -> None:
        assert call("POST", "/bench/insert", b"", {}) == 200

    if "--floor" in sys.argv:  # what a signed-in API POST costs before the view: a 422
        for label, fn in (
            ("insert", insert),
            ("floor 422", lambda: call("POST", "/api/tickets/", b"{}", submit_headers)),
            ("hello", lambda: call("GET", "/bench/hello", b"", {})),
            ("signed-in hello", lambda: call("GET", "/bench/hello", b"", submit_headers)),
        ):
            for _ in range(5):
                fn()
            ts = []
            for _ in range(n):
                t = time.process_time()
                fn()
                ts.append(time.process_time() - t)
            print(f"{label:<16} {statistics.median(ts) * 1000:6.2f} ms CPU")

    for _ in range(3):
        submit()
        insert()
    with CaptureQueriesContext(connection) as q:
        submit()
    print(f"{len(q)} statements per submit")
    if "--statements" in sys.argv:  # the CPU each statement of a submit takes, mean of n
        from bench.cpu import db_cpu

        spent: dict[str, list[float]] = {}
        on_db: dict[str, list[float]] = {}

        def timed(execute, sql, params, many, context):
            db0 = db_cpu()
            t = time.process_time()
            try:
                return execute(sql, params, many, context)
            finally:
                spent.setdefault(sql[:70], []).append(time.process_time() - t)
                db1 = db_cpu()
                if db0 is not None and db1 is not None and db0[0] == db1[0]:
                    on_db.setdefault(sql[:70], []).append(db1[1] - db0[1])

        with connection.execute_wrapper(timed):
            for _ in range(n):
                submit()
        for sql, ts in spent.items():
            db = f" + database {statistics.mean(on_db[sql]) * 1000:6.3f}" if sql in on_db else ""
            print(f"  {statistics.mean(ts) * 1000:6.3f} ms{db}  {sql}")
    if verbose:
        for one in q.captured_queries:
            print("  ", one["sql"][:160])
    from bench.cpu import db_cpu

    times: dict[str, list[float]] = {"insert": [], "submit": []}
    db_times: dict[str, list[float]] = {"insert": [], "submit": []}
    for _ in range(n):  # alternated, so both see the same load
        for name, fn in (("insert", insert), ("submit", submit)):
            db0 = db_cpu()
            t = time.process_time()
            fn()
            times[name].append(time.process_time() - t)
            db1 = db_cpu()
            if db0 is not None and db1 is not None and db1[0] == db0[0]:
                db_times[name].append(db1[1] - db0[1])
    ins, sub = (statistics.median(times[k]) * 1000 for k in ("insert", "submit"))
    db_ins, db_sub = (
        f"   + database {statistics.median(db_times[k]) * 1000:5.2f} ms" if db_times[k] else ""
        for k in ("insert", "submit")
    )
    print(f"baseline_insert {ins:6.2f} ms CPU{db_ins}")
    print(f"ticket_submit   {sub:6.2f} ms CPU   {ins / sub:4.2f} x insert{db_sub}")
    if "--sample" in sys.argv:
        from bench.cpusample import Sampler

        sampler = Sampler()
        cpu = time.process_time()
        sampler.start()
        for _ in range(n):
            submit()
        sampler.stop()
        cpu = time.process_time() - cpu
        sampler.report(n, cpu, top=int(os.environ.get("BENCH_SAMPLE_TOP", "120")))
    elif profile and "--cprofile" in sys.argv:
        import cProfile
        import pstats

        prof = cProfile.Profile(time.process_time)
        prof.enable()
        for _ in range(n):
            submit()
        prof.disable()
        if os.environ.get("BENCH_PROFILE_OUT"):  # for pstats' callers/callees afterwards
            prof.dump_stats(os.environ["BENCH_PROFILE_OUT"])
        stats = pstats.Stats(prof)
        stats.sort_stats("cumulative").print_stats(90)
        stats.sort_stats("tottime").print_stats(40)
    elif profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(n):
            submit()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
