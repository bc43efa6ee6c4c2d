"""Documents: a template and its data become an A4 PDF whose Chinese text a reader can copy,
with its fonts embedded, page numbers, the community at the top, an optional seal, QR codes —
on any machine (the font ships with Linli) and never inside a transaction."""

from __future__ import annotations

import io
import logging

import pytest
import segno
from django.db import transaction
from django.template import Context, Template, TemplateDoesNotExist
from django.utils import translation
from PIL import Image

from linli.core import documents
from tests import pdfs

TEMPLATE = """
#import "linli.typ": *
#show: layout
= #data.heading
#for p in data.paragraphs [#p #parbreak()]
#qr(data.qr)
#seal()
"""


@pytest.fixture
def templates(settings, tmp_path):
    """A document template of the tests' own, found like an app's."""
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "test.typ").write_text(TEMPLATE, encoding="utf-8")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return "documents/test.typ"


def render(template, *, paragraphs=("居民议事会决定在三号楼加装电梯。",), **kw):
    data = {
        "heading": kw.pop("heading", "证明"),
        "paragraphs": list(paragraphs),
        "qr": documents.qr_svg("https://linli.example/d/1"),
    }
    with translation.override("zh-hans"):
        return documents.render_pdf(
            template, data, community=kw.pop("community", "新村社区"), title="证明", **kw
        )


def test_a_document_is_an_a4_pdf_with_chinese_text_page_numbers_and_the_community(templates):
    doc = render(templates)
    reader = pdfs.reader(doc.pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = pdfs.text(doc.pdf)
    assert "居民议事会决定在三号楼加装电梯。" in text
    assert "新村社区" in text and "证明" in text
    assert "第 1 页，共 1 页" in text
    assert reader.metadata.title == "证明"
    assert doc.missing == frozenset()


def test_the_fonts_are_embedded_so_the_pdf_prints_the_same_everywhere(templates):
    doc = render(templates)
    found = pdfs.fonts(doc.pdf)
    assert found and pdfs.all_fonts_embedded(doc.pdf)
    assert any("NotoSansCJKsc" in name for name, _ in found)


def test_a_long_document_numbers_every_page(templates):
    doc = render(
        templates, paragraphs=[f"第{i}条：居民公约内容，邻里互助。" * 8 for i in range(120)]
    )
    reader = pdfs.reader(doc.pdf)
    n = len(reader.pages)
    assert n >= 3
    for i, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"第 {i} 页，共 {n} 页" in text and "新村社区" in text


def test_page_numbers_follow_the_language(templates):
    with translation.override("en"):
        doc = documents.render_pdf(
            templates,
            {"heading": "Certificate", "paragraphs": [], "qr": documents.qr_svg("x")},
            community="Xincun",
            title="Certificate",
        )
    assert "Page 1 of 1" in pdfs.text(doc.pdf)


def test_what_a_resident_typed_is_printed_as_text_never_run_as_markup(templates):
    typed = '#set page(width: 2cm) *bold* $x^2$ <label> @ref #read("/data.json") ] ) //'
    doc = render(templates, heading=typed, paragraphs=[typed])
    text = pdfs.text(doc.pdf).replace("\n", "")
    assert text.count('#set page(width: 2cm) *bold* $x^2$ <label> @ref #read("/data.json")') == 2
    box = pdfs.reader(doc.pdf).pages[0].mediabox
    assert round(float(box.width)) == 595


def test_a_rare_surname_character_is_marked_and_reported(templates, caplog):
    # 堃 (U+5803) is a given-name character outside GB2312, so not in the vendored subset.
    with caplog.at_level(logging.WARNING, logger="linli.documents"):
        doc = render(templates, paragraphs=["户主：王堃"])
    assert doc.missing == frozenset({"堃"})
    assert "户主：王〓" in pdfs.text(doc.pdf)
    assert "U+5803" in caplog.text and "王" not in caplog.text  # code points, not names


def test_every_gb2312_character_is_in_the_vendored_font():
    from fontTools.ttLib import TTFont

    cmap = {chr(c) for c in TTFont(documents.FONT_FILE).getBestCmap()}
    assert documents.font_coverage() == cmap
    level_1_and_2 = {
        ch
        for hi in range(0xB0, 0xF8)
        for lo in range(0xA1, 0xFF)
        if len(ch := bytes([hi, lo]).decode("gb2312", "replace")) == 1 and ch != "\ufffd"
    }
    assert len(level_1_and_2) == 6763
    assert level_1_and_2 <= cmap and set("ABCabc0123，。、《》：；！？“”") <= cmap
    assert documents.FONT_FILE.stat().st_size < 3_500_000


def test_a_seal_image_is_placed_on_the_page(templates):
    buf = io.BytesIO()
    Image.new("RGB", (60, 60), (200, 0, 0)).save(buf, "PNG")
    with_seal = render(templates, seal=buf.getvalue())
    without = render(templates)
    images = lambda d: len(pdfs.reader(d.pdf).pages[0].images)  # noqa: E731
    assert images(with_seal) == images(without) + 1


def test_a_seal_must_be_an_image(templates):
    with pytest.raises(ValueError, match="PNG or JPEG"):
        render(templates, seal=b"<svg/>")


def test_an_unknown_template_is_an_error():
    with pytest.raises(TemplateDoesNotExist):
        render("documents/no-such.typ")


@pytest.mark.django_db
def test_a_document_is_never_rendered_inside_a_transaction(templates):
    with transaction.atomic(), pytest.raises(RuntimeError, match="transaction"):
        render(templates)
    render(templates)  # the test's own wrapping transaction does not count


def test_a_response_downloads_the_pdf_and_is_not_cached(templates):
    response = documents.pdf_response(render(templates), "x.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="x.pdf"'
    assert response["Cache-Control"] == "no-store"


# --- the QR tag -------------------------------------------------------------------------------


def test_the_qr_tag_draws_the_url_as_the_pages_wrappers_did():
    url = "https://linli.example/deliberation/meetings/checkin/abc/"
    html = Template('{% load qr %}{% qr url "扫码签到" %}').render(Context({"url": url}))
    # What the meeting page's wrapper wrote, bit for bit (its CSS class aside).
    expected = segno.make(url, error="m", micro=False).svg_inline(
        scale=1, omitsize=True, lineclass=None, title="扫码签到"
    )
    assert html == expected
    assert html.startswith("<svg") and "<title>扫码签到</title>" in html
    assert 'viewBox="0 0 ' in html and "width=" not in html.split(">")[0]


def test_the_qr_tag_decodes_to_the_url():
    url = "https://linli.example/deliberation/votes/7/"
    html = Template("{% load qr %}{% qr url %}").render(Context({"url": url}))
    assert f"<title>{url}</title>" in html
    # The drawn modules are segno's matrix for the URL: decode the path back into it.
    assert _modules(html) == _dark(segno.make(url, error="m", micro=False))


def _dark(code) -> set[tuple[int, int]]:
    return {(x, y) for y, row in enumerate(code.matrix) for x, v in enumerate(row) if v}


def _modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules of segno's path ("M x y h n" runs, relative moves, quiet zone 4)."""
    import re

    d = re.search(r' d="([^"]+)"', svg).group(1)
    cells, x, y = set(), 0.0, 0.0
    for cmd, a, b in re.findall(r"([Mmh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?", d):
        if cmd == "M":
            x, y = float(a), float(b)
        elif cmd == "m":
            x, y = x + float(a), y + float(b)
        else:
            for i in range(int(float(a))):
                cells.add((int(x) + i - 4, int(y - 0.5) - 4))
            x += float(a)
    return cells
