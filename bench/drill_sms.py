"""An SMS backend for the notification drill: appends each message as one line to the file
named by ``BENCH_SMS_FILE`` (one ``write`` on an ``O_APPEND`` descriptor, so lines from
threads and processes never interleave), so deliveries can be counted after a worker is
killed."""

import os

from linli.core.sms import BaseSmsBackend


class FileSmsBackend(BaseSmsBackend):
    def send(self, phone: str, text: str) -> None:
        line = (" ".join(text.split()) + "\n").encode()
        fd = os.open(os.environ["BENCH_SMS_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
