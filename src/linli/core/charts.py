"""Bar charts as server-rendered SVG: no JavaScript, no chart library, readable on a phone.

A chart is a picture of a table the page shows beside it (the figures are in the table; the
chart only makes them easier to compare), so it carries an accessible title and each bar a
``<title>`` with its label and value::

    from linli.core.charts import Bar, bar_chart

    svg = bar_chart(
        [Bar("2026-10", 41), Bar("2026-11", 57)],
        title=_("Requests received, by month"),
    )
    # {{ svg }} in a template: already safe (every text escaped here)

Bars are horizontal (a label per row on the left, the value after the bar), so long Chinese
labels never overlap and the chart scales to any width through its ``viewBox``. A bar whose
value is ``None`` (nothing to count) is drawn as no bar with its ``text`` ("no cases yet").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Drawn about 1:1 on a 390 px phone (the page caps its width on a desktop), so the 15 px text
# stays readable.
WIDTH = 400
ROW = 32
BAR = 20
FONT = 15
LABEL_WIDTH = 150
VALUE_WIDTH = 80
LABEL_CHARS = 9  # longer labels are cut with "…" (the full label is in the bar's title)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str = ""  # the value as printed; default: the number


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    max_value: float | None = None,
    css_class: str = "bar-chart",
) -> SafeString:
    """An SVG ``<svg role="img">`` with one horizontal bar per item. ``max_value`` fixes the
    scale (100 for percentages); by default the largest value fills the width."""
    values = [b.value for b in bars if b.value is not None]
    top = max_value if max_value is not None else max(values, default=0)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = max(len(bars), 1) * ROW + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    for i, b in enumerate(bars):
        y = i * ROW + 2
        text = b.text or ("" if b.value is None else _number(b.value))
        width = 0.0
        if b.value is not None and top > 0:
            width = round(max(0.0, min(float(b.value), float(top))) / float(top) * span, 1)
        parts.append(f'<g class="bar"><title>{escape(b.label)}: {escape(text)}</title>')
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR - 5}" text-anchor="end" '
            f'font-size="{FONT}">{escape(_short(b.label))}</text>'
        )
        if width > 0:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR}" rx="2"></rect>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + BAR - 5}" font-size="{FONT}" '
            f'class="bar-value">{escape(text)}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
