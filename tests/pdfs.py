"""Reading the PDFs the app renders, as a person's PDF reader would (pypdf)."""

from __future__ import annotations

import io

from pypdf import PdfReader


def reader(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-"), data[:20]
    return PdfReader(io.BytesIO(data))


def text(data: bytes) -> str:
    """All pages' text, pages separated by a form feed."""
    return "\f".join(page.extract_text() or "" for page in reader(data).pages)


def fonts(data: bytes) -> list[tuple[str, set[str]]]:
    """Each font on each page: its name and the keys of its font descriptor (a descendant's
    for a composite font). An embedded font has FontFile, FontFile2 or FontFile3."""
    found = []
    for page in reader(data).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            target = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = target["/FontDescriptor"].get_object()
            found.append((str(font["/BaseFont"]), set(descriptor.keys())))
    return found


def all_fonts_embedded(data: bytes) -> bool:
    embedded = {"/FontFile", "/FontFile2", "/FontFile3"}
    found = fonts(data)
    return bool(found) and all(keys & embedded for _, keys in found)
