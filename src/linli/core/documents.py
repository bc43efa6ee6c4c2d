"""Documents: a Typst template and its data become an A4 PDF with Chinese text.

One service for every printed thing — certificates, agreements, reports, posters and the print
pages of deliberation (agenda, minutes, vote notice, paper ballots)::

    doc = documents.render_pdf(
        "deliberation/documents/meeting_agenda.typ",
        {"meeting": {...}, "qr": documents.qr_svg(url)},
        community=meeting.community.name,
        title=meeting.title,
    )
    return documents.pdf_response(doc, f"meeting-{meeting.pk}-agenda.pdf")

How it works (choice and numbers: ``docs/architecture.md``, "Documents"):

- The engine is Typst (the PyPI ``typst`` wheel carries the compiler; no system library). Its
  templates live beside the Django templates (``<app>/templates/<app>/documents/*.typ``, found
  through Django's template loaders) and import ``documents/linli.typ``: A4, the community's name
  in the header, "page N of M" in the footer, the font, ``qr(...)`` and ``seal(...)``.
- Data goes in as JSON (``data.json`` beside the template). Templates print values as text
  (``#d.meeting.title``), so nothing a resident typed is ever parsed as markup: no escaping to
  forget. Format dates and numbers in Python (translated, localised) before passing them.
- The font is the vendored subset of Noto Sans CJK SC under ``static/fonts/`` (GB2312 levels 1
  and 2, ASCII, punctuation; OFL); system fonts are ignored, so a PDF looks the same on every
  machine and nothing beyond ``pip install`` is needed. A character the subset lacks (a rare
  surname character) is printed as 〓 (the typesetter's mark for a missing character, so it can
  be written in by hand) and reported: ``Document.missing`` and a warning in the log (code
  points only).
- Render outside any database transaction: gather the data first (queries), then render.
  ``render_pdf`` refuses to run inside ``transaction.atomic()``.
"""

from __future__ import annotations

import json
import logging
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from django.db import connections
from django.http import HttpResponse
from django.template import TemplateDoesNotExist, engines
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _

logger = logging.getLogger("linli.documents")

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT_FILE = FONT_DIR / "NotoSansSC-Regular-GB2312.otf"
# Every character the vendored subset draws, written by tools/subset_font.py beside the font.
COVERAGE_FILE = FONT_DIR / "NotoSansSC-Regular-GB2312.chars.txt"
LAYOUT = "documents/linli.typ"
MISSING_MARK = "\u3013"  # 〓 geta mark


@dataclass(frozen=True)
class Document:
    pdf: bytes
    missing: frozenset[str] = field(default_factory=frozenset)


@lru_cache(maxsize=1)
def font_coverage() -> frozenset[str]:
    return frozenset(COVERAGE_FILE.read_text(encoding="utf-8"))


def _printable(ch: str) -> bool:
    return not ch.isspace() and unicodedata.category(ch)[0] != "C"


def _replace_missing(value: Any, covered: frozenset[str], missing: set[str]) -> Any:
    """``value`` with every character the font cannot draw replaced by 〓 (collected in
    ``missing``); dicts, lists and strings all the way down."""
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    if isinstance(value, str):
        bad = {ch for ch in value if ch not in covered and _printable(ch)}
        if not bad:
            return value
        missing |= bad
        return "".join(MISSING_MARK if ch in bad else ch for ch in value)
    if isinstance(value, Mapping):
        return {str(k): _replace_missing(v, covered, missing) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_replace_missing(v, covered, missing) for v in value]
    return value


def _template_path(name: str) -> Path:
    """The file of template ``name``, looked up through Django's template loaders (app
    ``templates/`` folders and ``TEMPLATES["DIRS"]``) without parsing it as a Django template."""
    for engine in engines.all():
        for loader in getattr(getattr(engine, "engine", None), "template_loaders", []):
            for origin in loader.get_template_sources(name):
                path = Path(origin.name)
                if path.is_file():
                    return path
    raise TemplateDoesNotExist(name)


def _refuse_in_transaction() -> None:
    """Rendering takes tens of milliseconds per page: never while holding row locks. The
    test-case wrapping transactions do not count."""
    for conn in connections.all(initialized_only=True):
        if any(not getattr(block, "_from_testcase", False) for block in conn.atomic_blocks):
            raise RuntimeError(
                "documents.render_pdf() inside a database transaction: "
                "gather the data first, then render outside transaction.atomic()."
            )


def _seal_name(seal: bytes) -> str:
    if seal.startswith(b"\x89PNG"):
        return "seal.png"
    if seal.startswith(b"\xff\xd8"):
        return "seal.jpg"
    raise ValueError("A seal image must be PNG or JPEG.")


def qr_svg(url: str, label: str = "") -> str:
    """An SVG QR code of ``url`` (error correction M), sized by its viewBox; ``label`` (default:
    the URL) is its accessible title. segno writes only the code's modules and an escaped
    title. The ``{% qr %}`` template tag and PDF templates both use this."""
    return segno.make(url, error="m", micro=False).svg_inline(
        scale=1, omitsize=True, lineclass=None, title=label or url
    )


def render_pdf(
    template: str,
    data: Mapping[str, Any],
    *,
    community: str,
    title: str,
    header: str = "",
    seal: bytes | None = None,
) -> Document:
    """Render Typst ``template`` with ``data`` (JSON-serialisable) to an A4 PDF.

    ``community`` is printed at the top of every page (with ``header`` on the right), ``title``
    is the PDF's title, ``seal`` (PNG or JPEG bytes) is available to the template as
    ``seal(width: ...)``. Raises ``RuntimeError`` inside a transaction, ``TemplateDoesNotExist``
    for an unknown template and ``typst.TypstError`` for a broken one.
    """
    import typst  # a 30 MB extension module: loaded on the first document, not at start-up

    _refuse_in_transaction()
    page_label = _("Page {page} of {pages}")
    lang = (get_language() or "zh-hans").lower()
    payload = {
        "doc": {
            "community": community,
            "title": title,
            "header": header,
            "page_label": page_label,
            "lang": "zh" if lang.startswith("zh") else lang.split("-")[0],
            "seal": _seal_name(seal) if seal else None,
        },
        **data,
    }
    missing: set[str] = set()
    payload = _replace_missing(payload, font_coverage(), missing)
    if missing:
        logger.warning(
            "document %s: %d character(s) not in the font, printed as %s: %s",
            template,
            len(missing),
            MISSING_MARK,
            " ".join(f"U+{ord(ch):04X}" for ch in sorted(missing)),
        )
    source = _template_path(template)
    layout = _template_path(LAYOUT)
    with tempfile.TemporaryDirectory(prefix="linli-doc-") as tmp:
        root = Path(tmp)
        (root / "linli.typ").write_bytes(layout.read_bytes())
        (root / "main.typ").write_bytes(source.read_bytes())
        (root / "data.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
        if seal:
            (root / _seal_name(seal)).write_bytes(seal)
        pdf = typst.compile(
            str(root / "main.typ"),
            root=str(root),
            font_paths=[str(FONT_DIR)],
            ignore_system_fonts=True,
        )
    return Document(pdf=pdf, missing=frozenset(missing))


def pdf_response(doc: Document, filename: str) -> HttpResponse:
    """The PDF as a download. Not cached: documents may carry personal information."""
    response = HttpResponse(doc.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def pdf_download(
    template: str,
    data: Mapping[str, Any],
    *,
    filename: str,
    community: str,
    title: str,
    header: str = "",
    seal: bytes | None = None,
) -> HttpResponse:
    """A print view's whole answer: ``render_pdf`` of ``template`` with ``data`` (the same
    arguments), sent as the download ``filename`` by ``pdf_response``."""
    doc = render_pdf(template, data, community=community, title=title, header=header, seal=seal)
    return pdf_response(doc, filename)
