"""Importing the sheets offices really keep: a title row, their own headers, one sheet per
building, merged cells, CSV in GBK, the household register's words and dates."""

from __future__ import annotations

import datetime as dt
import io as stdio

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from linli.core.personal import id_check_digit
from linli.registry.models import Household, ImportMapping, RegistryImport, Resident

pytestmark = pytest.mark.django_db

TITLE = "白源街新村社区居民信息登记表"


def make_id(n: int, born: str = "19800101") -> str:
    first17 = f"110105{born}{n % 1000:03d}"
    return first17 + id_check_digit(first17)


def workbook(sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
    out = stdio.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, world, data: bytes, name="登记表.xlsx"):
    url = reverse("registry:import", args=[world.xincun.code])
    response = client.post(url, {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content.decode()[:3000]
    return RegistryImport.objects.latest("id")


def commit(client, world, imp):
    client.post(reverse("registry:import_preview", args=[world.xincun.code, imp.pk]))
    imp.refresh_from_db()
    return imp


def errors(imp):
    return {(e.get("sheet", ""), e["row"], e["column"], e["code"]) for e in imp.summary["errors"]}


# The sheet an office keeps: a merged title row, its own words for the headers, spaces typed
# into headers to line them up, a 是/否 column for a tag.
OFFICE_HEADERS = ["序号", "栋号", "单 元", "房间号", "姓  名", "性别", "公民身份号码", "联系方式",
                  "出生年月", "与户主关系", "是否空巢老人", "备注"]  # fmt: skip


def office_sheet(rows):
    return [[TITLE], OFFICE_HEADERS, *rows]


def test_office_sheet_with_title_row_and_its_own_headers_imports_unedited(world, as_user):
    rows = [
        [1, "3", "2", "601", "周八", "男", make_id(1, "19560312"), "13811112222", "1956.03.12",
         "户主", "是", ""],
        [2, "3", "2", "601", "吴九", "女", "", "无", "1958年7月1日", "妻", "否", ""],
        [3, "3", "2", "601", "周小", "男", "", "/", "1980/1/2", "长子", "", ""],
        [4, "3", "2", "601", "钱媳", "女", "", "", dt.datetime(1982, 5, 6), "儿媳", "", ""],
        [5, "3", "2", "601", "周孙", "女", "", "", "2008.05", "孙女", "", ""],
    ]  # fmt: skip
    data = workbook({"Sheet1": office_sheet(rows)}, {"Sheet1": ["A1:L1"]})
    client = as_user(world.staff)
    imp = upload(client, world, data)
    assert imp.summary["error_count"] == 0, imp.summary["errors"]
    mapping = imp.options["mapping"]
    assert imp.options["header_rows"] == {"Sheet1": 2}
    assert mapping["name"]["label"] == "姓  名"
    assert mapping["unit"]["label"] == "单 元"
    assert mapping["id_number"]["label"] == "公民身份号码"
    assert mapping["phone"]["label"] == "联系方式"
    assert mapping["birth_date"]["label"] == "出生年月"
    assert mapping["tag:empty_nest"]["label"] == "是否空巢老人"
    assert set(imp.summary["ignored_columns"]) == {"序号", "备注"}
    assert imp.summary["counts"]["residents"]["created"] == 5

    imp = commit(client, world, imp)
    assert imp.summary["committed"]["residents"]["created"] == 5
    people = {r.name: r for r in Resident.objects.filter(household__label="3-2-601")}
    assert people["周八"].relation == "head" and people["周八"].birth_date == dt.date(1956, 3, 12)
    assert list(people["周八"].tags.values_list("code", flat=True)) == ["empty_nest"]
    assert people["吴九"].relation == "spouse" and people["吴九"].phone == ""
    assert people["吴九"].birth_date == dt.date(1958, 7, 1)
    assert people["周小"].relation == "child" and people["周小"].birth_date == dt.date(1980, 1, 2)
    assert people["钱媳"].relation == "child_in_law"
    assert people["钱媳"].birth_date == dt.date(1982, 5, 6)
    assert people["周孙"].relation == "grandchild"
    assert people["周孙"].birth_date == dt.date(2008, 5, 1) and people["周孙"].birth_month_only
    assert not people["周八"].birth_month_only

    # the mapping is remembered, and the same file again changes nothing
    assert ImportMapping.objects.get(community=world.xincun).columns["姓名"] == "name"
    again = upload(client, world, data)
    assert again.summary["counts"]["residents"] == {"created": 0, "updated": 0, "unchanged": 5}


def test_relation_words_of_the_household_register(world, as_user):
    words = {"丈夫": "spouse", "次子": "child", "长女": "child", "女": "child", "女婿": "child_in_law",
             "孙子": "grandchild", "父亲": "parent", "母亲": "parent", "公公": "parent_in_law",
             "婆婆": "parent_in_law", "外祖母": "grandparent", "弟": "sibling"}  # fmt: skip
    rows = [[TITLE], ["楼栋", "单元", "房号", "姓名", "关系"], ["3", "2", "610", "户主甲", "户主"]]
    rows += [["3", "2", "610", f"人{i}", w] for i, w in enumerate(words)]
    client = as_user(world.staff)
    imp = upload(client, world, workbook({"Sheet1": rows}))
    assert imp.summary["error_count"] == 0, imp.summary["errors"]
    commit(client, world, imp)
    got = dict(Resident.objects.filter(household__label="3-2-610").values_list("name", "relation"))
    assert got == {"户主甲": "head", **{f"人{i}": code for i, code in enumerate(words.values())}}


def test_address_in_one_cell_is_split_into_building_unit_and_room(world, as_user):
    rows = [["姓名", "住址"], ["甲", "3号楼2单元601室"], ["乙", "3-2-602"],
            ["丙", "新村4栋1单元102"], ["丁", "随便写的"]]  # fmt: skip
    imp = upload(as_user(world.staff), world, workbook({"Sheet1": rows}))
    assert errors(imp) == {("", 5, "住址", "bad_address")}
    labels = {r["name"]: r["label"] for r in imp.summary["rows"] if r["action"] != "error"}
    assert labels == {"甲": "3-2-601", "乙": "3-2-602", "丙": "4-1-102"}


def test_room_labels_with_the_unit_in_them(world, as_user):
    rows = [["楼栋", "房号", "姓名"], ["3", "2-603", "甲"], ["3", "2单元604室", "乙"]]
    imp = upload(as_user(world.staff), world, workbook({"Sheet1": rows}))
    assert imp.summary["error_count"] == 0, imp.summary["errors"]
    assert {r["label"] for r in imp.summary["rows"]} == {"3-2-603", "3-2-604"}


def test_one_sheet_per_building_reads_every_sheet_and_the_building_from_its_name(world, as_user):
    head = ["单元", "房号", "姓名", "联系电话"]
    data = workbook({
        "3号楼": [head, ["2", "701", "甲", "13800000001"]],
        "4号楼": [[TITLE], head, ["1", "702", "乙", "138000000x2"], ["1", "703", "丙", ""]],
    })  # fmt: skip
    client = as_user(world.staff)
    imp = upload(client, world, data)
    assert imp.options["sheets"] == ["3号楼", "4号楼"]
    assert imp.options["header_rows"] == {"3号楼": 1, "4号楼": 2}
    assert imp.options["mapping"]["building"] == {"sheet": 1}
    assert errors(imp) == {("4号楼", 3, "联系电话", "bad_phone")}
    page = client.get(reverse("registry:import_preview", args=[world.xincun.code, imp.pk]))
    assert "4号楼" in page.content.decode()
    labels = {r["label"] for r in imp.summary["rows"] if r["action"] != "error"}
    assert labels == {"3-2-701", "4-1-703"}


def test_merged_household_cells_are_filled_down(world, as_user):
    rows = [["楼栋", "单元", "房号", "面积", "姓名"], ["3", "2", "605", 80, "甲"],
            [None, None, None, None, "乙"], [None, None, None, None, "丙"], ["3", "2", "606", 60, "丁"]]  # fmt: skip
    data = workbook({"Sheet1": rows}, {"Sheet1": ["A2:A4", "B2:B4", "C2:C4", "D2:D4"]})
    client = as_user(world.staff)
    imp = upload(client, world, data)
    assert imp.summary["error_count"] == 0, imp.summary["errors"]
    commit(client, world, imp)
    assert set(Household.objects.get(label="3-2-605").residents.values_list("name", flat=True)) == {
        "甲", "乙", "丙"}  # fmt: skip


def test_a_csv_in_gbk_is_read(world, as_user):
    text = "楼栋,单元,房号,姓名,身份证号\r\n3,2,607,陈一," + make_id(7) + "\r\n"
    imp = upload(as_user(world.staff), world, text.encode("gbk"), name="登记表.csv")
    assert imp.summary["error_count"] == 0, imp.summary["errors"]
    assert imp.summary["counts"]["residents"]["created"] == 1
    utf8 = upload(as_user(world.staff), world, text.encode("utf-8-sig"), name="b.csv")
    assert utf8.summary["counts"]["residents"]["created"] == 1


def test_a_csv_cell_that_would_run_as_a_formula_is_an_error(world, as_user):
    text = '楼栋,单元,房号,姓名,电话\n3,2,608,=HYPERLINK("x"),+8613800000000\n'
    imp = upload(as_user(world.staff), world, text.encode(), name="a.csv")
    assert errors(imp) == {("", 2, "姓名", "formula")}
    assert imp.summary["errors"][0]["params"]["cell"] == "D2"


def test_formula_cells_are_errors_naming_the_cell(world, as_user):
    rows = [["楼栋", "单元", "房号", "姓名", "身份证号"], ["3", "2", "609", "甲", "=A1&B1"]]
    imp = upload(as_user(world.staff), world, workbook({"Sheet1": rows}))
    assert errors(imp) == {("", 2, "身份证号", "formula")}
    assert imp.summary["errors"][0]["params"]["cell"] == "E2"


def test_full_width_characters_and_numbers_as_ids(world, as_user):
    from tests.factories import VALID_ID  # ends in X

    full_width = "".join(chr(ord(c) + 0xFEE0) for c in VALID_ID)  # …００２Ｘ
    rows = [["楼栋", "单元", "房号", "姓名", "身份证号"],
            ["３", "２", "５０１", "张三", full_width],
            ["3", "2", "612", "乙", 110105197001010090]]  # fmt: skip
    imp = upload(as_user(world.staff), world, workbook({"Sheet1": rows}))
    assert errors(imp) == {("", 3, "身份证号", "id_as_number")}
    zhang = [r for r in imp.summary["rows"] if r["name"] == "张三"]
    assert [(r["label"], r["action"]) for r in zhang] == [("3-2-501", "unchanged")]


def test_year_month_birth_dates_are_kept_with_their_precision(world, as_user):
    rows = [["楼栋", "单元", "房号", "姓名", "出生年月", "身份证号"],
            ["3", "2", "613", "甲", "1978.05", ""],
            ["3", "2", "613", "乙", 1978.1, ""],
            ["3", "2", "614", "丙", "1980-05", make_id(1, "19800517")],
            ["3", "2", "615", "丁", "1980.06", make_id(2, "19800517")]]  # fmt: skip
    client = as_user(world.staff)
    imp = upload(client, world, workbook({"Sheet1": rows}))
    assert errors(imp) == {("", 5, "出生年月", "id_birth_mismatch")}
    notes = {(n["row"], n["code"]) for n in imp.summary["notes"]}
    assert (2, "month_only") in notes and (3, "month_only") in notes


def test_two_numbers_in_a_phone_cell_keep_both_and_say_so(world, as_user):
    """Issue 16: the first is the phone, the second the other phone (it was dropped); the
    preview says so, with both numbers masked like every phone in the preview."""
    rows = [
        ["楼栋", "单元", "房号", "姓名", "电话"],
        ["3", "2", "616", "甲", "13800000001/13900000002"],
    ]
    client = as_user(world.staff)
    imp = upload(client, world, workbook({"Sheet1": rows}))
    assert imp.summary["error_count"] == 0
    assert [n["code"] for n in imp.summary["notes"]] == ["second_phone"]
    page = client.get(reverse("registry:import_preview", args=[world.xincun.code, imp.pk]))
    assert "139****0002" in page.content.decode() and "13900000002" not in page.content.decode()
    commit(client, world, imp)
    jia = Resident.objects.get(name="甲")
    assert (jia.phone, jia.other_phone) == ("13800000001", "13900000002")


def test_an_other_phone_column_is_read(world, as_user):
    rows = [["楼栋", "单元", "房号", "姓名", "联系电话", "座机"],
            ["3", "2", "617", "乙", "13800000003", "0351-1234567"]]  # fmt: skip
    client = as_user(world.staff)
    imp = upload(client, world, workbook({"Sheet1": rows}))
    assert imp.summary["error_count"] == 0
    commit(client, world, imp)
    assert Resident.objects.get(name="乙").other_phone == "0351-1234567"


def test_a_file_without_a_recognisable_header_row_says_which_rows_were_tried(world, as_user):
    rows = [[TITLE], ["a", "b", "c"], ["1", "2", "3"]]
    client = as_user(world.staff)
    imp = upload(client, world, workbook({"Sheet1": rows}))
    assert [e["code"] for e in imp.summary["errors"]] == ["no_header"]
    page = client.get(reverse("registry:import_preview", args=[world.xincun.code, imp.pk]))
    html = page.content.decode()
    assert reverse("registry:import_mapping", args=[world.xincun.code, imp.pk]) in html
    assert "确认导入" not in html and "Import now" not in html


def test_an_old_xls_file_gets_a_how_to(world, as_user):
    url = reverse("registry:import", args=[world.xincun.code])
    data = b"\xd0\xcf\x11\xe0" + b"\0" * 600
    response = as_user(world.staff).post(url, {"file": SimpleUploadedFile("a.xls", data)},
                                         HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert response.status_code == 400
    assert ".xlsx" in response.content.decode()


def test_a_childs_guardian_is_imported_and_shown_masked_to_who_may_not_edit(world, as_user):
    rows = [["楼栋", "单元", "房号", "姓名", "关系", "监护人", "监护人电话"],
            ["3", "2", "621", "小明", "子", "王芳", "13800001111"]]  # fmt: skip
    client = as_user(world.staff)
    imp = commit(client, world, upload(client, world, workbook({"Sheet1": rows})))
    assert imp.status == "committed", imp.summary["errors"]
    child = Resident.objects.get(name="小明")
    assert (child.guardian_name, child.guardian_phone) == ("王芳", "13800001111")
    url = reverse("registry:resident", args=[child.pk])
    assert "13800001111" in client.get(url).content.decode()
    street = as_user(world.supervisor).get(url).content.decode()  # sees phones masked
    assert "王芳" in street and "138****1111" in street and "13800001111" not in street
