"""``linli volunteers hours --community CODE --year YYYY [--json]``

Verified service hours of a community's year, per volunteer and per team (SQL totals)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.registry.models import Community
from linli.volunteers.queries import hours_totals


class Command(BaseCommand):
    help = "Volunteers: verified hours per volunteer and team."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("hours", help="verified hours of a year")
        p.add_argument("--community", required=True, help="the community's code")
        p.add_argument("--year", required=True, type=int)
        p.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **o: Any) -> None:
        community = Community.objects.filter(code=o["community"]).first()
        if community is None:
            raise CommandError(f"no community {o['community']!r}")
        year = o["year"]
        volunteers = [
            {"number": r["label"], "name": r["name"], "minutes": r["minutes"],
             "hours": round(r["minutes"] / 60, 2)}
            for r in hours_totals(community=community, year=year, by="volunteer")
        ]  # fmt: skip
        teams = [
            {
                "team": r["label"] or "",
                "minutes": r["minutes"],
                "hours": round(r["minutes"] / 60, 2),
            }
            for r in hours_totals(community=community, year=year, by="team")
        ]
        out = {"community": community.code, "year": year, "volunteers": volunteers, "teams": teams}
        if o["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
            return
        for v in volunteers:
            self.stdout.write(f"{v['number']}\t{v['name']}\t{v['hours']}")
        for t in teams:
            self.stdout.write(f"{t['team']}\t{t['hours']}")
