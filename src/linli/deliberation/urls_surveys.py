"""Door-to-door surveys (当面议), under /deliberation/surveys/."""

from django.urls import path

from . import views_surveys as v

urlpatterns = [
    path("", v.survey_list, name="survey_list"),
    path("new/", v.survey_create, name="survey_create"),
    path("<int:pk>/", v.survey_detail, name="survey_detail"),
    path("<int:pk>/edit/", v.survey_edit, name="survey_edit"),
    path("<int:pk>/questions/add/", v.question_add, name="survey_question_add"),
    path("<int:pk>/questions/<int:qid>/edit/", v.question_edit, name="survey_question_edit"),
    path("<int:pk>/questions/<int:qid>/move/", v.question_move, name="survey_question_move"),
    path("<int:pk>/questions/<int:qid>/remove/", v.question_remove, name="survey_question_remove"),
    path("<int:pk>/open/", v.survey_open, name="survey_open"),
    path("<int:pk>/close/", v.survey_close, name="survey_close"),
    path("<int:pk>/assignments/", v.survey_assignments, name="survey_assignments"),
    path(
        "<int:pk>/assignments/<int:household_id>/remove/", v.survey_unassign, name="survey_unassign"
    ),
    path("<int:pk>/visits/", v.survey_entry, name="survey_entry"),
    path("<int:pk>/visits/<int:household_id>/", v.survey_door, name="survey_door"),
    path("<int:pk>/results/", v.survey_results, name="survey_results"),
    path("<int:pk>/results/<int:qid>/", v.survey_text_answers, name="survey_text_answers"),
    path("<int:pk>/households/", v.survey_households, name="survey_households"),
    path("<int:pk>/answers.csv", v.survey_export, name="survey_export"),
    path("<int:pk>/notice/", v.survey_notice, name="survey_notice"),
]
