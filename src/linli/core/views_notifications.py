"""A person's own notifications: the inbox, marking read, and how they want to be told.
Thin: parse a form, call ``core.notifications``, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import inbox, notifications
from .actors import signed_in
from .models import NotificationPreference
from .views import _safe_next

if TYPE_CHECKING:
    from .actors import User

    # Django's form classes take no type parameter at run time (no django-stubs-ext there).
    _ModelForm = forms.ModelForm[NotificationPreference]
else:
    _ModelForm = forms.ModelForm


class PreferenceForm(_ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email", "sms", "digest", "language"]
        widgets = {"digest": forms.RadioSelect}

    # Django's form arguments (data, files, instance, …), passed on as they come.
    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A channel without an address cannot be chosen; say why instead of failing silently.
        if not user.email:
            self.fields["email"].disabled = True
            self.fields["email"].help_text = gettext_lazy(
                "Your account has no e-mail address. Ask your community office to add one."
            )
        if not user.phone:
            self.fields["sms"].disabled = True
            self.fields["sms"].help_text = gettext_lazy(
                "Your account has no phone number. Ask your community office to add one."
            )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = inbox.grouped_inbox_for(signed_in(request), page=request.GET.get("page") or 1)
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notifications.notification_mark_read(actor=signed_in(request), notification_id=pk)
    return redirect(_safe_next(request, reverse("notifications")))


@login_required
@require_POST
def notification_read_group(request: HttpRequest, pk: int) -> HttpResponse:
    inbox.group_mark_read(actor=signed_in(request), notification_id=pk)
    return redirect(_safe_next(request, reverse("notifications")))


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications.notification_mark_all_read(actor=signed_in(request))
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications")


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    pref = notifications.preference_for(user)
    form = PreferenceForm(request.POST or None, instance=pref, user=user)
    if request.method == "POST" and form.is_valid():
        notifications.preference_save(actor=user, **form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications_preferences")
    return render(request, "core/notifications_preferences.html", {"form": form})
