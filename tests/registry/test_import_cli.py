"""``linli registry import``: the import pages' guessing, preview and commit from a shell."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from linli.registry.models import RegistryImport, Resident
from tests.registry.test_import_sheets import TITLE, make_id, workbook

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[dict, int]:
    from io import StringIO

    out = StringIO()
    code = 0
    try:
        call_command("registry", "import", *args, "--json", stdout=out)
    except SystemExit as e:
        code = e.code
    return json.loads(out.getvalue()), code


@pytest.fixture
def sheet(tmp_path):
    rows = [[TITLE], ["楼栋", "座", "房号", "姓名", "身份证号"],
            ["3", "2", "620", "甲", make_id(1)], ["3", "2", "620", "乙", "bad"]]  # fmt: skip
    path = tmp_path / "登记表.xlsx"
    path.write_bytes(workbook({"Sheet1": rows}))
    return path


def test_dry_run_prints_the_preview_and_saves_nothing(world, sheet):
    result, code = run(str(sheet), "--community", "xincun", "--as", "staff", "--dry-run")
    assert code == 1  # an error row: nothing would be imported
    assert result["rows"] == {"new": 1, "changed": 0, "unchanged": 0, "error": 1}
    assert [(e["row"], e["column"], e["code"]) for e in result["errors"]] == [
        (4, "身份证号", "id_length")
    ]
    assert result["errors"][0]["message"]
    assert not Resident.objects.filter(name="甲").exists()
    assert RegistryImport.objects.get().file_path == ""  # the plain ID numbers are not kept


def test_import_with_a_mapped_column_and_a_header_row_commits(world, sheet):
    result, code = run(str(sheet), "--community", "xincun", "--as", "staff", "--header-row",
                       "2", "--map", "座=unit", "--map", "身份证号=", "--sheet", "Sheet1")  # fmt: skip
    assert code == 0, result
    assert result["status"] == "committed"
    assert result["committed"]["residents"]["created"] == 2
    assert Resident.objects.get(name="甲").household.label == "3-2-620"


def test_the_command_refuses_who_may_not_import(world, sheet):
    with pytest.raises(CommandError, match="no community"):
        run(str(sheet), "--community", "xincun", "--as", "outsider")
    with pytest.raises(CommandError, match="may not import"):
        run(str(sheet), "--community", "xincun", "--as", "leader")
    with pytest.raises(CommandError, match="unknown field"):
        run(str(sheet), "--community", "xincun", "--as", "staff", "--map", "座=flat")
