"""Profile one page in-process with pyinstrument (``pip install pyinstrument`` into .venv;
not a project dependency): ``python -m bench.profile USER PATH [DB]``. Prints the call tree
of the slowest-to-average of 5 requests after one warm-up, and the number of SQL queries."""

from __future__ import annotations

import os
import sys

from bench.server import VAR


def main() -> None:
    user, path = sys.argv[1], sys.argv[2]
    db = sys.argv[3] if len(sys.argv) > 3 else str(VAR / "run-community.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ["LINLI_SQLITE_PATH"] = db
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    from linli.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=user))
    assert client.get(path).status_code == 200
    profiler = Profiler(interval=0.0005)
    with CaptureQueriesContext(connection) as q:
        profiler.start()
        for _ in range(5):
            client.get(path)
        profiler.stop()
    print(f"{len(q) / 5:.0f} queries per request")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
