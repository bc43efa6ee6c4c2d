"""Forms of the survey pages."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import (
    QuestionKind,
)

# --- forms ---------------------------------------------------------------------------------


class SurveyForm(forms.Form):
    community = forms.ModelChoiceField(label=gettext_lazy("Community"), queryset=None)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    intro = forms.CharField(
        label=gettext_lazy("What to say at the door"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("The surveyor reads this to the household before the questions."),
    )
    topic = forms.ModelChoiceField(
        label=gettext_lazy("Topic (optional)"), queryset=None, required=False
    )

    def __init__(self, *args, communities=None, topics=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communities is None:
            del self.fields["community"]
        else:
            self.fields["community"].queryset = communities
            only = list(communities[:2])
            if len(only) == 1:
                self.fields["community"].initial = only[0].pk
                self.fields["community"].widget = forms.HiddenInput()
        self.fields["topic"].queryset = topics


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of question"),
        choices=QuestionKind.choices,
        widget=forms.RadioSelect,
        initial=QuestionKind.SINGLE,
    )
    text = forms.CharField(label=gettext_lazy("Question"), max_length=300)
    choices = forms.CharField(
        label=gettext_lazy("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "For single and multiple choice: one choice per line, at least two."
        ),
    )
    required = forms.BooleanField(
        label=gettext_lazy("An answer is required"), required=False, initial=True
    )

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "text": d["text"],
            "choices": d["choices"],
            "required": d["required"],
        }


class _SurveyorField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name()


class AssignBuildingForm(forms.Form):
    building = forms.ModelChoiceField(label=gettext_lazy("Building"), queryset=None)
    surveyor = _SurveyorField(label=gettext_lazy("Surveyor"), queryset=None)

    def __init__(self, *args, buildings, surveyors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.fields["building"].label_from_instance = lambda b: (
            _("Building %(number)s (%(n)s households)") % {"number": b.number, "n": b.n}
        )
        self.fields["surveyor"].queryset = surveyors


class AssignHouseholdsForm(forms.Form):
    labels = forms.CharField(
        label=gettext_lazy("Households"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Room labels such as 3-2-501, separated by spaces, commas or new lines."
        ),
    )
    surveyor = _SurveyorField(label=gettext_lazy("Surveyor"), queryset=None)

    def __init__(self, *args, surveyors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["surveyor"].queryset = surveyors

    def clean_labels(self) -> list[str]:
        labels = [s for s in re.split(r"[\s,，、;；]+", self.cleaned_data["labels"]) if s]
        if not labels:
            raise forms.ValidationError(_("Give at least one room label."))
        return list(dict.fromkeys(labels))


# --- helpers -------------------------------------------------------------------------------
