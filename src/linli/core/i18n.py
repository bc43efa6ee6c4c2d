"""Messages that can be rendered again in any language.

A notification is read later, perhaps in another language than the one it was written in (a
resident switches the interface to English; a catalogue that was not compiled yet when the
demo was loaded). So besides the text rendered for the recipient, the outbox keeps the message
ids and parameters in JSON (``message_spec``) and renders them in the reader's language when
shown or sent (``render_spec``). A lazy translation (``gettext_lazy``, ``pgettext_lazy``) is
kept as its message id; plain values are kept as they are; anything else that cannot be
rendered again makes the spec ``None`` and the stored text is used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext

_FUNCS: dict[str, Callable[..., str]] = {"gettext": gettext, "pgettext": pgettext}
_MARK = "_i18n"


class _NotRenderable(Exception):
    pass


def _value_spec(value: Any) -> Any:
    if isinstance(value, Promise):
        reduced: tuple[Any, ...] = value.__reduce__()[1]
        func, args, kw = reduced[0], reduced[1], reduced[2]
        name = getattr(func, "__name__", "")
        if name in _FUNCS and not kw and all(isinstance(a, str) for a in args):
            return {_MARK: name, "args": list(args)}
        raise _NotRenderable
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def message_spec(title: Any, body: Any, params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The JSON form of a message, or ``None`` when a part cannot be rendered again."""
    try:
        return {
            "title": _value_spec(title),
            "body": _value_spec(body),
            "params": None
            if params is None
            else {str(k): _value_spec(v) for k, v in params.items()},
        }
    except _NotRenderable:
        return None


def _resolve(spec: Any) -> Any:
    if isinstance(spec, dict) and _MARK in spec:
        return _FUNCS[spec[_MARK]](*spec["args"])
    return spec


def render_spec(spec: Mapping[str, Any], language: str | None = None) -> tuple[str, str]:
    """(title, body) of a message spec in ``language`` (default: the active language)."""
    with translation.override(language or translation.get_language()):
        title, body = str(_resolve(spec["title"])), str(_resolve(spec["body"]))
        params = spec.get("params")
        if params is None:
            return title, body
        values = {k: _resolve(v) for k, v in params.items()}
        return title % values, body % values
