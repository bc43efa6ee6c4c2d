"""Sections other apps add to a household's and a resident's page, without the registry
importing them (arrows point down: tickets → registry, never back).

An app registers a function of ``(request, obj)`` returning HTML (or ``""`` to add nothing) in
its ``AppConfig.ready()``::

    panels.register_panel("household", request_history_for_household)

and the page draws them with ``{% load registry_panels %}{% registry_panels "household" obj %}``.
Each function decides who sees its section (through ``core.policy``) and keeps its own query
count constant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

Panel = Callable[[HttpRequest, Any], str]
KINDS = ("household", "resident")
_PANELS: dict[str, list[Panel]] = {kind: [] for kind in KINDS}


def register_panel(kind: str, panel: Panel) -> None:
    if kind not in _PANELS:
        raise ValueError(f"unknown registry page {kind!r}")
    if panel not in _PANELS[kind]:
        _PANELS[kind].append(panel)


def render_panels(kind: str, request: HttpRequest, obj: Any) -> SafeString:
    parts = [conditional_escape(panel(request, obj)) for panel in _PANELS.get(kind, [])]
    return mark_safe("".join(str(p) for p in parts if p))  # noqa: S308 - each part escaped
