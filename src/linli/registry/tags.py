"""Built-in tags: the ones the mission names. Communities may add more."""

from django.utils.translation import gettext_lazy as _

BUILTIN_TAGS = {
    "empty_nest": (_("Empty-nest elderly"), False),
    "living_alone": (_("Elderly living alone"), False),
    "left_behind_child": (_("Left-behind child"), False),
    "veteran": (_("Veteran"), False),
    "party_member": (_("Party member"), False),
    "disability": (_("Disability"), True),
    "low_income": (_("Low-income"), True),
}


def builtin_label(code: str):
    entry = BUILTIN_TAGS.get(code)
    return entry[0] if entry else None
