"""The one domain error: a refusal with a message for the person and an HTTP status.

Services raise ``DomainError`` (400 by default) or ``Conflict`` (409: the object is not in a
state that allows this, or someone changed it a moment ago). One API handler
(``linli.api.api``) and one ``form_page``/``run_action`` pair (``linli.core.pages``) turn it into
the right response; apps subclass it for a code of their own but never define another base.

``message`` is a translatable string (lazy or already translated); ``code`` a short stable
machine name for API clients (``"invalid"``, ``"conflict"``, ``"stale"``, …); ``field`` names the
form field the message belongs to, when there is one; ``extra`` carries more machine-readable
detail for the API (e.g. ``{"allowed": [...]}``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
else:
    StrOrPromise = Any


class DomainError(Exception):
    status: int = 400
    code: str = "invalid"

    def __init__(
        self,
        message: StrOrPromise,
        *,
        status: int | None = None,
        code: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message: StrOrPromise = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.field = field
        self.extra: dict[str, Any] = dict(extra or {})

    # The older name, kept so callers written before the kernel read the same value.
    @property
    def status_code(self) -> int:
        return self.status

    def body(self) -> dict[str, Any]:
        """The API's answer: ``{"detail", "code", **extra}`` with the message translated in the
        active language."""
        return {"detail": str(self.message), "code": self.code, **self.extra}


class Conflict(DomainError):
    """The object's state does not allow this now (409)."""

    status = 409
    code = "conflict"


class Stale(Conflict):
    """The page the person acted on is out of date: someone else changed the object."""

    code = "stale"
