"""The kernel's error, workflow and form plumbing, on a real model (a deliberation topic is not
needed: a throw-away in-memory object stands in for the table checks; apply runs on Ticket)."""

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from linli.core.errors import Conflict, DomainError, Stale
from linli.core.pages import form_action, form_page, run_action, run_page
from linli.core.roles import PERMISSIONS, register_permissions
from linli.core.workflow import Transition, Workflow


class Obj:
    def __init__(self, status):
        self.status = status


FLOW = Workflow(
    "thing",
    [
        Transition("open", {"draft"}, "open", "thing.opened", "Open"),
        Transition("close", {"open"}, "closed", "thing.closed", "Close"),
        Transition("note", {"open", "draft"}, None, "thing.noted", "Note"),
    ],
    noun="The thing",
)


def test_allowed_follows_the_table_order():
    assert FLOW.allowed(Obj("draft")) == ["open", "note"]
    assert FLOW.allowed(Obj("closed")) == []


def test_check_refuses_with_conflict_naming_the_allowed_actions():
    with pytest.raises(Conflict) as e:
        FLOW.check(Obj("draft"), "close")
    assert e.value.status == 409
    assert e.value.extra["allowed"] == ["open", "note"]
    assert "Open" in str(e.value.message) and "Close" in str(e.value.message)


def test_a_transition_may_say_its_own_refusal_per_status():
    flow = Workflow(
        "thing",
        [
            Transition("open", {"draft"}, "open", "thing.opened", "Open", refused="Not now."),
            Transition(
                "close",
                {"open"},
                "closed",
                "thing.closed",
                "Close",
                refused={"closed": "Already closed.", "*": lambda o: f"It is {o.status}."},
            ),
        ],
    )
    for status, action, said in (
        ("open", "open", "Not now."),
        ("closed", "close", "Already closed."),
        ("draft", "close", "It is draft."),
    ):
        with pytest.raises(Conflict) as e:
            flow.check(Obj(status), action)
        assert str(e.value.message) == said and e.value.status == 409
        assert e.value.extra["allowed"] == flow.allowed(Obj(status))


def test_an_action_declared_twice_is_a_programming_error():
    with pytest.raises(ValueError):
        Workflow("x", [Transition("a", {"s"}, "t", "x.a"), Transition("a", {"t"}, "s", "x.a")])


def test_unknown_action_is_a_lookup_error():
    with pytest.raises(LookupError):
        FLOW.check(Obj("draft"), "explode")


def test_domain_error_body_and_statuses():
    e = DomainError("No.", code="nope", extra={"x": 1})
    assert (e.status, e.status_code, e.body()) == (
        400,
        400,
        {"detail": "No.", "code": "nope", "x": 1},
    )
    assert Conflict("c").status == 409 and Stale("s").code == "stale"
    assert DomainError("x", status=403).status == 403


def test_register_permissions_refuses_a_second_different_declaration():
    register_permissions({"kerneltest.do": {"secretary"}})
    register_permissions({"kerneltest.do": {"secretary"}})  # same: fine
    with pytest.raises(ValueError):
        register_permissions({"kerneltest.do": {"resident"}})
    del PERMISSIONS["kerneltest.do"]


class NameForm(forms.Form):
    name = forms.CharField()


def _request(method="post", data=None):
    rf = RequestFactory()
    request = getattr(rf, method)("/x/", data or {})
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_form_page_puts_a_domain_error_on_its_field_with_its_status(settings):
    def run(data):
        raise Conflict("Taken.", field="name")

    request = _request(data={"name": "a"})
    form = NameForm(request.POST)
    # Rendering needs a template: use a tiny one through the locmem loader.
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {"t.html": "{{ form.errors }}"})
                ]
            },
        }
    ]
    resp = form_page(request, form, run, template="t.html", to="/done/")
    assert resp.status_code == 409
    assert form.errors["name"] == ["Taken."]


def test_form_page_redirects_with_the_result_on_success():
    request = _request(data={"name": "a"})
    resp = form_page(
        request,
        NameForm(request.POST),
        lambda d: d["name"],
        template="t.html",
        to=lambda r: f"/{r}/",
        done="Saved.",
    )
    assert (resp.status_code, resp["Location"]) == (302, "/a/")


def test_run_action_turns_a_refusal_into_a_message_and_keeps_the_status():
    request = _request()

    def boom():
        raise DomainError("Not now.", status=409)

    resp = run_action(request, boom, to="/back/")
    assert resp.status_code == 302 and resp["X-Linli-Status"] == "409"
    assert [str(m) for m in request._messages] == ["Not now."]


def test_form_action_renders_the_page_again_for_bad_input_and_for_a_refusal():
    from django.http import HttpResponse

    def page(message, status):
        return HttpResponse(message, status=status)

    def refuse(data):
        raise Conflict("Not now.")

    request = _request(data={})
    resp = form_action(request, NameForm(request.POST), refuse, page=page, to="/x/")
    assert resp.status_code == 400 and resp.content
    request = _request(data={"name": "a"})
    resp = form_action(request, NameForm(request.POST), refuse, page=page, to="/x/")
    assert (resp.status_code, resp.content) == (409, b"Not now.")
    request = _request(data={"name": "a"})
    resp = form_action(
        request, NameForm(request.POST), lambda d: d["name"], page=page, to=lambda r: f"/{r}/"
    )
    assert (resp.status_code, resp["Location"]) == (302, "/a/")


def test_run_page_returns_the_page_or_the_refusal_page():
    from django.http import HttpResponse

    request = _request()
    ok = run_page(request, lambda: HttpResponse("confirm"), on_error=lambda e: HttpResponse("x"))
    assert ok.content == b"confirm"

    def refuse():
        raise DomainError("Not on the list.", status=403)

    resp = run_page(
        request, refuse, on_error=lambda e: HttpResponse(str(e.message), status=e.status)
    )
    assert (resp.status_code, resp.content) == (403, b"Not on the list.")
