from django.urls import path

from . import corrections, views, views_io
from .importing import views as import_views

app_name = "registry"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("c/<slug:code>/", views.community, name="community"),
    path("c/<slug:code>/buildings/new/", views.building_create, name="building_create"),
    path("c/<slug:code>/grids/new/", views.grid_create, name="grid_create"),
    path("c/<slug:code>/tags/", views.tags, name="tags"),
    path("c/<slug:code>/tags/<slug:tag>/residents/", views.tag_list, name="tag_list"),
    path("buildings/<int:pk>/", views.building, name="building"),
    path("buildings/<int:pk>/households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/residents/new/", views.resident_create, name="resident_create"),
    path("residents/<int:pk>/", views.resident, name="resident"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/move-out/", views.resident_move_out, name="resident_move_out"),
    path("residents/<int:pk>/reveal/<str:field>/", views.resident_reveal, name="resident_reveal"),
    # Excel import (importing/views.py) and export (views_io.py)
    path("import-template.xlsx", views_io.import_template, name="import_template"),
    path("c/<slug:code>/import/", import_views.import_upload, name="import"),
    path("c/<slug:code>/import/<int:pk>/", import_views.import_preview, name="import_preview"),
    path(
        "c/<slug:code>/import/<int:pk>/mapping/",
        import_views.import_mapping,
        name="import_mapping",
    ),
    path(
        "c/<slug:code>/import/<int:pk>/progress/",
        import_views.import_progress,
        name="import_progress",
    ),
    path(
        "c/<slug:code>/import/<int:pk>/errors.xlsx",
        import_views.import_errors,
        name="import_errors",
    ),
    path("c/<slug:code>/export.xlsx", views_io.export, name="export"),
    # Contact-detail corrections asked by residents, applied by the office (corrections.py)
    path("my-contact/", corrections.contact_correction_mine, name="contact_correction_mine"),
    path("c/<slug:code>/corrections/", corrections.contact_corrections, name="contact_corrections"),
    path(
        "corrections/<int:pk>/apply/",
        corrections.contact_correction_apply_view,
        name="contact_correction_apply",
    ),
    path(
        "corrections/<int:pk>/reject/",
        corrections.contact_correction_reject_view,
        name="contact_correction_reject",
    ),
]
