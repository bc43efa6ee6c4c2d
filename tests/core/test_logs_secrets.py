"""No API key in a log line (issue 9, finding 15)."""

import logging

from linli.core.logs import REDACTED, RedactSecrets, redact

KEY = "Zx9-secret_key_value"


def test_a_key_in_a_url_or_a_header_is_redacted():
    assert redact(f"POST /open311/v2/requests.json?api_key={KEY}&x=1") == (
        f"POST /open311/v2/requests.json?api_key={REDACTED}&x=1"
    )
    assert KEY not in redact(f"X-Api-Key: {KEY}")


def test_the_filter_rewrites_message_and_arguments():
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s', (f"GET /?api_key={KEY}", 400), None
    )
    RedactSecrets().filter(record)
    assert KEY not in record.getMessage() and "400" in record.getMessage()


def test_the_development_servers_request_lines_go_through_the_filter(settings):
    assert "secrets" in settings.LOGGING["handlers"]["console"]["filters"]
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]
