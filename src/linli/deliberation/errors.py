from django.utils.translation import gettext_lazy as _  # noqa: F401


class DeliberationError(Exception):
    """A domain error with a message for the user (HTTP ``status_code``)."""

    status_code = 400

    def __init__(self, message, status_code: int | None = None):
        super().__init__(str(message))
        self.message = message
        if status_code is not None:
            self.status_code = status_code
