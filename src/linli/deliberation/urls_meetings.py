"""Council meeting pages, under ``/deliberation/meetings/``."""

from django.urls import path

from . import printing
from . import views_meetings as v

urlpatterns = [
    path("", v.meeting_list, name="meeting_list"),
    path("new/", v.meeting_new, name="meeting_new"),
    path("checkin/<str:token>/", v.meeting_checkin, name="meeting_checkin"),
    path("<int:pk>/", v.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", v.meeting_edit, name="meeting_edit"),
    path("<int:pk>/agenda/", v.meeting_agenda, name="meeting_agenda"),
    path("<int:pk>/invite/", v.meeting_invite, name="meeting_invite"),
    path("<int:pk>/invitations/<int:inv>/withdraw/", v.meeting_uninvite, name="meeting_uninvite"),
    path(
        "<int:pk>/invitations/<int:inv>/attendance/",
        v.meeting_attendance,
        name="meeting_attendance",
    ),
    path("<int:pk>/notice/", v.meeting_notice, name="meeting_notice"),
    path("<int:pk>/held/", v.meeting_held, name="meeting_held"),
    path("<int:pk>/resolutions/", v.meeting_resolution, name="meeting_resolution"),
    path(
        "<int:pk>/resolutions/<int:rid>/delete/",
        v.meeting_resolution_delete,
        name="meeting_resolution_delete",
    ),
    path(
        "<int:pk>/resolutions/<int:rid>/follow-up/", v.meeting_follow_up, name="meeting_follow_up"
    ),
    path("<int:pk>/minutes/", v.meeting_minutes, name="meeting_minutes"),
    path("<int:pk>/close/", v.meeting_close, name="meeting_close"),
    path("<int:pk>/cancel/", v.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/qr/", v.meeting_qr, name="meeting_qr"),
    path("<int:pk>/print/sign-in.pdf", printing.meeting_signin_pdf, name="meeting_signin_pdf"),
    path("<int:pk>/print/agenda/", v.meeting_print_agenda, name="meeting_print_agenda"),
    path("<int:pk>/print/minutes/", v.meeting_print_minutes, name="meeting_print_minutes"),
    path("<int:pk>/print/agenda.pdf", v.meeting_print_agenda_pdf, name="meeting_print_agenda_pdf"),
    path(
        "<int:pk>/print/minutes.pdf", v.meeting_print_minutes_pdf, name="meeting_print_minutes_pdf"
    ),
]
