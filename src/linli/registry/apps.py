from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _resident_names(community_id: int):
    """Every name in the community's registry, moved out or not: removed from public text."""
    from .models import Resident

    return Resident.objects.filter(community_id=community_id).values_list("name", flat=True)


class RegistryConfig(AppConfig):
    name = "linli.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from linli.core import public

        from . import corrections, verbs  # noqa: F401
        from .models import Resident

        public.register_name_source(_resident_names, models=[Resident])
