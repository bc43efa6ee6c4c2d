from django.urls import path

from . import printing, statistics_export, views, views_metrics

app_name = "tickets"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.submit, name="submit"),
    path("intake/", views.intake, name="intake"),
    path("queue/", views.queue, name="queue"),
    path("queue/bulk-assign/", views.bulk_assign, name="bulk_assign"),
    path("metrics/", views_metrics.metrics_page, name="metrics"),
    path("metrics/export.xlsx", statistics_export.metrics_export, name="metrics_export"),
    path("c/<slug:code>/categories/", views.categories, name="categories"),
    path("c/<slug:code>/categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("c/<slug:code>/teams/", views.team_save, name="team_create"),
    path("c/<slug:code>/teams/<int:pk>/", views.team_save, name="team_edit"),
    path("c/<slug:code>/teams/<int:pk>/members/", views.team_members, name="team_members"),
    path("c/<slug:code>/holidays/", views.holiday_add, name="holiday_add"),
    path("c/<slug:code>/request-settings/", views.request_settings, name="request_settings"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/public/", views.moderate, name="moderate"),
    path("<int:pk>/work-order.pdf", printing.work_order_pdf, name="work_order_pdf"),
]
