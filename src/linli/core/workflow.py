"""One workflow mechanism: a table of transitions, checked and applied in one place.

A domain model declares its table in its ``models.py``::

    VOTE_FLOW = Workflow(
        "vote",
        [
            Transition("open", {VoteStatus.DRAFT}, VoteStatus.OPEN, "vote.opened", _("Open")),
            Transition("close", {VoteStatus.OPEN}, VoteStatus.CLOSED, "vote.closed", _("Close")),
        ],
        noun=_("vote"),
    )

and its services call ``VOTE_FLOW.apply(vote, "open", actor=actor)``, which

1. locks the row (``select_for_update``) and reads its current status (and ``version``),
2. refuses a stale page (``expected_version`` ≠ the stored version → ``Stale``, 409),
3. refuses an action the current status does not allow (``Conflict``, 409, naming the actions
   that are allowed — ``extra["allowed"]`` for the API),
4. sets the new status, bumps ``version`` when the model has one, saves the status, the version
   and the ``fields`` the caller changed, and
5. records the transition's past-tense event (``vote.opened``) with ``{"from", "to", **data}``.

Services never write ``if obj.status != …: raise`` by hand; pages ask ``allowed(obj)`` which
buttons to show. Permission is the policy's business (``core.policy``), not the table's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .actors import Actor
from .errors import Conflict, Stale, StrOrPromise
from .events import log_event
from .models import Event

Message = StrOrPromise
# A refusal's message, or a function of the object giving it (when it names a date, say).
Refusal = Message | Callable[[Any], Message]


@dataclass(frozen=True)
class Transition:
    """``action`` moves an object from any of ``sources`` to ``target`` (``None``: the status
    stays, or the caller names it with ``to=``) and records ``verb`` (past tense).

    ``refused``: what the person is told when the current status does not allow the action —
    one message, or one per status (``{status: message, "*": otherwise}``); each may be a
    function of the object. Without it the refusal is the table's generic sentence naming the
    actions that are possible. Either way it is a ``Conflict`` (409) with ``extra["allowed"]``.
    """

    action: str
    sources: Collection[str]
    target: str | None
    verb: str
    label: str | Promise = ""
    refused: Refusal | Mapping[str, Refusal] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", frozenset(str(s) for s in self.sources))


# Called with (obj, transition, old status, new status) before the save; returns the names of
# any further fields it set (e.g. a ticket's ``responded_at``).
Hook = Callable[[models.Model, Transition, str, str], Iterable[str] | None]


class Workflow:
    def __init__(
        self,
        name: str,
        transitions: Iterable[Transition],
        *,
        status_field: str = "status",
        version_field: str | None = "version",
        noun: str | Promise | None = None,
        stale_message: StrOrPromise | None = None,
        on_apply: Hook | None = None,
    ) -> None:
        self.name = name
        self.transitions: dict[str, Transition] = {}
        for t in transitions:
            if t.action in self.transitions:
                raise ValueError(f"{name}: action {t.action!r} declared twice")
            self.transitions[t.action] = t
        self.status_field = status_field
        self.version_field = version_field
        self.noun = noun or _("This item")
        self.stale_message = stale_message or _(
            "Someone else changed this a moment ago. Please look again."
        )
        self.on_apply = on_apply

    # --- reading the table ---------------------------------------------------------------

    def __getitem__(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise LookupError(f"{self.name}: unknown action {action!r}") from None

    def status_of(self, obj: models.Model) -> str:
        return str(getattr(obj, self.status_field))

    def allowed_from(self, status: str) -> list[str]:
        """The actions the table allows from ``status``, in the table's order."""
        return [a for a, t in self.transitions.items() if status in t.sources]

    def allowed(self, obj: models.Model) -> list[str]:
        return self.allowed_from(self.status_of(obj))

    def can(self, obj: models.Model, action: str) -> bool:
        return self.status_of(obj) in self[action].sources

    def label(self, action: str) -> str | Promise:
        return self[action].label or action

    def verbs(self) -> dict[str, str | Promise]:
        """Verb → label, for ``core.events.register_verbs``."""
        return {t.verb: t.label or t.action for t in self.transitions.values()}

    def _status_label(self, obj: models.Model) -> str:
        display = getattr(obj, f"get_{self.status_field}_display", None)
        return str(display()) if callable(display) else self.status_of(obj)

    def _refused(self, obj: models.Model, action: str) -> Message | None:
        t = self.transitions.get(action)
        said = t.refused if t is not None else None
        if isinstance(said, Mapping):
            status = self.status_of(obj)
            said = said.get(status, said.get("*"))
        if callable(said):
            return said(obj)
        return said

    def refusal(self, obj: models.Model, action: str) -> Conflict:
        allowed = self.allowed(obj)
        said = self._refused(obj, action)
        if said is not None:
            return Conflict(said, code="not_allowed", extra={"allowed": allowed})
        names = "、".join(str(self.label(a)) for a in allowed) or "—"
        return Conflict(
            _("%(noun)s is %(status)s; “%(action)s” is not possible now. Possible: %(allowed)s.")
            % {
                "noun": str(self.noun),
                "status": self._status_label(obj),
                "action": str(self.label(action)) if action in self.transitions else action,
                "allowed": names,
            },
            code="not_allowed",
            extra={"allowed": allowed},
        )

    def check(self, obj: models.Model, action: str) -> Transition:
        """The transition, or ``Conflict`` naming what is allowed from the current status."""
        t = self[action]
        if self.status_of(obj) not in t.sources:
            raise self.refusal(obj, action)
        return t

    # --- applying it ---------------------------------------------------------------------

    def apply(
        self,
        obj: models.Model,
        action: str,
        *,
        actor: Actor | None,
        to: str | None = None,
        data: dict[str, Any] | None = None,
        expected_version: int | None = None,
        fields: Iterable[str] = (),
        parent: models.Model | None = None,
        lock: bool = True,
    ) -> Event:
        """Check and apply ``action`` to ``obj`` in one transaction; returns the event.

        ``fields`` are the other fields the caller set on ``obj`` for this step (saved with the
        status). ``lock=False`` when the caller already holds the row lock and loaded ``obj``
        under it."""
        with transaction.atomic():
            if lock and obj.pk is not None:
                names = [self.status_field]
                if self._versioned(obj):
                    names.append(str(self.version_field))
                fresh = (
                    type(obj)
                    ._default_manager.select_for_update()
                    .filter(pk=obj.pk)
                    .values(*names)
                    .get()
                )
                for n in names:
                    setattr(obj, n, fresh[n])
            if (
                expected_version is not None
                and self._versioned(obj)
                and int(expected_version) != getattr(obj, str(self.version_field))
            ):
                raise Stale(self.stale_message)
            t = self.check(obj, action)
            old = self.status_of(obj)
            new = str(to or t.target or old)
            setattr(obj, self.status_field, new)
            update = [self.status_field, *fields]
            if self._versioned(obj):
                setattr(obj, str(self.version_field), getattr(obj, str(self.version_field)) + 1)
                update.append(str(self.version_field))
            if self.on_apply is not None:
                update.extend(self.on_apply(obj, t, old, new) or ())
            obj.save(update_fields=list(dict.fromkeys(update)))
            return log_event(
                actor=actor,
                verb=t.verb,
                obj=obj,
                parent=parent,
                data={"from": old, "to": new, **(data or {})},
            )

    def _versioned(self, obj: models.Model) -> bool:
        if not self.version_field:
            return False
        try:
            obj._meta.get_field(self.version_field)
        except Exception:
            return False
        return True
