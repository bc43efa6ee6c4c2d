"""Forms for log-in, granting roles and opening accounts. They parse and look things up; the
rules (who may, what is allowed) are in ``services``."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from linli.core.roles import ROLE_LEVEL
from linli.registry.models import Building, Grid, Household

from . import queries
from .services import GRANTABLE_ROLES


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Phone number or user name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("The phone number / user name or the password is wrong."),
        "inactive": _("This account is switched off. Please ask your community office."),
    }


class GrantForm(forms.Form):
    user = forms.CharField(
        label=_("User name or phone number"),
        max_length=150,
        help_text=_("Exactly as the person logs in."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in GRANTABLE_ROLES])
    grid = forms.ModelChoiceField(
        label=_("Grid (for a grid worker)"), queryset=Grid.objects.none(), required=False
    )
    building = forms.ModelChoiceField(
        label=_("Building (for a building leader)"),
        queryset=Building.objects.none(),
        required=False,
    )
    household = forms.CharField(
        label=_("Room label (for a resident)"),
        max_length=40,
        required=False,
        help_text=_("Building-unit-room, for example 3-2-501."),
    )

    def __init__(self, *args, community, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.actor = actor
        # Only this community's places can be chosen: another community's id is "not one of
        # the available choices".
        self.fields["grid"].queryset = Grid.objects.filter(community=community).order_by("sort_key")
        self.fields["building"].queryset = Building.objects.filter(community=community).order_by(
            "sort_key"
        )

    def clean_user(self):
        user = queries.user_find_for(self.actor, self.community, self.cleaned_data["user"])
        if user is None:
            raise forms.ValidationError(queries.user_not_found_message(), code="unknown_user")
        return user

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if not role:
            return cleaned
        level = ROLE_LEVEL[role]
        place = None
        if level == "community":
            place = self.community
        elif level == "grid":
            place = cleaned.get("grid")
            if place is None and "grid" not in self.errors:
                self.add_error("grid", _("Choose the grid for this role."))
        elif level == "building":
            place = cleaned.get("building")
            if place is None and "building" not in self.errors:
                self.add_error("building", _("Choose the building for this role."))
        elif level == "household":
            label = (cleaned.get("household") or "").strip()
            if not label:
                self.add_error("household", _("Enter the room label of the resident's home."))
            else:
                place = Household.objects.filter(community=self.community, label=label).first()
                if place is None:
                    self.add_error(
                        "household",
                        _("There is no household %(label)s in this community.") % {"label": label},
                    )
        cleaned["place"] = place
        return cleaned


class UserCreateForm(forms.Form):
    display_name = forms.CharField(
        label=_("Name"), max_length=50, help_text=_("Shown to others, e.g. 张三 or 王阿姨.")
    )
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=30,
        required=False,
        help_text=_("Optional. The person can log in with it."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    password = forms.CharField(
        label=_("First password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("First password, again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, so the rules are listed in the language of this request.
        self.fields["password"].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        return cleaned
