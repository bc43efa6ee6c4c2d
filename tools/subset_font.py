"""Cut the Chinese font Linli ships (src/linli/static/fonts/) out of Debian's Noto Sans CJK.

    apt-get install fonts-noto-cjk            # OFL-1.1; only to extract the subset
    .venv/bin/python tools/subset_font.py     # fontTools is a dev dependency

Keeps: GB2312 (levels 1 and 2: 6,763 hanzi, plus its symbols, kana, Greek, Cyrillic, full-width
forms), ASCII and Latin-1, general and CJK punctuation, a few marks used in forms (✓ □ ○ ●).
Hinting is dropped (PDFs, not screens); OpenType layout features are kept. Writes the font and
``*.chars.txt``, every character it draws (read by core/documents.py to mark what it lacks).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FACE = 2  # Noto Sans CJK SC in Debian's collection
OUT = Path(__file__).resolve().parent.parent / "src/linli/static/fonts"
NAME = "NotoSansSC-Regular-GB2312"

EXTRA = "‐‑‒–—―‘’“”…•·‧\u3000、。《》「」『』【】〔〕〜№℃×÷→←↑↓✓✕□○●★☆€¥≤≥≠±〓"


def characters() -> str:
    chars = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)}
    chars |= {chr(c) for c in range(0xFF01, 0xFF5F)} | set(EXTRA)
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            ch = bytes([hi, lo]).decode("gb2312", "replace")
            if len(ch) == 1 and ch != "\ufffd":
                chars.add(ch)
    return "".join(sorted(chars))


def main() -> int:
    if not SOURCE.exists():
        print(f"{SOURCE} is missing: apt-get install fonts-noto-cjk", file=sys.stderr)
        return 1
    out = OUT / f"{NAME}.otf"
    options = subset.Options()
    options.font_number = FACE
    options.layout_features = ["*"]
    options.hinting = False
    font = subset.load_font(str(SOURCE), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters())
    subsetter.subset(font)
    subset.save_font(font, str(out), options)
    drawn = "".join(sorted(chr(c) for c in TTFont(out).getBestCmap()))
    (OUT / f"{NAME}.chars.txt").write_text(drawn, encoding="utf-8")
    print(f"{out}: {out.stat().st_size:,} bytes, {len(drawn):,} characters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
