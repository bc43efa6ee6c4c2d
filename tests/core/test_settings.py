"""Production refuses unsafe settings; check --deploy is clean when configured properly."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOOD_KEY = "x" * 30 + "-production-secret-key-for-tests-0123456789"
FERNET = "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="


def _var_dir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="linli-settings-")


def _run(args, **env_over):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    env.update(
        {
            "LINLI_ENV": "production",
            "LINLI_SECRET_KEY": GOOD_KEY,
            "LINLI_ALLOWED_HOSTS": "linli.example.org",
            "LINLI_FIELD_KEYS": FERNET,
            "LINLI_VAR_DIR": _var_dir(),
        }
    )
    env.update(env_over)
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production():
    result = _run(["check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_default_secret():
    result = _run(["check"], LINLI_SECRET_KEY=None)
    assert result.returncode != 0 and "LINLI_SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = _run(["check"], LINLI_DEBUG="1")
    assert result.returncode != 0 and "LINLI_DEBUG" in result.stderr


def test_production_refuses_missing_allowed_hosts():
    result = _run(["check"], LINLI_ALLOWED_HOSTS=None)
    assert result.returncode != 0 and "LINLI_ALLOWED_HOSTS" in result.stderr


def test_malformed_boolean_fails_loudly():
    result = _run(["check"], LINLI_ENV="development", LINLI_DEBUG="maybe")
    assert result.returncode != 0 and "LINLI_DEBUG" in result.stderr


def test_sqlite_runs_in_wal_with_immediate_transactions(tmp_path):
    code = (
        "import django;django.setup();from django.db import connection;"
        "c=connection.cursor();c.execute('PRAGMA journal_mode');print(c.fetchone()[0]);"
        "c.execute('PRAGMA synchronous');print(c.fetchone()[0]);"
        "print(connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "LINLI_SQLITE_PATH": str(tmp_path / "t.sqlite3"),
            "PYTHONPATH": str(REPO / "src"),
            "DJANGO_SETTINGS_MODULE": "linli.settings",
        }
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.split() == ["wal", "1", "IMMEDIATE"], out.stderr
