"""Forms of the building forum pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from linli.core.forms import DateInput, ObjectChoiceField


class ForumForm(forms.Form):
    # The building is authorised by the view through the policy (another building is a 404),
    # so the field takes any number.
    building = forms.IntegerField(label=gettext_lazy("Building"), widget=forms.Select)
    held_on = forms.DateField(label=gettext_lazy("Date"), widget=DateInput)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    topic = ObjectChoiceField(label=gettext_lazy("Topic"), required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Who organised it, how many came. Everyone in the building reads "
            "this: name no resident."
        ),
    )

    def __init__(self, *args, buildings=(), topics=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].widget.choices = [(b.pk, str(b)) for b in buildings]
        self.fields["topic"] = ObjectChoiceField(
            label=self.fields["topic"].label, required=False, objects=topics
        )
        if editing:
            del self.fields["building"]


class OpinionForm(forms.Form):
    theme = forms.CharField(
        label=gettext_lazy("Theme"),
        max_length=40,
        help_text=gettext_lazy(
            "A few words, the same for opinions on the same thing, e.g. parking, the lift."
        ),
        widget=forms.TextInput(attrs={"list": "forum-themes", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label=gettext_lazy("Opinion"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    speaker_consented = forms.BooleanField(
        label=gettext_lazy("The speaker agrees to be named"), required=False
    )
    speaker_name = forms.CharField(
        label=gettext_lazy("Speaker's name"),
        max_length=50,
        required=False,
        help_text=gettext_lazy(
            "Kept only when the box above is ticked; otherwise the opinion "
            "is recorded without a name."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_op_%s")
        super().__init__(*args, **kwargs)
