"""Small helpers shared by the deliberation pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core import documents

from ..forms.topics import FollowUpForm
from ..models import Meeting, Topic, Vote
from ..queries.topics import follow_up_choices

PAGE_SIZE = 20


# --- shared by the deliberation pages --------------------------------------------------------


def sub_path(kind: str, pk: int) -> str:
    """Links to the vote and survey pages, which other parts of the module serve under
    /deliberation/votes/<id>/ and /deliberation/surveys/<id>/."""
    return f"{reverse('deliberation:index')}{kind}/{pk}/"


def place_label(topic: Topic) -> str:
    if topic.unit_id:
        return f"{topic.unit.building} · {topic.unit}"
    if topic.building_id:
        return str(topic.building)
    if topic.grid_id:
        return str(topic.grid)
    return _("The whole community")


def row_of(parent, related, pk: int | None, *select: str):
    """A row of one of ``parent``'s own lists (``related``: ``meeting.invitations``,
    ``forum.opinions`` …): another's row is not found (404). It comes with ``parent`` set, so
    that the service reads it no more."""
    rows = related.select_related(*select) if select else related.all()
    obj = rows.filter(pk=pk).first()
    if obj is None:
        raise Http404
    setattr(obj, related.field.name, parent)
    return obj


def follow_up_form(actor, community_id: int, data=None, **kwargs: Any) -> FollowUpForm:
    """The follow-up work form of a topic's, a forum's or a resolution's page: the
    community's workers to give it to, the request categories the actor may file it under."""
    people, categories = follow_up_choices(actor, community_id)
    return FollowUpForm(data, people=people, categories=categories, **kwargs)


def plain_text(message: str, status: int) -> HttpResponse:
    """A print view's refusal: the reason as plain text (there is no page to show it on)."""
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def form_errors(form: forms.Form) -> str:
    """A print view's bad query as one line: "label: messages; label: messages"."""
    return "; ".join(
        f"{form.fields[f].label}: {' '.join(str(m) for m in e)}" for f, e in form.errors.items()
    )


def paper(
    obj: Meeting | Vote, template: str, data: dict[str, Any], *, header: str, filename: str
) -> HttpResponse:
    """A meeting's or a vote's printed paper (``deliberation/documents/<template>.typ``) as a
    download, headed with its community's name and titled with its title."""
    return documents.pdf_download(
        f"deliberation/documents/{template}.typ",
        data,
        filename=filename,
        community=obj.community.name,
        title=obj.title,
        header=header,
    )


# --- the landing page ------------------------------------------------------------------------
