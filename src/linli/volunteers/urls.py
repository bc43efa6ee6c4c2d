from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("", views.home, name="home"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("shifts/<int:pk>/signup/", views.signup, name="signup"),
    path("shifts/<int:pk>/attendance/", views.shift_attendance, name="shift_attendance"),
    path("shifts/<int:pk>/checkin/<str:token>/", views.checkin, name="checkin"),
    path("signups/<int:pk>/cancel/", views.signup_cancel_view, name="signup_cancel"),
    path("hours/queue/", views.queue, name="queue"),
    path("hours/<int:pk>/verify/", views.entry_verify, name="entry_verify"),
    path("hours/<int:pk>/decline/", views.entry_decline, name="entry_decline"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/join/", views.team_join, name="team_join"),
    path("members/<int:pk>/approve/", views.member_approve_view, name="member_approve"),
    path("members/<int:pk>/decline/", views.member_decline_view, name="member_decline"),
    path("profiles/<int:pk>/edit/", views.profile_edit, name="profile_edit"),
    path("profiles/<int:pk>/certificate/", views.certificate_request, name="certificate_request"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/verify/<str:token>/", views.certificate_verify, name="certificate_verify"),
    path("seal/<slug:code>/", views.seal_upload, name="seal"),
    path("office/<slug:code>/", views.office, name="office"),
    path("settings/<slug:code>/", views.hours_settings, name="settings"),
    path("public/<slug:code>/", views.public_activities, name="public"),
    path("routes/<int:pk>/start/", views.patrol_start_view, name="patrol_start"),
    path("patrols/<int:pk>/", views.patrol_detail, name="patrol_detail"),
    path("patrols/<int:pk>/pass/", views.patrol_pass, name="patrol_pass"),
    path("patrols/<int:pk>/end/", views.patrol_end_view, name="patrol_end"),
    path("findings/<int:pk>/decide/", views.finding_decide, name="finding_decide"),
]
