"""Forms of the mediation pages. Rules live in the services; forms parse and label."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.registry.models import Resident

from .models import (
    Agreement,
    AgreementForm,
    CaseSource,
    DisputeType,
    Gender,
    HelperKind,
    MediatorChoice,
    MemberKind,
    SignatureKind,
    SignMethod,
    VisitOutcome,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PartyFields(forms.Form):
    pass


def _party_fields(n: int) -> dict[str, forms.Field]:
    side = _("First side") if n == 1 else _("Second side")
    return {
        f"p{n}_resident": forms.ModelChoiceField(
            queryset=Resident.objects.none(),
            required=False,
            label=_("%(side)s: a resident") % {"side": side},
        ),
        f"p{n}_name": forms.CharField(
            max_length=50,
            required=False,
            label=_("%(side)s: or the name of someone from outside") % {"side": side},
        ),
        f"p{n}_contact": forms.CharField(
            max_length=100, required=False, label=_("Their contact (phone or address)")
        ),
        f"p{n}_representative": forms.CharField(
            max_length=100, required=False, label=_("Representative, if any")
        ),
    }


class IntakeForm(forms.Form):
    dispute_type = forms.ChoiceField(label=_("Dispute type"), choices=DisputeType.choices)
    facts = forms.CharField(label=_("The facts as told"), widget=forms.Textarea, max_length=4000)
    amount = forms.DecimalField(
        label=_("Amount in dispute (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    private = forms.BooleanField(label=_("The parties ask for private mediation"), required=False)
    source = forms.ChoiceField(label=_("How it started"), choices=CaseSource.choices)
    applied_on = forms.DateField(label=_("Applied on"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args: Any, residents: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        for n in (1, 2):
            for name, f in _party_fields(n).items():
                if residents is not None and isinstance(f, forms.ModelChoiceField):
                    f.queryset = residents
                self.fields[name] = f


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why it is declined"), max_length=500)
    routes_told = forms.BooleanField(
        label=_("The parties were told their other routes"), required=False
    )
    routes_note = forms.CharField(label=_("Which routes"), max_length=500, required=False)


class FailForm(forms.Form):
    routes_told = forms.BooleanField(
        label=_("The parties were told their other legal routes (Art. 26)"), required=False
    )
    routes_note = forms.CharField(label=_("Which routes"), max_length=500, required=False)


class RefuseForm(forms.Form):
    note = forms.CharField(label=_("Who refused and how"), max_length=500)


class EscalateForm(forms.Form):
    reported_at = forms.DateTimeField(
        label=_("Reported at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reported_to = forms.CharField(label=_("Reported to (police station, officer)"), max_length=200)
    note = forms.CharField(label=_("Why"), max_length=500, required=False)


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    place = forms.CharField(label=_("Place"), max_length=200)
    present = forms.CharField(label=_("Who was present"), max_length=1000)
    statements = forms.CharField(
        label=_("What each side said"), widget=forms.Textarea, max_length=6000
    )
    proposals = forms.CharField(
        label=_("What was proposed"), widget=forms.Textarea, max_length=3000, required=False
    )


class MediatorForm(forms.Form):
    mediator: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Resident.objects.none(), label=_("Mediator")
    )
    how = forms.ChoiceField(label=_("How"), choices=MediatorChoice.choices)

    def __init__(self, *args: Any, choices: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["mediator"].queryset = choices  # type: ignore[attr-defined]


class HelperForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    kind = forms.ChoiceField(label=_("Who they are"), choices=HelperKind.choices)
    consent_on = forms.DateField(
        label=_("The parties consented on"), widget=DATE, initial=timezone.localdate
    )
    consent_note = forms.CharField(label=_("How the parties consented"), max_length=300)


class AgreementEditForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Agreement
        fields = list(Agreement.TEXT_FIELDS)
        widgets = {"performance_by": DATE, "form": forms.RadioSelect}


class SignatureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Whose"), choices=SignatureKind.choices)
    party: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Resident.objects.none(), required=False, label=_("Party")
    )
    signer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Resident.objects.none(), required=False, label=_("Signing mediator")
    )
    method = forms.ChoiceField(label=_("How"), choices=SignMethod.choices)
    signed_on = forms.DateField(
        label=_("Date on the paper"), widget=DATE, initial=timezone.localdate
    )

    def __init__(self, *args: Any, parties: Any, mediators: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["party"].queryset = parties  # type: ignore[attr-defined]
        if mediators is not None:
            self.fields["signer"].queryset = mediators  # type: ignore[attr-defined]


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE, initial=timezone.localdate)
    outcome = forms.ChoiceField(label=_("What was found"), choices=VisitOutcome.choices)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False, widget=forms.Textarea)


class ConfirmedForm(forms.Form):
    confirmed_on = forms.DateField(label=_("Confirmed by the court on"), widget=DATE)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=MemberKind.choices)
    is_head = forms.BooleanField(label=_("Committee head"), required=False)
    term_start = forms.DateField(label=_("Term starts"), widget=DATE, initial=timezone.localdate)


__all__ = ["AgreementForm", "IntakeForm"]


class CommitteeSettingsForm(forms.Form):
    return_visits = forms.BooleanField(
        label=_("Pay return visits after an agreement"), required=False
    )
