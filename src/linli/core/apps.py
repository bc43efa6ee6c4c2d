from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_holidays(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After every ``migrate`` (and a test database's flush): the nationwide days the
    ``chinese-calendar`` package knows and the table lacks (a new year after an upgrade)."""
    from django.db import connections

    from .calendar import seed_official_holidays

    if "core_holiday" in connections[using].introspection.table_names():
        seed_official_holidays(using=using)


class CoreConfig(AppConfig):
    name = "linli.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import (
            calendar,  # noqa: F401  (holiday-cache invalidation on every change)
            checks,  # noqa: F401  (registers the settings checks)
        )
        from .middleware import install_csrf_mask
        from .security import private_sqlite_files
        from .versions import connect_signals

        connect_signals()  # change counters: bumped on every save of a community's row
        post_migrate.connect(_seed_holidays, sender=self, dispatch_uid="linli.core.holidays")
        connection_created.connect(private_sqlite_files, dispatch_uid="linli-private-sqlite")
        install_csrf_mask()  # the CSRF token's mask from one read of os.urandom
