"""The form renderer: Django's own widget templates rendered by Jinja2, which Django ships
for exactly this (``django.forms.renderers.Jinja2``); a widget template it does not have (the
admin's, ``auth``'s) comes from the Django template engine, as with Django's default.

Why: a page's select boxes were rendered option by option through Django templates; the
requests queue (8 selects, 114 options) spent ~5 ms in them. Same HTML, less time
(docs/performance.md). Page templates stay Django templates."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(Jinja2):
    @cached_property
    def fallback(self) -> DjangoTemplates:
        return DjangoTemplates()

    # Any: a Jinja2 or a Django backend template (django-stubs types Jinja2's as Any too).
    def get_template(self, template_name: str) -> Any:
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
