"""Demo data for what a new community office meets (issue 11): a resident's request to
correct their contact details waiting in the office's queue (``registry/corrections.py``)."""

from __future__ import annotations

from linli.accounts.models import User
from linli.registry import corrections


def build_demo_office(plan, users: dict[str, User]) -> None:
    resident = users.get("xc-resident")
    if resident is None or not resident.resident_id:
        return
    corrections.contact_correction_request(
        actor=resident, other_phone="0799-6638512", note="家里装了座机，白天打这个号。"
    )
