"""A household's and a resident's own request history on their registry pages (issue 11,
item 13), drawn through ``registry/panels.py`` (the registry does not import tickets).

Whoever opens the page sees the requests they may see anyway (``ticket.view``, through
``queries.request_history_for``): the office and the household's keepers all of them, a
resident the ones they asked. Paginated with its own ``requests_page`` parameter, so it pages
independently of the page's history of changes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from linli.registry import panels

from . import queries

PAGE_PARAM = "requests_page"


def _panel(request: HttpRequest, **about: Any) -> str:
    page = queries.request_history_for(request.user, page=request.GET.get(PAGE_PARAM) or 1, **about)
    if not page.paginator.count:
        return ""
    query = request.GET.copy()
    query.pop(PAGE_PARAM, None)
    return render_to_string(
        "tickets/_request_history.html",
        {"history": page, "param": PAGE_PARAM, "query": query.urlencode()},
        request=request,
    )


def household_history(request: HttpRequest, household: Any) -> str:
    return _panel(request, household=household)


def resident_history(request: HttpRequest, resident: Any) -> str:
    return _panel(request, resident=resident)


def register() -> None:
    panels.register_panel("household", household_history)
    panels.register_panel("resident", resident_history)
