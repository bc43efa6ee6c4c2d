"""Linli's URLs plus the two baselines the scenarios are compared with.

``/bench/hello``: a bare view returning short text (the cost of Django + gunicorn alone).
``/bench/insert``: a bare view inserting one row in a transaction into ``bench_insert``, a
table made with raw SQL (no migration in app code), the floor for any write.
``/bench/page``: the site's empty page (navigation, footer) for a signed-in user: the floor
for any page of the app (session, user, roles, unread count, the shell template). Not a
target of issue 5; reported so each page's cost can be read against it.
"""

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

_ready = False


def ensure_table() -> None:
    global _ready
    if _ready:
        return
    pk = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY"
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS bench_insert (id {pk}, created_at TEXT NOT NULL, "  # noqa: S608
            "payload TEXT NOT NULL)"
        )
    _ready = True


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


@csrf_exempt
def insert(request):
    ensure_table()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO bench_insert (created_at, payload) VALUES (%s, %s)",
            [timezone.now().isoformat(), "x" * 64],
        )
    return HttpResponse("ok", content_type="text/plain")


@login_required
def page(request):
    return render(request, "base.html", {})


class BumpMiddleware:
    """Bench only: ``X-Bench-Bump: <community id>`` bumps that community's change counter
    before the request is handled, so the page cache misses (the ``*_miss`` scenarios)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cid = request.headers.get("X-Bench-Bump")
        if cid and cid.isdigit():
            from linli.core import versions

            versions.bump(int(cid))
        return self.get_response(request)


urlpatterns = [
    path("bench/hello", hello),
    path("bench/insert", insert),
    path("bench/page", page),
    path("", include("linli.urls")),
]
