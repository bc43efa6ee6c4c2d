"""Forms of the vote pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.queries import members_of
from linli.core.errors import DomainError
from linli.core.roles import WORKERS
from linli.registry.models import Building

from ..models import (
    LEGAL_NOTICE_FLOOR_DAYS,
    BallotChoice,
    BallotMethod,
    Matter,
    VoteRule,
)
from ..queries import notice as notice_queries
from ..services import notice
from ..services import votes as services

_DT = {"type": "datetime-local"}


_DT_FORMAT = "%Y-%m-%dT%H:%M"


def notice_help(community_id: int) -> str:
    """The minimum notice per rule in this community, for the form."""
    days = notice_queries.minimums(community_id)
    return _(
        "At least %(owners)s days for an owners' joint decision, %(residents)s for a "
        "residents' meeting, %(consultative)s for a consultative poll."
    ) % {
        "owners": days[VoteRule.OWNERS],
        "residents": days[VoteRule.RESIDENTS],
        "consultative": days[VoteRule.CONSULTATIVE],
    }


MAX_PAPER_BALLOTS = 500


class VoteForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    question = forms.CharField(
        label=gettext_lazy("Question put to the vote"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Only what is in the notice may be decided."),
    )
    rule = forms.ChoiceField(
        label=gettext_lazy("How it is counted"), choices=VoteRule.choices, widget=forms.RadioSelect
    )
    matter = forms.ChoiceField(
        label=gettext_lazy("Matter (owners' joint decision only)"),
        required=False,
        choices=[("", "—"), *Matter.choices],
    )
    buildings = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Buildings (none chosen: the whole community)"),
        required=False,
        queryset=Building.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    notice_days = forms.IntegerField(
        label=gettext_lazy("Notice period (days)"),
        initial=15,
        min_value=0,
        max_value=services.MAX_NOTICE_DAYS,
    )
    results_due_days = forms.IntegerField(
        label=gettext_lazy("Post the result within (days after voting closes)"),
        initial=3,
        min_value=1,
        max_value=services.MAX_RESULTS_DUE_DAYS,
    )
    opens_at = forms.DateTimeField(
        label=gettext_lazy("Voting opens"),
        required=False,
        widget=forms.DateTimeInput(attrs=_DT, format=_DT_FORMAT),
        help_text=gettext_lazy("No sooner than the notice period after the notice is published."),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Voting closes"),
        required=False,
        widget=forms.DateTimeInput(attrs=_DT, format=_DT_FORMAT),
    )

    def __init__(self, *args, community_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.community_id = community_id
        self.fields["buildings"].queryset = Building.objects.filter(
            community_id=community_id
        ).order_by("sort_key")
        self.fields["notice_days"].help_text = notice_help(community_id)

    def clean(self):
        data = super().clean()
        rule, days = data.get("rule"), data.get("notice_days")
        if rule and days is not None:
            try:
                notice.check_vote_notice(self.community_id, rule, days)
            except DomainError as e:
                self.add_error("notice_days", str(e.message))
        return data


class BallotForm(forms.Form):
    flat = forms.CharField(
        label=gettext_lazy("Flat (as on the ballot, e.g. 3-2-501)"), max_length=40
    )
    choice = forms.ChoiceField(
        label=gettext_lazy("Choice on the ballot"),
        choices=BallotChoice.choices,
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(
        label=gettext_lazy("Kind of ballot"),
        widget=forms.RadioSelect,
        choices=[
            (BallotMethod.PAPER, BallotMethod.PAPER.label),
            (BallotMethod.PROXY, BallotMethod.PROXY.label),
        ],
    )
    paper_serial = forms.CharField(
        label=gettext_lazy("Ballot serial number"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Required for a paper ballot."),
    )
    proxy_name = forms.CharField(label=gettext_lazy("Proxy's name"), max_length=50, required=False)
    proxy_authorization = forms.CharField(
        label=gettext_lazy("Written authorisation (reference)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Required for a proxy ballot: where the signed authorisation is filed."
        ),
    )
    received_at = forms.DateTimeField(
        label=gettext_lazy("Received at (if not now)"),
        required=False,
        widget=forms.DateTimeInput(attrs=_DT, format=_DT_FORMAT),
    )


class CountsForm(forms.Form):
    eligible = forms.IntegerField(label=gettext_lazy("Entitled to take part"), min_value=0)
    present = forms.IntegerField(label=gettext_lazy("Present (or answered)"), min_value=0)
    yes = forms.IntegerField(label=gettext_lazy("In favour"), min_value=0)


class FollowupForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("What is to be done"), max_length=200)
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Who"), required=False, queryset=get_user_model().objects.none()
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, community_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(community_id, WORKERS)


# --- helpers ----------------------------------------------------------------------------------


class NoticeRulesForm(forms.Form):
    owners_days = forms.IntegerField(
        label=gettext_lazy("Owners' joint decision and owners' assembly: at least (days)"),
        min_value=LEGAL_NOTICE_FLOOR_DAYS[VoteRule.OWNERS],
        max_value=notice.MAX_DAYS,
    )
    residents_days = forms.IntegerField(
        label=gettext_lazy("Residents' meeting and the councils: at least (days)"),
        min_value=LEGAL_NOTICE_FLOOR_DAYS[VoteRule.RESIDENTS],
        max_value=notice.MAX_DAYS,
    )
    consultative_days = forms.IntegerField(
        label=gettext_lazy("Consultative poll: at least (days)"),
        min_value=LEGAL_NOTICE_FLOOR_DAYS[VoteRule.CONSULTATIVE],
        max_value=notice.MAX_DAYS,
    )


class PaperBallotsForm(forms.Form):
    first = forms.IntegerField(label=gettext_lazy("First serial number"), min_value=1, initial=1)
    count = forms.IntegerField(
        label=gettext_lazy("Number of ballots"),
        min_value=1,
        max_value=MAX_PAPER_BALLOTS,
        initial=20,
    )
