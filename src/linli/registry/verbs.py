from django.utils.translation import gettext_lazy as _

from linli.core.events import register_verbs

register_verbs(
    {
        "household.created": _("Household registered"),
        "household.updated": _("Household details changed"),
        "resident.created": _("Resident registered"),
        "resident.updated": _("Resident details changed"),
        "resident.moved_out": _("Resident moved out"),
        "resident.deceased": _("Resident recorded as deceased"),
        "resident.viewed": _("Resident record viewed"),
        "resident.id_number.revealed": _("ID number revealed"),
        "resident.health_note.revealed": _("Health note revealed"),
        "resident.tags.changed": _("Tags changed"),
        "registry.imported": _("Households and residents imported"),
        "registry.exported": _("Registry exported"),
        "building.created": _("Building added"),
        "grid.created": _("Grid added"),
        "unit.created": _("Unit added"),
        "tag.created": _("Tag added"),
    }
)
