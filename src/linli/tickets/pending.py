"""Photos kept across a report sent back for a mistake (issue 11).

When the resident's report is refused (a missing field, a service's refusal), the photos they
had chosen are not lost: each new upload that passes the same checks as always
(``photos.process_photos``: type by content, size, pixels, count) is stored as a
``PendingPhoto`` under an unguessable token bound to the uploader, and the form lists it with
a remove box. The tokens come back as hidden fields; only the uploader's own pending photos
are ever looked up, so another person's token is simply ignored. A photo that fails the checks
is not stored: the report is refused with the same message as before.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .models import PendingPhoto
from .photos import MAX_PHOTOS, process_photos
from .workflow import TicketError

KEEP_FIELD = "kept_photo"
REMOVE_FIELD = "remove_photo"
KEPT_FOR = dt.timedelta(days=1)


def kept(user, post) -> list[PendingPhoto]:
    """The uploader's pending photos named in the form and not ticked for removal (those ticked
    are deleted). Tokens of anyone else, unknown or expired, are ignored."""
    tokens = [t for t in post.getlist(KEEP_FIELD) if t][: MAX_PHOTOS * 2]
    if not tokens:
        return []
    remove = set(post.getlist(REMOVE_FIELD))
    since = timezone.now() - KEPT_FOR
    rows = list(PendingPhoto.objects.filter(user=user, token__in=tokens, created_at__gte=since))
    dropped = [p for p in rows if p.token in remove]
    for p in dropped:
        _delete(p)
    return [p for p in rows if p.token not in remove]


def store(user, files, already: int) -> tuple[list[PendingPhoto], list]:
    """Keep each of ``files`` that passes the photo checks while the total stays within
    ``MAX_PHOTOS``; returns (the stored, the files left for the form to refuse as today)."""
    stored: list[PendingPhoto] = []
    left = []
    for f in files:
        if not f:
            continue
        if already + len(stored) >= MAX_PHOTOS:
            left.append(f)
            continue
        name = (getattr(f, "name", "") or "")[:60]
        try:
            (image,) = process_photos([f])
        except TicketError:
            f.seek(0)
            left.append(f)
            continue
        image.name = f"{uuid.uuid4().hex}.jpg"  # the file name is not the token
        stored.append(
            PendingPhoto.objects.create(
                token=secrets.token_urlsafe(32), user=user, image=image, name=name
            )
        )
    return stored, left


def as_files(rows: list[PendingPhoto]) -> list[ContentFile]:
    """The pending photos as files for the service (checked again there, like any upload)."""
    out = []
    for p in rows:
        with p.image.open("rb") as fh:
            out.append(ContentFile(fh.read(), name=p.name or "photo.jpg"))
    return out


def attached(rows: list[PendingPhoto]) -> None:
    """The report was sent with these photos: their pending copies go."""
    for p in rows:
        _delete(p)


def _delete(p: PendingPhoto) -> None:
    name, storage = p.image.name, p.image.storage
    p.delete()
    transaction.on_commit(lambda: storage.delete(name) if name else None)


def purge(now: dt.datetime | None = None) -> int:
    """Delete pending photos older than a day (files too); returns how many."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    rows = list(PendingPhoto.objects.filter(created_at__lt=cutoff)[:5000])
    for p in rows:
        _delete(p)
    return len(rows)
