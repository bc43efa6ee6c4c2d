"""Form fields as HTML, rendered once where their HTML does not change from one request to
the next: the request page's unbound action forms and the queue's select boxes.

A page's forms were ~40 % of its template time, most of it the ~110 options of the queue's
select boxes and the request page's forms rendered field by field through
``tickets/_field.html`` (docs/performance.md). What such a field shows depends on its form,
its choices and the language only, so its HTML is kept in the ``pages`` cache under those:
the choices behind the choice-list counters (``core.versions``) that the choice lists are
cached behind already. A field that shows the person's input (the queue's filters) is kept
with nothing chosen and marked per request with what the form would have marked; a form with
errors is rendered in full.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.forms import BoundField, CheckboxInput, Form, Select
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language


def fields_html(fields: Iterable[BoundField] | Form) -> str:
    """``fields`` (a form's bound fields, or all of a form's) as ``tickets/_field.html`` shows
    each, one after the other."""
    return render_to_string("tickets/_fields.html", {"fields": fields})


def blank_fields(name: str, build: Callable[[], Any], key: str = "") -> SafeString:
    """The HTML of the fields ``build()`` returns (of an unbound form), rendered once per
    process, language and ``key`` (what else they depend on: for the assignment's people and
    teams, the community's choice-list counter), at most ``LINLI_PAGE_CACHE_SECONDS``."""
    if not settings.LINLI_PAGE_CACHE:
        return mark_safe(fields_html(build()))  # noqa: S308 - our templates, escaped there
    full = f"tickets:fields:{name}:{get_language()}:{key}"
    store = caches["pages"]
    html = store.get(full)
    if html is None:
        html = str(fields_html(build()))
        store.set(full, html, settings.LINLI_PAGE_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our templates, escaped there


# --- fields that show what the person chose ---------------------------------------------------

Parts = list[tuple[str, str]]  # (field name, its HTML with nothing chosen)
_UNSAFE = set("&<>\"'")


def unchosen_parts(form: Form) -> Parts:
    """Each field of ``form`` (unbound: nothing chosen) as ``tickets/_field.html`` shows it."""
    return [(bf.name, str(fields_html([bf]))) for bf in form]


def chosen_html(form: Form, parts: Parts) -> SafeString:
    """``form``'s fields as ``fields_html(form)`` renders them, from ``parts`` (the same form's
    fields unbound, ``unchosen_parts``), marking what the bound form has chosen as Django's
    widgets do: the first option of a select box whose value is chosen, a ticked checkbox.
    A form with errors, a field of another kind or a value that HTML would escape: rendered
    in full."""
    if form.errors:
        return mark_safe(fields_html(form))  # noqa: S308 - our templates
    out = []
    for (name, html), bf in zip(parts, form, strict=True):
        if name != bf.name:
            return mark_safe(fields_html(form))  # noqa: S308 - our templates
        widget = bf.field.widget
        if isinstance(widget, Select) and not widget.allow_multiple_selected:
            marked = _select(html, widget.format_value(None), widget.format_value(bf.value()))
        elif isinstance(widget, CheckboxInput):
            marked = _checkbox(html, bf, widget.check_test(bf.value()))
        else:
            marked = None
        if marked is None:
            marked = str(fields_html([bf]))
        out.append(marked)
    return mark_safe("".join(out))  # noqa: S308 - pieces of our templates' output


def _option(value: str) -> str:
    return f'<option value="{value}"'


def _select(html: str, unbound: list[str], chosen: list[str]) -> str | None:
    if chosen == unbound:
        return html
    if any(_UNSAFE & set(v) for v in (*unbound, *chosen)) or len(chosen) != 1:
        return None
    # Unmark what the unbound select chose (the first option of its value, if any) ...
    for v in unbound:
        html = html.replace(f"{_option(v)} selected>", f"{_option(v)}>", 1)
    # ... and mark the first option of the chosen value (none when it is not offered).
    return html.replace(f"{_option(chosen[0])}>", f"{_option(chosen[0])} selected>", 1)


def _checkbox(html: str, bf: BoundField, checked: bool) -> str | None:
    if not checked:
        return html
    tag = f'<input type="checkbox" name="{bf.html_name}" id="{bf.auto_id}">'
    if tag not in html:
        return None
    return html.replace(tag, tag[:-1] + " checked>", 1)
