"""``linli mediation agreement CASE_NUMBER --as USERNAME --out FILE.pdf``: print a case's
agreement, as the person named, with the same rights as on the web."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from linli.core import policy
from linli.mediation.documents import agreement_pdf
from linli.mediation.models import Case
from linli.mediation.queries import agreement_for_print, parties_read


class Command(BaseCommand):
    help = "Mediation: print a case's agreement (one copy per party plus one for the committee)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        p = sub.add_parser("agreement", help="print the agreement of a case as a PDF")
        p.add_argument("number", help="the case number, e.g. 2026-001")
        p.add_argument("--as", dest="username", required=True)
        p.add_argument("--out", required=True)
        p.add_argument("--community", default="", help="community code, if numbers repeat")
        p.add_argument("--version", type=int, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        from linli.accounts.models import User

        try:
            user = User.objects.get(username=opts["username"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active user {opts['username']!r}") from None
        qs = policy.in_scope(user, Case.objects.filter(number=opts["number"]))
        if opts["community"]:
            qs = qs.filter(community__code=opts["community"])
        cases = list(qs.select_related("community", "committee")[:2])
        if not cases:
            raise CommandError(f"no case {opts['number']} that {user.username} may see")
        if len(cases) > 1:
            raise CommandError("several communities have this number: add --community")
        case = cases[0]
        try:
            policy.authorize(user, "mediation.case.documents", case)
        except (PermissionDenied, Http404):
            raise CommandError(f"{user.username} may not print this case's agreement") from None
        agreement = agreement_for_print(case, opts["version"])
        if agreement is None:
            raise CommandError("this case has no agreement yet")
        parties_read(user, case, purpose="mediation.agreement")
        doc = agreement_pdf(case, agreement)
        Path(opts["out"]).write_bytes(doc.pdf)
        self.stdout.write(f"{opts['out']}: {len(doc.pdf)} bytes")
