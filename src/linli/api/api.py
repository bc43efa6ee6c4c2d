"""The one NinjaAPI instance; each domain app contributes a Router.

Session authentication (with CSRF) for the web app's own users; OpenAPI at /api/docs.
"""

from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import SessionAuth

from linli.core.errors import DomainError

api = NinjaAPI(
    title="Linli API",
    version="1",
    description="Linli's JSON API. Every endpoint is scoped exactly like the web pages.",
    auth=SessionAuth(),
    urls_namespace="api",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(DataError)
def bad_data(request, exc):
    # e.g. a NUL character, which PostgreSQL text cannot hold: the input's fault, not a 500.
    return api.create_response(
        request, {"detail": _("The input contains characters that cannot be stored.")}, status=400
    )


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    # Every service refusal: its translated message, its code and status (409 with the allowed
    # actions for a workflow refusal).
    return api.create_response(request, exc.body(), status=exc.status)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": _("You may not do this here.")}, status=403)


from linli.registry.api import router as registry_router  # noqa: E402

api.add_router("/registry/", registry_router)
from linli.tickets.api import router as tickets_router  # noqa: E402

api.add_router("/tickets/", tickets_router)
from linli.care.api import router as care_router  # noqa: E402

api.add_router("/care/", care_router)
from linli.volunteers.api import router as volunteers_router  # noqa: E402

api.add_router("/volunteers/", volunteers_router)
