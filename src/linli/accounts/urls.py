from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("my-data/", views.my_data, name="my_data"),
    path("c/<slug:code>/roles/", views.roles, name="roles"),
    path("c/<slug:code>/roles/grant/", views.role_grant, name="role_grant"),
    path("c/<slug:code>/roles/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("c/<slug:code>/users/new/", views.user_create, name="user_create"),
    path(
        "c/<slug:code>/users/<int:pk>/new-password/",
        views.user_password_reset,
        name="user_password_reset",
    ),
]
