import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int | None:
    """Whole minutes, rounded up: "try again in 15 minutes" must not undersell the wait."""
    if value is None or value == "":
        return None
    return max(1, math.ceil(value.total_seconds() / 60))
