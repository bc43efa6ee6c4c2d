"""``{% registry_panels "household" household %}``: the sections other apps add to the page
(``registry/panels.py``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from linli.registry import panels

register = template.Library()


@register.simple_tag(takes_context=True)
def registry_panels(context: template.Context, kind: str, obj: Any) -> SafeString:
    return panels.render_panels(kind, context["request"], obj)
