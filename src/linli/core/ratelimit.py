"""Rate limits: how often one person (or, signed out, one address) may do a costly thing.

Counted by django-ratelimit on the Django cache (Redis when ``REDIS_URL`` is set, shared by
every process; otherwise each process's memory, so with two workers a limit is at most
doubled). Rates come from ``settings.LINLI_RATE_LIMITS`` (``"20/h"``, ``"300/m"``, ``"10/5m"``),
each set by an environment variable; the client's address is ``core.security.client_ip``.

A refusal is a 429 with ``Retry-After`` and a translated message: a page in the shell for
pages, ``{"detail": …}`` for the JSON API, GeoReport's error list for Open311.

On Redis a count is one round trip (``_count_on_redis``): django-ratelimit's own count is
three (``SET NX``, then ``EXISTS`` and ``INCRBY`` through Django's ``incr``), and every API call
is counted once, a report twice (docs/performance.md, "Session 7: submit").
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import time
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar, cast
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit import ALL
from django_ratelimit.core import (
    EXPIRATION_FUDGE,
    _get_window,
    _make_cache_key,
    _split_rate,
    get_usage,
)

from .security import client_ip

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _key(group: str, request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def exceeded(request: HttpRequest, group: str) -> int | None:
    """Count this request against ``group``: None while within the limit, else the seconds
    until the window ends (for ``Retry-After``)."""
    rate: str | None = settings.LINLI_RATE_LIMITS.get(group)
    if not rate:
        return None
    cache = caches[settings.RATELIMIT_USE_CACHE]
    if isinstance(cache, RedisCache) and getattr(settings, "RATELIMIT_ENABLE", True):
        usage = _count_on_redis(cache, request, f"linli.{group}", rate)
    else:
        usage = get_usage(request, group=f"linli.{group}", key=_key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))


def _count_on_redis(
    cache: RedisCache, request: HttpRequest, group: str, rate: str
) -> dict[str, Any]:
    """``get_usage(request, group=group, key=_key, rate=rate, increment=True)`` — the same
    key (django-ratelimit's, through the cache's prefix and version), the same count and
    expiry — in one round trip: ``SET key 0 EX period NX`` and ``INCR key`` in one
    ``MULTI``/``EXEC``, so the count is never left without its expiry. A Redis that does not
    answer is an error, as with django-ratelimit on Django's Redis cache."""
    limit, period = _split_rate(rate)
    value = _key(group, request)
    window = _get_window(value, period)
    key = cache.make_and_validate_key(_make_cache_key(group, window, rate, value, ALL))
    client = cache._cache.get_client(key, write=True)
    with client.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, ex=period + EXPIRATION_FUDGE, nx=True)
        pipe.incr(key)
        _added, count = pipe.execute()
    return {
        "count": count,
        "limit": limit,
        "should_limit": count > limit,
        "time_left": window - int(time.time()),
    }


def too_many(
    request: HttpRequest, retry_after: int, group: str, fmt: str | None = None
) -> HttpResponse:
    minutes = max(1, (retry_after + 59) // 60)
    if group == "emergency":
        message = _(
            "Too many emergency reports in a short time. If someone is in danger now, call "
            "110 (police), 119 (fire) or 120 (ambulance), or phone the community office."
        )
    else:
        message = ngettext(
            "Too many requests in a short time. Please try again in %(n)s minute.",
            "Too many requests in a short time. Please try again in %(n)s minutes.",
            minutes,
        ) % {"n": minutes}
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=429)
    elif request.path.startswith("/open311/"):
        if fmt == "xml":
            root = ET.Element("errors")
            error = ET.SubElement(root, "error")
            ET.SubElement(error, "code").text = "429"
            ET.SubElement(error, "description").text = message
            body = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode")
            response = HttpResponse(body, status=429, content_type="text/xml; charset=utf-8")
        else:
            response = HttpResponse(
                json.dumps([{"code": 429, "description": message}], ensure_ascii=False),
                status=429,
                content_type="application/json; charset=utf-8",
            )
    else:
        response = render(
            request,
            "core/refused.html",
            {"title": _("Please wait a moment"), "message": message},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(
    group: str,
    *,
    methods: tuple[str, ...] = ("POST",),
    when: Callable[[HttpRequest, dict[str, Any]], bool] | None = None,
) -> Callable[
    [Callable[Concatenate[HttpRequest, _P], _R]],
    Callable[Concatenate[HttpRequest, _P], _R | HttpResponse],
]:
    """Decorate a view (page, ninja operation or Open311 view): each request with one of
    ``methods`` (and for which ``when(request, kwargs)`` holds, if given) counts against
    ``group``; past the limit the view is not run."""

    def decorate(
        view: Callable[Concatenate[HttpRequest, _P], _R],
    ) -> Callable[Concatenate[HttpRequest, _P], _R | HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: _P.args, **kwargs: _P.kwargs) -> _R | HttpResponse:
            if request.method in methods and (when is None or when(request, kwargs)):
                retry_after = exceeded(request, group)
                if retry_after is not None:
                    # Open311's URL argument: "json" or "xml" (a string from the URL, or absent).
                    fmt = cast("str | None", kwargs.get("fmt"))
                    return too_many(request, retry_after, group, fmt)
            return view(request, *args, **kwargs)

        # ninja reads the operation's signature and resolves string annotations in the
        # function's own module: give it the view's, resolved there.
        with contextlib.suppress(NameError, TypeError):
            # (``inspect`` reads ``__signature__``; the type of ``wraps``' result declares none.)
            wrapped.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
        return wrapped

    return decorate
