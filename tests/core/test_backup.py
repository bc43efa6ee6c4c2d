"""`linli backup` and `linli restore`: a round trip on a small SQLite file."""

import sqlite3

import pytest
from django.core.management import CommandError, call_command


def _db(path, rows):
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO t (name) VALUES (?)", [(f"居民{i}",) for i in range(rows)])
    conn.commit()
    return conn


def test_backup_then_restore_gives_back_every_row(tmp_path):
    live = _db(tmp_path / "live.sqlite3", 200)  # left open, as a running site would
    call_command("backup", str(tmp_path / "b.sqlite3"), source=str(tmp_path / "live.sqlite3"))
    live.execute("INSERT INTO t (name) VALUES ('after the backup')")
    live.commit()
    call_command("restore", str(tmp_path / "b.sqlite3"), to=str(tmp_path / "new.sqlite3"))
    new = sqlite3.connect(tmp_path / "new.sqlite3")
    assert new.execute("SELECT count(*), min(name) FROM t").fetchone() == (200, "居民0")
    assert new.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    live.close()
    new.close()


def test_backup_never_overwrites_and_restore_refuses_a_database_with_data(tmp_path):
    _db(tmp_path / "live.sqlite3", 3).close()
    _db(tmp_path / "other.sqlite3", 1).close()
    call_command("backup", str(tmp_path / "b.sqlite3"), source=str(tmp_path / "live.sqlite3"))
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(tmp_path / "b.sqlite3"), source=str(tmp_path / "live.sqlite3"))
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(tmp_path / "b.sqlite3"), to=str(tmp_path / "other.sqlite3"))
    call_command(
        "restore", str(tmp_path / "b.sqlite3"), to=str(tmp_path / "other.sqlite3"), force=True
    )
    conn = sqlite3.connect(tmp_path / "other.sqlite3")
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (3,)
    conn.close()
