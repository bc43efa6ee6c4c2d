from django import template

from linli.core import personal

register = template.Library()


@register.simple_tag
def person_name(resident, mask_minors: bool) -> str:
    """A resident's name, masked (张**) for a child under 14 unless the viewer may see it."""
    if mask_minors and getattr(resident, "is_minor_under_14", False):
        return personal.mask_name(resident.name)
    return resident.name
