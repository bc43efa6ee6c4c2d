"""Care's forms: choices and checkboxes first, text optional (filled at the door, on a phone)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    HEALTH_CONCERNS,
    NEEDS,
    SAFETY_CONCERNS,
    ConsentMethod,
    ConsentSubject,
    ContactKind,
    EventKind,
    FollowUp,
    Frequency,
    HelpKind,
    Method,
    Outcome,
    ReferTo,
    Tier,
    VisitorKind,
)


def _date(label: Any, **options: Any) -> forms.DateField:
    """A date picked on the phone's own calendar."""
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **options
    )


def _checkboxes(label: Any, choices: dict[str, Any]) -> forms.MultipleChoiceField:
    """Ticked concerns (none ticked: all fine)."""
    return forms.MultipleChoiceField(
        label=label,
        choices=list(choices.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def _text(label: Any, *, rows: int, max_length: int = 1000) -> forms.CharField:
    """Optional free text, a few lines."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class VisitForm(forms.Form):
    visited_on = _date(_("Date of the visit"), help_text=_("A visit done on paper: its real date."))
    method = forms.ChoiceField(label=_("How"), choices=Method.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    health = _checkboxes(_("Health: anything of concern?"), HEALTH_CONCERNS)
    safety = _checkboxes(_("Home safety: anything of concern?"), SAFETY_CONCERNS)
    needs = _checkboxes(_("Needs"), NEEDS)
    finances_ok = forms.BooleanField(
        label=_("Finances and benefits in order"), required=False, initial=True
    )
    family_contact = forms.BooleanField(label=_("Family in touch"), required=False, initial=True)
    family_reminded = forms.BooleanField(
        label=_("Family reminded of their duty of support"), required=False
    )
    follow_up = forms.ChoiceField(
        label=_("Follow-up"), choices=FollowUp.choices, required=False, widget=forms.RadioSelect
    )
    category: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Kind of request"), queryset=None, required=False
    )
    refer_to = forms.ChoiceField(
        label=_("Refer to"), choices=[("", "—"), *ReferTo.choices], required=False
    )
    follow_up_text = _text(_("What needs doing"), rows=2)
    note = _text(_("Note (optional)"), rows=2)
    minutes = forms.IntegerField(
        label=_("Minutes spent"), required=False, min_value=1, max_value=600
    )

    def __init__(self, *args: Any, community_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from linli.tickets.models import Category

        self.fields["category"].queryset = Category.objects.filter(  # type: ignore[attr-defined]
            community_id=community_id, active=True
        ).order_by("id")
        self.fields["visited_on"].initial = timezone.localdate()
        self.fields["method"].initial = Method.HOME
        self.fields["outcome"].initial = Outcome.REACHED
        self.fields["follow_up"].initial = ""


class EnrollForm(forms.Form):
    resident = forms.IntegerField(widget=forms.HiddenInput)
    tier = forms.ChoiceField(label=_("Risk tier"), choices=Tier.choices)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    consent_given_by = forms.CharField(
        label=_("Consent given by (a child: the guardian)"), max_length=50, required=False
    )
    consent_relation = forms.CharField(label=_("Relation"), max_length=30, required=False)
    consent_given_on = _date(_("Consent given on"), required=False)
    consent_method = forms.ChoiceField(
        label=_("How"), choices=[("", "—"), *ConsentMethod.choices], required=False
    )


class TierForm(forms.Form):
    tier = forms.ChoiceField(label=_("Risk tier"), choices=Tier.choices)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class FrequencyForm(forms.Form):
    frequency_days = forms.TypedChoiceField(
        label=_("Visit frequency"),
        choices=[("", _("The tier's default")), *Frequency.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )


class AssignForm(forms.Form):
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Visitor"), queryset=None)
    kind = forms.ChoiceField(label=_("As"), choices=VisitorKind.choices)

    def __init__(self, *args: Any, community_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(memberships__community_id=community_id, memberships__active=True)
            .exclude(memberships__role="resident")
            .distinct()
            .order_by("username")
        )


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Who"), choices=ContactKind.choices)
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    lives_in = forms.CharField(label=_("Lives in"), max_length=60, required=False)


class ConsentForm(forms.Form):
    subject = forms.ChoiceField(label=_("Consent to"), choices=ConsentSubject.choices)
    given_by = forms.CharField(label=_("Given by"), max_length=50)
    relation = forms.CharField(label=_("Relation"), max_length=30, required=False)
    given_on = _date(_("Given on"))
    method = forms.ChoiceField(label=_("How"), choices=ConsentMethod.choices)


class HealthNoteForm(forms.Form):
    note = _text(_("Health note"), rows=3)


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    others_within_hours = forms.IntegerField(
        label=_("Others visited within (hours; empty: high risk only)"),
        required=False,
        min_value=1,
        max_value=336,
    )


class HelpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Work"), choices=HelpKind.choices)
    day = _date(_("Day"))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
