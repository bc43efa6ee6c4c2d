"""A resident's submit in process, through Django's real WSGI handler (``python -m bench.submit
[--profile] [DB]``): the median ``time.process_time`` of N ``POST /api/tickets/`` (session +
CSRF, as ``ticket_submit`` of ``bench.run``) against ``POST /bench/insert`` measured in the same
run, the statements one submit runs (``-v``: their SQL), and with ``--profile`` pyinstrument's
call tree of the submits (``pip install pyinstrument`` into .venv; not a project dependency).
Works on the last ``make bench-quick`` copy (SQLite) or, with ``DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time


def main() -> None:
    from bench.server import VAR

    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    profile, verbose = "--profile" in sys.argv, "-v" in sys.argv
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

    for _ in range(3):
        submit()
        insert()
    with CaptureQueriesContext(connection) as q:
        submit()
    print(f"{len(q)} statements per submit")
    if verbose:
        for one in q.captured_queries:
            print("  ", one["sql"][:160])
    times: dict[str, list[float]] = {"insert": [], "submit": []}
    for _ in range(n):  # alternated, so both see the same load
        for name, fn in (("insert", insert), ("submit", submit)):
            t = time.process_time()
            fn()
            times[name].append(time.process_time() - t)
    ins, sub = (statistics.median(times[k]) * 1000 for k in ("insert", "submit"))
    print(f"baseline_insert {ins:6.2f} ms CPU")
    print(f"ticket_submit   {sub:6.2f} ms CPU   {ins / sub:4.2f} x insert")
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(n):
            submit()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
