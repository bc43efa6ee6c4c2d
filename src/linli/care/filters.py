"""The office register's filters (a ``django_filters.FilterSet`` for ``core.lists.list_page``):
risk tier, care tag, grid, building and overdue. Grids and buildings are chosen by their
numbers among the community's own (``?grid=1&building=4``); a value that is not one of the
choices is shown on the form as an error and ignored, never a 500."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from linli.registry.models import Building, Community, Grid, ResidentTag
from linli.registry.tags import builtin_label

from .models import CARE_TAGS, CarePerson, Tier
from .queries import overdue_q


class RegisterFilter(django_filters.FilterSet):
    tier = django_filters.ChoiceFilter(
        label=_("Risk tier"), choices=Tier.choices, empty_label=_("All")
    )
    tag = django_filters.ChoiceFilter(label=_("Tag"), method="by_tag", empty_label=_("All"))
    grid = django_filters.ChoiceFilter(
        label=_("Grid"), field_name="resident__household__building__grid__number",
        empty_label=_("All"),
    )  # fmt: skip
    building = django_filters.ChoiceFilter(
        label=_("Building"), field_name="resident__household__building__number",
        empty_label=_("All"),
    )  # fmt: skip
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="by_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = CarePerson
        fields = ["tier", "tag", "grid", "building", "overdue"]

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.filters
        f["tag"].extra["choices"] = [(t, builtin_label(t) or t) for t in CARE_TAGS]
        f["grid"].extra["choices"] = [
            (n, n) for n in Grid.objects.filter(community=community).order_by("number")
            .values_list("number", flat=True)
        ]  # fmt: skip
        f["building"].extra["choices"] = [
            (n, n) for n in Building.objects.filter(community=community).order_by("number")
            .values_list("number", flat=True).distinct()
        ]  # fmt: skip

    def by_tag(self, qs: QuerySet[CarePerson], name: str, value: str) -> QuerySet[CarePerson]:
        # EXISTS, not a join: a built-in and a community tag of the same code count once.
        tagged = ResidentTag.objects.filter(resident_id=OuterRef("resident_id"), tag__code=value)
        return qs.filter(Exists(tagged)) if value else qs

    def by_overdue(
        self, qs: QuerySet[CarePerson], name: str, value: bool | None
    ) -> QuerySet[CarePerson]:
        return qs.filter(overdue_q()) if value else qs
