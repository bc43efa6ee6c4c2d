"""Forms of the council meeting pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from linli.core.errors import DomainError
from linli.core.forms import ObjectChoiceField
from linli.core.roles import Role

from ..models import (
    Body,
)
from ..services import meetings as svc
from ..services import notice


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(**kwargs)


class MeetingForm(forms.Form):
    community = ObjectChoiceField(label=gettext_lazy("Community"))
    body = forms.ChoiceField(label=gettext_lazy("Which body meets"), choices=Body.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts at"), widget=DateTimeInput)
    location = forms.CharField(label=gettext_lazy("Place"), max_length=120)
    notice_days = forms.IntegerField(
        label=gettext_lazy("Notice period (days)"),
        required=False,
        min_value=0,
        max_value=svc.MAX_NOTICE_DAYS,
        help_text=gettext_lazy(
            "Leave empty for the body's usual period: 3 days for the "
            "residents' council and the residents' affairs council, 15 days "
            "for the owners' assembly. Never less than 15 days for the owners' assembly, "
            "nor less than the minimum this community has set."
        ),
    )

    def __init__(self, *args, communities=(), editing=False, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["community"] = ObjectChoiceField(
            label=self.fields["community"].label, objects=communities
        )
        if editing:
            del self.fields["community"], self.fields["body"]
        elif len(communities) == 1:
            self.fields["community"].initial = str(communities[0].pk)
            self.fields["community"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        community = data.get("community") or (self.meeting.community if self.meeting else None)
        body = data.get("body") or (self.meeting.body if self.meeting else None)
        days = data.get("notice_days")
        if community is not None and body and days is not None:
            try:
                notice.check_meeting_notice(community.pk, body, days)
            except DomainError as e:
                self.add_error("notice_days", str(e.message))
        return data


class AgendaForm(forms.Form):
    topic = ObjectChoiceField(label=gettext_lazy("Topic"))

    def __init__(self, *args, topics=(), **kwargs):
        kwargs.setdefault("auto_id", "id_ag_%s")
        super().__init__(*args, **kwargs)
        self.fields["topic"] = ObjectChoiceField(label=self.fields["topic"].label, objects=topics)


class InviteForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Everyone holding these roles"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    users = forms.MultipleChoiceField(
        label=gettext_lazy("Or these people"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members=(), **kwargs):
        kwargs.setdefault("auto_id", "id_inv_%s")
        super().__init__(*args, **kwargs)
        self.members = members
        present_roles = {m.role for m in members}
        self.fields["roles"].choices = [
            (r.value, r.label) for r in Role if r.value in present_roles
        ]
        labels: dict[int, list[str]] = {}
        users = {}
        for m in members:
            users[m.user_id] = m.user
            labels.setdefault(m.user_id, []).append(str(Role(m.role).label))
        self.users = users
        self.fields["users"].choices = [
            (str(pk), f"{u.get_full_name()} ({', '.join(labels[pk])})") for pk, u in users.items()
        ]

    def chosen_users(self) -> list:
        roles = set(self.cleaned_data["roles"])
        ids = {int(x) for x in self.cleaned_data["users"]}
        ids |= {m.user_id for m in self.members if m.role in roles}
        return [self.users[pk] for pk in ids if pk in self.users]


class ResolutionForm(forms.Form):
    topic = ObjectChoiceField(label=gettext_lazy("Agenda topic"))
    text = forms.CharField(
        label=gettext_lazy("Resolution"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    yes = forms.IntegerField(label=gettext_lazy("Votes for"), min_value=0, initial=0)
    no = forms.IntegerField(label=gettext_lazy("Votes against"), min_value=0, initial=0)
    abstain = forms.IntegerField(label=gettext_lazy("Abstain"), min_value=0, initial=0)

    def __init__(self, *args, topics=(), **kwargs):
        kwargs.setdefault("auto_id", "id_res_%s")
        super().__init__(*args, **kwargs)
        self.fields["topic"] = ObjectChoiceField(label=self.fields["topic"].label, objects=topics)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=gettext_lazy("Minutes"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy("The record of the meeting, read by the members and the office."),
    )
    public_summary = forms.CharField(
        label=gettext_lazy("Public summary"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What every resident reads. Name no one."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=300, required=False)


# --- the list and calling a meeting ----------------------------------------------------------
