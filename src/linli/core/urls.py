from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("elder-mode/", views.elder_mode, name="elder_mode"),
    path("healthz", views.healthz, name="healthz"),
]
