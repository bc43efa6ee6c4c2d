"""Forms of the request pages. They parse and shape input; the rules (which category, where,
how many photos, which transition) are checked once, by the services."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from linli.core import disclosure
from linli.core.forms import DateInput, DateTimeInput, ObjectChoiceField

from .models import Channel, CommentKind, ContactPreference, HandlerName, Rating, Status
from .photos import MAX_PHOTOS
from .services_admin import validate_attributes
from .workflow import TicketError


class PhotoInput(forms.FileInput):
    allow_multiple_selected = True


def _photos_help() -> str:
    return gettext("Up to %(n)s photos.") % {"n": MAX_PHOTOS}


_up_to_photos = lazy(_photos_help, str)


class PhotosField(forms.FileField):
    """Up to five photos in one ``<input type=file multiple>``; the service checks each by its
    content (not its name) before anything is saved."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        # Lazy: the field is built once, at import, and shown in each reader's language.
        kwargs.setdefault("help_text", _up_to_photos())
        kwargs.setdefault(
            "widget",
            PhotoInput(attrs={"accept": "image/*", "capture": "environment", "multiple": True}),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


# --- Open311 extra questions ---------------------------------------------------------------


def attribute_field(attr: dict) -> forms.Field:
    """A form field for one Open311 attribute. Never ``required`` in HTML: the questions of
    every category are on the page, and only the chosen category's are checked (by the
    service)."""
    label = attr.get("description") or attr.get("code")
    if (get_language() or "").startswith("en") and attr.get("description_en"):
        label = attr["description_en"]  # the question's English, when the category has it
    help_text = _("Required for this category.") if attr.get("required") else ""
    kw = {"label": label, "required": False, "help_text": help_text}
    choices = [(str(v.get("key")), v.get("name") or v.get("key")) for v in attr.get("values", [])]
    datatype = attr.get("datatype", "string")
    if datatype == "text":
        return forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}), **kw)
    if datatype == "number":
        return forms.DecimalField(max_digits=12, decimal_places=4, **kw)
    if datatype == "datetime":
        return forms.DateTimeField(widget=DateTimeInput, **kw)
    if datatype == "singlevaluelist":
        return forms.ChoiceField(choices=[("", "—"), *choices], **kw)
    if datatype == "multivaluelist":
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **kw)
    return forms.CharField(max_length=500, **kw)


class AttributesMixin:
    """Adds every category's extra questions as ``attr_<category>_<n>`` fields and groups them
    for the template (``attribute_groups``)."""

    def add_attribute_fields(self, categories) -> None:
        self._attr_map: dict[str, tuple[int, str]] = {}
        self.attribute_group_names: list[tuple] = []
        for cat in categories:
            names = []
            for n, attr in enumerate(cat.attributes or []):
                name = f"attr_{cat.pk}_{n}"
                self.fields[name] = attribute_field(attr)
                self._attr_map[name] = (cat.pk, attr.get("code"))
                names.append(name)
            if names:
                self.attribute_group_names.append((cat, names))

    @property
    def attribute_groups(self):
        return [(cat, [self[n] for n in names]) for cat, names in self.attribute_group_names]

    def attribute_values(self, category) -> dict:
        values = {}
        for name, (cat_pk, code) in self._attr_map.items():
            if cat_pk != category.pk:
                continue
            v = self.cleaned_data.get(name)
            if v in (None, "", []):
                continue
            if hasattr(v, "isoformat"):
                v = v.isoformat()
            elif not isinstance(v, list):
                v = str(v)
            values[code] = v
        return values


# --- intake --------------------------------------------------------------------------------

PLACE_HOME, PLACE_ROOM, PLACE_ESTATE, PLACE_PUBLIC = "home", "room", "estate", "public"


def spot_choices(buildings, units) -> list[tuple[str, str]]:
    """``b:<id>`` for a building, ``u:<id>`` for a unit, in one list."""
    by_building: dict[int, list] = {}
    for u in units:
        by_building.setdefault(u.building_id, []).append(u)
    out = [("", "—")]
    for b in buildings:
        out.append((f"b:{b.pk}", str(b)))
        out.extend((f"u:{u.pk}", f"{b} · {u}") for u in by_building.get(b.pk, []))
    return out


class _PlaceMixin:
    """Where a request is, and the service's arguments both request forms share."""

    HOUSEHOLD_PLACE: str  # the ``place`` choice that names a household
    buildings: list
    units: list

    def clean_spot_or_words(self, data: dict[str, Any] | None) -> None:
        """A building or unit chosen, or a public spot said in words."""
        data = data or {}
        place = data.get("place")
        if place == PLACE_ESTATE and not data.get("spot"):
            self.add_error("spot", _("Choose the building or unit."))  # type: ignore[attr-defined]
        if place == PLACE_PUBLIC and not (data.get("location_text") or "").strip():
            self.add_error("location_text", _("Say where it is."))  # type: ignore[attr-defined]

    def request_kwargs(self) -> dict:
        """What, where and how to reach: the arguments of ``ticket_submit`` and
        ``ticket_intake`` alike."""
        d = self.cleaned_data  # type: ignore[attr-defined]
        kw = {
            "category": d["category"],
            "description": d["description"],
            "contact_preference": d["contact_preference"],
            "emergency": d["emergency"],
            "photos": d["photos"],
            "location_text": d.get("location_text", ""),
            "attributes": self.attribute_values(d["category"]),  # type: ignore[attr-defined]
        }
        if d["place"] == self.HOUSEHOLD_PLACE:
            kw["household"] = d["household"]
        elif d["place"] == PLACE_ESTATE:
            kw.update(self.resolve_spot(self.buildings, self.units))
        return kw

    def resolve_spot(self, buildings, units) -> dict:
        spot = self.cleaned_data.get("spot") or ""
        if spot.startswith("u:"):
            unit = next((u for u in units if str(u.pk) == spot[2:]), None)
            return {"unit": unit, "building": unit.building if unit else None}
        if spot.startswith("b:"):
            return {"building": next((b for b in buildings if str(b.pk) == spot[2:]), None)}
        return {}


class SubmitForm(AttributesMixin, _PlaceMixin, forms.Form):
    """A resident reports a problem (category, what, where, photos, how to reach them)."""

    HOUSEHOLD_PLACE = PLACE_HOME

    category = ObjectChoiceField(
        label=_("What kind of problem?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose what kind of problem.")},
    )
    description = forms.CharField(
        label=_("What is wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please describe the problem.")},
    )
    place = forms.ChoiceField(label=_("Where is it?"), widget=forms.RadioSelect)
    household = ObjectChoiceField(required=False, label=_("My home"))
    spot = forms.ChoiceField(label=_("Building or unit"), required=False)
    location_text = forms.CharField(
        label=_("The place in words"),
        max_length=200,
        required=False,
        help_text=_("For example: the street light by the east gate, parking row B."),
    )
    photos = PhotosField()
    contact_preference = forms.ChoiceField(
        label=_("How should we reach you?"),
        choices=ContactPreference.choices,
        initial=ContactPreference.IN_APP,
        widget=forms.RadioSelect,
    )
    emergency = forms.BooleanField(
        label=_("This is an emergency (danger now: water flooding, gas smell, fire, someone hurt)"),
        required=False,
    )
    private = forms.BooleanField(
        label=_("Keep my report private (never show it on public lists)"),
        required=False,
    )

    def __init__(self, *args, categories, households, buildings, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.buildings, self.units = buildings, units
        self.fields["category"].set_objects(categories, empty_label=None)
        self.fields["household"].set_objects(households, empty_label=None)
        places = [
            (PLACE_ESTATE, _("A building or unit of the estate")),
            (PLACE_PUBLIC, _("A public spot (road, light, parking, garden …)")),
        ]
        if households:
            home = (
                _("My home (%(label)s)") % {"label": households[0].label}
                if len(households) == 1
                else _("My home")
            )
            places.insert(0, (PLACE_HOME, home))
            self.fields["household"].initial = households[0].pk
            self.fields["place"].initial = PLACE_HOME
        self.fields["place"].choices = places
        self.fields["spot"].choices = spot_choices(buildings, units)
        self.add_attribute_fields(categories)

    def clean(self):
        data = super().clean()
        place = data.get("place")
        if place == PLACE_HOME and not data.get("household"):
            self.add_error("household", _("Choose your home."))
        self.clean_spot_or_words(data)
        return data

    def service_kwargs(self) -> dict:
        return {**self.request_kwargs(), "private": self.cleaned_data["private"]}


INTAKE_CHANNELS = [
    (v, label) for v, label in Channel.choices if v not in (Channel.WEB, Channel.OPEN311)
]


def _resident_label(actor, r) -> str:
    """A resident in the requester list, as this person may see them (core.disclosure):
    a child's name masked for those who may not see minors, the phone masked."""
    sees = actor is not None and disclosure.sees_minors(actor, r)
    name = disclosure.name(disclosure.Viewer(minors=sees), r)
    return f"{name} ({r.phone_masked})" if r.phone else name


class IntakeForm(AttributesMixin, _PlaceMixin, forms.Form):
    """Staff, a building leader or a grid worker enters a request for someone else."""

    HOUSEHOLD_PLACE = PLACE_ROOM

    channel = forms.ChoiceField(
        label=_("How did the request come in?"),
        choices=[("", "—"), *INTAKE_CHANNELS],
        error_messages={"required": _("Say how the request came in.")},
    )
    category = ObjectChoiceField(
        label=_("Category"),
        error_messages={"required": _("Please choose a category.")},
    )
    requester_resident = ObjectChoiceField(required=False, label=_("Registered resident"))
    requester_name = forms.CharField(label=_("Requester's name"), max_length=50, required=False)
    requester_phone = forms.RegexField(
        label=_("Requester's phone"),
        regex=r"^\+?[0-9 -]{5,24}$",
        max_length=24,
        required=False,
        error_messages={"invalid": _("Digits only, e.g. 13812345678.")},
    )
    anonymous = forms.BooleanField(label=_("The requester wants to stay anonymous"), required=False)
    place = forms.ChoiceField(
        label=_("Where is it?"),
        widget=forms.RadioSelect,
        initial=PLACE_ROOM,
        choices=[
            (PLACE_ROOM, _("A room (household)")),
            (PLACE_ESTATE, _("A building or unit")),
            (PLACE_PUBLIC, _("A public spot")),
        ],
    )
    room_label = forms.CharField(
        label=_("Room"),
        max_length=40,
        required=False,
        help_text=_("Building-unit-room, e.g. 3-2-501."),
    )
    spot = forms.ChoiceField(label=_("Building or unit"), required=False)
    location_text = forms.CharField(label=_("The place in words"), max_length=200, required=False)
    description = forms.CharField(
        label=_("What is wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please describe the problem.")},
    )
    photos = PhotosField()
    contact_preference = forms.ChoiceField(
        label=_("How to reach the requester"),
        choices=ContactPreference.choices,
        initial=ContactPreference.PHONE,
    )
    emergency = forms.BooleanField(label=_("This is an emergency"), required=False)
    lookup_room = forms.CharField(required=False, widget=forms.HiddenInput)
    lookup_phone = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        categories,
        buildings,
        units,
        residents,
        households_by_label,
        actor=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.buildings, self.units = buildings, units
        self._households_by_label = households_by_label
        several = len({c.community_id for c in categories}) > 1
        self.fields["category"].set_objects(
            categories, (lambda c: f"{c.community} · {c}") if several else str
        )
        self.fields["requester_resident"].set_objects(
            residents, lambda r: _resident_label(actor, r)
        )
        self.fields["spot"].choices = spot_choices(buildings, units)
        self.add_attribute_fields(categories)

    def clean(self):
        data = super().clean()
        place, category = data.get("place"), data.get("category")
        if place == PLACE_ROOM:
            label = (data.get("room_label") or "").strip()
            rooms = self._households_by_label(label) if label else []
            if category is not None:
                rooms = [h for h in rooms if h.community_id == category.community_id]
            if not label:
                self.add_error("room_label", _("Give the room, e.g. 3-2-501."))
            elif len(rooms) != 1:
                self.add_error(
                    "room_label", _("There is no room %(label)s in your area.") % {"label": label}
                )
            else:
                data["household"] = rooms[0]
        self.clean_spot_or_words(data)
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        kw = {
            **self.request_kwargs(),
            "channel": d["channel"],
            "anonymous": d["anonymous"],
            "requester_name": d.get("requester_name", ""),
            "requester_phone": d.get("requester_phone", ""),
        }
        resident = d.get("requester_resident")
        if resident is not None and not d["anonymous"]:
            kw["requester_name"] = kw["requester_name"] or resident.name
            kw["requester_phone"] = kw["requester_phone"] or resident.phone
            kw["requester_user"] = getattr(resident, "user", None)
        return kw


# --- the queue -----------------------------------------------------------------------------

SORT_CHOICES = [
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("deadline", _("Deadline first")),
    ("category", _("By category")),
]


class QueueFilterForm(forms.Form):
    """The queue's filters (GET); a value that is not offered is ignored."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    building = forms.TypedChoiceField(
        label=_("Building"), required=False, coerce=int, empty_value=None
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any")), *Channel.choices]
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    emergency = forms.BooleanField(label=_("Emergencies only"), required=False)
    sort = forms.ChoiceField(label=_("Order"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        several = len(choices["communities"]) > 1

        def named(obj):
            return f"{obj.community} · {obj}" if several else str(obj)

        self.fields["status"].choices = [
            ("", _("Any")),
            ("open", _("Open (not finished)")),
            *Status.choices,
        ]
        self.fields["category"].choices = [("", _("Any"))] + [
            (c.pk, named(c)) for c in choices["categories"]
        ]
        self.fields["building"].choices = [("", _("Any"))] + [
            (b.pk, named(b)) for b in choices["buildings"]
        ]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Nobody yet")),
            ("ext", _("An outside contractor")),
            (_("Teams"), [(f"t:{t.pk}", named(t)) for t in choices["teams"]]),
            (_("People"), [(f"u:{u.pk}", u.get_full_name()) for u in choices["people"]]),
        ]

    def filters(self) -> dict:
        self.is_valid()
        d = getattr(self, "cleaned_data", {})
        return {
            "status": d.get("status") or "",
            "category_id": d.get("category"),
            "building_id": d.get("building"),
            "channel": d.get("channel") or "",
            "assignee": d.get("assignee") or "",
            "overdue": bool(d.get("overdue")),
            "emergency": bool(d.get("emergency")),
            "sort": d.get("sort") or "newest",
        }


class AssigneeForm(forms.Form):
    """Whom to give a request to: a person, a team's pool, or an outside contractor."""

    user = ObjectChoiceField(required=False, label=_("A person"))
    team = ObjectChoiceField(required=False, label=_("A team"))

    def __init__(self, *args, people, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].set_objects(people, lambda u: u.get_full_name())
        self.fields["team"].set_objects(teams)

    def clean(self):
        data = super().clean()
        chosen = [k for k in ("user", "team", "external_handler") if data.get(k)]
        if len(chosen) != 1 and not self.errors:
            raise forms.ValidationError(
                _("Choose one: a person, a team, or an outside contractor.")
            )
        return data


class BulkAssignForm(AssigneeForm):
    ids = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), required=True, error_messages={"required": _("Tick some requests.")}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(v, v) for v in raw if str(v).isdigit()][:200]


# --- the actions on one request ------------------------------------------------------------


class ActionForm(forms.Form):
    """Every action carries the version of the request the person was looking at."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AssignForm(ActionForm, AssigneeForm):
    external_handler = forms.CharField(
        label=_("Or an outside contractor or agency"), max_length=100, required=False
    )
    external_contact = forms.CharField(
        label=_("Their contact (phone or address)"), max_length=100, required=False
    )


class HoldForm(ActionForm):
    reason = forms.CharField(label=_("Why is it on hold?"), max_length=300)
    until = forms.DateField(label=_("Until"), widget=DateInput)


class ExtendForm(ActionForm):
    days = forms.IntegerField(label=_("More working days"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("Reason (the requester is told)"), max_length=300)


class ResolveForm(ActionForm):
    result = forms.CharField(
        label=_("What was done?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("Photos of the result"))


class ReplyForm(ActionForm):
    body = forms.CharField(
        label=_("Reply to the requester"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RateForm(ActionForm):
    rating = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevisitForm(RateForm):
    """The rating the office records after a call or visit: the same answers, in its words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].label = _("The requester said")
        self.fields["comment"].label = _("Notes of the call or visit")


class DuplicateForm(ActionForm):
    original = forms.IntegerField(label=_("Number of the original request"), min_value=1)


class ReferForm(ActionForm):
    to = forms.CharField(label=_("Referred to"), max_length=100)
    reason = forms.CharField(label=_("Why"), max_length=300)


class WithdrawForm(ActionForm):
    reason = forms.CharField(label=_("Why? (optional)"), max_length=300, required=False)


class CommentForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            (CommentKind.PROGRESS, CommentKind.PROGRESS.label),
            (CommentKind.NOTE, CommentKind.NOTE.label),
        ],
        widget=forms.HiddenInput,
    )
    body = forms.CharField(
        label=_("Text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- the secretary's settings --------------------------------------------------------------


class CategoryForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^[a-z0-9][a-z0-9_-]{0,39}$",
        max_length=40,
        help_text=_(
            "Lower-case letters, digits, - and _; used by Open311 clients; cannot be changed later."
        ),
        error_messages={"invalid": _("Use lower-case letters, digits, - and _.")},
    )
    name = forms.CharField(label=_("Category name"), max_length=60)
    name_en = forms.CharField(label=_("English name"), max_length=80, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    default_team = ObjectChoiceField(required=False, label=_("Default handling team"))
    respond_within_hours = forms.IntegerField(
        label=_("Respond within (hours)"), min_value=1, max_value=720, initial=24
    )
    resolve_within_workdays = forms.IntegerField(
        label=_("Resolve within (working days)"), min_value=1, max_value=365, initial=5
    )
    work_from = forms.TimeField(
        label=_("Working hours from"),
        required=False,
        initial=dt.time(8, 30),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "The response limit counts only working hours on working days, so it never "
            "ends at night. Leave both times empty for a limit that runs round the clock."
        ),
    )
    work_until = forms.TimeField(
        label=_("Working hours until"),
        required=False,
        initial=dt.time(17, 30),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    active = forms.BooleanField(
        label=_("Active (residents can choose it)"), required=False, initial=True
    )
    public = forms.BooleanField(
        label=_("Shown publicly (Open311, public lists), without names, phones or rooms"),
        required=False,
        initial=True,
        help_text=_("Leave it off for requests about people's homes or neighbours."),
    )
    attributes = forms.CharField(
        label=_("Extra questions (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            'Open311 attributes, e.g. [{"code": "floor", "description": "Which '
            'floor?", "datatype": "string", "required": false}]. Datatypes: string, '
            "text, number, datetime, singlevaluelist, multivaluelist (these two need "
            '"values": [{"key": "a", "name": "…"}]).'
        ),
    )

    def __init__(self, *args, teams, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_team"].set_objects(teams)
        if editing:
            del self.fields["code"]

    def clean_attributes(self):
        raw = (self.cleaned_data.get("attributes") or "").strip()
        if not raw:
            return []
        try:
            value = json.loads(raw)
        except ValueError as e:
            raise forms.ValidationError(
                _("This is not valid JSON (line %(line)s): %(msg)s")
                % {"line": getattr(e, "lineno", "?"), "msg": getattr(e, "msg", str(e))}
            ) from None
        try:
            return validate_attributes(value)
        except TicketError as e:
            raise forms.ValidationError(str(e.message)) from None


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class TeamMemberForm(forms.Form):
    user = ObjectChoiceField(label=_("Person"))
    op = forms.ChoiceField(
        choices=[("add", "add"), ("remove", "remove")], widget=forms.HiddenInput, initial="add"
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].set_objects(people, lambda u: u.get_full_name())


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    name = forms.CharField(label=_("Name of the holiday"), max_length=60)
    is_workday = forms.BooleanField(
        label=_("A worked day (a weekend day worked in exchange, 调休)"), required=False
    )


class RequestSettingsForm(forms.Form):
    handler_name = forms.ChoiceField(
        label=_("How residents read who handles their request"),
        choices=HandlerName.choices,
        widget=forms.RadioSelect,
        help_text=_("The team is always shown; a phone number never is."),
    )


class ModerateForm(forms.Form):
    """The office edits what the public reads of a request, or hides it."""

    public_text = forms.CharField(
        label=_("Public text"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What the public reads instead of the description. Leave out names, phone "
            "numbers, ID numbers and rooms; those typed here are removed again."
        ),
    )
    hidden = forms.BooleanField(label=_("Hide this request from the public"), required=False)
