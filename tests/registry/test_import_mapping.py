"""The office confirms or changes how its file is read; the preview row by row; the error file;
importing the valid rows only."""

from __future__ import annotations

import io as stdio

import openpyxl
import pytest
from django.urls import reverse

from linli.registry.models import Household, ImportMapping, ImportStatus, Resident
from tests.registry.test_import_sheets import TITLE, commit, errors, upload, workbook

pytestmark = pytest.mark.django_db


def mapping_url(world, imp):
    return reverse("registry:import_mapping", args=[world.xincun.code, imp.pk])


def preview_url(world, imp):
    return reverse("registry:import_preview", args=[world.xincun.code, imp.pk])


def form_data(response) -> dict:
    """The mapping form's current values, as a browser would post them back."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = value
    data["sheets"] = form.initial["sheets"]
    if not data.get("valid_only"):
        data.pop("valid_only", None)
    return data


SHEET = [[TITLE], ["房号", "姓名", "电话", "备用"], ["601", "甲", "13800000001", "x"],
         ["602", "乙", "13800000002", "y"]]  # fmt: skip


def test_office_sets_a_fixed_building_and_the_choice_is_remembered(world, as_user):
    client = as_user(world.staff)
    imp = upload(client, world, workbook({"Sheet1": SHEET}))
    assert errors(imp) == {("", 2, "楼栋", "missing_column")}
    page = client.get(mapping_url(world, imp))
    assert page.status_code == 200
    html = page.content.decode()
    assert "138*" in html and "13800000001" not in html  # first rows shown, phones masked
    data = form_data(page)
    assert data["src_name"] == "h:姓名" and data["header_row"] == 2
    data.update({"src_building": "=", "val_building": "3", "src_unit": "=", "val_unit": "2"})
    response = client.post(mapping_url(world, imp), data)
    assert response.status_code == 302
    imp.refresh_from_db()
    assert imp.summary["error_count"] == 0, imp.summary["errors"]
    assert imp.summary["counts"]["residents"]["created"] == 2
    assert ImportMapping.objects.get(community=world.xincun).fixed == {"building": "3", "unit": "2"}
    commit(client, world, imp)
    assert Household.objects.filter(label__in=["3-2-601", "3-2-602"]).count() == 2

    # the next file of the community is read the same way without asking
    nxt = upload(client, world, workbook({"Sheet1": [*SHEET[:2], ["603", "丙", "", ""]]}))
    assert nxt.summary["error_count"] == 0, nxt.summary["errors"]
    assert nxt.options["mapping"]["building"] == {"value": "3"}


def test_office_unmaps_a_column_and_maps_another(world, as_user):
    client = as_user(world.staff)
    rows = [
        ["楼栋", "单元", "房号", "姓名", "电话", "手机"],
        ["3", "2", "601", "甲", "6543210", "13800000009"],
    ]
    imp = upload(client, world, workbook({"Sheet1": rows}))
    assert imp.options["mapping"]["phone"]["label"] == "电话"
    data = form_data(client.get(mapping_url(world, imp)))
    data["src_phone"] = "h:手机"
    client.post(mapping_url(world, imp), data)
    imp.refresh_from_db()
    assert imp.options["mapping"]["phone"] == {"header": "手机", "label": "手机"}
    commit(client, world, imp)
    assert Resident.objects.get(name="甲").phone == "13800000009"


def test_a_fixed_value_needs_a_value(world, as_user):
    client = as_user(world.staff)
    imp = upload(client, world, workbook({"Sheet1": SHEET}))
    data = form_data(client.get(mapping_url(world, imp)))
    data.update({"src_building": "=", "val_building": ""})
    response = client.post(mapping_url(world, imp), data)
    assert response.status_code == 400


def test_preview_lists_each_row_and_filters_changed_ones_with_old_and_new(world, as_user):
    rows = [["楼栋", "单元", "房号", "姓名", "性别", "电话"],
            ["3", "2", "501", "张三", "男", "13811110000"],  # changed phone
            ["3", "2", "501", "李四", "女", ""],  # unchanged
            ["3", "2", "601", "新人", "女", ""],  # new
            ["3", "2", "602", "坏人", "外星", ""],
            ["3", "2", "603", "", "", ""]]  # fmt: skip
    client = as_user(world.staff)
    imp = upload(client, world, workbook({"Sheet1": rows}))
    actions = {r["name"] or r["label"]: r["action"] for r in imp.summary["rows"]}
    assert actions == {"张三": "update", "李四": "unchanged", "新人": "create", "坏人": "error",
                       "3-2-603": "create"}  # fmt: skip
    zhang = next(r for r in imp.summary["rows"] if r["name"] == "张三")
    assert zhang["changes"] == {"phone": ["138****1234", "138****0000"]}  # masked, old → new
    page = client.get(preview_url(world, imp) + "?show=update")
    html = page.content.decode()
    assert "电话：138****1234 → 138****0000" in html  # named by the file's own header
    assert "新人" not in html.split('data-testid="rows"')[1]
    page = client.get(preview_url(world, imp) + "?show=error")
    assert "坏人" in page.content.decode().split('data-testid="rows"')[1]


def test_error_file_is_the_offices_sheet_with_what_to_fix(world, as_user):
    rows = [[TITLE], ["楼栋", "单元", "房号", "姓名", "出生年月"],
            ["3", "2", "601", "甲", "1980-05"], ["3", "2", "602", "乙", "去年"]]  # fmt: skip
    client = as_user(world.staff)
    imp = upload(client, world, workbook({"登记": rows}))
    response = client.get(reverse("registry:import_errors", args=[world.xincun.code, imp.pk]))
    assert response.status_code == 200
    ws = openpyxl.load_workbook(stdio.BytesIO(response.content))["登记"]
    got = [[c.value for c in r] for r in ws.iter_rows()]
    assert got[0][2:] == ["楼栋", "单元", "房号", "姓名", "出生年月"]
    assert len(got) == 2 and got[1][0] == 4 and got[1][2:] == ["3", "2", "602", "乙", "去年"]
    assert got[1][1].startswith("出生年月: ") and "1980-05" in got[1][1]


def test_valid_rows_can_be_imported_and_the_rest_kept_for_later(world, as_user):
    rows = [["楼栋", "单元", "房号", "姓名", "性别"], ["3", "2", "601", "甲", "男"],
            ["3", "2", "602", "乙", "外星"]]  # fmt: skip
    client = as_user(world.staff)
    imp = upload(client, world, workbook({"Sheet1": rows}))
    assert "确认导入" not in client.get(preview_url(world, imp)).content.decode()
    client.post(preview_url(world, imp))  # the default is all or nothing
    assert not Resident.objects.filter(name="甲").exists()
    data = form_data(client.get(mapping_url(world, imp)))
    data["valid_only"] = "on"
    client.post(mapping_url(world, imp), data)
    assert "确认导入" in client.get(preview_url(world, imp)).content.decode()
    imp = commit(client, world, imp)
    assert imp.status == ImportStatus.COMMITTED
    assert Resident.objects.filter(name="甲").exists()
    assert not Household.objects.filter(label="3-2-602").exists()
    # the rows kept for later can still be downloaded
    response = client.get(reverse("registry:import_errors", args=[world.xincun.code, imp.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("url_name", ["registry:import_mapping", "registry:import_errors"])
def test_another_communitys_office_and_a_building_leader_cannot_reach_an_import(
    world, as_user, url_name
):
    imp = upload(as_user(world.staff), world, workbook({"Sheet1": SHEET}))
    url = reverse(url_name, args=[world.xincun.code, imp.pk])
    assert as_user(world.outsider).get(url).status_code == 404
    other = reverse(url_name, args=[world.nancun.code, imp.pk])
    assert as_user(world.outsider).get(other).status_code == 404
    # A building leader may not import (403 on the community's import page); an import
    # record is the office's, outside a building's scope (404, as the policy decides).
    leader = as_user(world.leader)
    assert leader.get(reverse("registry:import", args=[world.xincun.code])).status_code == 403
    assert leader.get(url).status_code == 404
    if url_name == "registry:import_mapping":
        assert leader.post(url, {}).status_code == 404


def test_the_row_by_row_preview_naming_residents_is_purged_after_a_day(world, as_user):
    import datetime as dt

    from django.utils import timezone

    from linli.registry.models import RegistryImport
    from linli.registry.tasks import purge_stale_uploads

    rows = [
        ["楼栋", "单元", "房号", "姓名", "电话"],
        ["3", "2", "601", "甲", "13800000001/13900000002"],
    ]
    imp = upload(as_user(world.staff), world, workbook({"Sheet1": rows}))
    assert imp.summary["rows"] and imp.summary["notes"]
    purge_stale_uploads.call_local()
    imp.refresh_from_db()
    assert imp.summary["rows"]  # a fresh import keeps its preview
    RegistryImport.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    purge_stale_uploads.call_local()
    imp.refresh_from_db()
    assert imp.summary["rows"] == [] and imp.summary["notes"] == []
    assert imp.summary["counts"]["residents"]["created"] == 1  # the counts stay
    assert "13900000002" not in str(imp.summary)
