"""Open311 GeoReport v2 routes, mounted at ``/open311/v2/``: each in ``.json`` and ``.xml``."""

from django.urls import path, re_path

from . import open311

FMT = r"\.(?P<fmt>json|xml)$"

app_name = "open311"
urlpatterns = [
    path("", open311.discovery, {"fmt": "json"}, name="root"),
    re_path(r"^discovery" + FMT, open311.discovery, name="discovery"),
    re_path(r"^services" + FMT, open311.services_list, name="services"),
    re_path(
        r"^services/(?P<service_code>[^/]+?)" + FMT, open311.service_definition, name="service"
    ),
    re_path(r"^requests" + FMT, open311.requests, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[0-9]{1,18})" + FMT,
        open311.request_detail,
        name="request",
    ),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, open311.token, name="token"),
]
