"""Log-in and log-out, a person's own view of who accessed their data, and the community
secretary's role management. Thin: parse a form, call one service or query, render."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage

from linli.core import policy
from linli.core.pages import form_page, run_action
from linli.core.security import client_ip
from linli.registry.models import Community

from . import queries, services
from .forms import GrantForm, LoginForm, UserCreateForm
from .models import User


def _address_failures(request: HttpRequest, *, count: bool) -> bool:
    """Failed log-ins from this client address in the current cool-off window; True when they
    have reached ``LINLI_LOGIN_IP_FAILURE_LIMIT``. (django-axes locks the account; this limit,
    kept apart and higher, stops one address guessing across many accounts.)"""
    limit = settings.LINLI_LOGIN_IP_FAILURE_LIMIT
    if limit <= 0:
        return False
    minutes = max(1, round(settings.AXES_COOLOFF_TIME * 60))
    usage = get_usage(
        request,
        group="linli.login_address",
        key=lambda group, req: client_ip(req),
        rate=f"{limit}/{minutes}m",
        increment=count,
    )
    return usage is not None and usage["count"] >= limit


class LoginView(auth_views.LoginView):
    # Django's LoginView authenticates through the form with the request, which axes needs.
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if _address_failures(request, count=False):
            return render(
                request,
                "accounts/locked_out.html",
                {
                    "per_address": True,
                    "cooloff_timedelta": timedelta(hours=settings.AXES_COOLOFF_TIME),
                },
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        _address_failures(self.request, count=True)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    page = queries.my_data_reads(request.user, page=request.GET.get("page") or 1)
    return render(
        request,
        "accounts/my_data.html",
        {"resident": request.user.resident if page is not None else None, "page": page},
    )


# --- role management ------------------------------------------------------------------------


def _community(request: HttpRequest, code: str) -> Community:
    """The community in the URL, if the actor may manage its roles (404 / 403 otherwise)."""
    return policy.get_for(
        request.user, Community.objects.select_related("street_office"), "roles.manage", code=code
    )


@login_required
def roles(request: HttpRequest, code: str) -> HttpResponse:
    community = _community(request, code)
    page = queries.membership_list_for(community, page=request.GET.get("page") or 1)
    return render(request, "accounts/roles.html", {"community": community, "page": page})


def _roles_page(community: Community) -> str:
    return reverse("accounts:roles", kwargs={"code": community.code})


@login_required
def role_grant(request: HttpRequest, code: str) -> HttpResponse:
    community = _community(request, code)
    form = GrantForm(
        request.POST or None,
        community=community,
        actor=request.user,
        initial={"user": request.GET.get("user", "")[:150]},
    )

    return form_page(
        request,
        form,
        lambda cd: services.membership_grant(
            actor=request.user, user=cd["user"], role=cd["role"], place=cd["place"]
        ),
        template="accounts/role_grant.html",
        context={"community": community},
        done=lambda m: (
            _("%(user)s is now %(role)s at %(place)s.")
            % {"user": m.user, "role": m.get_role_display(), "place": form.cleaned_data["place"]}
        ),
        to=_roles_page(community),
    )


@login_required
@require_POST
def role_revoke(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    community = _community(request, code)
    membership = queries.membership_get(community, pk)
    return run_action(
        request,
        lambda: services.membership_revoke(actor=request.user, membership=membership),
        done=_("%(user)s is no longer %(role)s.")
        % {"user": membership.user, "role": membership.get_role_display()},
        to=_roles_page(community),
    )


@login_required
def user_create(request: HttpRequest, code: str) -> HttpResponse:
    community = _community(request, code)

    def create(cd: dict) -> User:
        return services.user_create(
            actor=request.user,
            community=community,
            username=cd["username"],
            phone=cd["phone"],
            display_name=cd["display_name"],
            password=cd["password"],
        )

    grant = reverse("accounts:role_grant", kwargs={"code": community.code})
    return form_page(
        request,
        UserCreateForm(request.POST or None),
        create,
        template="accounts/user_create.html",
        context={"community": community},
        done=lambda user: (
            _("Account %(username)s created. Now give the person a role.")
            % {"username": user.username}
        ),
        to=lambda user: f"{grant}?{urlencode({'user': user.username})}",
    )


@login_required
@require_POST
def user_password_reset(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The secretary gives a person a new temporary password, shown once on this page (not
    in a message, which would be stored in the session)."""
    community = _community(request, code)
    user = get_object_or_404(User, pk=pk)
    password = services.user_password_reset(actor=request.user, user=user, community=community)
    response = render(
        request,
        "accounts/password_reset_done.html",
        {"community": community, "person": user, "password": password},
    )
    response["Cache-Control"] = "no-store"
    return response
