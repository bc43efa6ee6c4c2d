"""``{% url %}`` with the reversed address remembered (a template builtin: settings'
``TEMPLATES[…]["OPTIONS"]["builtins"]`` puts it in place of Django's tag in every template).

Reversing walks the URL resolver each time: the site's shell alone has eleven links, ~0.2 ms
of every page (docs/performance.md). The same view name, arguments (strings and numbers only),
current app, script prefix and URL configuration always reverse to the same address, so the
address is kept in a bounded cache per process; anything else is reversed as Django does."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

_SIMPLE = (str, int)


@lru_cache(maxsize=4096)
def _reverse(
    view_name: str,
    args: tuple[Any, ...],
    kwargs: tuple[tuple[str, Any], ...],
    current_app: str | None,
    prefix: str,
    urlconf: Any,
) -> str:
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


class FastURLNode(URLNode):
    def render(self, context: template.Context) -> str:
        if self.asvar:
            return super().render(context)
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((k, v.resolve(context)) for k, v in self.kwargs.items()))
        view_name = self.view_name.resolve(context)
        if not isinstance(view_name, str) or not all(
            type(v) in _SIMPLE for v in (*args, *(v for _k, v in kwargs))
        ):
            return super().render(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            match = getattr(request, "resolver_match", None)
            current_app = getattr(match, "namespace", None)
        address = _reverse(view_name, args, kwargs, current_app, get_script_prefix(), get_urlconf())
        return conditional_escape(address) if context.autoescape else address


@register.tag
def url(parser: template.base.Parser, token: template.base.Token) -> URLNode:
    node = django_url(parser, token)
    node.__class__ = FastURLNode
    return node
