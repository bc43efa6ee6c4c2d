"""The printed agreement (Arts. 28–29): A4, one copy per party plus one for the committee, each
with the statutory fields and boxes for signatures, seals and fingerprints. The web page and
``linli mediation agreement`` print the same document."""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from linli.core import documents

from .models import Agreement, Case, SignatureKind


def _day(d: Any) -> str:
    return date_format(d, "Y-m-d") if d else "—"


def agreement_data(case: Case, agreement: Agreement) -> dict[str, object]:
    """Gather everything first (queries), so the rendering runs outside any transaction."""
    parties = list(case.parties.all())
    sigs = list(agreement.signatures.select_related("party", "mediator"))
    by_party = {s.party_id: s for s in sigs if s.kind == SignatureKind.PARTY}
    mediator = next((s for s in sigs if s.kind == SignatureKind.MEDIATOR), None)
    seal = next((s for s in sigs if s.kind == SignatureKind.SEAL), None)
    copies = [str(_("Copy for the party %(name)s")) % {"name": p.name} for p in parties] + [
        str(_("Copy kept by the mediation committee"))
    ]
    return {
        "agreement": {
            "title": str(_("People's mediation agreement")),
            "number": str(_("Case %(number)s, version %(version)s"))
            % {"number": case.number, "version": agreement.version},
            "oral": agreement.form == "oral",
            "sections": [
                [str(_("The parties' basic details")), agreement.parties_details],
                [str(_("Main facts")), agreement.facts],
                [str(_("Disputed points")), agreement.disputed_points],
                [str(_("Each side's responsibility")), agreement.responsibilities],
                [str(_("Agreed terms")), agreement.terms],
                [
                    str(_("How, by when and where it is performed")),
                    "\n".join(
                        [
                            f"{_('How')}: {agreement.performance_method}",
                            f"{_('By')}: {_day(agreement.performance_by)}",
                            f"{_('Where')}: {agreement.performance_place}",
                        ]
                    ),
                ],
            ],
            "parties": [
                {
                    "name": p.name,
                    "line": " · ".join(x for x in (p.address, p.representative) if x),
                    "signed": _day(by_party[p.pk].signed_on) if p.pk in by_party else "",
                    "how": str(by_party[p.pk].get_method_display()) if p.pk in by_party else "",
                }
                for p in parties
            ],
            "mediator_signed": _day(mediator.signed_on) if mediator else "",
            "mediator_name": (
                mediator.mediator.get_full_name() if mediator and mediator.mediator else ""
            ),
            "seal_on": _day(seal.signed_on) if seal else "",
            "effective": _day(agreement.effective_on) if agreement.effective_on else "",
            "confirm_by": _day(agreement.confirm_by) if agreement.confirm_by else "",
        },
        "copies": copies,
        "labels": {
            "party": str(_("Party")),
            "signature": str(_("Signature or seal")),
            "fingerprint": str(_("Fingerprint")),
            "date": str(_("Date")),
            "mediator": str(_("Mediator (signature)")),
            "seal": str(_("Seal of the people's mediation committee")),
            "effective": str(_("Effective on")),
            "not_effective": str(
                _(
                    "Not yet effective: it takes effect when every party has signed, sealed or "
                    "fingerprinted it, the mediator has signed it and the committee's seal is on it."
                )
            ),
            "confirm": str(
                _(
                    "The parties may jointly apply to the basic people's court for judicial "
                    "confirmation within 30 days of the agreement taking effect, by %(day)s."
                )
            ),
            "oral": str(_("Oral agreement: content recorded by the mediator.")),
            "committee": case.committee.name,
        },
    }


def agreement_pdf(case: Case, agreement: Agreement) -> documents.Document:
    data = agreement_data(case, agreement)
    return documents.render_pdf(
        "mediation/documents/agreement.typ",
        data,
        community=case.community.name,
        title=f"{data['agreement']['title']} {case.number}",  # type: ignore[index]
        header=case.committee.name,
    )
