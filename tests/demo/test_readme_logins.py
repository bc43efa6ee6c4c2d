"""The README names which demo person each log-in is (issue 11, item 13), and the names are
the generator's: a change to the seed or the casting fails here rather than leaving the README
wrong."""

from __future__ import annotations

from pathlib import Path

from linli.demo import generator
from linli.demo.tickets import repair_volunteers

README = Path(__file__).resolve().parents[2] / "README.md"


def login_rows() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("## Demo log-ins", 1)[1].split("\n\n", 2)[1]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = cells[1]
    return rows


def row_for(rows: dict[str, str], username: str) -> str:
    for key, who in rows.items():
        if f"`{username}`" in key:
            return who
    raise AssertionError(f"{username} is not in the README's demo log-ins")


def test_every_demo_log_in_is_named_in_the_readme():
    rows = login_rows()
    plan = generator.plan_demo()
    for username, display in plan.office.items():
        assert display in row_for(rows, username), username
    for username in ("xc-resident", "xc-mediator", "xc-volunteer", "xc-team-leader"):
        assert plan.linked[username].name in row_for(rows, username), username
    assert plan.linked["xc-leader-3"].name in row_for(rows, "xc-leader-3")
    grids = row_for(rows, "xc-grid-1")
    for n in range(1, 5):
        assert plan.linked[f"xc-grid-{n}"].name in grids
    repairers = row_for(rows, "xc-repair-1")
    assert all(p.name in repairers for p in repair_volunteers(plan))
    assert generator.RESIDENT_LABEL in row_for(rows, "xc-resident")
