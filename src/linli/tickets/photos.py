"""Photos: checked by content (not by name or declared type), EXIF and GPS stripped by
re-encoding, resized. Done before anything is saved, so a bad file saves nothing."""

from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .workflow import TicketError

MAX_PHOTOS = 5
MAX_SIDE = 1600
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
# Largest photo accepted, in pixels (a 24-megapixel phone photo; phones store 12 by default).
# Checked from the header before decoding; Pillow itself only refuses at twice its
# MAX_IMAGE_PIXELS, so that is set to the same bound as a second line.
MAX_PIXELS = 24_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def process_photos(files) -> list[ContentFile]:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_PHOTOS:
        raise TicketError(_("At most %(n)s photos.") % {"n": MAX_PHOTOS})
    limit = getattr(settings, "LINLI_MAX_PHOTO_BYTES", 8 * 1024 * 1024)
    out = []
    for f in files:
        if f.size > limit:
            raise TicketError(
                _("The photo %(name)s is larger than %(mb)s MB.")
                % {"name": f.name[:60], "mb": limit // (1024 * 1024)}
            )
        data = f.read()
        try:
            with Image.open(io.BytesIO(data)) as probe:
                fmt, (width, height) = probe.format, probe.size
                if width * height > MAX_PIXELS:
                    raise Image.DecompressionBombError
                probe.verify()
            if fmt not in ALLOWED_FORMATS:
                raise UnidentifiedImageError
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                img = ImageOps.exif_transpose(img)
                img = img.convert("RGB")
                img.thumbnail((MAX_SIDE, MAX_SIDE))
                buf = io.BytesIO()
                img.save(buf, "JPEG", quality=85, optimize=True)  # no EXIF is written
        except Image.DecompressionBombError:
            # From the header (the size), before any pixel is decoded.
            raise TicketError(
                _(
                    "The photo %(name)s has too many pixels (at most %(max)s megapixels). "
                    "Please send a smaller photo."
                )
                % {"name": f.name[:60], "max": MAX_PIXELS // 1_000_000}
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise TicketError(
                _("%(name)s is not a photo we can read (JPEG, PNG or WebP).")
                % {"name": f.name[:60]}
            ) from None
        out.append(ContentFile(buf.getvalue(), name=f"{uuid.uuid4().hex}.jpg"))
    return out
