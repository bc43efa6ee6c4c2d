"""Forms of the topic pages and the follow-up work form every part of the module uses."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.forms import DateInput, ObjectChoiceField

from ..models import (
    TopicStatus,
)


class FollowUpForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("What is to be done"), max_length=200)
    owner = ObjectChoiceField(label=gettext_lazy("Who will do it"), required=False)
    due_on = forms.DateField(label=gettext_lazy("Due by"), required=False, widget=DateInput)
    make_ticket = forms.BooleanField(
        label=gettext_lazy("Make it a request for the handling teams instead"), required=False
    )
    category = ObjectChoiceField(label=gettext_lazy("Request category"), required=False)

    def __init__(self, *args, people=(), categories=(), prefix_id="fu", **kwargs):
        kwargs.setdefault("auto_id", f"id_{prefix_id}_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"] = ObjectChoiceField(
            label=self.fields["owner"].label,
            required=False,
            objects=people,
            label_from=lambda u: u.get_full_name(),
        )
        self.fields["category"] = ObjectChoiceField(
            label=self.fields["category"].label, required=False, objects=categories
        )

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "owner": d["owner"],
            "due_on": d["due_on"],
            "make_ticket": d["make_ticket"],
            "ticket_category": d["category"],
        }


class TopicForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    description = forms.CharField(
        label=gettext_lazy("What is it about?"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    place = forms.ChoiceField(
        label=gettext_lazy("Where does it concern?"),
        help_text=gettext_lazy("The whole community, a grid, a building or a unit."),
    )
    tickets = forms.CharField(
        label=gettext_lazy("Related request numbers"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Optional. Numbers separated by commas, e.g. 12, 15."),
    )

    def __init__(self, *args, places: dict, choices: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = places
        self.fields["place"].choices = choices

    def clean_place(self):
        return self.places[self.cleaned_data["place"]]

    def clean_tickets(self) -> list[int]:
        raw = self.cleaned_data["tickets"].replace("#", " ").replace("，", ",")
        parts = [p for p in re.split(r"[\s,;、]+", raw) if p]
        if any(not p.isdigit() for p in parts):
            raise forms.ValidationError(_("Write request numbers only, e.g. 12, 15."))
        return sorted({int(p) for p in parts})


class DecideForm(forms.Form):
    decision = forms.CharField(
        label=gettext_lazy("What was decided"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=TopicStatus.choices)
