"""Who handles a request, as its reader may see it.

Staff read the assignee as recorded. A resident reads the team and, when a person is
assigned, that person's public name in the form the community chose
(``RequestSettings.handler_name``): "维修组 吴师傅", "维修组 吴建国" or "维修组". Never a phone,
never an empty label: an unassigned request says so ("待分派")."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .models import HandlerName, HandlingTeam, RequestSettings, Ticket

# Two-character surnames common enough to meet in a community office (欧阳 is 欧阳, not 欧).
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
        "轩辕",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
        "呼延",
        "万俟",
        "闻人",
        "东郭",
        "钟离",
        "申屠",
        "澹台",
        "太史",
        "公冶",
        "濮阳",
        "淳于",
        "单于",
        "赫连",
        "拓跋",
    ]
)
_HAN = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")


def surname_of(user) -> str:
    """The family name of an account, or "" when it cannot be told (a user name only)."""
    if user.last_name:
        return user.last_name.strip()
    name = (user.display_name or user.get_full_name() or "").strip()
    if not name or name == user.username:
        return ""
    if _HAN.match(name):
        if name[0] in "老小" and len(name) > 1 and _HAN.match(name[1:]):
            name = name[1:]  # 老李师傅, 小王: the familiar form names the surname second
        return name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[0]
    return ""  # a Latin name: which word is the family name is not known


def person_name(user, choice: str) -> str:
    """``user``'s public name under the community's ``choice``; "" for none."""
    if choice == HandlerName.TEAM:
        return ""
    if choice == HandlerName.FULL:
        name = user.get_full_name()
        return "" if name == user.username else name
    surname = surname_of(user)
    if not surname:
        return ""
    if choice == HandlerName.SURNAME_TONGZHI:
        return _("Comrade %(surname)s") % {"surname": surname}
    return _("Master %(surname)s") % {"surname": surname}


def handler_choice(community_id: int) -> str:
    row = RequestSettings.objects.filter(community_id=community_id).only("handler_name").first()
    return row.handler_name if row else HandlerName.SURNAME_SHIFU


def staff_label(t: Ticket) -> str:
    return t.assignee_label or _("Not yet assigned")


def resident_label(t: Ticket, choice: str | None = None) -> str:
    """What the requester reads under "Handled by" (``choice``: the community's setting, read
    when not given)."""
    if not (t.assignee_user_id or t.assignee_team_id or t.external_handler):
        return _("Not yet assigned")
    parts = []
    if t.assignee_team_id:
        parts.append(str(t.assignee_team))
    elif t.assignee_user_id:
        # Given to a person directly: their team in this community, if they are in one.
        team = (
            HandlingTeam.objects.filter(
                community_id=t.community_id, active=True, members=t.assignee_user_id
            )
            .order_by("name")
            .first()
        )
        if team is not None:
            parts.append(str(team))
    if t.assignee_user_id:
        if choice is None:
            choice = handler_choice(t.community_id)
        name = person_name(t.assignee_user, choice)
        if name:
            parts.append(name)
    if not parts and t.external_handler:
        # An outside contractor or agency by its name; its contact stays with the office.
        parts.append(t.external_handler)
    return " ".join(parts) or _("A member of the community office")
