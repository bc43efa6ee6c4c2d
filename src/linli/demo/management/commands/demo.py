"""``linli demo``: load the demo community into an empty database.

``--if-empty`` makes it a no-op when any community exists (``make run``); ``--logins`` only
prints the demo log-ins; ``--scale district`` builds a district-sized territory for load tests.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linli.demo import district, generator
from linli.registry.models import Community


class Command(BaseCommand):
    help = "Load the demo community (Xincun, 416 households) or a district-sized data set."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (successfully) if the database already holds a community.",
        )
        parser.add_argument(
            "--logins",
            action="store_true",
            help="Only print the demo log-ins; reads nothing from the database.",
        )
        parser.add_argument(
            "--scale",
            choices=["community", "district"],
            default="community",
            help="community: Xincun and Nancun with log-ins and teams (default); district: "
            "500 communities, 200,000 households, ~600,000 residents for load tests.",
        )
        parser.add_argument(
            "--communities",
            type=int,
            default=500,
            help="With --scale district: how many communities.",
        )
        parser.add_argument(
            "--households",
            type=int,
            default=400,
            help="With --scale district: households per community.",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo even with LINLI_ENV=production (its password is public).",
        )

    def handle(self, *args, **opts):
        if opts["logins"]:
            self.stdout.write(generator.logins_table())
            return
        if settings.PRODUCTION and not opts["allow_production"]:
            raise CommandError(
                "Refusing to load demo users with a published password into a production "
                "site. Pass --allow-production for a public demo server."
            )
        if Community.objects.exists():
            if opts["if_empty"]:
                self.stdout.write("The database already holds communities; demo not loaded.")
                return
            raise CommandError(
                "The database already holds communities; the demo loads only into an empty "
                "database. Use a fresh one (e.g. remove var/linli.sqlite3, then `linli migrate`)."
            )
        started = time.perf_counter()
        if opts["scale"] == "district":
            if opts["communities"] < 1 or opts["households"] < 1:
                raise CommandError("--communities and --households must be at least 1.")
            counts = district.build_district(
                communities=opts["communities"],
                households=opts["households"],
                progress=self._progress,
            )
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"District built in {elapsed:.0f} s: {counts['street_offices']} street offices, "
                f"{counts['communities']} communities, {counts['households']} households, "
                f"{counts['residents']} residents, {counts['users']} users "
                f"(password {generator.PASSWORD})."
            )
            return
        generator.build_demo()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Demo community built in {elapsed:.1f} s:")
        for what, n in generator.summary().items():
            self.stdout.write(f"  {what:<34} {n:>6}")
        if not opts["if_empty"]:
            # With --if-empty (make run) the caller prints the log-ins once, after the URL.
            self.stdout.write("")
            self.stdout.write(generator.logins_table())

    _reported = 0

    def _progress(self, done: int, total: int) -> None:
        if done - self._reported >= 50 or done == total:
            self._reported = done
            self.stdout.write(f"  {done}/{total} communities", ending="\n")
            self.stdout.flush()
