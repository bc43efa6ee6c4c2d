"""The import as services: upload (check, store sealed, dry run), choose the mapping, commit.

Re-importing a file changes nothing: a household is keyed by its room label, a resident by ID
number (else by name) within the household. A blank cell leaves a value as it is, and residents
absent from the file are never touched. Everything is written through the registry services,
so every rule and every event is the same as for a change made by hand."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import time
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import personal, policy
from linli.core.events import log_event

from .. import services
from ..models import Community, ImportStatus, RegistryImport, Unit
from . import mapping as M
from .columns import (
    COLUMN,
    CREATE,
    UNCHANGED,
    UPDATE,
    ImportAlreadyDone,
    ImportHasErrors,
    ImportRejected,
)
from .plan import Plan, build_plan
from .sheets import Sheet, check_row_count, read

# --- the stored file -------------------------------------------------------------------------


def media_path(rel: str) -> Path:
    return Path(settings.MEDIA_ROOT) / rel


def _store(data: bytes) -> str:
    rel = f"imports/{secrets.token_urlsafe(24)}.xlsx.sealed"
    path = media_path(rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(personal.seal(base64.b64encode(data).decode("ascii")), encoding="ascii")
    return rel


def _load(rel: str) -> bytes:
    try:
        token = media_path(rel).read_text(encoding="ascii")
        return base64.b64decode(personal.unseal(token))
    except (OSError, ValueError):  # removed, or sealed with a key since retired
        raise ImportRejected(
            _("The uploaded file is no longer available; please upload it again.")
        ) from None


def sheets_of(imp: RegistryImport) -> list[Sheet]:
    return read(_load(imp.file_path), imp.original_name)


def _too_big(limit: int) -> ImportRejected:
    return ImportRejected(
        _("The file is larger than %(size)s MB. Split it into smaller files.")
        % {"size": f"{limit / (1024 * 1024):.3g}"}
    )


# --- the steps -------------------------------------------------------------------------------


def plan_for(
    *, actor, community: Community, sheets: list[Sheet], mapping: M.Mapping, valid_only=False
) -> Plan:
    records = M.records(sheets, mapping)
    check_row_count(len(records))
    return build_plan(
        actor=actor, community=community, mapping=mapping, records=records, valid_only=valid_only
    )


def import_upload(
    *,
    actor,
    community: Community,
    upload: IO[bytes],
    name: str = "",
    size: int | None = None,
    header_row: int | None = None,
    sheet: str | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
) -> RegistryImport:
    """Check an uploaded file, store it and record its dry run with the guessed mapping.
    Raises ``ImportRejected``."""
    policy.authorize(actor, "registry.import", community)
    limit = settings.LINLI_MAX_UPLOAD_BYTES
    if size is not None and size > limit:
        raise _too_big(limit)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_big(limit)
    if not data:
        raise ImportRejected(_("The file is empty."))
    sheets = read(data, name)
    if sheet is not None and sheet not in {s.name for s in sheets}:
        raise ImportRejected(_("The file has no sheet called “%(name)s”.") % {"name": sheet})
    mapping = M.guess(
        sheets,
        memory=M.remembered(community),
        header_row=header_row,
        only_sheets=[sheet] if sheet else None,
        overrides=overrides,
    )
    plan = plan_for(actor=actor, community=community, sheets=sheets, mapping=mapping)
    summary = plan.summary()
    if not mapping.sheets:
        summary["errors"] = [_no_header(sheets)]
        summary["error_count"] = 1
    rel = _store(data)
    try:
        return RegistryImport.objects.create(
            community=community,
            uploaded_by=actor,
            original_name=(name or "")[:200],
            file_path=rel,
            status=ImportStatus.PREVIEWED,
            options=mapping.as_json(),
            summary=summary,
        )
    except Exception:
        media_path(rel).unlink(missing_ok=True)
        raise


def _no_header(sheets: list[Sheet]) -> dict[str, Any]:
    rows = sheets[0].header_candidates() if sheets else []
    first, last = (rows[0][0], rows[-1][0]) if rows else (1, 1)
    return {
        "row": first,
        "column": "",
        "code": "no_header",
        "params": {"first": first, "last": last},
    }


def import_remap(
    *,
    actor,
    registry_import: RegistryImport,
    sheets: list[str],
    header_row: int | None,
    fields: dict[str, dict[str, Any]],
    valid_only: bool = False,
) -> RegistryImport:
    """The office's mapping: which sheets, the header row, each field's source. Runs the dry
    run again and remembers the mapping for the community's next file."""
    policy.authorize(actor, "registry.import", registry_import)
    imp = registry_import
    if imp.status != ImportStatus.PREVIEWED:
        raise ImportAlreadyDone
    book = sheets_of(imp)
    header_rows = dict(imp.options.get("header_rows") or {})
    if header_row is not None:
        header_rows = {s.name: header_row for s in book}
    options = {"sheets": sheets, "header_rows": header_rows, "mapping": fields}
    mapping = M.chosen(book, options)
    plan = plan_for(actor=actor, community=imp.community, sheets=book, mapping=mapping,
                    valid_only=valid_only)  # fmt: skip
    imp.options = {**mapping.as_json(), "valid_only": valid_only}
    imp.summary = plan.summary()
    if not mapping.sheets:
        imp.summary["errors"] = [_no_header(book)]
        imp.summary["error_count"] = 1
    imp.save(update_fields=["options", "summary"])
    M.remember(imp.community, mapping)
    return imp


# A transaction writes households (with their residents) for at most LOCK_BUDGET seconds or
# CHUNK_HOUSEHOLDS households, so SQLite's write lock is held only a moment at a time.
CHUNK_HOUSEHOLDS = 200
LOCK_BUDGET = 0.1
SQLITE_PAUSE = 0.1
RESUME_AFTER = dt.timedelta(seconds=90)  # a running import silent this long lost its worker


def import_commit(*, actor, registry_import: RegistryImport) -> RegistryImport:
    """Start the import as a background job and return it (committed when the job ran
    inline, as with an immediate queue). Raises ``ImportHasErrors`` (nothing saved),
    ``ImportAlreadyDone`` (imported, or already running) or ``ImportRejected``."""
    imp = import_start(actor=actor, registry_import=registry_import)
    from ..tasks import import_run_task

    import_run_task(imp.pk)
    imp.refresh_from_db()
    if imp.status == ImportStatus.PREVIEWED:  # the job found errors; nothing of it was saved
        registry_import.summary = imp.summary
        raise ImportHasErrors
    return imp


def import_start(*, actor, registry_import: RegistryImport) -> RegistryImport:
    """Mark a checked import as running, once: a second start is ``ImportAlreadyDone``."""
    policy.authorize(actor, "registry.import", registry_import)
    with transaction.atomic():
        imp = RegistryImport.objects.select_for_update().get(pk=registry_import.pk)
        if imp.status != ImportStatus.PREVIEWED:
            raise ImportAlreadyDone
        summary = imp.summary or {}
        if not imp.file_path:
            raise ImportRejected(
                _("The uploaded file is no longer available; please upload it again.")
            )
        if summary.get("error_count") and not (summary.get("valid_only") and not any(
            e.get("code") in FILE_LEVEL for e in summary.get("errors", []))):  # fmt: skip
            raise ImportHasErrors
        imp.status = ImportStatus.RUNNING
        imp.started_by = actor
        imp.heartbeat_at = timezone.now()
        imp.progress = {"done": 0, "total": 0}
        imp.save(update_fields=["status", "started_by", "heartbeat_at", "progress"])
    return imp


def import_resume(*, actor, registry_import: RegistryImport) -> RegistryImport:
    """Run again an import whose worker died (silent for ``RESUME_AFTER``). What it wrote is
    found unchanged by the new dry run, so nothing is written twice."""
    policy.authorize(actor, "registry.import", registry_import)
    stale = timezone.now() - RESUME_AFTER
    claimed = RegistryImport.objects.filter(
        pk=registry_import.pk, status=ImportStatus.RUNNING, heartbeat_at__lt=stale
    ).update(heartbeat_at=timezone.now())
    if not claimed:
        raise ImportAlreadyDone
    from ..tasks import import_run_task

    import_run_task(registry_import.pk)
    registry_import.refresh_from_db()
    return registry_import


def resume_stalled() -> int:
    """The periodic job's part: run again every import whose worker died."""
    from ..tasks import import_run_task

    stale = timezone.now() - RESUME_AFTER
    n = 0
    for pk in RegistryImport.objects.filter(
        status=ImportStatus.RUNNING, heartbeat_at__lt=stale
    ).values_list("pk", flat=True):
        if RegistryImport.objects.filter(pk=pk, heartbeat_at__lt=stale).update(
            heartbeat_at=timezone.now()
        ):
            import_run_task(pk)
            n += 1
    return n


def resumable(imp: RegistryImport) -> bool:
    return (
        imp.status == ImportStatus.RUNNING
        and imp.heartbeat_at is not None
        and imp.heartbeat_at < timezone.now() - RESUME_AFTER
    )


def import_run(import_id: int) -> str:
    """The job: check the file again, then write it in transactions of ``CHUNK_HOUSEHOLDS``
    households, recording progress with each. Safe to run twice and to run after a crash:
    each run plans from what the registry holds now."""
    imp = RegistryImport.objects.select_related("community", "started_by").get(pk=import_id)
    if imp.status != ImportStatus.RUNNING:
        return "not running"
    actor = imp.started_by
    policy.authorize(actor, "registry.import", imp)  # decided once for the whole import
    community = imp.community
    try:
        book = sheets_of(imp)
    except ImportRejected as e:
        _back_to_preview(imp, {**(imp.summary or {}), "error_count": 1, "errors": [
            {"row": 0, "column": "", "code": "service", "params": {"message": e.message}}]})  # fmt: skip
        return "file gone"
    mapping = M.chosen(book, imp.options)
    plan = plan_for(actor=actor, community=community, sheets=book, mapping=mapping,
                    valid_only=bool(imp.options.get("valid_only")))  # fmt: skip
    if plan.blocking() or not mapping.sheets:
        _back_to_preview(imp, plan.summary())
        return "errors"
    skip = plan.skipped_rows()
    households = sorted(
        (hp for hp in plan.households.values() if not hp.rows <= skip), key=lambda h: h.label
    )
    residents_of: dict[str, list] = {}
    for rp in plan.residents:
        if (rp.sheet, rp.row) not in skip:
            residents_of.setdefault(rp.label, []).append(rp)
    todo = [hp for hp in households if hp.action != UNCHANGED or any(
        rp.action != UNCHANGED for rp in residents_of.get(hp.label, []))]  # fmt: skip
    progress = dict(imp.progress or {})
    done = int(progress.get("done", 0))
    progress["total"] = done + sum(1 + len(residents_of.get(h.label, [])) for h in todo)
    counts = progress.setdefault("counts", {"households": {}, "residents": {}})
    try:
        pending, first = list(todo), True
        while pending or first:
            with transaction.atomic():
                started = time.perf_counter()
                if first:
                    apply_structure(actor=actor, community=community, plan=plan,
                                    households=households)  # fmt: skip
                    first = False
                n = 0
                # At least one household a transaction, whatever the clock says: the
                # structure and the first household commit together (a loaded machine used to
                # commit the buildings alone, leaving them behind if the next chunk failed).
                while (
                    pending
                    and n < CHUNK_HOUSEHOLDS
                    and (n == 0 or time.perf_counter() - started < LOCK_BUDGET)
                ):
                    hp = pending.pop(0)
                    residents = residents_of.get(hp.label, [])
                    apply(actor=actor, community=community, plan=plan, households=[hp],
                          residents=residents)  # fmt: skip
                    _tally(counts["households"], hp.action)
                    for rp in residents:
                        _tally(counts["residents"], rp.action)
                    done += 1 + len(residents)
                    n += 1
                progress["done"] = done
                RegistryImport.objects.filter(pk=imp.pk).update(
                    progress=progress, heartbeat_at=timezone.now()
                )
            if pending and connection.vendor == "sqlite":
                # SQLite has one writer at a time and no queue: step aside long enough for a
                # writer waiting in its busy handler (which retries every 100 ms) to get in.
                time.sleep(SQLITE_PAUSE)
    except _ApplyFailed:
        # This chunk was rolled back; the ones before it stay (running the import again after
        # the fix writes only the rest).
        _back_to_preview(imp, plan.summary(), progress)
        return "failed"
    final = plan.counts()
    for kind in ("households", "residents"):
        unchanged = final[kind]["unchanged"]
        final[kind] = {"created": counts[kind].get(CREATE, 0),
                       "updated": counts[kind].get(UPDATE, 0), "unchanged": unchanged}  # fmt: skip
    with transaction.atomic():
        imp = RegistryImport.objects.select_for_update().get(pk=imp.pk)
        imp.status = ImportStatus.COMMITTED
        imp.committed_at = timezone.now()
        imp.summary = {**plan.summary(), "committed": final}
        imp.progress = progress
        imp.save(update_fields=["status", "committed_at", "summary", "progress"])
        log_event(actor=actor, verb="registry.imported", obj=imp,
                  data={**final, "file": imp.original_name})  # fmt: skip
        M.remember(community, mapping)
        _notify_done(imp, final)
    if not plan.valid_only or not plan.errors:
        # The data is in the registry now; the file's plain ID numbers need not be kept.
        # (With rows kept for later, the error file is offered until the daily purge.)
        media_path(imp.file_path).unlink(missing_ok=True)
    return "committed"


FILE_LEVEL = ("missing_column", "no_header", "duplicate_column")


def _tally(c: dict, action: str) -> None:
    c[action] = c.get(action, 0) + 1


def _back_to_preview(imp: RegistryImport, summary: dict, progress: dict | None = None) -> None:
    RegistryImport.objects.filter(pk=imp.pk).update(
        status=ImportStatus.PREVIEWED, summary=summary, progress=progress or {}, heartbeat_at=None
    )


def _notify_done(imp: RegistryImport, counts: dict) -> None:
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from linli.core.notifications import notify

    if imp.started_by is None:
        return
    notify(
        recipients=[imp.started_by],
        verb="registry.imported",
        title=gettext_lazy("Import of “%(file)s” is done"),
        body=gettext_lazy(
            "%(hh)s households and %(res)s residents new, %(upd)s residents changed."
        ),
        params={
            "file": imp.original_name,
            "hh": counts["households"]["created"],
            "res": counts["residents"]["created"],
            "upd": counts["residents"]["updated"],
        },
        url=reverse("registry:import_preview", args=[imp.community.code, imp.pk]),
        obj=imp,
        dedupe_key=f"registry.imported:{imp.pk}",
    )


def import_list_for(actor, community: Community, limit: int = 10) -> list[RegistryImport]:
    qs = policy.scope_filter(
        actor, RegistryImport.objects.filter(community=community), "registry.import"
    )
    return list(qs.select_related("uploaded_by")[:limit])


def purge_stale_uploads(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete stored uploads older than a day (they hold ID numbers), and the row-by-row
    preview of those imports. The import record stays, with its counts and errors."""
    cutoff = timezone.now() - older_than
    stale = RegistryImport.objects.filter(created_at__lt=cutoff).exclude(file_path="")
    removed = 0
    for rel in stale.values_list("file_path", flat=True).iterator():
        path = media_path(rel)
        if path.exists():
            path.unlink()
            removed += 1
    stale.update(file_path="")
    # The row-by-row preview and its notes name residents (and a note a second phone number):
    # worth keeping while the office works on the file, not for ever. Counts and errors stay.
    for imp in (
        RegistryImport.objects.filter(created_at__lt=cutoff)
        .exclude(status=ImportStatus.RUNNING)
        .only("pk", "summary")
        .iterator()
    ):
        summary = imp.summary or {}
        if summary.get("rows") or summary.get("notes"):
            summary = {**summary, "rows": [], "notes": [], "rows_purged": True}
            RegistryImport.objects.filter(pk=imp.pk).update(summary=summary)
    return removed


# --- applying the plan -----------------------------------------------------------------------


class _ApplyFailed(Exception):
    pass


def apply_structure(*, actor, community: Community, plan: Plan, households) -> None:
    """Add the buildings and units the households need. Caller holds the transaction."""
    used_buildings = {hp.building for hp in households}
    for number in sorted(plan.buildings_to_create & used_buildings):
        try:
            b = services.building_create(actor=actor, community=community, number=number)
        except ValidationError as e:
            _raise_row(plan, _first_row(plan, building=number), e)
        plan.buildings[number] = b
    units = {(hp.building, hp.unit) for hp in households if hp.unit} & plan.units_to_create
    if units:
        # There is no unit service (units come with building_create, numbered 1…n), and a
        # file may name any unit, so they are added here under the same permission.
        policy.authorize(actor, "registry.structure", community)
    for b_number, u_number in sorted(units):
        u = Unit.objects.create(
            community=community, building=plan.buildings[b_number], number=u_number
        )
        log_event(
            actor=actor,
            verb="unit.created",
            obj=u,
            parent=u.building,
            data={"number": u_number, "source": "import"},
        )
        plan.units[(b_number, u_number)] = u


def apply(*, actor, community: Community, plan: Plan, households, residents) -> None:
    """Write these households and residents of the plan through the registry services.
    Caller holds the transaction."""
    for hp in households:
        try:
            if hp.action == CREATE:
                hp.household = services.household_create(
                    actor=actor,
                    building=plan.buildings[hp.building],
                    unit=plan.units[(hp.building, hp.unit)] if hp.unit else None,
                    room=hp.room,
                    **hp.values,
                )
            elif hp.action == UPDATE:
                services.household_update(actor=actor, household=hp.existing, **hp.values)
        except ValidationError as e:
            _raise_row(plan, (hp.sheet, hp.row), e)

    for rp in residents:
        where = (rp.sheet, rp.row)
        try:
            if rp.action == CREATE:
                services.resident_create(
                    actor=actor,
                    household=plan.households[rp.label].household,
                    name=rp.name,
                    id_number=rp.id_number,
                    tags=rp.tags,
                    **rp.values,
                )
            elif rp.action == UPDATE:
                services.resident_update(
                    actor=actor,
                    resident=rp.existing,
                    id_number=rp.id_number or None,
                    tags=rp.tags,
                    name=rp.name,
                    **rp.values,
                )
        except ValidationError as e:
            _raise_row(plan, where, e)


def _first_row(plan: Plan, *, building: str) -> tuple[str, int]:
    rows = [(hp.sheet, hp.row) for hp in plan.households.values() if hp.building == building]
    return min(rows, default=("", 1))


def _raise_row(plan: Plan, where: tuple[str, int], e: ValidationError) -> None:
    # The dry run checks what the services check, so this is rare (a rule added to a service,
    # or a concurrent change); the error still lands on its row.
    if hasattr(e, "error_dict"):
        for key, msgs in e.message_dict.items():
            for m in msgs:
                plan.error(where, key if key in COLUMN else "name", "service", message=m)
    else:
        for m in e.messages:
            plan.error(where, "name", "service", message=m)
    raise _ApplyFailed
