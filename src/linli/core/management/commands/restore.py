"""``linli restore BACKUP``: put a copy made by ``linli backup`` back as the site's SQLite
database (or into ``--to FILE``). The target must be new or empty unless ``--force``; stop the
site first when restoring over its database. The backup is checked before and the restored
file after (``PRAGMA integrity_check``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from .backup import copy_database, integrity, sqlite_file


class Command(BaseCommand):
    help = "Restore a `linli backup` copy into the site's SQLite database or into --to FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="A file written by `linli backup`.")
        parser.add_argument("--to", help="SQLite file to restore into (default: the site's).")
        parser.add_argument(
            "--force", action="store_true", help="Replace a target that already holds data."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        target = sqlite_file(opts["to"], command="linli restore restores", instead="pg_restore")
        backup = Path(opts["backup"])
        if not backup.is_file():
            raise CommandError(f"No backup at {backup}.")
        check = integrity(backup)
        if check != "ok":
            raise CommandError(f"The backup failed its integrity check: {check}")
        if target.exists() and target.stat().st_size > 0 and not opts["force"]:
            raise CommandError(f"{target} already holds data; pass --force to replace it.")
        for suffix in ("-wal", "-shm"):
            stale = target.with_name(target.name + suffix)
            if stale.exists() and opts["force"]:
                stale.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        copy_database(backup, target)
        check = integrity(target)
        if check != "ok":
            raise CommandError(f"The restored database failed its integrity check: {check}")
        self.stdout.write(f"Restored {backup} into {target}; integrity check ok.")
