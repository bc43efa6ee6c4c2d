from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "linli.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import checks  # noqa: F401  (registers the settings checks)
        from .security import private_sqlite_files

        connection_created.connect(private_sqlite_files, dispatch_uid="linli-private-sqlite")
