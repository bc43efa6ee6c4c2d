from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "linli.tickets"
    label = "tickets"
    verbose_name = _("Residents' requests")

    def ready(self) -> None:
        from . import history, home, printing, roles, verbs  # noqa: F401

        home.register()
        history.register()
