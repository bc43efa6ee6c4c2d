"""``linli registry import FILE --community CODE --as USERNAME [--dry-run] [--sheet NAME]
[--header-row N] [--map COLUMN=FIELD] [--fixed FIELD=VALUE] [--json]``

The same guessing, preview and commit as the import pages, for a street office onboarding many
communities. Prints the preview (rows new / changed / unchanged / error, and each error with its
row, column and message) and, without ``--dry-run``, commits in the foreground."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from linli.core import policy
from linli.registry.importing import commit, report
from linli.registry.importing.columns import COLUMN, TAG_PREFIX, ImportRejected, norm_header
from linli.registry.importing.mapping import IGNORE_PREFIX
from linli.registry.models import Community, ImportStatus


def _overrides(maps: list[str], fixed: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in maps:
        column, sep, key = item.partition("=")
        if not sep or not column.strip():
            raise CommandError(f"--map takes COLUMN=FIELD, got {item!r}")
        key = key.strip()
        if not key:
            out[IGNORE_PREFIX + column] = None
            continue
        if key not in COLUMN and not key.startswith(TAG_PREFIX):
            raise CommandError(f"unknown field {key!r}; one of {', '.join(COLUMN)} or tag:<code>")
        out[key] = {"header": norm_header(column), "label": column.strip()}
    for item in fixed:
        key, sep, value = item.partition("=")
        if not sep or key not in COLUMN:
            raise CommandError(f"--fixed takes FIELD=VALUE, got {item!r}")
        out[key] = {"value": value}
    return out


class Command(BaseCommand):
    help = "Registry tools: import a community's spreadsheet."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("import", help="check (and, without --dry-run, import) a file")
        p.add_argument("file")
        p.add_argument("--community", required=True, help="the community's code")
        p.add_argument("--as", dest="username", required=True, help="who imports (audited)")
        p.add_argument("--dry-run", action="store_true", help="check only, save nothing")
        p.add_argument("--sheet", help="read this sheet only (default: every sheet)")
        p.add_argument("--header-row", type=int, help="the header row (default: guessed)")
        p.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                       help="read COLUMN as FIELD (COLUMN= reads it as nothing)")  # fmt: skip
        p.add_argument("--fixed", action="append", default=[], metavar="FIELD=VALUE",
                       help="one value of FIELD for every row")  # fmt: skip
        p.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"no user {opts['username']!r}")
        try:
            community = policy.get_for(user, Community, "registry.import", code=opts["community"])
        except Http404:
            raise CommandError(f"{user} has no community {opts['community']!r}") from None
        except PermissionDenied:
            raise CommandError(f"{user} may not import into {opts['community']}") from None
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        try:
            with path.open("rb") as f:
                imp = commit.import_upload(
                    actor=user,
                    community=community,
                    upload=f,
                    name=path.name,
                    size=path.stat().st_size,
                    header_row=opts["header_row"],
                    sheet=opts["sheet"],
                    overrides=_overrides(opts["map"], opts["fixed"]),
                )
        except ImportRejected as e:
            raise CommandError(e.message) from None
        result = self._preview(imp)
        if opts["dry_run"]:
            commit.media_path(imp.file_path).unlink(missing_ok=True)
            imp.file_path = ""
            imp.save(update_fields=["file_path"])
        elif result["blocked"]:
            result["committed"] = None
        else:
            commit.import_start(actor=user, registry_import=imp)
            commit.import_run(imp.pk)  # in the foreground: a command waits for its result
            imp.refresh_from_db()
            result["status"] = imp.status
            result["committed"] = (imp.summary or {}).get("committed")
            if imp.status != ImportStatus.COMMITTED:
                result["errors"] = self._preview(imp)["errors"]
        self._print(result, opts["json"])
        if result["blocked"] or (not opts["dry_run"] and result.get("status") != "committed"):
            raise SystemExit(1)

    def _preview(self, imp) -> dict[str, Any]:
        summary = imp.summary or {}
        actions = Counter(r["action"] for r in report.preview_rows(summary))
        errors = report.describe_errors(summary)
        blocked = bool(errors) and not (
            summary.get("valid_only") and not any(e["code"] in commit.FILE_LEVEL for e in errors)
        )
        return {
            "import": imp.pk,
            "status": imp.status,
            "mapping": (summary.get("mapping") or {}).get("mapping", {}),
            "rows": {
                "new": actions.get("create", 0),
                "changed": actions.get("update", 0),
                "unchanged": actions.get("unchanged", 0),
                "error": actions.get("error", 0),
            },  # fmt: skip
            "counts": summary.get("counts", {}),
            "errors": [
                {
                    "sheet": e["sheet"],
                    "row": e["row"],
                    "column": e["column"],
                    "code": e["code"],
                    "message": e["message"],
                }  # fmt: skip
                for e in errors
            ],
            "notes": [
                {"row": n["row"], "column": n["column"], "message": n["message"]}
                for n in report.describe_notes(summary)
            ],  # fmt: skip
            "blocked": blocked,
        }

    def _print(self, result: dict[str, Any], as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
            return
        r = result["rows"]
        self.stdout.write(
            f"import {result['import']}: {r['new']} new, {r['changed']} changed, "
            f"{r['unchanged']} unchanged, {r['error']} with errors"
        )
        for e in result["errors"]:
            where = f"{e['sheet']}!" if e["sheet"] else ""
            self.stdout.write(f"  {where}{e['row']} {e['column']}: {e['message']}")
        if result.get("committed"):
            self.stdout.write(f"committed: {json.dumps(result['committed'], ensure_ascii=False)}")
