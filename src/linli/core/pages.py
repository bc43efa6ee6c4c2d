"""Form plumbing shared by every app: form → service → message and redirect, or the page again
with the refusal on the form and the right status.

- ``form_page(request, form, run, template=…, context=…, done=…, to=…)`` for a create or edit
  page. On a valid POST ``run(form.cleaned_data)`` calls one service; success adds the ``done``
  message and redirects to ``to`` (each a string, or a callable given the service's result:
  "Household 3-201 registered." and its page); a
  ``DomainError`` goes on the form (on its ``field`` when it names one) and the page is rendered
  again with the error's status (400 for an invalid form). ``context`` may be a callable, called
  only when the page is rendered (a successful POST reads nothing it would not show).
- ``form_action(request, form, run, page=…, done=…, to=…)`` for a form posted from a page
  that shows more than the form (an object's page with several forms): a valid form runs as
  above; an invalid one, or a refusal, renders that page again through ``page(message,
  status)`` — the view's own function, which shows the bound form and the message.
  ``page_again(request, template, context)`` is such a ``page`` for an object's page:
  the template again with ``context(message)``.
- ``run_action(request, run, done=…, to=…, on_error=…)`` for a button (a POST with no page of
  its own): success → message and redirect; a ``DomainError`` → an error message and, by
  default, the same redirect with the error's status kept for htmx and tests
  (``on_error(error)`` may render the page instead).
- ``ObjectPage(template, context, url_name)`` holds the two for an object's page that several
  forms and buttons post to: ``.form(request, obj, form, run, …)`` and ``.act(request, obj,
  run, done)`` end back on the object's page, a refusal shown on it (``.again``).

- ``form_post(request, form, run, done=…, to=…)`` for a small form posted from a page to a
  URL of its own, with no page to show again (a person's tier, a checkbox setting): a valid
  form runs as ``run_action`` does; bad input is refused the same way (the form's first
  message, back to ``to``, status 400 kept).

- ``run_page(request, run, on_error=…)`` for a step whose success is a page rather than a
  redirect (a confirmation: "you chose 同意 — confirm"): ``run()`` returns the response; a
  ``DomainError`` → ``on_error(error)``.

Views stay thin: they build the form and name the service; they never catch domain errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .errors import DomainError

Target = str | Callable[[Any], str]
# The success message: a string, or a callable given the service's result.
Done = str | Promise | Callable[[Any], str] | None


def first_error(form: forms.BaseForm) -> str:
    """The form's first message, for a one-line summary."""
    for errors in form.errors.values():
        for e in errors:
            return str(e)
    return _("Please check the form.")


def _to(target: Target, result: Any) -> str:
    return target(result) if callable(target) else target


def _done(request: HttpRequest, done: Done, result: Any) -> None:
    message = done(result) if callable(done) else done
    if message:
        messages.success(request, str(message))


def attach(form: forms.BaseForm, error: DomainError) -> None:
    """Put a domain refusal on the form: on its field when the form has it, else on top.
    A refusal with messages for several fields (``extra["errors"]``: field → messages) puts
    each on its field."""
    per_field = error.extra.get("errors")
    if isinstance(per_field, Mapping) and per_field:
        for name, msgs in per_field.items():
            form.add_error(name if name in form.fields else None, list(msgs))
        return
    field = error.field if error.field and error.field in form.fields else None
    form.add_error(field, str(error.message))


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    run: Callable[[dict[str, Any]], Any],
    *,
    template: str,
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None,
    done: Done = None,
    to: Target,
) -> HttpResponse:
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = run(form.cleaned_data)
            except DomainError as e:
                attach(form, e)
                status = e.status
            else:
                _done(request, done, result)
                return HttpResponseRedirect(_to(to, result))
    extra = context() if callable(context) else context  # a callable: only read for the page
    return render(request, template, {"form": form, **(extra or {})}, status=status)


# Renders a page again with a message and a status (a closure holding the bound form).
PageAgain = Callable[[str, int], HttpResponse]


def page_again(
    request: HttpRequest, template: str, context: Callable[[str], Mapping[str, Any]]
) -> PageAgain:
    """``form_action``'s ``page`` for an object's page: ``template`` rendered again with
    ``context(message)`` (the view's own context, holding the bound form and the message) and
    the status."""

    def page(message: str, status: int) -> HttpResponse:
        return render(request, template, context(message), status=status)

    return page


def form_action(
    request: HttpRequest,
    form: forms.BaseForm,
    run: Callable[[dict[str, Any]], Any],
    *,
    page: PageAgain,
    done: Done = None,
    to: Target,
) -> HttpResponse:
    if not form.is_valid():
        return page(first_error(form), 400)
    return run_action(
        request,
        lambda: run(form.cleaned_data),
        done=done,
        to=to,
        on_error=lambda e: page(str(e.message), e.status),
    )


def run_action(
    request: HttpRequest,
    run: Callable[[], Any],
    *,
    done: Done = None,
    to: Target,
    on_error: Callable[[DomainError], HttpResponse] | None = None,
) -> HttpResponse:
    try:
        result = run()
    except DomainError as e:
        if on_error is not None:
            return on_error(e)
        messages.error(request, str(e.message))
        response = HttpResponseRedirect(_to(to, None))
        # A redirect must be 3xx for the browser; htmx and tests read the refusal's status here.
        response["X-Linli-Status"] = str(e.status)
        return response
    _done(request, done, result)
    return HttpResponseRedirect(_to(to, result))


def form_post(
    request: HttpRequest,
    form: forms.BaseForm,
    run: Callable[[dict[str, Any]], Any],
    *,
    done: Done = None,
    to: Target,
) -> HttpResponse:
    def valid_run() -> Any:
        if not form.is_valid():
            raise DomainError(first_error(form))
        return run(form.cleaned_data)

    return run_action(request, valid_run, done=done, to=to)


def run_page(
    request: HttpRequest,
    run: Callable[[], HttpResponse],
    *,
    on_error: Callable[[DomainError], HttpResponse],
) -> HttpResponse:
    try:
        return run()
    except DomainError as e:
        return on_error(e)


class ObjectPage:
    """An object's page that several forms and buttons post to (a topic, a forum, a meeting),
    each to a URL of its own, and where each post ends; ``url_name`` names the page's route,
    which takes the object's ``pk``:

    - ``again(request, obj, **bound)``: the page again (``form_action``'s ``page``), with
      ``context(request, obj, bound=bound, error=message)`` — ``bound`` holds the posted form
      under the name the context shows it by;
    - ``form(request, obj, form, run, done=…, **bound)``: ``form_action`` back to ``url(obj)``,
      an invalid form or a refusal shown on the page again;
    - ``act(request, obj, run, done)``: ``run_action`` for a button, back to ``url(obj)``, a
      refusal shown on the page again with its status.
    """

    def __init__(
        self,
        template: str,
        context: Callable[..., Mapping[str, Any]],
        url_name: str,
    ) -> None:
        self.template = template
        self.context = context
        self.url_name = url_name

    def url(self, obj: Any) -> str:
        """The object's page (``url_name`` takes its ``pk``)."""
        return reverse(self.url_name, args=[obj.pk])

    def render(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return render(request, self.template, self.context(request, obj))

    def again(self, request: HttpRequest, obj: Any, **bound: Any) -> PageAgain:
        return page_again(
            request,
            self.template,
            lambda message: self.context(request, obj, bound=bound, error=message),
        )

    def form(
        self,
        request: HttpRequest,
        obj: Any,
        form: forms.BaseForm,
        run: Callable[[dict[str, Any]], Any],
        *,
        done: Done = None,
        **bound: Any,
    ) -> HttpResponse:
        page = self.again(request, obj, **bound)
        return form_action(request, form, run, page=page, done=done, to=self.url(obj))

    def act(
        self,
        request: HttpRequest,
        obj: Any,
        run: Callable[[], Any],
        done: Done = None,
    ) -> HttpResponse:
        page = self.again(request, obj)
        return run_action(
            request,
            run,
            done=done,
            to=self.url(obj),
            on_error=lambda e: page(str(e.message), e.status),
        )
