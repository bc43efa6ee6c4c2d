"""The deliberation landing page and topic pages: raise a topic, list them, and a topic's page
with every meeting, survey, forum and vote held on it, the decision and its follow-up work.

Thin: parse a form, call one service, render. ``DomainError`` is shown with its message
and status; ``PermissionDenied`` (403) and ``Http404`` come from the one policy. The
follow-up work form (``views/common.follow_up_form``) serves the meeting and forum pages too."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.errors import DomainError
from linli.core.pages import ObjectPage, form_page, run_action
from linli.registry.models import Building, Community, Grid, Unit
from linli.tickets.models import Ticket

from ..forms.topics import DecideForm, TopicForm
from ..models import (
    ActionItem,
    ActionStatus,
    Forum,
    MeetingStatus,
    Resolution,
    Survey,
    SurveyStatus,
    Topic,
    TopicStatus,
    Vote,
    VoteStatus,
)
from ..queries import meetings as meeting_queries
from ..services import meetings as meeting_services
from ..services import topics as topic_services
from ..views.common import PAGE_SIZE, follow_up_form, place_label, sub_path


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = request.user
    policy.require_any(actor, "topic.view")
    now = timezone.now()
    topics = list(
        policy.scope_filter(actor, Topic.objects.filter(status=TopicStatus.OPEN), "topic.view")
        .select_related("community", "grid", "building", "unit__building")
        .order_by("-created_at", "-id")[:10]
    )
    for t in topics:
        t.place = place_label(t)
    meetings = list(
        meeting_queries.meetings_for(actor)
        .filter(
            starts_at__gte=now - meeting_services.CHECKIN_OPENS_BEFORE,
            status__in=[MeetingStatus.DRAFT, MeetingStatus.NOTICED],
        )
        .select_related("community")
        .order_by("starts_at", "id")[:10]
    )
    votes = list(
        policy.scope_filter(
            actor,
            Vote.objects.filter(status__in=[VoteStatus.NOTICED, VoteStatus.OPEN]),
            "vote.view",
        ).order_by("closes_at", "id")[:10]
    )
    for v in votes:
        v.url = sub_path("votes", v.pk)
    surveys: list = []
    if policy.has_any(actor, "survey.enter") or policy.has_any(actor, "survey.view_results"):
        open_surveys = Survey.objects.filter(status=SurveyStatus.OPEN)
        surveys = list(
            open_surveys.filter(
                Q(pk__in=policy.scope_filter(actor, open_surveys, "survey.enter").values("pk"))
                | Q(
                    pk__in=policy.scope_filter(actor, open_surveys, "survey.view_results").values(
                        "pk"
                    )
                )
            ).order_by("-created_at", "-id")[:10]
        )
        for s in surveys:
            s.url = sub_path("surveys", s.pk)
    ctx = {
        "topics": topics,
        "meetings": meetings,
        "votes": votes,
        "surveys": surveys,
        "can_raise": policy.has_any(actor, "topic.raise"),
        "can_meet": policy.has_any(actor, "meeting.manage"),
        "can_forum": policy.has_any(actor, "forum.manage"),
    }
    return render(request, "deliberation/index.html", ctx)


# --- raising a topic -------------------------------------------------------------------------


def _raise_places(actor) -> tuple[dict, list]:
    """Where the actor may raise a topic: keys like "c:3", "b:7" → the place, and the
    grouped choices for the form."""
    communities = list(policy.scope_filter(actor, Community.objects.all(), "topic.raise"))
    several = len(communities) > 1
    grids = list(
        policy.scope_filter(
            actor, Grid.objects.select_related("community"), "topic.raise"
        ).order_by("community_id", "sort_key")
    )
    buildings = list(
        policy.scope_filter(
            actor, Building.objects.select_related("community"), "topic.raise"
        ).order_by("community_id", "sort_key")
    )
    units = list(
        policy.scope_filter(
            actor, Unit.objects.select_related("building__community"), "topic.raise"
        ).order_by("building__sort_key", "sort_key")
    )

    def named(obj, label, community):
        return f"{community} · {label}" if several else label

    places, groups = {}, []
    for level, key, objs, label in (
        (
            _("Community"),
            "c",
            communities,
            lambda o: _("The whole community") if not several else str(o),
        ),
        (_("Grid"), "g", grids, lambda o: named(o, str(o), o.community)),
        (_("Building"), "b", buildings, lambda o: named(o, str(o), o.community)),
        (_("Unit"), "u", units, lambda o: named(o, f"{o.building} · {o}", o.building.community)),
    ):
        options = []
        for o in objs:
            places[f"{key}:{o.pk}"] = o
            options.append((f"{key}:{o.pk}", label(o)))
        if options:
            groups.append((level, options))
    return places, groups


@login_required
def topic_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    policy.require_any(actor, "topic.raise")
    places, choices = _raise_places(actor)
    form = TopicForm(
        request.POST or None,
        places=places,
        choices=choices,
        initial={"place": next(iter(places), None)},
    )

    def run(d):
        place, numbers = d["place"], d["tickets"]
        found = {
            t.pk: t
            for t in policy.scope_filter(
                actor, Ticket.objects.filter(pk__in=numbers), "ticket.view"
            )
        }
        missing = [n for n in numbers if n not in found]
        if missing:
            raise DomainError(
                _("Request #%(n)s was not found among the requests you can see.")
                % {"n": missing[0]},
                field="tickets",
            )
        kw = {"grid": None, "building": None, "unit": None}
        if isinstance(place, Community):
            community = place
        else:
            # Whoever may raise a topic at a place may raise one at its community.
            community = places.get(f"c:{place.community_id}") or place.community
            kw[type(place).__name__.lower()] = place
        return topic_services.topic_raise(
            actor=actor,
            community=community,
            title=d["title"],
            description=d["description"],
            tickets=list(found.values()),
            **kw,
        )

    return form_page(
        request,
        form,
        run,
        template="deliberation/topic_new.html",
        done=_("Topic raised. Thank you."),
        to=PAGE.url,
    )


# --- the list --------------------------------------------------------------------------------


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    policy.require_any(actor, "topic.view")
    status = request.GET.get("status") or ""
    if status not in TopicStatus.values:
        status = ""
    qs = policy.scope_filter(actor, Topic.objects.all(), "topic.view")
    if status:
        qs = qs.filter(status=status)
    qs = qs.select_related("community", "grid", "building", "unit__building").annotate(
        n_actions_open=Count("actions", filter=Q(actions__status=ActionStatus.OPEN))
    )
    page = Paginator(qs.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    for t in page.object_list:
        t.place = place_label(t)
    tabs = [("", _("All"))] + [(s.value, s.label) for s in TopicStatus]
    ctx = {
        "page": page,
        "tabs": tabs,
        "current": status,
        "can_raise": policy.has_any(actor, "topic.raise"),
    }
    return render(request, "deliberation/topic_list.html", ctx)


# --- one topic -------------------------------------------------------------------------------


def _vote_result(vote: Vote) -> dict | None:
    """The published tally in plain words (the count itself is the votes part's)."""
    if vote.status != VoteStatus.PUBLISHED or not vote.result:
        return None
    r = vote.result
    lang = "en" if (translation.get_language() or "").startswith("en") else "zh"
    expl = r.get("explanation") or {}
    return {
        "quorum_met": r.get("quorum_met"),
        "passed": r.get("passed"),
        "explanation": expl.get(lang) if isinstance(expl, dict) else "",
    }


SOURCE_LABELS = {
    "resolution": gettext_lazy("From a meeting resolution"),
    "vote": gettext_lazy("From a vote"),
    "forum": gettext_lazy("From a building forum"),
}


def _topic_context(
    request: HttpRequest, topic: Topic, *, bound: dict | None = None, error: str = ""
) -> dict:
    actor = request.user
    can = policy.checker(actor).on(topic)
    manage = can("topic.manage")
    bound = bound or {}
    meetings = list(
        meeting_queries.meetings_for(actor).filter(agenda__topic=topic).order_by("starts_at", "id")
    )
    by_meeting: dict[int, list] = {m.pk: [] for m in meetings}
    shown = [m.pk for m in meetings if manage or m.status == MeetingStatus.CLOSED]
    resolutions = list(Resolution.objects.filter(topic=topic, meeting_id__in=shown).order_by("id"))
    for r in resolutions:
        by_meeting[r.meeting_id].append(r)
    for m in meetings:
        m.topic_resolutions = by_meeting[m.pk]
    surveys = policy.scope_filter(actor, Survey.objects.filter(topic=topic), "survey.view")
    surveys = list(
        surveys.annotate(
            assigned=Count("assignments", distinct=True),
            answered=Count("visits", filter=Q(visits__outcome="answered"), distinct=True),
        ).order_by("created_at", "id")
    )
    for s in surveys:
        s.url = sub_path("surveys", s.pk)
    forums = list(
        policy.scope_filter(actor, Forum.objects.filter(topic=topic), "forum.view")
        .select_related("building")
        .annotate(n_opinions=Count("opinions"))
        .order_by("held_on", "id")
    )
    votes = policy.scope_filter(actor, Vote.objects.filter(topic=topic), "vote.view")
    votes = list(votes.order_by("created_at", "id"))
    for v in votes:
        v.url = sub_path("votes", v.pk)
        v.outcome = _vote_result(v)
    actions = list(
        topic.actions.select_related("owner", "ticket").order_by("status", "due_on", "id")
    )
    today = timezone.localdate()
    for a in actions:
        a.can_complete = a.status == ActionStatus.OPEN and (
            can("action.complete") or a.owner_id == actor.pk
        )
        a.overdue = a.status == ActionStatus.OPEN and a.due_on and a.due_on < today
        a.source_label = SOURCE_LABELS.get(a.source_type, "")
    ctx = {
        "topic": topic,
        "place": place_label(topic),
        "manage": manage,
        "meetings": meetings,
        "surveys": surveys,
        "forums": forums,
        "votes": votes,
        "actions": actions,
        "open_actions": sum(1 for a in actions if a.status == ActionStatus.OPEN),
        "tickets": list(topic.tickets.order_by("pk")),
        "error": error,
    }
    if manage:
        ctx["decide_form"] = bound.get("decide") or DecideForm(
            initial={"decision": topic.decision, "status": topic.status}, auto_id="id_d_%s"
        )
        ctx["action_form"] = bound.get("action") or follow_up_form(actor, topic.community_id)
    return ctx


def _get_topic(actor, pk: int, action: str = "topic.view") -> Topic:
    return policy.get_for(
        actor,
        Topic.objects.select_related(
            "community", "grid", "building", "unit__building", "raised_by"
        ),
        action,
        pk=pk,
    )


# The topic's page, and where the forms and buttons posted from it end.
PAGE = ObjectPage("deliberation/topic_detail.html", _topic_context, "deliberation:topic_detail")


@login_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return PAGE.render(request, _get_topic(request.user, pk))


@login_required
@require_POST
def topic_decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    topic = _get_topic(actor, pk, "topic.manage")
    form = DecideForm(request.POST, auto_id="id_d_%s")
    return PAGE.form(
        request,
        topic,
        form,
        lambda d: topic_services.topic_decide(actor=actor, topic=topic, **d),
        done=_("Decision recorded."),
        decide=form,
    )


@login_required
@require_POST
def action_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    topic = _get_topic(actor, pk, "action.manage")
    form = follow_up_form(actor, topic.community_id, request.POST)
    return PAGE.form(
        request,
        topic,
        form,
        lambda d: topic_services.action_create(actor=actor, topic=topic, **form.service_kwargs()),
        done=_("Follow-up work created."),
        action=form,
    )


@login_required
@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    action = policy.get_for(
        actor, ActionItem.objects.select_related("topic"), "action.complete", pk=pk
    )
    return run_action(
        request,
        lambda: topic_services.action_complete(actor=actor, action=action),
        done=_("Marked as done."),
        to=PAGE.url(action.topic),
        on_error=lambda e: PAGE.again(request, _get_topic(actor, action.topic_id))(
            str(e.message), e.status
        ),
    )
