"""Chinese is the default language and its catalogue is complete: no untranslated or fuzzy
entry, and no string in the code that the catalogue lacks (when GNU gettext is present; CI
sets LINLI_REQUIRE_GETTEXT=1 so the check cannot be skipped there)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PO = SRC / "linli" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_catalogue_has_no_untranslated_or_fuzzy_entries():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert len(po.translated_entries()) > 100


def test_catalogue_covers_every_string_in_the_code(tmp_path):
    if not shutil.which("xgettext"):
        if os.environ.get("LINLI_REQUIRE_GETTEXT") == "1":
            pytest.fail("GNU gettext (xgettext) is required in CI: apt-get install gettext")
        pytest.skip("GNU gettext (xgettext) is not installed: cannot extract strings")
    copy = tmp_path / "src" / "linli"
    shutil.copytree(SRC / "linli", copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path / "src"),
        "DJANGO_SETTINGS_MODULE": "linli.settings",
    }
    env.pop("DATABASE_URL", None)
    env["LINLI_VAR_DIR"] = str(tmp_path / "var")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "--locale",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
            "--ignore",
            "migrations/*",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in fresh.untranslated_entries()]
    assert missing == [], f"{len(missing)} strings need a Chinese translation (make messages)"
