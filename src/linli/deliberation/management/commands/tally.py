"""``linli tally FILE``: count a vote from its JSON form, the way the web app counts it.

``FILE`` is a path or ``-`` for standard input. Prints one JSON object (the result) on stdout
and exits 0; for invalid input prints ``error: <field path>: <message>`` on stderr and exits 2.
It needs no database: anyone can audit an exported vote with it. The format and the rules are
in ``docs/voting.md``; the counting is ``linli.deliberation.tally``.
"""

import json
import sys
from decimal import Decimal

from django.core.management.base import BaseCommand

from linli.deliberation.tally import TallyInputError, tally


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number")


class Command(BaseCommand):
    help = (
        "Count a vote (owners' joint decision, residents' meeting or consultative poll) from "
        "its JSON form and print the result as JSON. FILE is a path or - for stdin."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The vote as JSON; - reads stdin.")

    def _fail(self, where: str, message: str):
        sys.stderr.write(f"error: {where}: {message}\n")
        sys.stderr.flush()
        sys.exit(2)

    def handle(self, *args, file: str, **options):
        try:
            if file == "-":
                raw = sys.stdin.buffer.read()
            else:
                with open(file, "rb") as fh:
                    raw = fh.read()
        except OSError as e:
            self._fail(file, f"cannot read: {e.strerror or e}")
        try:
            # Numbers with a point become Decimal, so nothing is rounded on the way in.
            data = json.loads(
                raw.decode("utf-8-sig"), parse_float=Decimal, parse_constant=_refuse_constant
            )
        except UnicodeDecodeError as e:
            self._fail("(root)", f"not UTF-8 text: {e.reason}")
        except ValueError as e:
            self._fail("(root)", f"not valid JSON: {e}")
        try:
            result = tally(data)
        except TallyInputError as e:
            self._fail(e.path, e.message)
        self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
