from django.urls import path

from . import views, views_notifications

urlpatterns = [
    path("", views.home, name="home"),
    path("elder-mode/", views.elder_mode, name="elder_mode"),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/", views_notifications.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        views_notifications.notification_read,
        name="notifications_read",
    ),
    path(
        "notifications/<int:pk>/read-group/",
        views_notifications.notification_read_group,
        name="notifications_read_group",
    ),
    path(
        "notifications/read-all/",
        views_notifications.notification_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/preferences/",
        views_notifications.notification_preferences,
        name="notifications_preferences",
    ),
]
