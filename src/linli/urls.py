from django.contrib import admin
from django.urls import include, path

from linli.api.api import api

urlpatterns = [
    path("", include("linli.core.urls")),
    path("accounts/", include("linli.accounts.urls")),
    path("registry/", include("linli.registry.urls")),
    path("requests/", include("linli.tickets.urls")),
    path("deliberation/", include("linli.deliberation.urls")),
    path("mediation/", include("linli.mediation.urls")),
    path("care/", include("linli.care.urls")),
    path("volunteers/", include("linli.volunteers.urls")),
    path("open311/v2/", include("linli.tickets.open311_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

# Uploaded files are never served from /media/: ticket photos go through a view that checks
# the policy, and registry imports are sealed and never served at all.

# Error pages inside the shell, in the person's language (core/views_errors.py).
handler400 = "linli.core.views_errors.bad_request"
handler403 = "linli.core.views_errors.permission_denied"
handler404 = "linli.core.views_errors.page_not_found"
handler500 = "linli.core.views_errors.server_error"
