"""The registry's export: the residents of a community the actor may see, in the import's
columns (so a file exported can be imported again), masked by the one disclosure rules, with
every read recorded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.db.models import Prefetch
from django.utils import timezone

from linli.core import access, disclosure, policy
from linli.core.events import log_event
from linli.core.exports import ListExport

from .models import Community, Resident, ResidentTag
from .spreadsheet import GENDER_ZH, OCCUPANCY_ZH, RELATION_ZH, STATUS_ZH, TENURE_ZH, export_columns


def export_residents(actor, community: Community):
    """The residents of ``community`` the actor may see, with what the export writes."""
    qs = policy.scope_filter(actor, Resident.objects.filter(community=community), "resident.view")
    return (
        qs.select_related("household__building", "household__unit")
        .prefetch_related(
            Prefetch(
                "tag_links", queryset=ResidentTag.objects.select_related("tag").order_by("tag_id")
            )
        )
        .order_by(
            "household__building__sort_key",
            "household__unit__sort_key",
            "household__sort_key",
            "id",
        )
    )


def registry_export(*, actor, community: Community) -> tuple[IO[bytes], str]:
    """Write the export workbook; returns an open file positioned at 0 and its file name.

    The caller has authorised ``registry.export`` on the community (``policy.get_for``)."""
    columns = export_columns()
    # The same rules as the pages (core.disclosure), decided once for the community: a street
    # supervisor's file has children's names masked, ages instead of birth dates and no
    # sensitive tags. Phones and ID numbers are masked in every export.
    v = disclosure.viewer(actor, community)

    def rows() -> Iterator[list[Any]]:
        for r in export_residents(actor, community).iterator(chunk_size=2000):
            hh = r.household
            tags = disclosure.tags(v, [link.tag for link in r.tag_links.all()])
            yield [
                hh.building.number,
                hh.unit.number if hh.unit_id else "",
                hh.room,
                hh.floor_area,
                OCCUPANCY_ZH.get(hh.occupancy, hh.occupancy),
                disclosure.name(v, r),
                GENDER_ZH.get(r.gender, ""),
                disclosure.birth_date(v, r),
                disclosure.phone(disclosure.MASKED, r.phone),
                disclosure.id_number(r),
                RELATION_ZH.get(r.relation, r.relation),
                TENURE_ZH.get(r.tenure, r.tenure),
                "、".join(t.name for t in tags),
                hh.label,
                STATUS_ZH.get(r.status, r.status),
                disclosure.age(r),
            ]

    stem = f"{community.code}-residents-{timezone.localdate():%Y%m%d}"
    export = ListExport(columns, rows(), title="住户", filename=stem)
    out = export.xlsx()
    # One read per resident in the file, in one INSERT … SELECT (their "My data" shows it).
    access.record_reads(
        actor, export_residents(actor, community), kind=access.EXPORTED, purpose="registry.export"
    )
    log_event(
        actor=actor,
        verb="registry.exported",
        obj=community,
        community_id=community.pk,
        data={"rows": export.written},
    )
    return out, f"{stem}.xlsx"
