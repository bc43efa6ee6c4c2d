"""Widgets and fields shared by the deliberation forms."""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects the page already loaded through the policy: nothing outside
    that list can be chosen, and ``cleaned_data`` holds the object."""

    def __init__(self, *, objects=(), label_from=str, **kwargs):
        self.objects = {str(o.pk): o for o in objects}
        kwargs.setdefault(
            "choices", [("", "—"), *((k, label_from(o)) for k, o in self.objects.items())]
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.objects.get(value) if value else None
