"""One exporter for CSV and XLSX, with formula neutralisation in one place."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils.translation import gettext_lazy

from linli.core.exports import Column, ListExport, neutralise

HOSTILE = ["=cmd|' /C calc'!A0", "+1 赞成", "-2", "@SUM(A1)", "|x", "%y", "\tz", "\rw"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_becomes_plain_text(text):
    assert neutralise(text) == "'" + text


def test_numbers_dates_and_ordinary_text_are_kept():
    day = dt.date(2026, 12, 3)
    assert neutralise(-2) == -2 and neutralise(Decimal("75.50")) == Decimal("75.50")
    assert neutralise(day) is day and neutralise("张三") == "张三" and neutralise(None) is None
    assert neutralise("a\x00b\x07c") == "abc"  # characters XLSX cannot hold


def _export(rows):
    cols = [
        Column(gettext_lazy("Household")),
        Column("金额", kind="number"),
        Column("日期", kind="date"),
    ]
    return ListExport(cols, rows, title="答案/导出:1", filename="x-1")


ROWS = [["3-2-501", Decimal("12.50"), dt.date(2026, 12, 3)], ["=1+1", -3, None]]


def test_csv_has_a_bom_and_no_formula_cells():
    text = _export(iter(ROWS)).csv()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[1] == ["3-2-501", "12.50", "2026-12-03"]
    assert rows[2] == ["'=1+1", "-3", ""]


def test_xlsx_keeps_types_and_writes_formula_like_text_as_text():
    export = _export(iter(ROWS))
    wb = openpyxl.load_workbook(export.xlsx())
    ws = wb.active
    assert ws.title == "答案 导出 1"  # characters a sheet title cannot hold replaced
    assert ws["C2"].value.date() == dt.date(2026, 12, 3) and ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["B2"].value == 12.5 and ws["B3"].value == -3
    assert ws["A3"].value == "'=1+1" and ws["A3"].data_type == "s"
    assert export.written == 2


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="2 cells for 3 columns"):
        _export(iter([["a", 1]])).csv()


@pytest.mark.parametrize("fmt,ctype", [("csv", "text/csv"), ("xlsx", "application/vnd.open")])
def test_the_download_is_never_cached(fmt, ctype):
    r = _export(iter(ROWS)).response(fmt)
    assert r["Content-Type"].startswith(ctype) and r["Cache-Control"] == "no-store"
    assert f'filename="x-1.{fmt}"' in r["Content-Disposition"]
