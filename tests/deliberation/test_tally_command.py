"""``linli tally FILE``: run as a separate process, exactly as an auditor would run it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

VALID = {
    "rule": "owners_joint_decision",
    "matter": "rebuild",
    "owners": [
        {
            "id": "o1",
            "developer": False,
            "units": [{"id": "3-2-501", "area": "75.50"}],
            "ballot": "yes",
        },
        {
            "id": "o2",
            "units": [{"id": "3-2-502", "area": "80.00"}, {"id": "3-2-601", "area": "80.00"}],
            "ballot": "yes",
        },
        {"id": "o3", "units": [{"id": "3-2-503", "area": "60.25"}], "ballot": "abstain"},
        {"id": "o4", "units": [{"id": "3-2-504", "area": "60.25"}], "ballot": None},
        {
            "id": "dev",
            "developer": True,
            "units": [{"id": "3-1-101", "area": "90.00"}],
            "ballot": "yes",
        },
    ],
}

FIELDS = {
    "quorum_met",
    "passed",
    "participating_area",
    "total_area",
    "participating_owners",
    "total_owners",
    "yes_area",
    "yes_owners",
    "explanation",
    "outcome",
    "rule",
    "matter",
}


def run(args, *, stdin=None, var_dir):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["LINLI_VAR_DIR"] = str(var_dir)
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "tally", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        cwd=REPO,
    )


def write(tmp_path, data, name="vote.json"):
    path = tmp_path / name
    path.write_text(
        data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), "utf-8"
    )
    return path


def test_valid_input_prints_one_json_result_and_needs_no_database(tmp_path):
    var = tmp_path / "var"
    result = run([str(write(tmp_path, VALID))], var_dir=var)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)  # exactly one JSON document
    assert set(out) == FIELDS
    assert out["total_area"] == "446.00" and out["total_owners"] == 5
    assert out["participating_area"] == "385.75" and out["participating_owners"] == 4
    assert out["yes_area"] == "325.50" and out["yes_owners"] == 3
    assert out["quorum_met"] is True and out["passed"] is True and out["outcome"] == "passed"
    assert "业主共同决定" in out["explanation"]["zh"]  # not escaped: ensure_ascii=False
    assert "3/4" in out["explanation"]["en"]
    assert not (var / "linli.sqlite3").exists()


def test_void_vote_is_valid_input(tmp_path):
    data = dict(VALID, owners=[dict(o, ballot=None) for o in VALID["owners"]])
    result = run([str(write(tmp_path, data))], var_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["outcome"] == "void" and out["quorum_met"] is False and out["passed"] is False


def test_stdin_dash(tmp_path):
    data = {"rule": "residents_meeting", "eligible": 812, "present": 430, "yes": 220}
    result = run(["-"], stdin=json.dumps(data), var_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["total_owners"], out["participating_owners"], out["yes_owners"]) == (812, 430, 220)
    assert out["passed"] is True and out["total_area"] == "0"


def test_json_numbers_are_read_exactly(tmp_path):
    text = (
        '{"rule": "owners_joint_decision", "matter": "other_major", "owners": ['
        '{"id": "a", "units": [{"id": "1", "area": 0.1}], "ballot": "yes"},'
        '{"id": "b", "units": [{"id": "2", "area": 0.2}], "ballot": "yes"}]}'
    )
    result = run([str(write(tmp_path, text))], var_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total_area"] == "0.3"


def _owner(oid, *units, ballot=None):
    return {"id": oid, "units": [{"id": u, "area": a} for u, a in units], "ballot": ballot}


def _owners(*extra):
    return dict(VALID, owners=[*VALID["owners"], *extra])


INVALID = [
    ("unknown_rule", dict(VALID, rule="referendum"), "rule"),
    ("unknown_matter", dict(VALID, matter="fireworks"), "matter"),
    ("missing_matter", {k: v for k, v in VALID.items() if k != "matter"}, "matter"),
    ("negative_area", _owners(_owner("o9", ("9-9-901", "-10.00"))), "owners[5].units[0].area"),
    ("zero_area", _owners(_owner("o9", ("9-9-901", "0"))), "owners[5].units[0].area"),
    ("text_area", _owners(_owner("o9", ("9-9-901", "big"))), "owners[5].units[0].area"),
    (
        "unit_twice",
        _owners(_owner("o9", ("9-9-901", "5"), ("3-2-503", "60.25"))),
        "owners[5].units[1].id",
    ),
    ("unknown_ballot", _owners(_owner("o9", ("9-9-901", "5"), ballot="maybe")), "owners[5].ballot"),
    ("owner_twice", _owners(_owner("o3", ("9-9-901", "5"))), "owners[5].id"),
    (
        "present_over_eligible",
        {"rule": "residents_meeting", "eligible": 10, "present": 11, "yes": 1},
        "present",
    ),
    ("yes_over_present", {"rule": "consultative", "eligible": 10, "present": 5, "yes": 6}, "yes"),
    (
        "fractional_count",
        {"rule": "consultative", "eligible": 10.5, "present": 5, "yes": 1},
        "eligible",
    ),
    ("not_json", '{"rule": "consultative",', "(root)"),
    ("not_an_object", "[1, 2]", "(root)"),
]


@pytest.mark.parametrize(("data", "path"), [p[1:] for p in INVALID], ids=[p[0] for p in INVALID])
def test_invalid_input_exits_2_naming_the_field(tmp_path, data, path):
    result = run([str(write(tmp_path, data))], var_dir=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {path}: "), result.stderr
    assert result.stderr.count("\n") == 1


def test_invalid_input_on_stdin(tmp_path):
    data = _owners(_owner("o9", ("9-9-901", "5"), ballot="yes please"))
    result = run(["-"], stdin=json.dumps(data), var_dir=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: owners[5].ballot: ")


def test_missing_file_exits_2(tmp_path):
    result = run([str(tmp_path / "nope.json")], var_dir=tmp_path)
    assert result.returncode == 2 and "nope.json" in result.stderr


def test_the_installed_linli_script_is_the_same_command(tmp_path):
    script = Path(sys.executable).parent / "linli"
    if not script.exists():
        pytest.skip("the linli console script is not installed next to this Python")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["LINLI_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [str(script), "tally", str(write(tmp_path, VALID))],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    from linli.deliberation.tally import tally

    assert json.loads(result.stdout) == tally(VALID).as_json()
