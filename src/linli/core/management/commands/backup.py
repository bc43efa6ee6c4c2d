"""``linli backup DEST``: an online copy of the SQLite database, taken while the site runs.

It uses SQLite's backup API (``sqlite3.Connection.backup``) in one step: under WAL that is a
read transaction, so writers carry on while it copies, and the copy is the database as it was
when the step began (every transaction committed before then, none after). The copy is then
checked with ``PRAGMA integrity_check``. For PostgreSQL use ``pg_dump`` (docs/reliability.md).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def sqlite_file(given: str | None, *, command: str, instead: str) -> Path:
    """The SQLite file a command works on: ``given``, or the site's database when that is
    SQLite; on PostgreSQL the command refuses, naming the tool to use ``instead``."""
    db = settings.DATABASES["default"]
    if not given and db["ENGINE"] != "django.db.backends.sqlite3":
        raise CommandError(
            f"{command} SQLite databases; for PostgreSQL use {instead} (see docs/reliability.md)."
        )
    return Path(given or db["NAME"])


def integrity(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return ";".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def copy_database(source: Path, dest: Path) -> None:
    """Copy ``source`` into ``dest`` page by page with the backup API, in one step."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
        # The copy is a single self-contained file, not a WAL database.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


class Command(BaseCommand):
    help = "Copy the SQLite database to DEST while the site keeps running (SQLite backup API)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dest", help="File to write; must not exist.")
        parser.add_argument("--source", help="SQLite file to copy (default: the site's database).")

    def handle(self, *args: Any, **opts: Any) -> None:
        source = sqlite_file(opts["source"], command="linli backup copies", instead="pg_dump")
        dest = Path(opts["dest"])
        if not source.is_file():
            raise CommandError(f"No database at {source}.")
        if dest.exists():
            raise CommandError(f"{dest} exists; give a new file name.")
        dest.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        copy_database(source, dest)
        check = integrity(dest)
        if check != "ok":
            raise CommandError(f"The copy failed its integrity check: {check}")
        self.stdout.write(
            f"Backed up {source} to {dest} ({dest.stat().st_size:,} bytes) in "
            f"{time.perf_counter() - started:.1f} s; integrity check ok."
        )
