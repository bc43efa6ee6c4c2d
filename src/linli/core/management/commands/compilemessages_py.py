"""Compile ``locale/*/LC_MESSAGES/*.po`` to ``.mo`` with polib: no GNU gettext needed, so
``make run`` works on a machine without it. ``--check`` fails on untranslated or fuzzy
entries (used by the test suite and CI)."""

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Compile translation catalogues (pure Python); --check fails on gaps."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        problems = []
        count = 0
        for base in settings.LOCALE_PATHS:
            for po_path in sorted(Path(base).glob("*/LC_MESSAGES/*.po")):
                po = polib.pofile(str(po_path))
                untranslated = [e.msgid for e in po.untranslated_entries()]
                fuzzy = [e.msgid for e in po.fuzzy_entries()]
                if untranslated or fuzzy:
                    problems.append((po_path, untranslated, fuzzy))
                if not check:
                    po.save_as_mofile(str(po_path.with_suffix(".mo")))
                    count += 1
        for path, untranslated, fuzzy in problems:
            self.stderr.write(f"{path}: {len(untranslated)} untranslated, {len(fuzzy)} fuzzy")
            for msgid in (untranslated + fuzzy)[:20]:
                self.stderr.write(f"  - {msgid!r}")
        if check and problems:
            raise CommandError("translations are incomplete")
        if not check:
            self.stdout.write(f"compiled {count} catalogue(s)")
