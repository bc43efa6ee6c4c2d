"""Vote pages, under ``/deliberation/votes/`` in the ``deliberation`` namespace."""

from django.urls import path

from . import printing
from . import views_votes as v

urlpatterns = [
    path("", v.vote_list, name="vote_list"),
    path("new/", v.vote_create, name="vote_create"),
    path("notice/<slug:code>/", v.notice_rules_edit, name="notice_rules"),
    path("<int:pk>/", v.vote_detail, name="vote_detail"),
    path("<int:pk>/edit/", v.vote_edit, name="vote_edit"),
    path("<int:pk>/step/<slug:step>/", v.vote_step, name="vote_step"),
    path("<int:pk>/cast/", v.vote_cast, name="vote_cast"),
    path("<int:pk>/enter-ballot/", v.vote_enter_ballot, name="vote_enter_ballot"),
    path("<int:pk>/counts/", v.vote_counts, name="vote_counts"),
    path("<int:pk>/follow-up/", v.vote_followup, name="vote_followup"),
    path("<int:pk>/ballots/", v.vote_ballots, name="vote_ballots"),
    path("<int:pk>/not-yet-voted/", v.vote_not_yet_voted, name="vote_not_yet_voted"),
    path("<int:pk>/export/tally-input.json", v.vote_export_json, name="vote_export_json"),
    path("<int:pk>/export/ballots.csv", v.vote_export_csv, name="vote_export_csv"),
    path("<int:pk>/print/", v.vote_print, name="vote_print"),
    path("<int:pk>/print/notice.pdf", v.vote_print_pdf, name="vote_print_pdf"),
    path("<int:pk>/print/ballots.pdf", v.vote_ballots_pdf, name="vote_ballots_pdf"),
    path("<int:pk>/print/proxy-forms.pdf", printing.vote_proxy_pdf, name="vote_proxy_pdf"),
]
