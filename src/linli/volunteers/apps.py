from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "linli.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        from linli.core.events import register_verbs

        from . import home, roles  # noqa: F401  (registers the app's permissions)
        from .models import (
            ACTIVITY_FLOW,
            DISPUTE_FLOW,
            FINDING_FLOW,
            HOUR_FLOW,
            MEMBER_FLOW,
            PATROL_FLOW,
        )

        for flow in (
            MEMBER_FLOW,
            HOUR_FLOW,
            DISPUTE_FLOW,
            ACTIVITY_FLOW,
            PATROL_FLOW,
            FINDING_FLOW,
        ):
            register_verbs(flow.verbs())
        home.register()
