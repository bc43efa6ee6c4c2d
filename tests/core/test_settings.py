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


# --- malformed values stop start-up (issue 9, finding 13) -------------------------------------


def test_a_malformed_field_key_stops_start_up():
    result = _run(["check"], LINLI_FIELD_KEYS="abc")
    assert result.returncode != 0
    assert "LINLI_FIELD_KEYS: key 1 is not a Fernet key" in result.stderr


def test_a_malformed_second_field_key_is_named():
    result = _run(["check"], LINLI_ENV="development", LINLI_FIELD_KEYS=f"{FERNET},not-a-key")
    assert result.returncode != 0 and "LINLI_FIELD_KEYS: key 2" in result.stderr


def test_production_refuses_any_host():
    result = _run(["check"], LINLI_ALLOWED_HOSTS="*")
    assert result.returncode != 0
    assert "LINLI_ALLOWED_HOSTS" in result.stderr and "'*'" in result.stderr


def test_a_malformed_trusted_proxy_stops_start_up():
    result = _run(["check"], LINLI_TRUSTED_PROXIES="10.0.0.0/8,proxy.example.org")
    assert result.returncode != 0
    assert "LINLI_TRUSTED_PROXIES" in result.stderr and "proxy.example.org" in result.stderr


def test_a_malformed_rate_limit_stops_start_up():
    result = _run(["check"], LINLI_RATE_SUBMIT="lots")
    assert result.returncode != 0 and "LINLI_RATE_" in result.stderr


def test_the_system_check_reports_bad_keys_and_any_host(settings):
    from linli.core.checks import check_settings

    settings.PRODUCTION = True
    settings.ALLOWED_HOSTS = ["*"]
    settings.FIELD_ENCRYPTION_KEYS = ["abc"]
    ids = {m.id for m in check_settings()}
    assert ids == {"linli.E001", "linli.E002"}
    settings.PRODUCTION = False
    settings.ALLOWED_HOSTS = ["linli.example.org"]
    settings.FIELD_ENCRYPTION_KEYS = [FERNET]
    assert check_settings() == []


def test_language_cookie_is_secure_and_lax_in_production():
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_SAMESITE, s.LANGUAGE_COOKIE_HTTPONLY)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    env.update(
        {
            "LINLI_ENV": "production",
            "LINLI_SECRET_KEY": GOOD_KEY,
            "LINLI_ALLOWED_HOSTS": "linli.example.org",
            "LINLI_FIELD_KEYS": FERNET,
            "LINLI_VAR_DIR": _var_dir(),
            "PYTHONPATH": str(REPO / "src"),
            "DJANGO_SETTINGS_MODULE": "linli.settings",
        }
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.split() == ["True", "Lax", "True"], out.stderr


# --- files only the server's user can read (issue 9, finding 15) -------------------------------


def test_var_dir_database_and_uploads_are_private(tmp_path):
    var = tmp_path / "var"
    code = (
        "import os;os.umask(0o022);import django;django.setup();"
        "from django.db import connection;connection.ensure_connection();"
        "c=connection.cursor();c.execute('CREATE TABLE t (x)');c.execute('INSERT INTO t VALUES (1)');"
        "from django.core.files.base import ContentFile;"
        "from django.core.files.storage import default_storage as d;"
        "print(d.save('tickets/2026/photo.jpg', ContentFile(b'x')))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "LINLI_VAR_DIR": str(var),
            "PYTHONPATH": str(REPO / "src"),
            "DJANGO_SETTINGS_MODULE": "linli.settings",
        }
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    saved = out.stdout.strip()

    def mode(p):
        return oct(p.stat().st_mode & 0o777)

    assert mode(var) == "0o700"
    assert mode(var / "linli.sqlite3") == "0o600"
    for suffix in ("-wal", "-shm"):
        wal = var / f"linli.sqlite3{suffix}"
        if wal.exists():
            assert mode(wal) == "0o600"
    assert mode(var / "media" / "tickets") == "0o700"
    assert mode(var / "media" / saved) == "0o600"


def test_an_existing_world_readable_database_is_tightened(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    db = var / "linli.sqlite3"
    db.touch(mode=0o644)
    db.chmod(0o644)
    code = "import django;django.setup();from django.db import connection;connection.ensure_connection()"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "LINLI_VAR_DIR": str(var),
            "PYTHONPATH": str(REPO / "src"),
            "DJANGO_SETTINGS_MODULE": "linli.settings",
        }
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert oct(var.stat().st_mode & 0o777) == "0o700"
    assert oct(db.stat().st_mode & 0o777) == "0o600"
