"""No silent bad data: a preview without errors means the data is right."""

from __future__ import annotations

import pytest

from linli.registry.models import Household, Resident
from tests.factories import VALID_ID, make_household
from tests.registry.test_import_sheets import errors, make_id, upload, workbook

pytestmark = pytest.mark.django_db


def test_an_unmapped_unit_column_that_would_merge_two_flats_is_caught(world, as_user):
    # "座" is not a header Linli knows: without it 18-1-101 and 18-2-101 read as one flat
    rows = [["楼栋", "座", "房号", "姓名", "与户主关系"],
            ["18", "1", "101", "甲", "户主"], ["18", "1", "101", "甲妻", "妻"],
            ["18", "2", "101", "乙", "户主"]]  # fmt: skip
    imp = upload(as_user(world.staff), world, workbook({"Sheet1": rows}))
    assert ("", 4, "与户主关系", "two_heads") in errors(imp)
    assert "座" in imp.summary["ignored_columns"]


def test_a_room_without_its_unit_where_the_building_has_it_in_several_units(world, as_user):
    u1 = world.b3.units.create(community=world.xincun, number="1")
    make_household(world.b3, u1, "501")  # 3-1-501 besides the world's 3-2-501
    rows = [["楼栋", "房号", "姓名"], ["3", "501", "甲"]]
    imp = upload(as_user(world.staff), world, workbook({"Sheet1": rows}))
    assert errors(imp) == {("", 2, "房号", "ambiguous_room")}
    assert imp.summary["errors"][0]["params"]["units"] == "1、2"
    assert not Household.objects.filter(label="3-501").exists()


def test_the_same_id_number_elsewhere_in_the_community_asks_if_it_is_the_same_person(
    world, as_user
):
    rows = [["楼栋", "单元", "房号", "姓名", "身份证号"], ["4", "1", "101", "张三", VALID_ID]]
    client = as_user(world.staff)
    imp = upload(client, world, workbook({"Sheet1": rows}))
    assert errors(imp) == {("", 2, "身份证号", "same_id_elsewhere")}
    assert imp.summary["errors"][0]["params"] == {"name": "张三", "label": "3-2-501"}
    page = client.get(f"/registry/c/xincun/import/{imp.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Is this the same person?" in page.content.decode()
    client.post(f"/registry/c/xincun/import/{imp.pk}/")
    assert Resident.objects.filter(name="张三").count() == 1  # never created twice


def test_the_same_name_in_a_household_with_another_id_asks_if_it_is_the_same_person(world, as_user):
    rows = [["楼栋", "单元", "房号", "姓名", "身份证号"], ["3", "2", "501", "张三", make_id(5)]]
    imp = upload(as_user(world.staff), world, workbook({"Sheet1": rows}))
    assert errors(imp) == {("", 2, "身份证号", "same_name_other_id")}


def test_a_spaced_unit_header_is_still_the_unit(world, as_user):
    rows = [["楼栋", "单　元", "房号", "姓名", "关系"],
            ["18", "1", "101", "甲", "户主"], ["18", "2", "101", "乙", "户主"]]  # fmt: skip
    imp = upload(as_user(world.staff), world, workbook({"Sheet1": rows}))
    assert imp.summary["error_count"] == 0, imp.summary["errors"]
    assert {r["label"] for r in imp.summary["rows"]} == {"18-1-101", "18-2-101"}
