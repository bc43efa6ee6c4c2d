"""``linli care coverage --community CODE --month YYYY-MM [--json]``: the monthly coverage
figures the coverage page shows."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.care import coverage as cov
from linli.registry.models import Community


class Command(BaseCommand):
    help = "Care: monthly visit coverage per tier, grid, building and visitor."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        c = sub.add_parser("coverage", help="monthly coverage")
        c.add_argument("--community", required=True)
        c.add_argument("--month", required=True, help="YYYY-MM")
        c.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            community = Community.objects.get(code=opts["community"])
        except Community.DoesNotExist:
            raise CommandError(f"no community {opts['community']!r}") from None
        try:
            month = dt.datetime.strptime(opts["month"], "%Y-%m").date()
        except ValueError:
            raise CommandError("--month must be YYYY-MM") from None
        lines = cov.coverage(None, community, month)
        total = cov.totals(lines)
        if opts["json"]:
            out = {
                "community": community.code,
                "month": month.strftime("%Y-%m"),
                "target_pct": cov.TARGET_PCT,
                "total": {"visited": total.visited, "due": total.due, "pct": total.pct},
                **{dim: [x.as_dict() for x in rows] for dim, rows in lines.items()},
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, default=str))
            return
        self.stdout.write(
            f"{community.code} {month:%Y-%m}: {total.visited}/{total.due} {total.pct}%"
        )
        for dim, rows in lines.items():
            for x in rows:
                self.stdout.write(f"  {dim:9} {x.label or '-':12} {x.visited}/{x.due} {x.pct}%")
