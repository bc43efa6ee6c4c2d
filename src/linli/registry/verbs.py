from django.utils.translation import gettext_lazy as _

from linli.core.access import register_read_purposes
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

# How each read of a resident's record reads on their "My data", after who did it
# (core.access.record_reads; "楼长 张三 查看了您的住户页").
register_read_purposes(
    {
        "registry.resident_page": _("viewed your resident record"),
        "registry.household_page": _("viewed your household page"),
        "registry.building_page": _("saw your household on the building's list"),
        "registry.search": _("found you in a search of the registry"),
        "registry.tag_list": _("saw you on a list of residents who need attention"),
        "registry.edit_form": _("opened your record to edit it, with your full phone number"),
        "registry.api.household": _("read your household through the API"),
        "registry.api.search": _("found you in a search of the registry through the API"),
        "registry.export": _("exported the registry, with your record in it"),
        "registry.reveal.id_number": _("revealed your full ID number"),
        "registry.reveal.health_note": _("read your health note"),
    }
)
