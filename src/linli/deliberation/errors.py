"""Deliberation's refusals: ``core.errors.DomainError`` with the older ``status_code=`` keyword."""

from linli.core.errors import DomainError


class DeliberationError(DomainError):
    def __init__(self, message, status_code: int | None = None, **kwargs):
        super().__init__(message, status=status_code, **kwargs)
