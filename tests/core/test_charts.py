"""core/charts.py: server-rendered SVG bar charts, escaped, to scale, readable without JS."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own output

from linli.core.charts import Bar, bar_chart

NS = {"s": "http://www.w3.org/2000/svg"}


def widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]


def test_bars_are_drawn_to_scale_with_their_labels_and_values():
    svg = bar_chart([Bar("2026-10", 10), Bar("2026-11", 40), Bar("2026-12", 20)], title="收到")
    root = ET.fromstring(svg)  # noqa: S314 - well-formed SVG
    assert root.get("role") == "img" and root.find("s:title", NS).text == "收到"
    w = widths(svg)
    assert w[1] == max(w) and w[0] * 4 == w[1] and w[2] * 2 == w[1]
    assert "2026-11" in svg and ">40<" in svg


def test_a_fixed_scale_for_percentages():
    svg = bar_chart([Bar("水管", 50.0, "50.0%")], title="解决率", max_value=100)
    full = bar_chart([Bar("水管", 100.0, "100.0%")], title="解决率", max_value=100)
    assert widths(svg)[0] * 2 == widths(full)[0]
    assert "50.0%" in svg


def test_a_bar_without_a_value_has_no_bar_but_says_why():
    svg = bar_chart([Bar("路灯", None, "no cases yet"), Bar("水管", 3)], title="t")
    assert len(widths(svg)) == 1 and "no cases yet" in svg


def test_text_is_escaped_and_long_labels_are_cut_with_the_full_one_in_the_title():
    label = "<script>alert(1)</script>一个非常非常长的类别名称"
    svg = bar_chart([Bar(label, 1)], title="a & b")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a &amp; b" in svg
    ET.fromstring(svg)  # noqa: S314
    assert "…" in svg


def test_an_empty_chart_is_still_valid_svg():
    ET.fromstring(bar_chart([], title="空"))  # noqa: S314
    assert widths(bar_chart([Bar("a", 0), Bar("b", 0)], title="零")) == []
