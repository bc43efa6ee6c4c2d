from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.forms import DateInput

from .models import PHONE_RE, Gender, Occupancy, Relation, Tag, Tenure, Unit


class PhoneField(forms.RegexField):
    """A resident's phone (``models.PHONE_RE``), which may be left empty."""

    def __init__(self, *, label, **kwargs):
        super().__init__(
            PHONE_RE,
            label=label,
            max_length=20,
            required=False,
            error_messages={"invalid": _("Digits only, e.g. 13812345678.")},
            **kwargs,
        )


class NumberField(forms.RegexField):
    """A room, building or grid number: up to 10 letters or digits (``models.number_validator``)."""

    def __init__(self, *, label, **kwargs):
        super().__init__(
            r"^[0-9A-Za-z]{1,10}$",
            label=label,
            max_length=10,
            error_messages={"invalid": _("Use up to 10 letters or digits.")},
            **kwargs,
        )


class HouseholdForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), required=False, label=_("Unit"), empty_label=_("(no unit)")
    )
    room = NumberField(label=_("Room"))
    floor_area = forms.DecimalField(
        label=_("Floor area (m²)"), max_digits=9, decimal_places=2, min_value=0.01, required=False
    )
    occupancy = forms.ChoiceField(label=_("Occupancy"), choices=Occupancy.choices)
    notes = forms.CharField(
        label=_("Notes"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, building=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["unit"]
            del self.fields["room"]
        elif building is not None:
            self.fields["unit"].queryset = building.units.all()


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False
    )
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput)
    phone = PhoneField(label=_("Phone"))
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        help_text=_("18 characters. Stored encrypted; shown masked."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    relation = forms.ChoiceField(label=_("Relation to household"), choices=Relation.choices)
    tenure = forms.ChoiceField(label=_("Owner or tenant"), choices=Tenure.choices)
    moved_in_on = forms.DateField(label=_("Moved in"), required=False, widget=DateInput)
    other_phone = PhoneField(
        label=_("Other phone"),
        help_text=_("A second number to call, e.g. a landline or a family member's mobile."),
    )
    guardian_name = forms.CharField(
        label=_("Guardian"),
        max_length=50,
        required=False,
        help_text=_("For a child: the parent or other guardian to contact."),
    )
    guardian_phone = PhoneField(label=_("Guardian's phone"))
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.none(),
        required=False,
        label=_("Tags"),
        widget=forms.CheckboxSelectMultiple,
    )
    health_note = forms.CharField(
        label=_("Health note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Stored encrypted. Leave empty to keep the current note."),
    )

    def __init__(self, *args, community=None, editing=False, sensitive=False, **kwargs):
        super().__init__(*args, **kwargs)
        if community is not None:
            from django.db.models import Q

            tags = Tag.objects.filter(Q(community__isnull=True) | Q(community=community))
            # Sensitive tags and health notes are the office's to see and set (``sensitive``:
            # ``resident.sensitive``); the service keeps the ones already set.
            self.fields["tags"].queryset = tags if sensitive else tags.filter(sensitive=False)
        if not sensitive:
            del self.fields["health_note"]
        if editing:
            self.fields["id_number"].help_text = _(
                "Leave empty to keep the current number. Stored encrypted; shown masked."
            )


class MoveOutForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput)
    deceased = forms.BooleanField(label=_("The resident has died"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need to see it?"), max_length=200)


class BuildingForm(forms.Form):
    number = NumberField(label=_("Building number"))
    name = forms.CharField(label=_("Name (optional)"), max_length=100, required=False)
    grid = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Grid"), empty_label=_("(no grid)")
    )
    units = forms.IntegerField(
        label=_("Number of units (stairwells)"), min_value=0, max_value=30, initial=0
    )
    floors = forms.IntegerField(label=_("Floors"), min_value=1, max_value=200, required=False)
    year_built = forms.IntegerField(
        label=_("Year built"), min_value=1800, max_value=2100, required=False
    )

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = community.grids.all() if community else None


class GridForm(forms.Form):
    number = NumberField(label=_("Grid number"))
    name = forms.CharField(label=_("Name"), max_length=100)
    area_description = forms.CharField(label=_("Area"), max_length=200, required=False)
    supervision_phone = forms.CharField(label=_("Supervision phone"), max_length=30, required=False)


class TagForm(forms.Form):
    name = forms.CharField(label=_("Tag name"), max_length=60)
    sensitive = forms.BooleanField(
        label=_("Sensitive (health, disability or income): office only"), required=False
    )
