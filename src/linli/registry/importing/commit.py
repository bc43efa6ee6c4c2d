"""The import as services: upload (check, store sealed, dry run), choose the mapping, commit.

Re-importing a file changes nothing: a household is keyed by its room label, a resident by ID
number (else by name) within the household. A blank cell leaves a value as it is, and residents
absent from the file are never touched. Everything is written through the registry services,
so every rule and every event is the same as for a change made by hand."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import personal, policy
from linli.core.events import log_event

from .. import services
from ..models import Community, ImportStatus, RegistryImport, Unit
from . import mapping as M
from .columns import COLUMN, CREATE, UPDATE, ImportAlreadyDone, ImportHasErrors, ImportRejected
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


def import_commit(*, actor, registry_import: RegistryImport) -> RegistryImport:
    """Apply a checked import in one transaction. Raises ``ImportHasErrors`` (nothing saved),
    ``ImportAlreadyDone`` or ``ImportRejected`` (the stored file is gone)."""
    policy.authorize(actor, "registry.import", registry_import)
    plan: Plan | None = None
    try:
        with transaction.atomic():
            imp = (
                RegistryImport.objects.select_for_update()
                .select_related("community")
                .get(pk=registry_import.pk)
            )
            if imp.status != ImportStatus.PREVIEWED:
                raise ImportAlreadyDone
            book = sheets_of(imp)
            mapping = M.chosen(book, imp.options)
            plan = plan_for(actor=actor, community=imp.community, sheets=book, mapping=mapping,
                            valid_only=bool(imp.options.get("valid_only")))  # fmt: skip
            if plan.blocking() or not mapping.sheets:
                raise _ApplyFailed
            apply(actor=actor, community=imp.community, plan=plan)
            counts = plan.counts()
            imp.status = ImportStatus.COMMITTED
            imp.committed_at = timezone.now()
            imp.summary = {**plan.summary(), "committed": counts}
            imp.save(update_fields=["status", "committed_at", "summary"])
            log_event(
                actor=actor,
                verb="registry.imported",
                obj=imp,
                data={**counts, "file": imp.original_name},
            )
            M.remember(imp.community, mapping)
    except _ApplyFailed:
        # Rolled back; keep the errors so the preview shows why.
        if plan is not None:
            RegistryImport.objects.filter(pk=registry_import.pk).update(summary=plan.summary())
        registry_import.refresh_from_db(fields=["summary"])
        raise ImportHasErrors from None
    if not plan.valid_only or not plan.errors:
        # The data is in the registry now; the file's plain ID numbers need not be kept.
        # (With rows kept for later, the error file is still offered until the daily purge.)
        media_path(imp.file_path).unlink(missing_ok=True)
    return imp


def import_list_for(actor, community: Community, limit: int = 10) -> list[RegistryImport]:
    qs = policy.scope_filter(
        actor, RegistryImport.objects.filter(community=community), "registry.import"
    )
    return list(qs.select_related("uploaded_by")[:limit])


def purge_stale_uploads(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete stored uploads older than a day (they hold ID numbers). The import record stays,
    so the preview says the file must be uploaded again."""
    cutoff = timezone.now() - older_than
    stale = RegistryImport.objects.filter(created_at__lt=cutoff).exclude(file_path="")
    removed = 0
    for rel in stale.values_list("file_path", flat=True).iterator():
        path = media_path(rel)
        if path.exists():
            path.unlink()
            removed += 1
    stale.update(file_path="")
    return removed


# --- applying the plan -----------------------------------------------------------------------


class _ApplyFailed(Exception):
    pass


def apply(*, actor, community: Community, plan: Plan) -> None:
    """Write the plan through the registry services. Caller holds the transaction."""
    skip = plan.skipped_rows()
    households = [hp for hp in plan.households.values() if not hp.rows <= skip]
    residents = [rp for rp in plan.residents if (rp.sheet, rp.row) not in skip]
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
