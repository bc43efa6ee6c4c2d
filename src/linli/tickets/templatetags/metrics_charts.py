"""``{% metrics_charts report %}``: the statistics page's charts (core/charts.py), each beside
the table of the figures it draws, from the report the page already holds (no query)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from linli.core.charts import Bar, bar_chart
from linli.tickets.metrics import Report

register = template.Library()


def _chart(title: str, label_header: str, value_header: str, bars: list[Bar], **kw) -> dict:
    return {
        "title": title,
        "label_header": label_header,
        "value_header": value_header,
        "bars": bars,
        "svg": bar_chart(bars, title=title, **kw),
    }


def charts(report: Report) -> list[dict[str, Any]]:
    out = []
    months = report.groups.get("month") or []
    if months:
        bars = [Bar(s.label, s.received, str(s.received)) for s in months]
        out.append(
            _chart(_("Requests received, by month"), _("Month received"), _("Received"), bars)
        )
    categories = report.groups.get("category") or []
    if categories:
        bars = []
        for s in categories:
            rate = s.resolution_rate
            if rate is None:
                bars.append(Bar(s.label, None, _("no cases yet")))
            else:
                bars.append(Bar(s.label, round(rate * 100, 1), f"{rate * 100:.1f}%"))
        out.append(
            _chart(
                _("Resolution rate, by category"),
                _("Category"),
                _("Resolution rate"),
                bars,
                max_value=100,
            )
        )
    return out


@register.inclusion_tag("tickets/metrics_charts.html")
def metrics_charts(report: Report) -> dict[str, Any]:
    return {"charts": charts(report)}
