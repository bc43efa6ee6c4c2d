"""Deliberation URLs, all under one namespace: each part of the module has its own list
(views in ``deliberation/views/<part>.py``)."""

from django.urls import include, path

from . import printing
from .views import (
    forums,
    meeting_attendance,
    meeting_minutes,
    meetings,
    surveys,
    topics,
    vote_ballots,
    vote_results,
    votes,
)

# The deliberation landing page, topics and their follow-up work.
topics_urls = [
    path("", topics.index, name="index"),
    path("topics/", topics.topic_list, name="topic_list"),
    path("topics/new/", topics.topic_new, name="topic_new"),
    path("topics/<int:pk>/", topics.topic_detail, name="topic_detail"),
    path("topics/<int:pk>/decide/", topics.topic_decide, name="topic_decide"),
    path("topics/<int:pk>/actions/", topics.action_new, name="action_new"),
    path("actions/<int:pk>/done/", topics.action_done, name="action_done"),
]

# Council meeting pages, under ``/deliberation/meetings/``.
meetings_urls = [
    path("", meetings.meeting_list, name="meeting_list"),
    path("new/", meetings.meeting_new, name="meeting_new"),
    path("checkin/<str:token>/", meeting_attendance.meeting_checkin, name="meeting_checkin"),
    path("<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("<int:pk>/agenda/", meetings.meeting_agenda, name="meeting_agenda"),
    path("<int:pk>/invite/", meetings.meeting_invite, name="meeting_invite"),
    path(
        "<int:pk>/invitations/<int:inv>/withdraw/",
        meetings.meeting_uninvite,
        name="meeting_uninvite",
    ),
    path(
        "<int:pk>/invitations/<int:inv>/attendance/",
        meeting_attendance.meeting_attendance,
        name="meeting_attendance",
    ),
    path("<int:pk>/notice/", meetings.meeting_notice, name="meeting_notice"),
    path("<int:pk>/held/", meeting_attendance.meeting_held, name="meeting_held"),
    path("<int:pk>/resolutions/", meeting_minutes.meeting_resolution, name="meeting_resolution"),
    path(
        "<int:pk>/resolutions/<int:rid>/delete/",
        meeting_minutes.meeting_resolution_delete,
        name="meeting_resolution_delete",
    ),
    path(
        "<int:pk>/resolutions/<int:rid>/follow-up/",
        meeting_minutes.meeting_follow_up,
        name="meeting_follow_up",
    ),
    path("<int:pk>/minutes/", meeting_minutes.meeting_minutes, name="meeting_minutes"),
    path("<int:pk>/close/", meeting_minutes.meeting_close, name="meeting_close"),
    path("<int:pk>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/qr/", meeting_attendance.meeting_qr, name="meeting_qr"),
    path("<int:pk>/print/sign-in.pdf", printing.meeting_signin_pdf, name="meeting_signin_pdf"),
    path(
        "<int:pk>/print/agenda/", meeting_minutes.meeting_print_agenda, name="meeting_print_agenda"
    ),
    path(
        "<int:pk>/print/minutes/",
        meeting_minutes.meeting_print_minutes,
        name="meeting_print_minutes",
    ),
    path(
        "<int:pk>/print/agenda.pdf",
        meeting_minutes.meeting_print_agenda_pdf,
        name="meeting_print_agenda_pdf",
    ),
    path(
        "<int:pk>/print/minutes.pdf",
        meeting_minutes.meeting_print_minutes_pdf,
        name="meeting_print_minutes_pdf",
    ),
]

# Door-to-door surveys (当面议), under /deliberation/surveys/.
surveys_urls = [
    path("", surveys.survey_list, name="survey_list"),
    path("new/", surveys.survey_create, name="survey_create"),
    path("<int:pk>/", surveys.survey_detail, name="survey_detail"),
    path("<int:pk>/edit/", surveys.survey_edit, name="survey_edit"),
    path("<int:pk>/questions/add/", surveys.question_add, name="survey_question_add"),
    path("<int:pk>/questions/<int:qid>/edit/", surveys.question_edit, name="survey_question_edit"),
    path("<int:pk>/questions/<int:qid>/move/", surveys.question_move, name="survey_question_move"),
    path(
        "<int:pk>/questions/<int:qid>/remove/",
        surveys.question_remove,
        name="survey_question_remove",
    ),
    path("<int:pk>/open/", surveys.survey_open, name="survey_open"),
    path("<int:pk>/close/", surveys.survey_close, name="survey_close"),
    path("<int:pk>/assignments/", surveys.survey_assignments, name="survey_assignments"),
    path(
        "<int:pk>/assignments/<int:household_id>/remove/",
        surveys.survey_unassign,
        name="survey_unassign",
    ),
    path("<int:pk>/visits/", surveys.survey_entry, name="survey_entry"),
    path("<int:pk>/visits/<int:household_id>/", surveys.survey_door, name="survey_door"),
    path("<int:pk>/results/", surveys.survey_results, name="survey_results"),
    path("<int:pk>/results/<int:qid>/", surveys.survey_text_answers, name="survey_text_answers"),
    path("<int:pk>/households/", surveys.survey_households, name="survey_households"),
    path("<int:pk>/answers.csv", surveys.survey_export, name="survey_export"),
    path("<int:pk>/notice/", surveys.survey_notice, name="survey_notice"),
]

# Building forum pages, under ``/deliberation/forums/``.
forums_urls = [
    path("", forums.forum_list, name="forum_list"),
    path("new/", forums.forum_new, name="forum_new"),
    path("<int:pk>/", forums.forum_detail, name="forum_detail"),
    path("<int:pk>/edit/", forums.forum_edit, name="forum_edit"),
    path("<int:pk>/opinions/", forums.opinion_new, name="opinion_new"),
    path("<int:pk>/opinions/<int:oid>/delete/", forums.opinion_delete, name="opinion_delete"),
    path("<int:pk>/follow-up/", forums.forum_follow_up, name="forum_follow_up"),
]

# Vote pages, under ``/deliberation/votes/`` in the ``deliberation`` namespace.
votes_urls = [
    path("", votes.vote_list, name="vote_list"),
    path("new/", votes.vote_create, name="vote_create"),
    path("notice/<slug:code>/", votes.notice_rules_edit, name="notice_rules"),
    path("<int:pk>/", votes.vote_detail, name="vote_detail"),
    path("<int:pk>/edit/", votes.vote_edit, name="vote_edit"),
    path("<int:pk>/step/<slug:step>/", votes.vote_step, name="vote_step"),
    path("<int:pk>/cast/", vote_ballots.vote_cast, name="vote_cast"),
    path("<int:pk>/enter-ballot/", vote_ballots.vote_enter_ballot, name="vote_enter_ballot"),
    path("<int:pk>/counts/", vote_ballots.vote_counts, name="vote_counts"),
    path("<int:pk>/follow-up/", vote_results.vote_followup, name="vote_followup"),
    path("<int:pk>/ballots/", vote_ballots.vote_ballots, name="vote_ballots"),
    path("<int:pk>/not-yet-voted/", vote_ballots.vote_not_yet_voted, name="vote_not_yet_voted"),
    path(
        "<int:pk>/export/tally-input.json", vote_results.vote_export_json, name="vote_export_json"
    ),
    path("<int:pk>/export/ballots.csv", vote_results.vote_export_csv, name="vote_export_csv"),
    path("<int:pk>/print/", vote_results.vote_print, name="vote_print"),
    path("<int:pk>/print/notice.pdf", vote_results.vote_print_pdf, name="vote_print_pdf"),
    path("<int:pk>/print/ballots.pdf", vote_results.vote_ballots_pdf, name="vote_ballots_pdf"),
    path("<int:pk>/print/proxy-forms.pdf", printing.vote_proxy_pdf, name="vote_proxy_pdf"),
]

app_name = "deliberation"
urlpatterns = [
    path("", include(topics_urls)),
    path("meetings/", include(meetings_urls)),
    path("surveys/", include(surveys_urls)),
    path("forums/", include(forums_urls)),
    path("votes/", include(votes_urls)),
]
