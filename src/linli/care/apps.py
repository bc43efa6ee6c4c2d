from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "linli.care"
    label = "care"
    verbose_name = _("Care")

    def ready(self) -> None:
        from . import home, roles, tasks, verbs  # noqa: F401

        home.register()
