"""The Content-Security-Policy header: Django 5.2 has none built in.

Every page is served with a strict policy: scripts, styles and images only from this origin
(no inline script or ``style=`` attribute anywhere in the templates), no plugins, no framing.
htmx is a static file and is configured by ``<meta name="htmx-config">`` with inline indicator
styles and eval switched off, so it works under this policy.

Also here: the client's address behind trusted proxies, and the SQLite file's permissions."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class ContentSecurityPolicyMiddleware:
    """Adds ``Content-Security-Policy`` to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


# --- the client's address -------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The address of the person at the other end, for log-in throttling and rate limits.

    ``REMOTE_ADDR`` is the connecting host. Only when that host is one of the configured reverse
    proxies (``LINLI_TRUSTED_PROXIES``) is ``X-Forwarded-For`` read, from the right: each proxy
    appends the address it received from, so the first address from the right that is not a
    trusted proxy is the client's. Anything further left was written by the client and is not
    believed. Without trusted proxies the header is ignored (a client could otherwise pick a
    fresh address for each guess)."""
    remote: str = (request.META.get("REMOTE_ADDR") or "").strip()
    trusted = getattr(settings, "TRUSTED_PROXY_NETWORKS", ())
    if not trusted or not _in(remote, trusted):
        return remote
    forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a malformed chain: trust only what we saw
        if not _in(hop, trusted):
            return hop
    return hops[0] if hops else remote


def _in(address: str, networks: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks if net.version == ip.version)


# --- local files ----------------------------------------------------------------------------


def private_sqlite_files(
    sender: type[BaseDatabaseWrapper], connection: BaseDatabaseWrapper, **kwargs: Any
) -> None:
    """``connection_created``: the SQLite file and its -wal and -shm files are readable by the
    server's user only (0600), whatever the umask was when SQLite created them."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for path in (name, f"{name}-wal", f"{name}-shm"):
        try:
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
        except FileNotFoundError:
            continue
