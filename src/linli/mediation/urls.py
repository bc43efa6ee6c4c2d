from django.urls import path

from . import views

app_name = "mediation"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("from-request/<int:ticket_pk>/", views.case_from_request, name="from_request"),
    path("stats/", views.statistics, name="stats"),
    path("stats/export/", views.statistics_export, name="stats_export"),
    path("register/export/", views.case_register_export, name="register_export"),
    path("committee/<slug:code>/", views.committee, name="committee"),
    path("committee/<slug:code>/settings/", views.committee_settings, name="committee_settings"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/content/", views.case_content, name="content"),
    path("<int:pk>/act/<slug:action>/", views.case_act, name="act"),
    path("<int:pk>/session/", views.session_new, name="session"),
    path("<int:pk>/agreement/", views.agreement_edit, name="agreement"),
    path("<int:pk>/agreement/<slug:step>/", views.agreement_step, name="agreement_step"),
    path("<int:pk>/signatures/", views.signatures, name="signatures"),
    path("<int:pk>/agreement.pdf", views.agreement_print, name="agreement_pdf"),
    # The case page's small forms, one view over ``views.CASE_STEPS``.
    path("<int:pk>/mediator/", views.case_step, {"step": "mediator_add"}, name="mediator_add"),
    path("<int:pk>/helper/", views.case_step, {"step": "helper_add"}, name="helper_add"),
    path("<int:pk>/visit/", views.case_step, {"step": "visit"}, name="visit"),
    path("<int:pk>/confirmed/", views.case_step, {"step": "confirmed"}, name="confirmed"),
]
