"""The hostile input corpus: strings and files an attacker (or a confused user) sends.

Used by ``test_hostile_input.py``; kept apart so other suites can reuse it."""

from __future__ import annotations

import io
import zipfile

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'

TEXT_PAYLOADS: list[str] = [
    SCRIPT,
    IMG,
    "javascript:alert(1)",
    "{{7*7}}",
    "{% debug %}",
    "' OR 1=1 --",
    '"; DROP TABLE x; --',
    "长" * 10_000,  # over-long
    "a\x00b\x1bc\u202eevil",  # NUL, ESC, right-to-left override
    "𠀀 𪚥 👨‍👩‍👧",  # astral-plane CJK and a ZWJ emoji family
    " \t\n\u3000 ",  # whitespace only (ideographic space too)
]

# What must never appear raw in an HTML response: the markup, unescaped.
RAW_MARKERS: list[str] = [SCRIPT, "<img src=x onerror=alert(1)>"]


# --- files ---------------------------------------------------------------------------------


def jpeg(size=(40, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


def xlsx_ok() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["楼栋", "单元", "房号", "面积(m²)", "居住状态", "姓名"])
    wb.active.append(["3", "2", "601", "88.5", "自住", SCRIPT])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pixel_bomb_png() -> bytes:
    """A tiny PNG that claims 12,000 × 12,000 pixels (a decompression bomb)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buf, "PNG")
    return buf.getvalue()


def polyglot() -> bytes:
    """A JPEG start, then HTML with script, then a zip (looks like several things at once)."""
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + f"<html>{SCRIPT}</html>".encode() + z.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00" * 8


def sharedstrings_bomb(uncompressed: int = 210 * 1024 * 1024) -> bytes:
    """An .xlsx whose sharedStrings.xml inflates past 200 MB from a few hundred KB."""
    src = io.BytesIO(xlsx_ok())
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != "xl/sharedStrings.xml":
                zout.writestr(info, zin.read(info.filename))
        info = zipfile.ZipInfo("xl/sharedStrings.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zout.open(info, "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><si><t>'
            )
            chunk = b"A" * (1024 * 1024)
            for _ in range(uncompressed // len(chunk)):
                f.write(chunk)
            f.write(b"</t></si></sst>")
    return out.getvalue()


def upload_corpus(kind: str) -> list[tuple[str, str, bytes]]:
    """``(label, filename, content)`` of files that must be refused at an upload point of
    ``kind`` ("photo" or "xlsx"). The oversized file is added by the test (it depends on the
    configured limit)."""
    common = [
        ("empty", "empty", b""),
        ("exe renamed", "setup", EXE),
        ("polyglot", "poly", polyglot()),
    ]
    ext = ".jpg" if kind == "photo" else ".xlsx"
    files = [(label, name + ext, data) for label, name, data in common]
    if kind == "photo":
        files += [
            ("truncated jpeg", "cut.jpg", jpeg((400, 300))[:300]),
            ("pixel bomb", "bomb.png", pixel_bomb_png()),
            ("html as jpg", "page.jpg", f"<html>{SCRIPT}</html>".encode()),
            ("xlsx as jpg", "sheet.jpg", xlsx_ok()),
        ]
    else:
        files += [
            ("truncated xlsx", "cut.xlsx", xlsx_ok()[:1500]),
            ("jpeg as xlsx", "photo.xlsx", jpeg()),
            ("old xls", "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),
            ("sharedStrings bomb", "bomb.xlsx", sharedstrings_bomb()),
            ("html as xlsx", "page.xlsx", f"<html>{SCRIPT}</html>".encode()),
        ]
    return files
