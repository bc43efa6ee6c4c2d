"""Excel export and the import template: thin — authorise, call ``registry.exporting`` or
``registry.importing.template``, respond.
The import pages are ``registry.importing.views``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from linli.core import policy

from .exporting import registry_export
from .importing.template import import_template as template_bytes
from .models import Community
from .spreadsheet import XLSX_CONTENT_TYPE


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    policy.require_any(request.user, "registry.import")
    response = HttpResponse(template_bytes(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="linli-import-template.xlsx"'
    return response


@login_required
@require_GET
def export(request: HttpRequest, code: str) -> FileResponse:
    community = policy.get_for(request.user, Community, "registry.export", code=code)
    f, name = registry_export(actor=request.user, community=community)
    return FileResponse(f, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)
