"""The deliberation landing page, topics and their follow-up work."""

from django.urls import path

from . import views_topics as v

urlpatterns = [
    path("", v.index, name="index"),
    path("topics/", v.topic_list, name="topic_list"),
    path("topics/new/", v.topic_new, name="topic_new"),
    path("topics/<int:pk>/", v.topic_detail, name="topic_detail"),
    path("topics/<int:pk>/decide/", v.topic_decide, name="topic_decide"),
    path("topics/<int:pk>/actions/", v.action_new, name="action_new"),
    path("actions/<int:pk>/done/", v.action_done, name="action_done"),
]
