"""Logging filters configured in ``settings.LOGGING``: a refused page is one line, and
secrets never reach a log line.

``RedactSecrets`` rewrites ``api_key=…`` (a URL's query or a form body) and an ``X-Api-Key``
header in a record's message and arguments. Open311 refuses a key in the URL (tickets/
open311.py), but the refused request is still logged — by Django's development server here,
and by the proxy or gunicorn in production (docs/deployment.md says how to keep it out there).
"""

from __future__ import annotations

import logging
import re


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


_SECRET = re.compile(r"((?:api_key|apikey|x-api-key)\s*[=:]\s*)[^&\s\"']+", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _SECRET.sub(lambda m: m.group(1) + REDACTED, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True
