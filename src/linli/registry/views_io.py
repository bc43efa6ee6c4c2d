"""Excel import and export pages: thin — authorise, call ``registry.io``, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from linli.core import policy

from . import io
from .models import Community, ImportStatus, RegistryImport


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + io.XLSX_CONTENT_TYPE}),
    )


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    policy.require_any(request.user, "registry.import")
    response = HttpResponse(io.import_template(), content_type=io.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="linli-import-template.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, code: str) -> HttpResponse:
    community = policy.get_for(request.user, Community, "registry.import", code=code)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            imp = io.import_upload(
                actor=request.user, community=community, upload=f, name=f.name, size=f.size
            )
        except io.ImportRejected as e:
            form.add_error("file", e.message)
        else:
            return redirect("registry:import_preview", code=community.code, pk=imp.pk)
    ctx = {
        "community": community,
        "form": form,
        "imports": io.import_list_for(request.user, community),
        "max_rows": io.MAX_ROWS,
    }
    return render(request, "registry/import_upload.html", ctx, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    imp = policy.get_for(
        request.user,
        RegistryImport.objects.select_related("community", "uploaded_by"),
        "registry.import",
        pk=pk,
        community__code=code,
    )
    if request.method == "POST":
        try:
            imp = io.import_commit(actor=request.user, registry_import=imp)
        except io.ImportHasErrors:
            imp.refresh_from_db()
            messages.error(request, _("The file has errors now; nothing was saved."))
        except io.ImportAlreadyDone:
            messages.warning(request, _("This file has already been imported."))
        except io.ImportRejected as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("The file has been imported."))
        return redirect("registry:import_preview", code=code, pk=imp.pk)
    summary = imp.summary or {}
    ctx = {
        "community": imp.community,
        "imp": imp,
        "counts": summary.get("counts", {}),
        "committed": summary.get("committed"),
        "errors": io.describe_errors(summary),
        "error_count": summary.get("error_count", 0),
        "ignored_columns": summary.get("ignored_columns", []),
        "buildings_to_create": summary.get("buildings_to_create", []),
        "units_to_create": summary.get("units_to_create", []),
        "can_commit": imp.status == ImportStatus.PREVIEWED and not summary.get("error_count"),
    }
    return render(request, "registry/import_preview.html", ctx)


@login_required
@require_GET
def export(request: HttpRequest, code: str) -> FileResponse:
    community = policy.get_for(request.user, Community, "registry.export", code=code)
    f, name = io.registry_export(actor=request.user, community=community)
    return FileResponse(f, as_attachment=True, filename=name, content_type=io.XLSX_CONTENT_TYPE)
