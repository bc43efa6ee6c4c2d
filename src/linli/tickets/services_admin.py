"""The secretary's settings for requests: categories (with their time limits and Open311 extra
questions), handling teams and their members, the working-day calendar, and how a handler's
name is shown to residents.

Every function checks ``ticket.categories`` on the community through the one policy,
validates, writes in one transaction and records an event.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import policy
from linli.core.events import log_event, register_verbs
from linli.core.models import Holiday
from linli.core.roles import EVERYONE
from linli.registry.models import Community

from .models import Category, HandlerName, HandlingTeam, RequestSettings
from .workflow import TicketError

register_verbs(
    {
        "category.saved": gettext_lazy("Request category saved"),
        "team.saved": gettext_lazy("Handling team saved"),
        "holiday.added": gettext_lazy("Holiday added"),
        "request_settings.saved": gettext_lazy("Request settings saved"),
    }
)

# Open311 GeoReport v2 attribute datatypes.
ATTRIBUTE_TYPES = ("string", "text", "number", "datetime", "singlevaluelist", "multivaluelist")
LIST_TYPES = ("singlevaluelist", "multivaluelist")
MAX_ATTRIBUTES = 20
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _authorize(actor, community: Community) -> None:
    policy.authorize(actor, "ticket.categories", community)


def validate_attributes(value: Any) -> list[dict]:
    """Check extra questions against the Open311 attribute shape and return them normalised:
    ``[{"code", "description", "datatype", "required", "variable", "order", "values"}]``."""
    if value in (None, "", []):
        return []
    if not isinstance(value, list):
        raise TicketError(_("The extra questions must be a list: [ {…}, {…} ]."))
    if len(value) > MAX_ATTRIBUTES:
        raise TicketError(_("At most %(n)s extra questions.") % {"n": MAX_ATTRIBUTES})
    out: list[dict] = []
    seen: set[str] = set()
    for n, attr in enumerate(value, start=1):
        where = {"n": n}
        if not isinstance(attr, dict):
            raise TicketError(_('Question %(n)s must be an object: {"code": …}.') % where)
        code = attr.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise TicketError(_("Question %(n)s needs a code of letters, digits, - and _.") % where)
        if code in seen:
            raise TicketError(_("Two questions have the code “%(code)s”.") % {"code": code})
        seen.add(code)
        description = attr.get("description")
        if not isinstance(description, str) or not description.strip():
            raise TicketError(_("Question %(n)s needs a description (the question asked).") % where)
        datatype = attr.get("datatype", "string")
        if datatype not in ATTRIBUTE_TYPES:
            raise TicketError(
                _("Question %(n)s: the datatype must be one of %(types)s.")
                % {"n": n, "types": ", ".join(ATTRIBUTE_TYPES)}
            )
        required = attr.get("required", False)
        if not isinstance(required, bool):
            raise TicketError(_("Question %(n)s: “required” must be true or false.") % where)
        clean = {
            "code": code,
            "description": description.strip()[:200],
            "datatype": datatype,
            "required": required,
            "variable": True,
            "order": n,
        }
        # The question in English too, when given (shown in the English interface).
        description_en = attr.get("description_en")
        if isinstance(description_en, str) and description_en.strip():
            clean["description_en"] = description_en.strip()[:200]
        values = attr.get("values", [])
        if datatype in LIST_TYPES:
            if not isinstance(values, list) or not values:
                raise TicketError(
                    _("Question %(n)s needs a list of values to choose from.") % where
                )
            keys: set[str] = set()
            clean_values = []
            for v in values:
                if (
                    not isinstance(v, dict)
                    or not isinstance(v.get("key"), str | int)
                    or not isinstance(v.get("name"), str)
                    or not v["name"].strip()
                ):
                    raise TicketError(
                        _("Question %(n)s: each value needs a “key” and a “name”.") % where
                    )
                key = str(v["key"])[:40]
                if key in keys:
                    raise TicketError(
                        _("Question %(n)s: two values have the key “%(key)s”.")
                        % {"n": n, "key": key}
                    )
                keys.add(key)
                clean_values.append({"key": key, "name": v["name"].strip()[:100]})
            clean["values"] = clean_values
        elif values:
            raise TicketError(_("Question %(n)s: only list questions have values.") % where)
        out.append(clean)
    return out


def _messages(e: ValidationError, model=Category) -> str:
    if not hasattr(e, "error_dict"):
        return " ".join(str(m) for m in e.messages)
    parts = []
    for field, errors in e.message_dict.items():
        try:
            label = str(model._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:  # a non-field error
            label = ""
        parts.extend(f"{label}: {m}" if label else str(m) for m in errors)
    return " ".join(parts)


def category_save(
    *,
    actor,
    community: Community,
    category: Category | None = None,
    code: str = "",
    name: str,
    name_en: str = "",
    description: str = "",
    default_team: HandlingTeam | None = None,
    respond_within_hours: int = 24,
    resolve_within_workdays: int = 5,
    work_from: dt.time | None = None,
    work_until: dt.time | None = None,
    active: bool = True,
    attributes: Any = None,
    public: bool = True,
) -> Category:
    """Create a category (``category`` None) or change one. The code is fixed once created:
    Open311 clients know the category by it."""
    _authorize(actor, community)
    if category is not None and category.community_id != community.pk:
        raise TicketError(_("This category belongs to another community."))
    name = (name or "").strip()
    if not name:
        raise TicketError(_("Give the category a name."))
    if default_team is not None and default_team.community_id != community.pk:
        raise TicketError(_("This team is not one of this community's teams."))
    attrs = validate_attributes(attributes)
    created = category is None
    obj = category or Category(community=community, code=(code or "").strip())
    obj.name, obj.name_en = name, (name_en or "").strip()
    obj.description = (description or "").strip()
    obj.default_team = default_team
    obj.respond_within_hours = respond_within_hours
    obj.resolve_within_workdays = resolve_within_workdays
    obj.work_from, obj.work_until = work_from, work_until
    obj.active, obj.attributes = bool(active), attrs
    obj.public = bool(public)
    if created and Category.objects.filter(community=community, code=obj.code).exists():
        raise TicketError(
            _("There is already a category with the code “%(code)s”.") % {"code": obj.code}
        )
    try:
        obj.full_clean(validate_constraints=False)  # the one constraint is checked above
    except ValidationError as e:
        raise TicketError(_messages(e)) from None
    with transaction.atomic():
        obj.save()
        log_event(
            actor=actor,
            verb="category.saved",
            obj=obj,
            data={
                "code": obj.code,
                "created": created,
                "active": obj.active,
                "questions": len(attrs),
            },
        )
    return obj


def team_save(
    *, actor, community: Community, team: HandlingTeam | None = None, name: str, active: bool = True
) -> HandlingTeam:
    _authorize(actor, community)
    if team is not None and team.community_id != community.pk:
        raise TicketError(_("This team is not one of this community's teams."))
    name = (name or "").strip()[:100]
    if not name:
        raise TicketError(_("Give the team a name."))
    taken = HandlingTeam.objects.filter(community=community, name=name)
    if team is not None:
        taken = taken.exclude(pk=team.pk)
    if taken.exists():
        raise TicketError(_("There is already a team called “%(name)s”.") % {"name": name})
    created = team is None
    with transaction.atomic():
        obj = team or HandlingTeam(community=community)
        obj.name, obj.active = name, bool(active)
        obj.save()
        log_event(
            actor=actor,
            verb="team.saved",
            obj=obj,
            data={"name": name, "created": created, "active": obj.active},
        )
    return obj


def team_member_add(*, actor, team: HandlingTeam, user) -> HandlingTeam:
    community = team.community
    _authorize(actor, community)
    if user is None or not user.is_active or not policy.holds_role_in(user, EVERYONE, community):
        raise TicketError(_("This person holds no role in this community."))
    with transaction.atomic():
        team.members.add(user)
        log_event(actor=actor, verb="team.saved", obj=team, data={"member_added": user.pk})
    return team


def team_member_remove(*, actor, team: HandlingTeam, user) -> HandlingTeam:
    _authorize(actor, team.community)
    if user is None or not team.members.filter(pk=user.pk).exists():
        raise TicketError(_("This person is not a member of the team."))
    with transaction.atomic():
        team.members.remove(user)
        log_event(actor=actor, verb="team.saved", obj=team, data={"member_removed": user.pk})
    return team


def holiday_add(
    *, actor, community: Community, date: dt.date, name: str, is_workday: bool = False
) -> Holiday:
    """A public holiday (no work) or a weekend day worked in exchange (调休), for this
    community's deadlines."""
    _authorize(actor, community)
    name = (name or "").strip()[:60]
    if not name or date is None:
        raise TicketError(_("Give the date and a name."))
    if Holiday.objects.filter(community_id=community.pk, date=date).exists():
        raise TicketError(_("%(date)s is already in the calendar.") % {"date": date.isoformat()})
    with transaction.atomic():
        h = Holiday.objects.create(
            community_id=community.pk, date=date, name=name, is_workday=bool(is_workday)
        )
        log_event(
            actor=actor,
            verb="holiday.added",
            obj=h,
            community_id=community.pk,
            data={"date": date.isoformat(), "name": name, "is_workday": h.is_workday},
        )
    return h


def request_settings_save(*, actor, community: Community, handler_name: str) -> RequestSettings:
    """How residents read who handles their request: the team with the handler's full name,
    surname + 师傅 or 同志, or the team only (``tickets.handler_names``)."""
    _authorize(actor, community)
    if handler_name not in HandlerName.values:
        raise TicketError(_("Choose how the handler's name is shown."))
    with transaction.atomic():
        row, _created = RequestSettings.objects.select_for_update().get_or_create(
            community=community
        )
        row.handler_name = handler_name
        row.updated_by = actor
        row.save()
        log_event(
            actor=actor,
            verb="request_settings.saved",
            obj=row,
            community_id=community.pk,
            data={"handler_name": handler_name},
        )
    return row
