"""Form widgets and fields every app's forms use: the browser's date and date-time inputs,
and a choice among objects the page already loaded through the policy."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.db.models import Model


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects the page already loaded through the policy (no extra query,
    and nothing outside that list can be chosen). ``cleaned_data`` holds the object."""

    def __init__(
        self,
        *,
        objects: Iterable[Model] = (),
        label_from: Callable[[Any], str] = str,
        empty_label: str | None = "—",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.set_objects(objects, label_from, empty_label)

    def set_objects(
        self,
        objects: Iterable[Model],
        label_from: Callable[[Any], str] = str,
        empty_label: str | None = "—",
    ) -> None:
        self.objects = {str(o.pk): o for o in objects}
        choices = [(key, label_from(o)) for key, o in self.objects.items()]
        if empty_label is not None:
            choices.insert(0, ("", empty_label))
        self.choices = choices

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return self.objects.get(str(value)) if value not in self.empty_values else None
