"""``linli certificate issue --as USERNAME --volunteer USERNAME --from YYYY-MM-DD
--to YYYY-MM-DD --out FILE.pdf``

The office issues a volunteer service certificate from the command line, through the same
service as the page (verified hours only; refused, saying why). Prints the certificate number.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from linli.core.errors import DomainError
from linli.volunteers.models import VolunteerProfile
from linli.volunteers.services.certificates import certificate_issue, certificate_pdf


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Volunteer service certificates: issue one as a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("issue", help="issue a certificate of verified hours")
        p.add_argument("--as", dest="username", required=True, help="who issues (audited)")
        p.add_argument("--volunteer", required=True, help="the volunteer's user name")
        p.add_argument("--from", dest="period_from", required=True, type=_date)
        p.add_argument("--to", dest="period_to", required=True, type=_date)
        p.add_argument("--out", required=True, help="where to write the PDF")
        p.add_argument("--url", default="http://localhost:8000", help="the site's address")

    def handle(self, *args: Any, **o: Any) -> None:
        User = get_user_model()
        actor = User.objects.filter(username=o["username"], is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {o['username']!r}")
        volunteer = User.objects.filter(username=o["volunteer"]).first()
        if volunteer is None:
            raise CommandError(f"no user {o['volunteer']!r}")
        profiles = list(VolunteerProfile.objects.filter(user=volunteer).select_related("community"))
        if not profiles:
            raise CommandError(f"{o['volunteer']!r} has no volunteer record")
        try:
            cert = None
            for profile in profiles:  # the community the issuer may act in
                try:
                    cert = certificate_issue(
                        actor=actor, profile=profile, period_from=o["period_from"],
                        period_to=o["period_to"],
                    )  # fmt: skip
                    break
                except Http404:
                    continue
            if cert is None:
                raise CommandError(f"{o['username']!r} may not issue for {o['volunteer']!r}")
        except PermissionDenied:
            raise CommandError(f"{o['username']!r} may not issue certificates") from None
        except DomainError as e:
            raise CommandError(str(e.message)) from None
        from django.urls import reverse

        url = o["url"].rstrip("/") + reverse(
            "volunteers:certificate_verify", args=[cert.verify_token]
        )
        doc = certificate_pdf(cert, verify_url=url)
        Path(o["out"]).write_bytes(doc.pdf)
        self.stdout.write(cert.number)
