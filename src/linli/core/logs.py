"""Logging helpers configured in ``settings.LOGGING``."""

from __future__ import annotations

import logging


class ClientErrorsOneLine(logging.Filter):
    """Django logs a refused page (403) with the PermissionDenied traceback: keep the one line
    ("Forbidden (Permission denied): /path") and drop the traceback for every 4xx answer.
    Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.exc_info and isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
