from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "linli.mediation"
    label = "mediation"
    verbose_name = _("People's mediation")

    def ready(self) -> None:
        from . import home, roles, verbs  # noqa: F401

        home.register()
