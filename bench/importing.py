"""The registry import scenario (``import_registry``): check and apply an Excel file of 1,100
residents through the importer's services (``import_upload`` then ``import_commit``), as the
office does, and report rows per second. It replaces the wall-clock assertion that used to sit
in the test suite (issue 10, item 10): a test must not depend on the machine's load; the
benchmark measures and says whether the target (1,100 rows within 30 s) was met.

Each run is inside a transaction that is rolled back, in a throwaway community of its own, so
it leaves the bench data set as it found it (PostgreSQL keeps its data set between runs).

    python -m bench.run ...        # one row "import_registry" per database, after the others
    python -m bench.importing      # alone, on a fresh SQLite database under var/bench/
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import time

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "1100"))
REPEATS = int(os.environ.get("BENCH_IMPORT_REPEATS", "3"))
# The old test's limit: 1,100 rows in under 30 s.
TARGET_ROWS_PER_S = 1100 / 30

HEADERS = [
    "楼栋", "单元", "房号", "面积(m²)", "居住状态", "姓名", "性别", "出生日期", "电话",
    "身份证号", "与户主关系", "业主/租户", "标签",
]  # fmt: skip


def _id_number(n: int, born: str) -> str:
    from linli.core.personal import id_check_digit

    first17 = f"110105{born}{n % 1000:03d}"
    return first17 + id_check_digit(first17)


def workbook(n: int = ROWS) -> bytes:
    """``n`` residents, two to a flat, in building 3 unit 2 (as the old test's file)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for i in range(n):
        born = f"19{40 + i % 60:02d}0{1 + i % 9}1{i % 9}"
        ws.append(["3", "2", f"{1000 + i // 2}", "60", "自住", f"居民{i}", "男女"[i % 2], "",
                   f"139{i:08d}", _id_number(i, born), "户主" if i % 2 == 0 else "配偶", "",
                   "党员" if i % 5 == 0 else ""])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class _Rollback(Exception):
    pass


def _once(data: bytes, run: int) -> tuple[float, int, int]:
    """One import in a throwaway community, rolled back: (seconds, rows applied, errors)."""
    from django.db import transaction

    from linli.accounts.models import RoleMembership, User
    from linli.registry import importing as registry_io
    from linli.registry.importing import commit
    from linli.registry.models import Building, Community, Grid, Resident, StreetOffice, Unit

    out: tuple[float, int, int] = (0.0, 0, 0)
    try:
        with transaction.atomic():
            street = StreetOffice.objects.create(code=f"bench-import-{run}", name="导入测试街道")
            community = Community.objects.create(
                street_office=street, code=f"bench-import-{run}", name="导入测试社区"
            )
            grid = Grid.objects.create(community=community, number="1", name="第一网格")
            b3 = Building.objects.create(community=community, grid=grid, number="3")
            Unit.objects.create(community=community, building=b3, number="2")
            staff = User.objects.create(username=f"bench-import-{run}", display_name="导入")
            RoleMembership.objects.create(user=staff, role="community_staff", community=community)
            started = time.perf_counter()
            imp = registry_io.import_upload(
                actor=staff, community=community, upload=io.BytesIO(data), name="bench.xlsx"
            )
            errors = imp.summary["error_count"]
            if not errors:
                # What the office's "Import" button starts, and the worker's job, run here
                # (``import_commit`` only enqueues the job when the queue is not immediate).
                commit.import_start(actor=staff, registry_import=imp)
                if commit.import_run(imp.pk) != "committed":
                    errors = 1
            seconds = time.perf_counter() - started
            out = (seconds, Resident.objects.filter(community=community).count(), errors)
            raise _Rollback
    except _Rollback:
        pass
    return out


def scenario(*, database: str, scale: str, rows: int = ROWS, repeats: int = REPEATS) -> dict:
    """The ``import_registry`` row, shaped like the load scenarios' rows: ``rps`` is rows per
    second (median run); ``p50_ms`` the median import, ``p95_ms``/``p99_ms`` the slowest."""
    data = workbook(rows)
    runs = [_once(data, i) for i in range(max(1, repeats))]
    times = sorted(r[0] for r in runs)
    median = statistics.median(times)
    errors = sum(r[2] for r in runs) + sum(1 for r in runs if r[1] != rows)
    return {
        "name": "import_registry",
        "database": database,
        "scale": scale,
        "concurrency": 1,
        "requests": rows * len(runs),
        "rps": round(rows / median, 1) if median else 0.0,
        "p50_ms": round(median * 1000, 1),
        "p95_ms": round(times[-1] * 1000, 1),
        "p99_ms": round(times[-1] * 1000, 1),
        "errors": errors,
        "unit": "rows/s",
    }


def main() -> None:
    """Alone: a fresh SQLite database (or ``DATABASE_URL``), migrated, then the scenario."""
    from bench.server import VAR, bench_env

    VAR.mkdir(parents=True, exist_ok=True)
    pg = bool(os.environ.get("DATABASE_URL"))
    db = None if pg else VAR / "import.sqlite3"
    if db is not None and db.exists():
        db.unlink()
    env = bench_env(db)
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"], env=env, check=True
    )
    os.environ.update({k: v for k, v in env.items() if k.startswith(("DJANGO_", "LINLI_"))})
    import django

    django.setup()
    row = scenario(database="postgresql" if pg else "sqlite", scale="import")
    ok = row["errors"] == 0 and row["rps"] >= TARGET_ROWS_PER_S
    print(
        f"import_registry  {row['database']}: {row['rps']:.1f} rows/s, "
        f"{ROWS} rows in {row['p50_ms'] / 1000:.1f} s (median of {REPEATS}, slowest "
        f"{row['p95_ms'] / 1000:.1f} s), errors {row['errors']}: "
        f"{'met' if ok else 'MISSED'}: >= {TARGET_ROWS_PER_S:.1f} rows/s (1,100 in 30 s)"
    )


if __name__ == "__main__":
    main()
