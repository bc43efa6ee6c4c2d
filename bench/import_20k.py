"""``make bench-import`` (and the end of ``make bench``): the ``import_20k`` scenario.

A 登记表 of 20,000 residents (5,000 flats of four, a merged title row, the office's own headers)
is uploaded (the dry run) and committed by the background job's code, while another thread
writes a small row every 20 ms the whole time: the longest that writer waited is how long the
import locked other writers out. Prints rows per second and writes var/bench/import_20k.json.

SQLite: a fresh database under var/bench/. PostgreSQL when DATABASE_URL is set: a new community
(``bench-import-<time>``) in that database, nothing else touched.

    python -m bench.import_20k [--rows 20000]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import threading
import time

from bench.server import VAR, bench_env


def build_sheet(rows: int) -> bytes:
    import openpyxl

    from linli.core.personal import id_check_digit

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("登记表")
    ws.append(["白源街新村社区居民信息登记表"])
    ws.append(["序号", "楼栋", "单元", "房号", "姓  名", "性别", "公民身份号码", "联系电话",
               "与户主关系", "是否空巢老人"])  # fmt: skip
    relations = ["户主", "妻", "长子", "孙女"]
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
    for i in range(rows):
        flat, member = divmod(i, 4)
        building, rest = divmod(flat, 100)
        unit, room = divmod(rest, 50)
        born = f"19{40 + i % 60:02d}{1 + i % 12:02d}{1 + i % 28:02d}"
        first17 = f"{110105 + i // 1000 % 800:06d}{born}{i % 1000:03d}"
        g = len(given)
        name = surnames[i % 20] + given[(i // 20) % g] + given[(i // (20 * g)) % g]
        ws.append([i + 1, str(building + 1), str(unit + 1), str(101 + room), name,
                   "男女"[i % 2], first17 + id_check_digit(first17), f"139{i:08d}",
                   relations[member], "是" if member == 0 and i % 7 == 0 else "否"])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class Writer(threading.Thread):
    """Another writer: one small INSERT every 20 ms; records how long each one took."""

    def __init__(self):
        super().__init__(daemon=True)
        self.waits: list[float] = []
        self.at: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        from django.db import connection

        while not self.stop.is_set():
            t0 = time.perf_counter()
            with connection.cursor() as c:
                c.execute("INSERT INTO bench_writer (t) VALUES (%s)", [t0])
            self.waits.append(time.perf_counter() - t0)
            self.at.append(t0)
            time.sleep(0.02)
        connection.close()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=20_000)
    args = p.parse_args()
    pg = bool(os.environ.get("DATABASE_URL"))
    VAR.mkdir(parents=True, exist_ok=True)
    db = None if pg else VAR / "import-20k.sqlite3"
    if db is not None:
        for suffix in ("", "-wal", "-shm"):
            db.with_name(db.name + suffix).unlink(missing_ok=True)
    env = bench_env(db)
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "LINLI_VAR_DIR")})
    if db is not None:
        os.environ["LINLI_SQLITE_PATH"] = str(db)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.LINLI_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
    call_command("migrate", verbosity=0)
    from linli.accounts.models import RoleMembership, User
    from linli.registry.importing import commit
    from linli.registry.models import Community, Resident, StreetOffice

    tag = str(int(time.time()))
    street, _ = StreetOffice.objects.get_or_create(code="bench-street", defaults={"name": "街道"})
    community = Community.objects.create(street_office=street, code=f"bench-import-{tag}",
                                         name="新村社区")  # fmt: skip
    staff = User.objects.create(username=f"bench-import-{tag}", display_name="staff")
    RoleMembership.objects.create(user=staff, role="community_staff", community=community)

    t0 = time.perf_counter()
    data = build_sheet(args.rows)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    imp = commit.import_upload(actor=staff, community=community, upload=io.BytesIO(data),
                               name="登记表.xlsx")  # fmt: skip
    dry = time.perf_counter() - t0
    if imp.summary["error_count"]:
        sys.exit(f"the bench sheet has errors: {imp.summary['errors'][:3]}")
    from django.db import connection

    key = "SERIAL" if connection.vendor == "postgresql" else "INTEGER"
    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS bench_writer")
        c.execute(f"CREATE TABLE bench_writer (id {key} PRIMARY KEY, t REAL)")
    writer = Writer()
    writer.start()
    t0 = time.perf_counter()
    commit.import_start(actor=staff, registry_import=imp)
    assert commit.import_run(imp.pk) == "committed"
    committed = time.perf_counter() - t0
    writer.stop.set()
    writer.join()
    n = Resident.objects.filter(community=community).count()
    waits = sorted(writer.waits) or [0.0]
    result = {
        "name": "import_20k",
        "database": "postgresql" if pg else "sqlite",
        "rows": args.rows,
        "residents": n,
        "sheet_build_s": round(built, 2),
        "dry_run_s": round(dry, 2),
        "commit_s": round(committed, 2),
        "rows_per_s": round(args.rows / committed, 1),
        "dry_run_rows_per_s": round(args.rows / dry, 1),
        "other_writer_longest_wait_ms": round(waits[-1] * 1000, 1),
        "other_writer_p99_ms": round(waits[int(len(waits) * 0.99) - 1] * 1000, 1),
        "other_writer_median_ms": round(statistics.median(waits) * 1000, 2),
        "other_writer_writes": len(writer.waits),
    }
    if os.environ.get("BENCH_DEBUG"):
        top = sorted(zip(writer.waits, writer.at, strict=True), reverse=True)[:5]
        print([(round(w, 3), round(a - t0, 3)) for w, a in top], file=sys.stderr)
    (VAR / "import_20k.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
