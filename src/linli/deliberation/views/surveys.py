"""Door-to-door survey pages: thin — parse a form, call one service or read, render.

Domain errors are shown with their message and HTTP status (400, or 409 when the survey's
state does not allow it); ``PermissionDenied`` is a 403 and ``Http404`` a 404, both from the
one policy. The door pages are made for a phone held at a door: one household per page, big
buttons, no JavaScript needed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.errors import DomainError
from linli.core.pages import form_action, form_page, run_action
from linli.registry.models import Community

from ..forms.surveys import AssignBuildingForm, AssignHouseholdsForm, QuestionForm, SurveyForm
from ..models import (
    Question,
    QuestionKind,
    Survey,
    SurveyStatus,
    Topic,
    TopicStatus,
    VisitOutcome,
)
from ..queries import surveys as survey_queries
from ..services import surveys as svc

# --- forms ---------------------------------------------------------------------------------


def _caps(actor, survey) -> dict[str, bool]:
    """What the actor may do on this survey, for the page to offer."""
    manage = policy.can(actor, "survey.manage", survey)
    return {
        "manage": manage,
        "results": manage or policy.can(actor, "survey.view_results", survey),
        "households": manage and policy.can(actor, "survey.view_households", survey),
        "enter": policy.can(actor, "survey.enter", survey),
    }


def _topics(actor):
    qs = policy.scope_filter(
        actor, Topic.objects.exclude(status=TopicStatus.DROPPED), "topic.manage"
    )
    return qs.order_by("-created_at")


def _detail(request: HttpRequest, survey, *, status: int = 200, qform=None, error=None):
    actor = request.user
    caps = _caps(actor, survey)
    ctx = {
        "survey": survey,
        "caps": caps,
        "error": error,
        "questions": list(survey.questions.order_by("order", "id")),
    }
    if caps["manage"] and survey.status == SurveyStatus.DRAFT:
        ctx["qform"] = qform or QuestionForm()
    if caps["results"] and survey.status != SurveyStatus.DRAFT:
        ctx["buildings"], ctx["total"] = survey_queries.progress_for(survey)
    if caps["enter"] and survey.status == SurveyStatus.OPEN:
        ctx["mine"] = survey.assignments.filter(surveyor=actor).count()
    return render(request, "deliberation/survey_detail.html", ctx, status=status)


def _detail_url(survey: Survey) -> str:
    return reverse("deliberation:survey_detail", args=[survey.pk])


def _manage(request: HttpRequest, pk: int):
    return policy.get_for(
        request.user, Survey.objects.select_related("community", "topic"), "survey.manage", pk=pk
    )


def _question(survey, qid: int) -> Question:
    return get_object_or_404(Question.objects.select_related("survey"), survey=survey, pk=qid)


# --- the list and the questionnaire --------------------------------------------------------


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    page = survey_queries.survey_list_for(actor, page=request.GET.get("page"))
    return render(
        request,
        "deliberation/survey_list.html",
        {
            "page": page,
            "can_create": policy.has_any(actor, "survey.manage"),
        },
    )


@login_required
def survey_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    policy.require_any(actor, "survey.manage")
    communities = policy.scope_filter(actor, Community.objects.all(), "survey.manage")
    initial = {}
    if request.GET.get("topic", "").isdigit():
        initial["topic"] = int(request.GET["topic"])
    form = SurveyForm(
        request.POST or None, communities=communities, topics=_topics(actor), initial=initial
    )
    return form_page(
        request,
        form,
        lambda d: svc.survey_create(
            actor=actor,
            community=d["community"],
            title=d["title"],
            intro=d["intro"],
            topic=d["topic"],
        ),
        template="deliberation/survey_form.html",
        done=_("Survey created. Now add its questions."),
        to=_detail_url,
    )


@login_required
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    survey = _manage(request, pk)
    form = SurveyForm(
        request.POST or None,
        topics=_topics(actor),
        initial={"title": survey.title, "intro": survey.intro, "topic": survey.topic_id},
    )
    return form_page(
        request,
        form,
        lambda d: svc.survey_update(
            actor=actor, survey=survey, title=d["title"], intro=d["intro"], topic=d["topic"]
        ),
        template="deliberation/survey_form.html",
        context={"survey": survey},
        done=_("Saved."),
        to=_detail_url(survey),
    )


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, survey_queries.survey_get_for(request.user, pk))


@login_required
@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _manage(request, pk)
    form = QuestionForm(request.POST)

    def page(message: str, status: int) -> HttpResponse:
        if form.is_valid():  # a refusal of a good form: shown on the form, as bad input is
            form.add_error(None, message)
        return _detail(request, survey, status=status, qform=form)

    return form_action(
        request,
        form,
        lambda d: svc.question_add(actor=request.user, survey=survey, **form.service_kwargs()),
        page=page,
        done=_("Question added."),
        to=_detail_url(survey) + "#questions",
    )


@login_required
def question_edit(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    survey = _manage(request, pk)
    q = _question(survey, qid)
    form = QuestionForm(
        request.POST or None,
        initial={
            "kind": q.kind,
            "text": q.text,
            "required": q.required,
            "choices": "\n".join(q.choices),
        },
    )
    return form_page(
        request,
        form,
        lambda d: svc.question_update(actor=request.user, question=q, **form.service_kwargs()),
        template="deliberation/survey_question_form.html",
        context={"survey": survey, "question": q},
        done=_("Question saved."),
        to=_detail_url(survey) + "#questions",
    )


def _survey_action(request: HttpRequest, pk: int, do, done: str, anchor: str = ""):
    survey = _manage(request, pk)
    return run_action(
        request,
        lambda: do(survey),
        done=done,
        to=_detail_url(survey) + anchor,
        on_error=lambda e: _detail(request, survey, status=e.status, error=str(e.message)),
    )


@login_required
@require_POST
def question_move(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    up = request.POST.get("direction") == "up"
    return _survey_action(
        request,
        pk,
        lambda s: svc.question_move(actor=request.user, question=_question(s, qid), up=up),
        _("Question moved."),
        "#questions",
    )


@login_required
@require_POST
def question_remove(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    return _survey_action(
        request,
        pk,
        lambda s: svc.question_remove(actor=request.user, question=_question(s, qid)),
        _("Question removed."),
        "#questions",
    )


@login_required
@require_POST
def survey_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _survey_action(
        request,
        pk,
        lambda s: svc.survey_open(actor=request.user, survey=s),
        _("The survey is open: surveyors can record their visits."),
    )


@login_required
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _survey_action(
        request,
        pk,
        lambda s: svc.survey_close(actor=request.user, survey=s),
        _("The survey is closed and its results are published."),
    )


# --- assignments ---------------------------------------------------------------------------


@login_required
def survey_assignments(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    survey = _manage(request, pk)
    buildings = survey.community.buildings.annotate(n=Count("households")).order_by("sort_key")
    surveyors = survey_queries.surveyor_candidates(survey)
    what = request.POST.get("what")
    bform = AssignBuildingForm(
        request.POST if what == "building" else None,
        buildings=buildings,
        surveyors=surveyors,
        prefix="b",
    )
    hform = AssignHouseholdsForm(
        request.POST if what == "households" else None, surveyors=surveyors, prefix="h"
    )
    form = bform if what == "building" else hform

    def run(d):
        if form is bform:
            kwargs = {"building": d["building"]}
        else:
            found = list(survey.community.households.filter(label__in=d["labels"]))
            missing = sorted(set(d["labels"]) - {h.label for h in found})
            if missing:
                raise DomainError(
                    _("Not found in this community: %(labels)s") % {"labels": ", ".join(missing)},
                    field="labels",
                )
            kwargs = {"households": found}
        r = svc.survey_assign(actor=actor, survey=survey, surveyor=d["surveyor"], **kwargs)
        msg = _("%(added)s households assigned, %(moved)s moved from another surveyor.") % {
            "added": r.added,
            "moved": r.moved,
        }
        if r.kept:
            msg += " " + _("%(n)s already visited kept their surveyor.") % {"n": r.kept}
        messages.success(request, msg)

    page, counts = survey_queries.entry_list_for(
        actor, survey, everyone=True, page=request.GET.get("page")
    )
    progress, total = survey_queries.progress_for(survey)
    return form_page(
        request,
        form,
        run,
        template="deliberation/survey_assignments.html",
        context={
            "survey": survey,
            "bform": bform,
            "hform": hform,
            "page": page,
            "counts": counts,
            "buildings": progress,
            "total": total,
        },
        to=reverse("deliberation:survey_assignments", args=[survey.pk]),
    )


@login_required
@require_POST
def survey_unassign(request: HttpRequest, pk: int, household_id: int) -> HttpResponse:
    survey = _manage(request, pk)
    return run_action(
        request,
        lambda: svc.survey_unassign(actor=request.user, survey=survey, household_id=household_id),
        done=_("Taken off the list."),
        to=reverse("deliberation:survey_assignments", args=[survey.pk]),
    )


# --- at the door ---------------------------------------------------------------------------

STATE_LABELS = {
    "todo": gettext_lazy("To visit"),
    VisitOutcome.NOT_HOME.value: gettext_lazy("Not at home"),
    VisitOutcome.ANSWERED.value: gettext_lazy("Answered"),
    VisitOutcome.DECLINED.value: gettext_lazy("Declined"),
}


@login_required
def survey_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """The surveyor's list: their households by building, with what happened at each door."""
    actor = request.user
    survey = policy.get_for(actor, Survey, "survey.enter", pk=pk)
    everyone = request.GET.get("all") == "1"
    state = request.GET.get("state", "")
    page, counts = survey_queries.entry_list_for(
        actor, survey, state=state, everyone=everyone, page=request.GET.get("page")
    )
    tabs = [("", _("All"), counts["all"])] + [
        (s, STATE_LABELS[s], counts[s]) for s in survey_queries.STATES
    ]
    for a in page.object_list:
        a.state_label = STATE_LABELS[a.state]
    return render(
        request,
        "deliberation/survey_entry.html",
        {
            "survey": survey,
            "page": page,
            "tabs": tabs,
            "current_state": state,
            "everyone": everyone,
            "office": policy.can(actor, "survey.manage", survey),
        },
    )


def _posted_answers(request: HttpRequest, questions) -> dict:
    raw = {}
    for q in questions:
        key = f"q{q.pk}"
        if q.kind == QuestionKind.MULTIPLE:
            raw[q.pk] = request.POST.getlist(key)
        else:
            raw[q.pk] = request.POST.get(key, "")
    return raw


@login_required
def survey_door(request: HttpRequest, pk: int, household_id: int) -> HttpResponse:
    """One household: read the introduction, then record "answered" with the answers,
    "not at home — visit again" or "declined"."""
    actor = request.user
    survey = policy.get_for(actor, Survey, "survey.enter", pk=pk)
    assignment = survey_queries.assignment_for(actor, survey, household_id)
    questions = list(survey.questions.order_by("order", "id"))
    posted: dict = {}
    if request.method == "POST" and request.POST.get("outcome", "") == VisitOutcome.ANSWERED:
        posted = _posted_answers(request, questions)

    def page(error=None, status: int = 200, errors=None) -> HttpResponse:
        errors = errors or {}
        visits = survey_queries.visits_for(survey, household_id)
        final = next((v for v in visits if v.outcome != VisitOutcome.NOT_HOME), None)
        fields = []
        for q in questions:
            value = posted.get(q.pk)
            fields.append(
                {
                    "q": q,
                    "name": f"q{q.pk}",
                    "error": errors.get(q.pk),
                    "value": value if isinstance(value, str) else "",
                    "picked": value if isinstance(value, list) else [value],
                }
            )
        return render(
            request,
            "deliberation/survey_door.html",
            {
                "survey": survey,
                "assignment": assignment,
                "household": assignment.household,
                "fields": fields,
                "visits": visits,
                "final": final,
                "error": error,
                "not_home": sum(1 for v in visits if v.outcome == VisitOutcome.NOT_HOME),
                "is_open": survey.status == SurveyStatus.OPEN,
                "scale": svc.SCALE,
            },
            status=status,
        )

    if request.method != "POST":
        return page()
    outcome = request.POST.get("outcome", "")

    def run():
        svc.visit_record(
            actor=actor, survey=survey, household_id=household_id, outcome=outcome, answers=posted
        )
        messages.success(
            request,
            {
                VisitOutcome.ANSWERED: _("%(label)s: answers saved. Thank you!"),
                VisitOutcome.NOT_HOME: _("%(label)s: not at home — visit again later."),
                VisitOutcome.DECLINED: _("%(label)s: declined, recorded."),
            }[outcome]
            % {"label": assignment.household.label},
        )

    return run_action(
        request,
        run,
        to=reverse("deliberation:survey_entry", args=[survey.pk])
        + f"#b{assignment.household.building_id}",
        on_error=lambda e: page(str(e.message), e.status, getattr(e, "errors", None)),
    )


# --- results -------------------------------------------------------------------------------


@login_required
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    survey = survey_queries.results_get_for(actor, pk)
    # Per-building progress is for those who follow the work; members see the totals.
    caps = {"results": policy.can(actor, "survey.view_results", survey)}
    buildings, total = survey_queries.progress_for(survey)
    outcomes = survey_queries.outcome_counts(survey)
    verbatim = survey_queries.texts_verbatim(actor, survey)
    results = survey_queries.results_for(survey, answered=outcomes["answered"], verbatim=verbatim)
    return render(
        request,
        "deliberation/survey_results.html",
        {
            "survey": survey,
            "caps": caps,
            "buildings": buildings,
            "total": total,
            "outcomes": outcomes,
            "results": results,
            "sample": survey_queries.TEXT_SAMPLE,
            "verbatim": verbatim,
        },
    )


@login_required
def survey_text_answers(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    survey = survey_queries.results_get_for(request.user, pk)
    q = get_object_or_404(Question, survey=survey, pk=qid, kind=QuestionKind.TEXT)
    verbatim = survey_queries.texts_verbatim(request.user, survey)
    page = survey_queries.text_answers_for(
        survey, q, page=request.GET.get("page"), verbatim=verbatim
    )
    return render(
        request,
        "deliberation/survey_text_answers.html",
        {"survey": survey, "question": q, "page": page, "verbatim": verbatim},
    )


@login_required
def survey_households(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    survey = policy.get_for(actor, Survey, "survey.view_households", pk=pk)
    questions = list(survey.questions.order_by("order", "id"))
    page = survey_queries.answers_by_household_view(
        actor=actor, survey=survey, page=request.GET.get("page")
    )
    for v in page.object_list:
        by_q = {a.question_id: a.value for a in v.answers.all()}
        v.cells = [survey_queries.answer_text(q, by_q.get(q.pk)) for q in questions]
    response = render(
        request,
        "deliberation/survey_households.html",
        {"survey": survey, "questions": questions, "page": page},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def survey_export(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    survey = policy.get_for(actor, Survey, "survey.view_households", pk=pk)
    text, name = survey_queries.answers_export(actor=actor, survey=survey)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def survey_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable notice for the building's door: what the survey is about, that surveyors
    will call, and a QR code to the survey's page (where the results appear once closed)."""
    survey = _manage(request, pk)
    url = request.build_absolute_uri(reverse("deliberation:survey_detail", args=[survey.pk]))
    return render(request, "deliberation/survey_notice.html", {"survey": survey, "url": url})
