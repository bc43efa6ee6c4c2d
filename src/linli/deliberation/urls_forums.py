"""Building forum pages, under ``/deliberation/forums/``."""

from django.urls import path

from . import views_forums as v

urlpatterns = [
    path("", v.forum_list, name="forum_list"),
    path("new/", v.forum_new, name="forum_new"),
    path("<int:pk>/", v.forum_detail, name="forum_detail"),
    path("<int:pk>/edit/", v.forum_edit, name="forum_edit"),
    path("<int:pk>/opinions/", v.opinion_new, name="opinion_new"),
    path("<int:pk>/opinions/<int:oid>/delete/", v.opinion_delete, name="opinion_delete"),
    path("<int:pk>/follow-up/", v.forum_follow_up, name="forum_follow_up"),
]
