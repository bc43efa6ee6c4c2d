"""Import pages: upload, choose the mapping, the preview row by row, the error file, commit.
Thin: authorise, call the services of ``registry.importing``, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from linli.core import policy
from linli.core.pages import form_page

from ..models import Community, ImportStatus, RegistryImport
from . import commit, report
from .columns import (
    COLUMN,
    MAX_ROWS,
    TAG_PREFIX,
    XLSX_CONTENT_TYPE,
    ImportAlreadyDone,
    ImportHasErrors,
    ImportRejected,
)
from .mapping import FIELDS, Mapping, column_choices
from .values import tag_map

PREVIEW_PAGE = 100


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel or CSV file (.xlsx, .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv," + XLSX_CONTENT_TYPE}),
    )


def _get_import(request: HttpRequest, code: str, pk: int) -> RegistryImport:
    return policy.get_for(
        request.user,
        RegistryImport.objects.select_related("community", "uploaded_by"),
        "registry.import",
        pk=pk,
        community__code=code,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, code: str) -> HttpResponse:
    community = policy.get_for(request.user, Community, "registry.import", code=code)
    form = ImportForm(request.POST or None, request.FILES or None)

    def upload(d: dict) -> str:
        f = d["file"]
        imp = commit.import_upload(
            actor=request.user, community=community, upload=f, name=f.name, size=f.size
        )
        return reverse("registry:import_preview", kwargs={"code": community.code, "pk": imp.pk})

    # A refused file (ImportRejected) is shown on the file field, with its 400.
    return form_page(
        request,
        form,
        upload,
        template="registry/import_upload.html",
        context=lambda: {
            "community": community,
            "imports": commit.import_list_for(request.user, community),
            "max_rows": MAX_ROWS,
        },
        to=lambda url: url,
    )


# --- the mapping -----------------------------------------------------------------------------

NOTHING, FIXED, SHEET = "", "=", "sheet"


def _field_label(key: str, tags) -> str:
    if key.startswith(TAG_PREFIX):
        tag = tags.get(key.removeprefix(TAG_PREFIX))
        return _("Tag “%(name)s” (是/否)") % {"name": tag.name if tag else key}
    return str(COLUMN[key].label)


class MappingForm(forms.Form):
    """One row a field: its column, nothing, a fixed value (or the sheet's name)."""

    header_row = forms.IntegerField(
        label=gettext_lazy("Header row"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=gettext_lazy("Leave blank to let Linli find it on each sheet."),
    )
    valid_only = forms.BooleanField(
        label=gettext_lazy(
            "Import the rows without errors and keep the others for later (otherwise nothing "
            "is imported while any row has an error)"
        ),
        required=False,
    )

    def __init__(self, *args, imp: RegistryImport, book, tags, **kw):
        super().__init__(*args, **kw)
        options = imp.options or {}
        current = Mapping.from_json(options)
        names = [s.name for s in book]
        self.fields["sheets"] = forms.MultipleChoiceField(
            label=_("Sheets to read"),
            choices=[(n, n) for n in names],
            widget=forms.CheckboxSelectMultiple,
            required=True,
        )
        self.initial.setdefault("sheets", current.sheets)
        self.initial.setdefault("valid_only", bool(options.get("valid_only")))
        rows = {current.header_rows.get(n) for n in current.sheets}
        if len(rows) == 1:
            self.initial.setdefault("header_row", rows.pop())
        columns = column_choices(book, current) if current.sheets else []
        base = [(NOTHING, _("— nothing —"))] + [("h:" + n, label) for n, label in columns]
        base.append((FIXED, _("one value for every row:")))
        self.keys = [*FIELDS, *(TAG_PREFIX + code for code in sorted(tags))]
        for key in self.keys:
            choices = list(base)
            if key == "building" and len(names) > 1:
                choices.append((SHEET, _("the sheet's name (one sheet per building)")))
            src = current.fields.get(key) or {}
            initial = NOTHING
            if "header" in src:
                initial = "h:" + src["header"]
            elif "value" in src:
                initial = FIXED
            elif "sheet" in src:
                initial = SHEET
            label = _field_label(key, tags)
            self.fields["src_" + key] = forms.ChoiceField(
                label=label, choices=choices, required=False, initial=initial
            )
            self.fields["val_" + key] = forms.CharField(
                label=_("Value for “%(field)s”") % {"field": label},
                required=False,
                max_length=50,
                initial=src.get("value", ""),
            )

    def rows(self):
        for key in self.keys:
            yield key, self["src_" + key], self["val_" + key]

    def clean(self):
        data = super().clean()
        labels = dict(self.fields["src_name"].choices)
        fields: dict[str, dict[str, Any]] = {}
        for key in self.keys:
            src = data.get("src_" + key) or NOTHING
            if src.startswith("h:"):
                fields[key] = {"header": src[2:], "label": labels.get(src, src[2:])}
            elif src == FIXED:
                value = (data.get("val_" + key) or "").strip()
                if not value:
                    self.add_error("val_" + key, _("Write the value for every row."))
                fields[key] = {"value": value}
            elif src == SHEET:
                fields[key] = {"sheet": 1}
        data["mapping"] = fields
        return data


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    imp = _get_import(request, code, pk)
    if imp.status != ImportStatus.PREVIEWED:
        return redirect("registry:import_preview", code=code, pk=imp.pk)
    try:
        book = commit.sheets_of(imp)
    except ImportRejected as e:
        messages.error(request, e.message)
        return redirect("registry:import", code=code)
    tags = {t.code: t for t in tag_map(imp.community).values()}
    form = MappingForm(request.POST or None, imp=imp, book=book, tags=tags)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            commit.import_remap(
                actor=request.user,
                registry_import=imp,
                sheets=d["sheets"],
                header_row=d["header_row"],
                fields=d["mapping"],
                valid_only=d["valid_only"],
            )
        except ImportAlreadyDone as e:
            messages.warning(request, str(e.message))
        return redirect("registry:import_preview", code=code, pk=imp.pk)
    sample = []
    current = Mapping.from_json(imp.options or {})
    for s in book:
        hr = current.header_rows.get(s.name)
        rows = [(n, [_masked(v) for v in r]) for n, r in s.rows[: (hr or 5) + 3]]
        sample.append({"name": s.name, "header_row": hr, "rows": rows})
    ctx = {"community": imp.community, "imp": imp, "form": form, "sample": sample}
    return render(request, "registry/import_mapping.html", ctx, status=400 if form.errors else 200)


def _masked(v: Any) -> Any:
    # The first rows are shown to find the headers, not to read ID numbers or phones off them.
    s = "" if v is None else str(v)
    if sum(ch.isdigit() for ch in s) >= 7:
        return s[:3] + "*" * max(len(s) - 5, 1) + s[-2:]
    return s


# --- the preview and the commit --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    imp = _get_import(request, code, pk)
    if request.method == "POST":
        try:
            if request.POST.get("resume"):
                imp = commit.import_resume(actor=request.user, registry_import=imp)
            else:
                imp = commit.import_commit(actor=request.user, registry_import=imp)
        except ImportHasErrors as e:
            imp.refresh_from_db()
            messages.error(request, str(e.message))
        except ImportAlreadyDone as e:
            messages.warning(request, str(e.message))
        except ImportRejected as e:
            messages.error(request, e.message)
        else:
            if imp.status == ImportStatus.COMMITTED:
                messages.success(request, _("The file has been imported."))
            else:
                messages.info(request, _("The import has started; this page shows how far it is."))
        return redirect("registry:import_preview", code=code, pk=imp.pk)
    summary = imp.summary or {}
    show = request.GET.get("show", "all")
    if show not in report.FILTERS:
        show = "all"
    rows = report.preview_rows(summary, show)
    page = Paginator(rows, PREVIEW_PAGE).get_page(request.GET.get("page"))
    mapping = Mapping.from_json(summary.get("mapping") or imp.options or {})
    tags = {t.code: t for t in tag_map(imp.community).values()} if any(
        k.startswith(TAG_PREFIX) for k in mapping.fields) else {}  # fmt: skip
    error_count = summary.get("error_count", 0)
    valid_only = bool(summary.get("valid_only"))
    ctx = {
        "community": imp.community,
        "imp": imp,
        "counts": summary.get("counts", {}),
        "committed": summary.get("committed"),
        "errors": report.describe_errors(summary),
        "notes": report.describe_notes(summary),
        "error_count": error_count,
        "ignored_columns": summary.get("ignored_columns", []),
        "buildings_to_create": summary.get("buildings_to_create", []),
        "units_to_create": summary.get("units_to_create", []),
        "mapping_rows": [(_field_label(k, tags), src) for k, src in mapping.fields.items()],
        "sheets": mapping.sheets,
        "multi_sheet": summary.get("multi_sheet"),
        "page": page,
        "show": show,
        "filters": report.FILTERS,
        "valid_only": valid_only,
        "can_commit": imp.status == ImportStatus.PREVIEWED
        and bool(mapping.sheets)
        and (not error_count or (valid_only and not _file_level(summary))),
        "can_remap": imp.status == ImportStatus.PREVIEWED and bool(imp.file_path),
        **_progress(imp),
    }
    return render(request, "registry/import_preview.html", ctx)


def _progress(imp: RegistryImport) -> dict[str, Any]:
    p = imp.progress or {}
    total, done = int(p.get("total") or 0), int(p.get("done") or 0)
    return {
        "running": imp.status == ImportStatus.RUNNING,
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else 0,
        "can_resume": commit.resumable(imp),
    }


@login_required
@require_GET
def import_progress(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx while the import runs."""
    imp = _get_import(request, code, pk)
    ctx = {"community": imp.community, "imp": imp, **_progress(imp)}
    return render(request, "registry/_import_progress.html", ctx)


def _file_level(summary: dict) -> bool:
    return any(e.get("code") in ("missing_column", "no_header", "duplicate_column")
               for e in summary.get("errors", []))  # fmt: skip


@login_required
@require_GET
def import_errors(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    imp = _get_import(request, code, pk)
    try:
        data = report.error_file(imp, commit.sheets_of(imp))
    except ImportRejected as e:
        messages.error(request, e.message)
        return redirect("registry:import_preview", code=code, pk=imp.pk)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="import-{imp.pk}-errors.xlsx"'
    return response
