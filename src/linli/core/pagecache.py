"""Version-keyed caching of the busiest pages (Russian-doll caching without the dolls).

A page listed in ``PAGES`` (the office's queue, a request's page, the registry's search and a
building's page) is kept, rendered, in the ``pages`` cache under a key made of:

- the page (URL name, path and query, the htmx headers, the cookies other than the session's
  and CSRF's: the queue's remembered filter is one),
- who asks: the user's id, ``roles_version`` (bumped on every change of their memberships),
  name, the language and elder mode,
- what it shows: the change counter of the communities in the person's scope
  (``core.versions``; bumped in the transaction of every write), and for a page of one object
  the counter of that object's community and the object's own ``version``.

A person is never served a page rendered for someone else (their id is in the key), nor a
page from before a committed write (the write changed the counter). What varies per request
is left out of the cached copy and filled in on the way out: the CSRF token (a placeholder
is rendered instead, see ``core.context_processors.shell``) and the unread count in the
header. Reads of personal data the page recorded (``core.access.record_reads``) are recorded
again on every hit, as the view would have. A page with pending messages, a response that
sets a cookie or is not a 200 is not stored. Entries also expire after
``LINLI_PAGE_CACHE_SECONDS`` (60 s): time-based flags ("overdue") may lag that long.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connections, router
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from . import access, prepared, versions
from .models import ChangeCounter
from .notifications import unread_count_for

CSRF_HOLE = "linliCsrfHole7f3a"
UNREAD_HOLE = "linliUnreadHole7f3a"
_KEY_ATTR = "_linli_page_key"
_SKIP_COOKIES = {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}

Versions = Callable[[HttpRequest, dict[str, Any]], tuple[Any, ...] | None]


def _scope(request: HttpRequest, kwargs: dict[str, Any]) -> tuple[Any, ...] | None:
    n, v = versions.scope_version(request.user)
    return ("scope", n, v) if n else None


def _object(app_model: str, with_version: bool) -> Versions:
    """The version of the page's object (by ``pk`` in the URL): its community's counter and,
    when the model has one, its ``version``; one query. Everything such a page shows belongs
    to the object's community (the asker's roles are in the key anyway)."""
    sql: dict[str, str] = {}

    def get(request: HttpRequest, kwargs: dict[str, Any]) -> tuple[Any, ...] | None:
        from django.apps import apps

        model = apps.get_model(app_model)
        alias = router.db_for_read(model)
        conn = connections[alias]
        if alias not in sql:
            q = conn.ops.quote_name
            t = q(model._meta.db_table)
            community = f"{t}.{q(model._meta.get_field('community').column)}"
            cols = [community, f"COALESCE(c.{q('n')}, 0)"]
            if with_version:
                cols.append(f"{t}.{q(model._meta.get_field('version').column)}")
            sql[alias] = (
                f"SELECT {', '.join(cols)} FROM {t} "  # noqa: S608
                f"LEFT JOIN {q(ChangeCounter._meta.db_table)} c ON c.{q('key')} = {community} "
                f"WHERE {t}.{q(model._meta.pk.column)} = %s"
            )
        with prepared.cursor(conn) as cur:
            cur.execute(sql[alias], [int(kwargs["pk"])])
            row = cur.fetchone()
        if row is None:
            return None  # the view answers 404; nothing to cache
        return ("object", *row)

    return get


PAGES: dict[str, Versions] = {
    "tickets:queue": _scope,
    "tickets:detail": _object("tickets.Ticket", with_version=True),
    "registry:search": _scope,
    "registry:building": _object("registry.Building", with_version=False),
}


def _pages_cache() -> Any:
    return caches["pages"]


def _key(request: HttpRequest, name: str, version: tuple[Any, ...]) -> str:
    user: Any = request.user
    cookies = sorted((k, v) for k, v in request.COOKIES.items() if k not in _SKIP_COOKIES)
    parts = (
        name,
        request.get_full_path(),
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-Target", ""),
        cookies,
        user.pk,
        getattr(user, "roles_version", None),
        user.get_full_name(),
        getattr(request, "LANGUAGE_CODE", ""),
        bool(getattr(request, "elder_mode", False)),
        version,
    )
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _has_messages(request: HttpRequest) -> bool:
    if "messages" in request.COOKIES:
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get("_messages"))


def rendering_for_cache(request: HttpRequest) -> bool:
    """True while the page being rendered will be stored (placeholders instead of holes)."""
    return getattr(request, _KEY_ATTR, None) is not None


def _fill(request: HttpRequest, body: bytes) -> bytes:
    if CSRF_HOLE.encode() in body:
        body = body.replace(CSRF_HOLE.encode(), get_token(request).encode())
    if UNREAD_HOLE.encode() in body:
        user: Any = request.user
        body = body.replace(UNREAD_HOLE.encode(), str(unread_count_for(user)).encode())
    return body


class PageCacheMiddleware:
    """Serves and stores the pages of ``PAGES`` (after authentication, locale, messages and
    elder mode, which the key reads)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key = getattr(request, _KEY_ATTR, None)
        if key is None:
            return response
        setattr(request, _KEY_ATTR, None)
        reads = access.stop_capture()
        if (
            response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not _has_messages(request)
        ):
            # Headers and cookies set by the view (the queue's remembered filter) are a
            # function of what the key holds; the session's and CSRF's are set outside this.
            _pages_cache().set(
                key,
                (response.content, list(response.items()), response.cookies, reads),
                settings.LINLI_PAGE_CACHE_SECONDS,
            )
        if not response.streaming:
            response.content = _fill(request, response.content)
        response["X-Linli-Page-Cache"] = "miss"
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        if not settings.LINLI_PAGE_CACHE or request.method not in ("GET", "HEAD"):
            return None
        match = request.resolver_match
        versions_of = PAGES.get(match.view_name) if match else None
        user = getattr(request, "user", None)
        if versions_of is None or user is None or not user.is_authenticated:
            return None
        if _has_messages(request):
            return None
        version = versions_of(request, kwargs)
        if version is None:
            return None
        key = _key(request, match.view_name, version)  # type: ignore[union-attr]
        hit = _pages_cache().get(key)
        if hit is not None:
            body, headers, cookies, reads = hit
            access.replay(user, reads)
            response = HttpResponse(_fill(request, body))
            for name, value in headers:
                response[name] = value
            response.cookies.update(cookies)
            response["X-Linli-Page-Cache"] = "hit"
            return response
        setattr(request, _KEY_ATTR, key)
        access.start_capture()
        return None
