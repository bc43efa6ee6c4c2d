"""Excel import and export pages (being built)."""

from django.http import Http404


def import_template(request):
    raise Http404


def import_upload(request, code):
    raise Http404


def import_preview(request, code, pk):
    raise Http404


def export(request, code):
    raise Http404
