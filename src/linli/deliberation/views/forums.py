"""Building forum pages: record a forum at a building, the opinions heard there grouped by
theme, and the follow-up work. Speakers are named only with their consent; everyone else
reads themes and texts without names."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.pages import ObjectPage, form_page
from linli.registry.models import Building

from ..forms.forums import ForumForm, OpinionForm
from ..models import ActionItem, Forum, Topic, TopicStatus
from ..queries import forums as forum_queries
from ..services import forums as forum_services
from ..views.common import PAGE_SIZE, follow_up_form, row_of


def _buildings(actor) -> list:
    return list(
        policy.scope_filter(actor, Building.objects.all(), "forum.manage").order_by(
            "community_id", "sort_key"
        )
    )


def _topics(actor, community_id: int | None = None) -> list:
    qs = policy.scope_filter(
        actor,
        Topic.objects.filter(status__in=[TopicStatus.OPEN, TopicStatus.DECIDED]),
        "topic.view",
    )
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    return list(qs.order_by("-created_at", "-id")[:200])


@login_required
def forum_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    policy.require_any(actor, "forum.view")
    page = Paginator(forum_queries.forums_for(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {"page": page, "can_manage": policy.has_any(actor, "forum.manage")}
    return render(request, "deliberation/forum_list.html", ctx)


@login_required
def forum_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    policy.require_any(actor, "forum.manage")
    buildings, topics = _buildings(actor), _topics(actor)
    initial = {"held_on": timezone.localdate()}
    for key in ("building", "topic"):
        if (request.GET.get(key) or "").isdigit():
            initial[key] = request.GET[key]
    form = ForumForm(request.POST or None, buildings=buildings, topics=topics, initial=initial)

    def run(d):
        building = policy.get_for(actor, Building.objects.all(), "forum.manage", pk=d["building"])
        return forum_services.forum_create(actor=actor, **{**d, "building": building})

    return form_page(
        request,
        form,
        run,
        done=_("Forum recorded. Now write down the opinions."),
        to=PAGE.url,
        template="deliberation/forum_form.html",
        context={},
    )


def _get(actor, pk: int, action: str = "forum.view") -> Forum:
    return policy.get_for(
        actor, Forum.objects.select_related("building", "community", "topic"), action, pk=pk
    )


@login_required
def forum_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    forum = _get(actor, pk, "forum.manage")
    topics = _topics(actor, forum.community_id)
    initial = {
        "held_on": forum.held_on,
        "title": forum.title,
        "notes": forum.notes,
        "topic": str(forum.topic_id or ""),
    }
    form = ForumForm(request.POST or None, topics=topics, initial=initial, editing=True)
    return form_page(
        request,
        form,
        lambda d: forum_services.forum_update(actor=actor, forum=forum, **d),
        done=_("Forum saved."),
        to=PAGE.url,
        template="deliberation/forum_form.html",
        context={"forum": forum},
    )


def _context(
    request: HttpRequest, forum: Forum, *, bound: dict | None = None, error: str = ""
) -> dict:
    actor = request.user
    bound = bound or {}
    can = policy.checker(actor).on(forum)
    themes = forum_queries.forum_themes(forum)
    work = list(
        ActionItem.objects.filter(source_type="forum", source_id=forum.pk)
        .select_related("owner", "ticket")
        .order_by("status", "due_on", "id")
    )
    ctx = {
        "forum": forum,
        "themes": themes,
        "total": sum(t.count for t in themes),
        "work": work,
        "manage": can("forum.manage"),
        "error": error,
    }
    if ctx["manage"]:
        ctx["opinion_form"] = bound.get("opinion") or OpinionForm()
    if can("action.manage"):
        ctx["follow_up_form"] = bound.get("follow_up") or follow_up_form(actor, forum.community_id)
    return ctx


# The forum's page, and where the forms and buttons posted from it end.
PAGE = ObjectPage("deliberation/forum_detail.html", _context, "deliberation:forum_detail")


@login_required
def forum_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return PAGE.render(request, _get(request.user, pk))


@login_required
@require_POST
def opinion_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    forum = _get(actor, pk, "forum.manage")
    form = OpinionForm(request.POST)

    def run(d):
        forum_services.opinion_add(actor=actor, forum=forum, **d)
        if d["speaker_name"].strip() and not d["speaker_consented"]:
            messages.warning(
                request,
                _("Opinion recorded without the name: the speaker did not agree to be named."),
            )
        else:
            messages.success(request, _("Opinion recorded."))

    return PAGE.form(request, forum, form, run, opinion=form)


@login_required
@require_POST
def opinion_delete(request: HttpRequest, pk: int, oid: int) -> HttpResponse:
    actor = request.user
    forum = _get(actor, pk, "forum.manage")
    opinion = row_of(forum, forum.opinions, oid)
    return PAGE.act(
        request,
        forum,
        lambda: forum_services.opinion_delete(actor=actor, opinion=opinion),
        _("Opinion removed."),
    )


@login_required
@require_POST
def forum_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    forum = _get(actor, pk, "action.manage")
    form = follow_up_form(actor, forum.community_id, request.POST)
    return PAGE.form(
        request,
        forum,
        form,
        lambda d: forum_services.forum_follow_up(actor=actor, forum=forum, **form.service_kwargs()),
        done=_("Follow-up work created; it is shown on the topic until done."),
        follow_up=form,
    )
