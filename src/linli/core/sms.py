"""The SMS backend interface. A deployment names its provider's class in
``LINLI_SMS_BACKEND``; the default only logs, and keeps the messages for tests the way
Django's locmem mail backend keeps ``mail.outbox``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("linli.sms")


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


class BaseSmsBackend:
    """Send one text message. Raise on failure: the caller retries."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingSmsBackend(BaseSmsBackend):
    # Shared by every instance, like ``django.core.mail.outbox``; tests clear it.
    outbox: ClassVar[list[SmsMessage]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append(SmsMessage(phone=phone, text=text))
        # A phone number is personal data: the log shows only its tail.
        logger.info("SMS to ***%s: %s", phone[-4:], text)


def get_sms_backend() -> BaseSmsBackend:
    backend: type[BaseSmsBackend] = import_string(settings.LINLI_SMS_BACKEND)
    return backend()
