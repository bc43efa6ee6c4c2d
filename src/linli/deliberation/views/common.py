"""Small helpers shared by the deliberation pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.errors import DomainError
from linli.core.roles import roles_for

from ..models import (
    Topic,
)

PAGE_SIZE = 20


# --- shared by the deliberation pages --------------------------------------------------------


class Can:
    """``policy.can`` on one object, memoised per set of roles: many actions share the
    office's roles, so a page asks the database once per distinct set."""

    def __init__(self, actor, obj):
        self.actor, self.obj, self._memo = actor, obj, {}

    def __call__(self, action: str) -> bool:
        key = roles_for(action)
        if key not in self._memo:
            self._memo[key] = policy.can(self.actor, action, self.obj)
        return self._memo[key]


def first_error(form: forms.Form) -> str:
    for errors in form.errors.values():
        for e in errors:
            return e
    return _("Please check the form.")


def form_page(request, form, run, *, done: str, to: str, template: str, context: dict):
    """A create or edit page: on a valid POST ``run(cleaned_data)`` calls the service and
    returns the object; success → the ``done`` message and the object's page (URL name
    ``to``); a DomainError goes on the form with its status. Otherwise the page (400
    for a POST that did not go through)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                obj = run(form.cleaned_data)
            except DomainError as e:
                form.add_error(None, e.message)
                status = e.status_code
            else:
                messages.success(request, done)
                return redirect(to, pk=obj.pk)
    return render(request, template, {"form": form, **context}, status=status)


def sub_path(kind: str, pk: int) -> str:
    """Links to the vote and survey pages, which other parts of the module serve under
    /deliberation/votes/<id>/ and /deliberation/surveys/<id>/."""
    return f"{reverse('deliberation:index')}{kind}/{pk}/"


def place_label(topic: Topic) -> str:
    if topic.unit_id:
        return f"{topic.unit.building} · {topic.unit}"
    if topic.building_id:
        return str(topic.building)
    if topic.grid_id:
        return str(topic.grid)
    return _("The whole community")


# --- the landing page ------------------------------------------------------------------------
