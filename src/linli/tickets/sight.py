"""What a person sees of one request — the one staff-view rule for pages and the API.

- ``staff``: the full view (who handles it by name, the requesters with their phones as
  ``core.disclosure.sees_full_phone`` allows, the whole timeline): those who work the queue
  or write internal notes;
- ``notes``: internal notes, for those allowed ``ticket.note`` only;
- ``details``: its place, description, answers and photos — everyone with the staff view and
  the requester; not someone whose own report was merged into it (a "joined" requester reads
  its status and public replies, scrubbed of another household's names, phones and rooms).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Can = Callable[[str], bool]  # may the actor do this action on this request?


@dataclass(frozen=True)
class Sight:
    staff: bool
    notes: bool
    details: bool

    @property
    def view(self) -> str:
        """The API's name for it: "staff", "public" (the requester's) or "joined"."""
        return "staff" if self.staff else ("public" if self.details else "joined")


def sight(can: Can) -> Sight:
    notes = can("ticket.note")
    staff = notes or can("ticket.queue")
    return Sight(staff=staff, notes=notes, details=staff or can("ticket.view_details"))
