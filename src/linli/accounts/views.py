"""Log-in and log-out, and a person's own view of who accessed their data."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from linli.registry.queries import access_log_for_resident

from .forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def my_data(request):
    resident = request.user.resident
    page = None
    if resident is not None:
        page = access_log_for_resident(resident, page=request.GET.get("page") or 1)
    return render(request, "accounts/my_data.html", {"resident": resident, "page": page})
