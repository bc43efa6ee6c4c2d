"""The site's shell (``base.html``) rendered once and kept per server process.

``{% shell expr … %}…{% endshell %}`` keeps the header and navigation as rendered for one
person: the key is the person's id and ``roles_version`` plus the value of every expression
the tag names (the language, elder mode, the person's name, the navigation's conditions).
What varies per request is a placeholder in the kept copy, filled in on each use: the CSRF
token, the unread count and the current address (the switches' ``next``). So a header kept
for one person is never another's (their id is in the key), nor out of date: a change of name,
role, language or elder mode changes the key, and nothing else the fragment shows varies.
``tests/core/test_shell_cache.py`` checks that the fragment reads no variable the tag does not
name, so a navigation line added under a new condition cannot be served to the wrong person.

Rendering the shell was about half of the empty page's CPU (14 translations, 11 links, the
token three times; docs/performance.md, "Session 5"). A miss renders it as before.

Also here: ``{% static %}`` for a constant name, remembered per process (the storage answers
the same address for the same name until the next deployment restarts the process).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import StaticNode
from django.templatetags.static import do_static as django_static
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import conditional_escape

register = template.Library()

# Placeholders: letters and digits only, so escaping never changes them.
CSRF_HOLE = "linliShellCsrf5b1e"
UNREAD_HOLE = "linliShellUnread5b1e"
NEXT_HOLE = "linliShellNext5b1e"
# The variables the fragment may read without naming them: the holes above.
HOLES = {"csrf_token": CSRF_HOLE, "unread_notifications": UNREAD_HOLE, "shell_next": NEXT_HOLE}

MAX_ENTRIES = 4096
_kept: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_lock = threading.Lock()


def clear() -> None:
    """Forget every kept fragment (tests)."""
    with _lock:
        _kept.clear()


def _get(key: tuple[Any, ...]) -> str | None:
    with _lock:
        html = _kept.get(key)
        if html is not None:
            _kept.move_to_end(key)
        return html


def _put(key: tuple[Any, ...], html: str) -> None:
    with _lock:
        _kept[key] = html
        while len(_kept) > MAX_ENTRIES:
            _kept.popitem(last=False)


class ShellNode(template.Node):
    def __init__(
        self,
        nodelist: template.NodeList,
        vary_on: list[template.base.FilterExpression],
        where: tuple[str, int],
    ):
        self.nodelist = nodelist
        self.vary_on = vary_on
        self.where = where  # (template, line): which fragment, when a template has several

    def render(self, context: template.Context) -> str:
        request = getattr(context, "request", None)
        token = context.get("csrf_token")
        if request is None or token is None or str(token) == "NOTPROVIDED":
            # No request (a page rendered outside one): rendered as it stands, not kept.
            with context.push(shell_next=getattr(request, "get_full_path", lambda: "")()):
                return self.nodelist.render(context)
        user = context.get("user")
        key = (
            *self.where,
            getattr(user, "pk", None),
            getattr(user, "roles_version", None),
            get_script_prefix(),
            get_urlconf(),
            *(_hashable(v.resolve(context)) for v in self.vary_on),
        )
        html = _get(key)
        if html is None:
            with context.push(**HOLES):
                html = self.nodelist.render(context)
            _put(key, html)
        unread = context.get("unread_notifications", 0)
        if callable(unread):
            unread = unread()
        return (
            html.replace(CSRF_HOLE, conditional_escape(str(token)))
            .replace(UNREAD_HOLE, conditional_escape(str(unread)))
            # Last: an address that happened to hold a placeholder is left as it is.
            .replace(NEXT_HOLE, conditional_escape(request.get_full_path()))
        )


def _hashable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    return repr(value)


@register.tag("shell")
def do_shell(parser: template.base.Parser, token: template.base.Token) -> ShellNode:
    """``{% shell expr … %}…{% endshell %}``: see the module's docstring."""
    bits = token.split_contents()[1:]
    nodelist = parser.parse(("endshell",))
    parser.delete_first_token()
    where = (str(getattr(parser.origin, "name", "")), token.lineno or 0)
    return ShellNode(nodelist, [parser.compile_filter(b) for b in bits], where)


@lru_cache(maxsize=1024)
def _static_url(path: str) -> str:
    return StaticNode.handle_simple(path)


@receiver(setting_changed)
def _static_settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("STATIC_URL", "STORAGES", "STATIC_ROOT"):
        _static_url.cache_clear()


class ConstantStaticNode(StaticNode):
    def url(self, context: template.Context) -> str:
        return _static_url(self.path.resolve(context))


@register.tag("static")
def do_static(parser: template.base.Parser, token: template.base.Token) -> template.Node:
    """Django's ``{% static %}``; a constant name's address is remembered per process."""
    node = django_static(parser, token)
    if isinstance(node, StaticNode) and not getattr(node.path, "is_var", True):
        node.__class__ = ConstantStaticNode
    return node
