"""One list helper for every scoped list: filter (django-filter), sort, paginate, export.

    listing = list_page(
        request,
        Ticket.objects.select_related("category"),
        actor=request.user, action="ticket.queue",      # scope first, always
        filterset=TicketFilter,                          # a django_filters.FilterSet, optional
        sorts={"new": Sort(_("Newest"), ("-created_at", "-id")),
               "due": Sort(_("Due first"), ("due_at", "id"))},
        default_sort="new",
    )
    if listing.export_format:                            # ?export=xlsx or csv
        return listing.export(columns, row_of, title=_("Requests"), filename="requests")
    return render(request, "tickets/queue.html", {"listing": listing})

and in the template ``{% include "includes/list_controls.html" %}`` (filter form, sort, export
links) and ``{% include "includes/pager.html" with page=listing.page query=listing.query %}``.

The queryset is narrowed by the policy before anything else (``actor`` + ``action``), so a list
can never show what its viewer may not see. An invalid filter value is shown on the form and
ignored (the other filters still apply), never a 500. The export writes *what is filtered* — the
whole filtered list in the chosen order, not one page — through ``core.exports.ListExport``;
whether the viewer may export is the caller's check (``allow_export``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.functional import Promise

from . import policy
from .actors import Actor
from .exports import FORMATS, Column, Format, ListExport

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Sort:
    label: str | Promise
    ordering: tuple[str, ...]


@dataclass
class Listing:
    request: HttpRequest
    queryset: QuerySet[Any]  # filtered and sorted, not paginated
    page: Page[Any]
    filterset: Any | None
    sort: str
    sorts: Mapping[str, Sort]
    allow_export: bool
    params: dict[str, list[str]] = field(default_factory=dict)

    @property
    def form(self) -> Any:
        return self.filterset.form if self.filterset is not None else None

    @property
    def total(self) -> int:
        return self.page.paginator.count

    @property
    def filtered(self) -> bool:
        return any(k not in ("page", "sort", "export") and any(v) for k, v in self.params.items())

    def url(self, **changes: str | None) -> str:
        """The current query string with ``changes`` (``None`` removes a key); starts with ?."""
        params = {k: list(v) for k, v in self.params.items() if k != "export"}
        for k, v in changes.items():
            if v is None:
                params.pop(k, None)
            else:
                params[k] = [v]
        return "?" + urlencode([(k, x) for k, vs in params.items() for x in vs])

    @property
    def query(self) -> str:
        """The query string without ``page`` and the leading ``?``, for the pager's links."""
        return self.url(page=None)[1:]

    @property
    def sort_links(self) -> list[dict[str, Any]]:
        return [
            {
                "key": k,
                "label": s.label,
                "url": self.url(sort=k, page=None),
                "active": k == self.sort,
            }
            for k, s in self.sorts.items()
        ]

    @property
    def export_links(self) -> list[dict[str, str]]:
        if not self.allow_export:
            return []
        return [{"format": f, "url": self.url(export=f, page=None)} for f in FORMATS]

    @property
    def export_format(self) -> Format | None:
        fmt = self.request.GET.get("export")
        if self.allow_export and fmt in FORMATS:
            return fmt  # type: ignore[return-value]
        return None

    def export(
        self,
        columns: Sequence[Column],
        row: Callable[[Any], Sequence[Any]],
        *,
        title: str | Promise,
        filename: str,
        rows: Iterable[Any] | None = None,
    ) -> HttpResponse | FileResponse:
        """The filtered list (every page, in the list's order) as the requested format.
        ``rows`` replaces the iteration over the queryset (e.g. ``.values()`` rows)."""
        fmt = self.export_format or "xlsx"
        source = rows if rows is not None else self.queryset.iterator(chunk_size=500)
        return ListExport(
            columns, (row(x) for x in source), title=title, filename=filename
        ).response(fmt)


def per_page_of(request: HttpRequest, default: int) -> int:
    try:
        n = int(request.GET.get("per_page", default))
    except ValueError:
        return default
    return max(1, min(n, MAX_PER_PAGE))


def list_page(
    request: HttpRequest,
    queryset: QuerySet[Any] | type[Model],
    *,
    actor: Actor | None = None,
    action: str | None = None,
    filterset: type[Any] | None = None,
    filterset_kwargs: Mapping[str, Any] | None = None,
    sorts: Mapping[str, Sort] | None = None,
    default_sort: str | None = None,
    per_page: int = DEFAULT_PER_PAGE,
    allow_export: bool = False,
    data: Mapping[str, Any] | None = None,
    count: int | None = None,
) -> Listing:
    """Scope, filter, sort and paginate ``queryset`` for ``request``; see the module docstring.
    ``data`` replaces ``request.GET`` as the filter's and the sort's input (e.g. a remembered
    filter). ``count``: the list's length when the caller knows it already (the queue's
    per-status counts), saving the paginator's COUNT query."""
    qs: QuerySet[Any] = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    if action is not None:
        qs = policy.scope_filter(actor if actor is not None else request.user, qs, action)
    source = request.GET if data is None else data
    params = {
        k: list(source.getlist(k)) if hasattr(source, "getlist") else [str(source[k])]
        for k in source
    }
    fs = None
    if filterset is not None:
        fs = filterset(source or None, queryset=qs, request=request, **(filterset_kwargs or {}))
        qs = fs.qs
    sorts = sorts or {}
    sort = str(source.get("sort") or default_sort or "")
    if sort not in sorts:
        sort = default_sort or next(iter(sorts), "")
    if sort:
        qs = qs.order_by(*sorts[sort].ordering)
    elif not qs.ordered:
        qs = qs.order_by("-pk")  # a stable order: pages must not overlap
    paginator = Paginator(qs, per_page_of(request, per_page))
    if count is not None:
        paginator.count = count
    page = paginator.get_page(source.get("page") or request.GET.get("page"))
    return Listing(
        request=request,
        queryset=qs,
        page=page,
        filterset=fs,
        sort=sort,
        sorts=sorts,
        allow_export=allow_export,
        params=params,
    )
