"""Service certificates (Order 67; 民发〔2015〕149号 for their contents): numbered, free, and
truthful — they state verified hours only, each traced to its entries.

A certificate shows the name, ID type and masked number (``core.disclosure``), the volunteer
number, the verified hours and content of the period, the issuing committee, the number and
date, the seal image the secretary uploaded, and a QR code to a public verification page that
shows the number, hours, period and issuer and no personal data beyond the name the holder
agreed to show.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.core import access, disclosure, documents
from linli.core.actors import Actor, user_or_none
from linli.core.errors import DomainError
from linli.core.events import log_event
from linli.core.policy import authorize
from linli.registry.models import Community

from ..models import Certificate, CommunitySeal, HourStatus, VolunteerProfile
from ..queries import verified_entries

SEAL_MAX_BYTES = 1024 * 1024
SEAL_MAX_SIDE = 2000

access.register_read_purposes(
    {"volunteer.certificate": _("issued you a volunteer service certificate")}
)


class CertificateError(DomainError):
    code = "certificate"


def seal_upload(*, actor: Actor, community: Community, data: bytes) -> CommunitySeal:
    """The secretary uploads the committee's seal: a PNG or JPEG of at most 1 MB."""
    authorize(actor, "certificate.seal", community)
    if len(data) > SEAL_MAX_BYTES:
        raise CertificateError(_("The seal image may be at most 1 MB."), field="image")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            kind = img.format
            img.verify()
            w, h = img.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise CertificateError(
            _("The seal must be a PNG or JPEG image."), field="image", code="not_image"
        ) from None
    if kind not in ("PNG", "JPEG"):
        raise CertificateError(
            _("The seal must be a PNG or JPEG image."), field="image", code="not_image"
        )
    if w > SEAL_MAX_SIDE or h > SEAL_MAX_SIDE or w < 50 or h < 50:
        raise CertificateError(
            _("The seal image must be between 50 and 2000 pixels on each side."), field="image"
        )
    with transaction.atomic():
        seal, _created = CommunitySeal.objects.update_or_create(
            community=community,
            defaults={
                "image": data,
                "uploaded_by": user_or_none(actor),
                "uploaded_at": timezone.now(),
            },
        )
        log_event(actor=actor, verb="certificate.seal_uploaded", obj=seal)
    return seal


def _bounds(d_from: dt.date, d_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(d_from, dt.time.min, tz)
    end = dt.datetime.combine(d_to + dt.timedelta(days=1), dt.time.min, tz)
    return start, end


def certificate_issue(
    *, actor: Actor, profile: VolunteerProfile, period_from: dt.date, period_to: dt.date
) -> Certificate:
    """Issue a certificate of the verified hours of ``profile`` in [from, to]. Refused, saying
    why, when there are none (pending hours are named), when the period is wrong, or when the
    community has no seal yet."""
    authorize(actor, "certificate.issue", profile)
    if period_to < period_from:
        raise CertificateError(_("The period ends before it starts."), field="period_to")
    if period_to > timezone.localdate():
        raise CertificateError(_("The period cannot end in the future."), field="period_to")
    if not CommunitySeal.objects.filter(community_id=profile.community_id).exists():
        raise CertificateError(
            _("The community has no seal image yet: the secretary uploads it first."),
            code="no_seal",
        )
    start, end = _bounds(period_from, period_to)
    entries = list(verified_entries(profile, start, end).select_related("team"))
    minutes = sum(e.minutes for e in entries)
    if minutes <= 0:
        pending = (
            profile.hour_entries.filter(
                status=HourStatus.PENDING, started_at__gte=start, started_at__lt=end
            ).aggregate(m=Sum("minutes"))["m"]
            or 0
        )
        raise CertificateError(
            _(
                "No verified hours in this period: a certificate states verified hours only "
                "(%(pending)s minutes are still waiting for verification)."
            )
            % {"pending": pending},
            code="no_verified_hours",
        )
    kinds = Counter(e.description or str(e.get_source_display()) for e in entries if e.minutes > 0)
    content = "、".join(k for k, _n in kinds.most_common(6))[:300]
    year = period_to.year
    prefix = f"{profile.community.code.upper()[:8]}-{year}-"
    for _attempt in range(5):
        try:
            with transaction.atomic():
                last = (
                    Certificate.objects.filter(number__startswith=prefix)
                    .order_by("-number")
                    .values_list("number", flat=True)
                    .first()
                )
                n = int(last[len(prefix) :]) + 1 if last else 1
                cert = Certificate.objects.create(
                    community_id=profile.community_id,
                    number=f"{prefix}{n:05d}",
                    profile=profile,
                    period_from=period_from,
                    period_to=period_to,
                    minutes=minutes,
                    content=content,
                    public_name=profile.public_name,
                    issued_by=user_or_none(actor),
                )
                cert.entries.set(entries)
                log_event(
                    actor=actor, verb="certificate.issued", obj=cert, parent=profile,
                    data={"minutes": minutes, "entries": len(entries)},
                )  # fmt: skip
                if profile.resident_id is not None:
                    access.record_reads(
                        actor, [profile.resident_id], kind=access.EXPORTED,
                        purpose="volunteer.certificate", community_id=profile.community_id,
                    )  # fmt: skip
            return cert
        except IntegrityError:  # two certificates numbered at once: take the next number
            continue
    raise CertificateError(_("Please try again."), code="busy")


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}"


def certificate_pdf(cert: Certificate, *, verify_url: str) -> documents.Document:
    """The certificate as an A4 PDF (render outside any transaction)."""
    profile = cert.profile
    resident = profile.resident
    seal = CommunitySeal.objects.filter(community_id=cert.community_id).first()
    community = profile.community
    facts = [
        [gettext("Name"), profile.name],
        [gettext("ID type"), gettext("Resident identity card") if resident else "—"],
        [gettext("ID number"), disclosure.id_number(resident) if resident else "—"],
        [gettext("Volunteer number"), profile.number],
        [gettext("Period of service"), f"{cert.period_from:%Y-%m-%d} — {cert.period_to:%Y-%m-%d}"],
        [gettext("Verified service hours"), gettext("%(h)s hours") % {"h": _hours(cert.minutes)}],
        [gettext("Service content"), cert.content],
        [
            gettext("Issued by"),
            gettext("%(community)s residents' committee") % {"community": community.name},
        ],
        [gettext("Certificate number"), cert.number],
        [gettext("Date of issue"), f"{timezone.localtime(cert.issued_at):%Y-%m-%d}"],
    ]
    data = {
        "cert": {"facts": facts},
        "qr": documents.qr_svg(verify_url, gettext("Verify this certificate")),
        "verify_url": verify_url,
        "labels": {
            "heading": gettext("Volunteer service certificate"),
            "statement": gettext(
                "This certifies the volunteer service above, recorded and verified under the "
                "Measures on volunteer service records and proof (MCA Order 67). Only verified "
                "hours are stated."
            ),
            "scan": gettext("Scan to verify this certificate."),
        },
    }
    return documents.render_pdf(
        "volunteers/documents/certificate.typ",
        data,
        community=community.name,
        title=f"{gettext('Volunteer service certificate')} {cert.number}",
        header=cert.number,
        seal=bytes(seal.image) if seal is not None else None,
    )
