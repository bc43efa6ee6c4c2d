"""Deliberation URLs: each part of the module has its own URL file, all under one namespace."""

from django.urls import include, path

from . import urls_forums, urls_meetings, urls_surveys, urls_topics, urls_votes

app_name = "deliberation"
urlpatterns = [
    path("", include(urls_topics)),
    path("meetings/", include(urls_meetings)),
    path("surveys/", include(urls_surveys)),
    path("forums/", include(urls_forums)),
    path("votes/", include(urls_votes)),
]
