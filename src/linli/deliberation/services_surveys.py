"""Door-to-door surveys (当面议): the questionnaire, who visits which household, what was
recorded at each door, progress per building and the aggregated results.

Writes are ``noun_verb(*, actor, …)``: a policy check, validation with ``DeliberationError``,
one transaction, an event. Reads (``…_for``) come after them and aggregate in SQL.

Who may do what:
- the office (``survey.manage``) builds the questionnaire, assigns households, opens, closes;
- a surveyor (``survey.enter``) records at the doors of the households assigned to them — the
  office may record for any assigned household;
- results: the office and the street supervisor (``survey.view_results``) at any time, every
  member of the community once the survey is closed; always aggregated, free text without its
  household — and, for anyone but the office, scrubbed of names, phone numbers, ID numbers
  and rooms (``core.public.scrub_public_text``): a neighbour's name typed into an answer does
  not reach the other residents. Answers tied to households: office only (``survey.view_households``), each look
  is an event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import policy
from linli.core.events import log_event, register_verbs
from linli.core.exports import Column, ListExport
from linli.core.notifications import notify
from linli.core.public import community_names, scrub_public_text
from linli.core.roles import roles_for
from linli.registry.models import Building, Household

from .errors import DeliberationError
from .models import (
    Answer,
    Question,
    QuestionKind,
    Survey,
    SurveyAssignment,
    SurveyStatus,
    SurveyVisit,
    Topic,
    VisitOutcome,
)

register_verbs(
    {
        "survey.created": gettext_lazy("Survey created"),
        "survey.updated": gettext_lazy("Survey changed"),
        "survey.question.added": gettext_lazy("Question added"),
        "survey.question.changed": gettext_lazy("Question changed"),
        "survey.question.moved": gettext_lazy("Questions reordered"),
        "survey.question.removed": gettext_lazy("Question removed"),
        "survey.opened": gettext_lazy("Survey opened for visits"),
        "survey.assigned": gettext_lazy("Households assigned to a surveyor"),
        "survey.unassigned": gettext_lazy("Household taken off a surveyor's list"),
        "survey.visit.recorded": gettext_lazy("Visit recorded"),
        "survey.closed": gettext_lazy("Survey closed"),
        "survey.households.viewed": gettext_lazy("Answers by household viewed"),
        "survey.answers.exported": gettext_lazy("Answers exported"),
    }
)

K = QuestionKind
O = VisitOutcome  # noqa: E741 - the outcomes read best short
FINAL = (O.ANSWERED, O.DECLINED)
CHOICE_KINDS = (K.SINGLE, K.MULTIPLE)
MAX_QUESTIONS = 50
MAX_CHOICES = 20
MAX_CHOICE_LEN = 100
MAX_TEXT_ANSWER = 1000
SCALE = (1, 2, 3, 4, 5)
PER_PAGE = 50
TEXT_SAMPLE = 10
# Cells a spreadsheet would read as a formula (CSV injection, OWASP).


class AnswerErrors(DeliberationError):
    """Answers that cannot be saved, per question id; nothing was saved."""

    def __init__(self, errors: dict[int, str]):
        super().__init__(_("Some answers need attention; nothing was saved."))
        self.errors = errors


def _already_recorded() -> DeliberationError:
    return DeliberationError(
        _("The outcome for this household is already recorded; nothing was saved."),
        status_code=409,
    )


# --- the questionnaire -----------------------------------------------------------------------


def _clean_survey_text(title: str, intro: str) -> tuple[str, str]:
    title, intro = (title or "").strip(), (intro or "").strip()
    if not title:
        raise DeliberationError(_("Give the survey a title."))
    if len(title) > 120:
        raise DeliberationError(_("The title is too long (120 characters at most)."))
    if len(intro) > 2000:
        raise DeliberationError(
            _("The text to read at the door is too long (2000 characters at most).")
        )
    return title, intro


def _check_topic(topic: Topic | None, community_id: int) -> None:
    if topic is not None and topic.community_id != community_id:
        raise DeliberationError(_("This topic belongs to another community."))


def _locked(survey: Survey) -> Survey:
    """The survey row, locked for this transaction, so its status cannot change under us."""
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _require_draft(survey: Survey) -> None:
    if survey.status != SurveyStatus.DRAFT:
        raise DeliberationError(
            _("The questions are locked: the survey has been opened."), status_code=409
        )


def _require_not_closed(survey: Survey) -> None:
    if survey.status == SurveyStatus.CLOSED:
        raise DeliberationError(_("This survey is closed."), status_code=409)


@transaction.atomic
def survey_create(
    *, actor, community, title: str, intro: str = "", topic: Topic | None = None
) -> Survey:
    policy.authorize(actor, "survey.manage", community)
    title, intro = _clean_survey_text(title, intro)
    _check_topic(topic, community.pk)
    survey = Survey.objects.create(
        community=community, title=title, intro=intro, topic=topic, created_by=actor
    )
    log_event(actor=actor, verb="survey.created", obj=survey, parent=topic, data={"title": title})
    return survey


@transaction.atomic
def survey_update(
    *, actor, survey: Survey, title: str, intro: str = "", topic: Topic | None = None
) -> Survey:
    """Title, text for the door and topic may change until the survey is closed; the
    questions only while it is being prepared."""
    policy.authorize(actor, "survey.manage", survey)
    survey = _locked(survey)
    _require_not_closed(survey)
    title, intro = _clean_survey_text(title, intro)
    _check_topic(topic, survey.community_id)
    survey.title, survey.intro, survey.topic = title, intro, topic
    survey.save(update_fields=["title", "intro", "topic"])
    log_event(actor=actor, verb="survey.updated", obj=survey, data={"title": title})
    return survey


def _clean_question(kind: str, text: str, choices: str | Iterable[str]) -> tuple[str, str, list]:
    if kind not in K.values:
        raise DeliberationError(_("Choose the kind of question."))
    text = (text or "").strip()
    if not text:
        raise DeliberationError(_("Write the question."))
    if len(text) > 300:
        raise DeliberationError(_("The question is too long (300 characters at most)."))
    if kind not in CHOICE_KINDS:
        return kind, text, []  # a scale or free text has no choices; any typed are dropped
    lines = choices.splitlines() if isinstance(choices, str) else list(choices or [])
    items = [str(c).strip() for c in lines if str(c).strip()]
    if len(items) < 2:
        raise DeliberationError(_("Give at least two choices, one per line."))
    if len(items) > MAX_CHOICES:
        raise DeliberationError(_("Give at most %(n)s choices.") % {"n": MAX_CHOICES})
    if any(len(c) > MAX_CHOICE_LEN for c in items):
        raise DeliberationError(
            _("A choice is too long (%(n)s characters at most).") % {"n": MAX_CHOICE_LEN}
        )
    if len({c.casefold() for c in items}) != len(items):
        raise DeliberationError(_("Each choice must be different."))
    return kind, text, items


def _renumber(survey: Survey, ordered: list[Question]) -> None:
    changed = []
    for i, q in enumerate(ordered, start=1):
        if q.order != i:
            q.order = i
            changed.append(q)
    if changed:
        Question.objects.bulk_update(changed, ["order"])


@transaction.atomic
def question_add(
    *,
    actor,
    survey: Survey,
    kind: str,
    text: str,
    required: bool = True,
    choices: str | Iterable[str] = "",
) -> Question:
    policy.authorize(actor, "survey.manage", survey)
    survey = _locked(survey)
    _require_draft(survey)
    kind, text, items = _clean_question(kind, text, choices)
    count = survey.questions.count()
    if count >= MAX_QUESTIONS:
        raise DeliberationError(_("A survey has at most %(n)s questions.") % {"n": MAX_QUESTIONS})
    q = Question.objects.create(
        survey=survey, order=count + 1, kind=kind, text=text, required=bool(required), choices=items
    )
    log_event(
        actor=actor,
        verb="survey.question.added",
        obj=q,
        parent=survey,
        community_id=survey.community_id,
        data={"kind": kind, "text": text},
    )
    return q


@transaction.atomic
def question_update(
    *,
    actor,
    question: Question,
    kind: str,
    text: str,
    required: bool = True,
    choices: str | Iterable[str] = "",
) -> Question:
    survey = question.survey
    policy.authorize(actor, "survey.manage", survey)
    survey = _locked(survey)
    _require_draft(survey)
    kind, text, items = _clean_question(kind, text, choices)
    question.kind, question.text, question.required, question.choices = (
        kind,
        text,
        bool(required),
        items,
    )
    question.save(update_fields=["kind", "text", "required", "choices"])
    log_event(
        actor=actor,
        verb="survey.question.changed",
        obj=question,
        parent=survey,
        community_id=survey.community_id,
        data={"kind": kind, "text": text},
    )
    return question


@transaction.atomic
def question_move(*, actor, question: Question, up: bool) -> Question:
    survey = question.survey
    policy.authorize(actor, "survey.manage", survey)
    survey = _locked(survey)
    _require_draft(survey)
    ordered = list(survey.questions.order_by("order", "id"))
    i = next(n for n, q in enumerate(ordered) if q.pk == question.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
        _renumber(survey, ordered)
        log_event(
            actor=actor,
            verb="survey.question.moved",
            obj=question,
            parent=survey,
            community_id=survey.community_id,
            data={"to": j + 1},
        )
    return question


@transaction.atomic
def question_remove(*, actor, question: Question) -> None:
    survey = question.survey
    policy.authorize(actor, "survey.manage", survey)
    survey = _locked(survey)
    _require_draft(survey)
    text = question.text
    log_event(
        actor=actor,
        verb="survey.question.removed",
        obj=question,
        parent=survey,
        community_id=survey.community_id,
        data={"text": text},
    )
    question.delete()
    _renumber(survey, list(survey.questions.order_by("order", "id")))


def _notify_surveyors(
    survey: Survey, users, verb: str, title, body, *, params=None, dedupe_key: str | None = None
) -> None:
    notify(
        recipients=users,
        verb=verb,
        title=title,
        body=body,
        params={"title": survey.title, **(params or {})},
        url=reverse("deliberation:survey_entry", args=[survey.pk]),
        obj=survey,
        community_id=survey.community_id,
        dedupe_key=dedupe_key,
    )


def _surveyors_of(survey: Survey) -> list:
    User = get_user_model()
    return list(User.objects.filter(survey_assignments__survey=survey).distinct())


@transaction.atomic
def survey_open(*, actor, survey: Survey) -> Survey:
    """Start the visits. The questions are locked from now on, so every household is asked
    the same thing."""
    policy.authorize(actor, "survey.manage", survey)
    survey = _locked(survey)
    if survey.status != SurveyStatus.DRAFT:
        raise DeliberationError(_("This survey is already open or closed."), status_code=409)
    if not survey.questions.exists():
        raise DeliberationError(_("Add at least one question before opening the survey."))
    survey.status = SurveyStatus.OPEN
    survey.save(update_fields=["status"])
    log_event(actor=actor, verb="survey.opened", obj=survey)
    _notify_surveyors(
        survey,
        _surveyors_of(survey),
        "survey.opened",
        gettext_lazy("Door-to-door survey: %(title)s"),
        gettext_lazy("The survey is open. Your list of households to visit is ready."),
        dedupe_key=f"survey.opened:{survey.pk}",
    )
    return survey


@transaction.atomic
def survey_close(*, actor, survey: Survey) -> Survey:
    """No more visits; the results are published to the members of the community."""
    policy.authorize(actor, "survey.manage", survey)
    survey = _locked(survey)
    if survey.status != SurveyStatus.OPEN:
        raise DeliberationError(_("Only an open survey can be closed."), status_code=409)
    survey.status, survey.closed_at = SurveyStatus.CLOSED, timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    log_event(actor=actor, verb="survey.closed", obj=survey)
    notify(
        recipients=_surveyors_of(survey),
        verb="survey.closed",
        title=gettext_lazy("Survey closed: %(title)s"),
        body=gettext_lazy("Thank you for your visits. The results are published."),
        params={"title": survey.title},
        url=reverse("deliberation:survey_results", args=[survey.pk]),
        obj=survey,
        community_id=survey.community_id,
        dedupe_key=f"survey.closed:{survey.pk}",
    )
    return survey


# --- assignments ---------------------------------------------------------------------------


def surveyor_candidates(survey: Survey) -> QuerySet:
    """People who may visit households for this survey: anyone holding, in the survey's
    community, a role that may enter answers (building leaders, grid workers, volunteers,
    team leaders, the office)."""
    User = get_user_model()
    return (
        User.objects.filter(
            is_active=True,
            memberships__active=True,
            memberships__community_id=survey.community_id,
            memberships__role__in=roles_for("survey.enter"),
        )
        .distinct()
        .order_by("display_name", "username")
    )


@dataclass
class AssignResult:
    added: int = 0
    moved: int = 0
    kept: int = 0  # already visited (answered or declined): their surveyor stays


@transaction.atomic
def survey_assign(
    *,
    actor,
    survey: Survey,
    surveyor,
    building: Building | None = None,
    households: Iterable[Household] = (),
) -> AssignResult:
    """Give households to a surveyor: every household of ``building``, or the ``households``
    listed. A household has one surveyor per survey; assigning it again moves it, unless its
    visit is already finished."""
    policy.authorize(actor, "survey.manage", survey)
    survey = _locked(survey)
    _require_not_closed(survey)
    if surveyor is None or not surveyor_candidates(survey).filter(pk=surveyor.pk).exists():
        raise DeliberationError(
            _("This person holds no role in this community that can visit households.")
        )
    if building is not None:
        if building.community_id != survey.community_id:
            raise DeliberationError(_("This building is not in this community."))
        ids = list(Household.objects.filter(building=building).values_list("pk", flat=True))
        if not ids:
            raise DeliberationError(_("This building has no households."))
    else:
        households = list(households)
        if not households:
            raise DeliberationError(_("Choose at least one household."))
        for hh in households:
            if hh.community_id != survey.community_id:
                raise DeliberationError(
                    _("Household %(label)s is not in this community.") % {"label": hh.label}
                )
        ids = sorted({hh.pk for hh in households})
    done = set(
        SurveyVisit.objects.filter(
            survey=survey, household_id__in=ids, outcome__in=FINAL
        ).values_list("household_id", flat=True)
    )
    existing = dict(
        SurveyAssignment.objects.filter(survey=survey, household_id__in=ids).values_list(
            "household_id", "surveyor_id"
        )
    )
    result = AssignResult()
    new = [
        SurveyAssignment(survey=survey, household_id=h, surveyor=surveyor)
        for h in ids
        if h not in existing
    ]
    move = [h for h, s in existing.items() if s != surveyor.pk and h not in done]
    result.kept = sum(1 for h, s in existing.items() if s != surveyor.pk and h in done)
    try:
        with transaction.atomic():
            SurveyAssignment.objects.bulk_create(new)
    except IntegrityError:
        raise DeliberationError(
            _("Someone else changed these assignments at the same time; try again."),
            status_code=409,
        ) from None
    if move:
        SurveyAssignment.objects.filter(survey=survey, household_id__in=move).update(
            surveyor=surveyor
        )
    result.added, result.moved = len(new), len(move)
    log_event(
        actor=actor,
        verb="survey.assigned",
        obj=survey,
        data={
            "surveyor": surveyor.pk,
            "surveyor_name": surveyor.get_full_name(),
            "building": building.number if building is not None else None,
            "added": result.added,
            "moved": result.moved,
            "kept": result.kept,
        },
    )
    if survey.status == SurveyStatus.OPEN and (result.added or result.moved):
        _notify_surveyors(
            survey,
            [surveyor],
            "survey.assigned",
            gettext_lazy("Door-to-door survey: %(title)s"),
            gettext_lazy("%(n)s households were added to your list to visit."),
            params={"n": result.added + result.moved},
        )
    return result


@transaction.atomic
def survey_unassign(*, actor, survey: Survey, household_id: int) -> None:
    policy.authorize(actor, "survey.manage", survey)
    survey = _locked(survey)
    _require_not_closed(survey)
    assignment = SurveyAssignment.objects.filter(survey=survey, household_id=household_id).first()
    if assignment is None:
        raise Http404
    if SurveyVisit.objects.filter(
        survey=survey, household_id=household_id, outcome__in=FINAL
    ).exists():
        raise DeliberationError(
            _("This household's visit is finished; it stays on its surveyor's list."),
            status_code=409,
        )
    assignment.delete()
    log_event(actor=actor, verb="survey.unassigned", obj=survey, data={"household": household_id})


# --- at the door ---------------------------------------------------------------------------


def assignment_for(actor, survey: Survey, household_id: int) -> SurveyAssignment:
    """The assignment of a household the actor may record for: a household not in the
    survey is a 404; someone else's household is a 403 (the office may record for any).
    The caller has authorised ``survey.enter`` on the survey."""
    assignment = (
        SurveyAssignment.objects.select_related("household", "surveyor")
        .filter(survey=survey, household_id=household_id)
        .first()
    )
    if assignment is None:
        raise Http404
    if assignment.surveyor_id != actor.pk and not policy.can(actor, "survey.manage", survey):
        raise PermissionDenied
    return assignment


def visits_for(survey: Survey, household_id: int) -> list[SurveyVisit]:
    """Every knock on this household's door for this survey, oldest first."""
    return list(
        SurveyVisit.objects.filter(survey=survey, household_id=household_id)
        .select_related("surveyor")
        .order_by("at", "id")
    )


def _missing(value: Any) -> bool:
    return value is None or value == "" or value == []


def clean_answers(questions: Iterable[Question], raw: Mapping[int, Any]) -> dict[int, Any]:
    """The answers to store, per question id, or ``AnswerErrors`` naming each problem.
    Single: one of the choices; multiple: a list of choices in the questionnaire's order;
    scale: 1–5; text: at most 1000 characters."""
    questions = list(questions)
    known = {q.pk for q in questions}
    errors: dict[int, str] = {}
    if set(raw) - known:
        raise DeliberationError(_("An answer is for a question that is not in this survey."))
    clean: dict[int, Any] = {}
    for q in questions:
        value = raw.get(q.pk)
        if q.kind == K.MULTIPLE:
            items = value if isinstance(value, list | tuple) else [value]
            picked = {str(v).strip() for v in items if v is not None and str(v).strip()}
            if picked - set(q.choices):
                errors[q.pk] = _("Choose among the listed answers.")
                continue
            value = [c for c in q.choices if c in picked]
        elif isinstance(value, list | tuple):
            errors[q.pk] = _("Give one answer.")
            continue
        elif value is not None:
            value = str(value).strip()
        if _missing(value):
            if q.required:
                errors[q.pk] = _("This question needs an answer.")
            continue
        if q.kind == K.SINGLE and value not in q.choices:
            errors[q.pk] = _("Choose one of the listed answers.")
        elif q.kind == K.SCALE:
            if value not in {str(n) for n in SCALE}:
                errors[q.pk] = _("Choose a number from 1 to 5.")
            else:
                clean[q.pk] = int(value)
            continue
        elif q.kind == K.TEXT and len(value) > MAX_TEXT_ANSWER:
            errors[q.pk] = _("At most %(max)s characters (this answer has %(n)s).") % {
                "max": MAX_TEXT_ANSWER,
                "n": len(value),
            }
        if q.pk not in errors:
            clean[q.pk] = value
    if errors:
        raise AnswerErrors(errors)
    if not clean:
        raise DeliberationError(_("Record at least one answer, or choose “declined”."))
    return clean


@transaction.atomic
def visit_record(
    *,
    actor,
    survey: Survey,
    household_id: int,
    outcome: str,
    answers: Mapping[int, Any] | None = None,
) -> SurveyVisit:
    """Record one knock on a door. "Not at home" may be recorded again and again; "answered"
    (with the answers) or "declined" ends the survey for that household — once, which the
    database enforces too."""
    policy.authorize(actor, "survey.enter", survey)
    assignment = assignment_for(actor, survey, household_id)
    if outcome not in O.values:
        raise DeliberationError(_("Choose what happened at the door."))
    survey = _locked(survey)
    if survey.status == SurveyStatus.CLOSED:
        raise DeliberationError(
            _("This survey is closed: no more visits are recorded."), status_code=409
        )
    if survey.status != SurveyStatus.OPEN:
        raise DeliberationError(_("This survey is not open for visits yet."), status_code=409)
    if SurveyVisit.objects.filter(
        survey=survey, household_id=household_id, outcome__in=FINAL
    ).exists():
        raise _already_recorded()
    clean: dict[int, Any] = {}
    if outcome == O.ANSWERED:
        clean = clean_answers(survey.questions.all(), answers or {})
    try:
        with transaction.atomic():
            visit = SurveyVisit.objects.create(
                survey=survey,
                household_id=household_id,
                surveyor=actor,
                outcome=outcome,
                at=timezone.now(),
            )
    except IntegrityError:
        # Two phones at the same door: the database keeps the first final outcome.
        raise _already_recorded() from None
    Answer.objects.bulk_create(
        [Answer(visit=visit, question_id=qid, value=value) for qid, value in clean.items()]
    )
    log_event(
        actor=actor,
        verb="survey.visit.recorded",
        obj=visit,
        parent=survey,
        community_id=survey.community_id,
        data={"outcome": outcome, "household": assignment.household_id},
    )
    return visit


# --- reads ---------------------------------------------------------------------------------


def survey_list_for(actor, *, page: int | str | None = 1) -> Page:
    """Surveys the actor may see: every one the office manages, and the open and closed
    ones of the places the actor belongs to."""
    managed = policy.scope_filter(actor, Survey.objects.all(), "survey.manage")
    visible = policy.in_scope(actor, Survey.objects.exclude(status=SurveyStatus.DRAFT))
    mine = (
        SurveyAssignment.objects.filter(
            survey_id=OuterRef("pk"), surveyor_id=getattr(actor, "pk", None)
        )
        .order_by()
        .values("survey_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        Survey.objects.filter(Q(pk__in=managed.values("pk")) | Q(pk__in=visible.values("pk")))
        .select_related("community")
        .annotate(mine=Coalesce(Subquery(mine), 0))
    )
    return Paginator(qs, 20).get_page(page)


def survey_get_for(actor, pk: int) -> Survey:
    """A survey's page: drafts for the office only; open and closed ones for anyone in the
    community (it is what the printed notice's QR code opens)."""
    survey = (
        policy.in_scope(actor, Survey.objects.select_related("community", "topic"))
        .filter(pk=pk)
        .first()
    )
    if survey is None:
        raise Http404
    if survey.status == SurveyStatus.DRAFT and not policy.can(actor, "survey.manage", survey):
        raise PermissionDenied
    return survey


def results_get_for(actor, pk: int) -> Survey:
    """Results: the office and street supervisors at any time; members once closed."""
    survey = survey_get_for(actor, pk)
    if survey.status != SurveyStatus.CLOSED and not policy.can(
        actor, "survey.view_results", survey
    ):
        raise PermissionDenied
    return survey


def _final_outcome(survey_ref: str = "survey_id", household_ref: str = "household_id"):
    return Subquery(
        SurveyVisit.objects.filter(
            survey_id=OuterRef(survey_ref),
            household_id=OuterRef(household_ref),
            outcome__in=FINAL,
        ).values("outcome")[:1]
    )


def with_state(qs: QuerySet) -> QuerySet:
    """Assignments with their door state: ``final`` outcome, ``not_home`` times,
    ``last_visit_at`` and ``state`` (todo / not_home / answered / declined), all in SQL."""
    visits = SurveyVisit.objects.filter(
        survey_id=OuterRef("survey_id"), household_id=OuterRef("household_id")
    )
    not_home = (
        visits.filter(outcome=O.NOT_HOME)
        .order_by()
        .values("household_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        final=_final_outcome(),
        not_home=Coalesce(Subquery(not_home), 0),
        last_visit_at=Subquery(visits.order_by("-at", "-id").values("at")[:1]),
    ).annotate(
        state=Case(
            When(final__isnull=False, then=F("final")),
            When(not_home__gt=0, then=Value(O.NOT_HOME.value)),
            default=Value("todo"),
        )
    )


STATES = ("todo", O.NOT_HOME.value, O.ANSWERED.value, O.DECLINED.value)


def entry_list_for(
    actor, survey: Survey, *, state: str = "", everyone: bool = False, page: int | str | None = 1
) -> tuple[Page, dict[str, int]]:
    """The households the actor visits (the office: ``everyone`` assigned), ordered by
    building, with their state; and how many are in each state. The caller has authorised
    ``survey.enter``."""
    qs = SurveyAssignment.objects.filter(survey=survey)
    if not (everyone and policy.can(actor, "survey.manage", survey)):
        qs = qs.filter(surveyor=actor)
    qs = with_state(qs)
    counts = qs.aggregate(all=Count("pk"), **{s: Count("pk", filter=Q(state=s)) for s in STATES})
    if state in STATES:
        qs = qs.filter(state=state)
    qs = qs.select_related("household__building", "household__unit", "surveyor").order_by(
        "household__building_id", "household__label"
    )
    return Paginator(qs, PER_PAGE).get_page(page), counts


@dataclass
class BuildingProgress:
    building_id: int
    number: str
    total: int
    answered: int
    declined: int

    @property
    def reached(self) -> int:
        return self.answered + self.declined

    @property
    def reached_pct(self) -> Decimal:
        return percent(self.reached, self.total)

    @property
    def answered_pct(self) -> Decimal:
        return percent(self.answered, self.total)


def _natural(number: str) -> tuple:
    return (0, int(number), "") if number.isdigit() else (1, 0, number)


def progress_for(survey: Survey) -> tuple[list[BuildingProgress], BuildingProgress]:
    """Per building: households assigned, answered and declined (reached = both); and the
    total. One grouped query."""
    rows = (
        SurveyAssignment.objects.filter(survey=survey)
        .annotate(final=_final_outcome())
        .values("household__building_id", "household__building__number")
        .annotate(
            total=Count("pk"),
            answered=Count("pk", filter=Q(final=O.ANSWERED)),
            declined=Count("pk", filter=Q(final=O.DECLINED)),
        )
        .order_by()
    )
    buildings = sorted(
        (
            BuildingProgress(
                r["household__building_id"],
                r["household__building__number"],
                r["total"],
                r["answered"],
                r["declined"],
            )
            for r in rows
        ),
        key=lambda b: _natural(b.number),
    )
    total = BuildingProgress(
        0,
        "",
        sum(b.total for b in buildings),
        sum(b.answered for b in buildings),
        sum(b.declined for b in buildings),
    )
    return buildings, total


def percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Bar:
    label: str
    count: int
    pct: Decimal


@dataclass
class QuestionResult:
    question: Question
    respondents: int = 0  # households that answered this question
    skipped: int = 0  # answered the survey, left this (optional) question blank
    bars: list[Bar] = field(default_factory=list)
    average: Decimal | None = None
    texts: list[str] = field(default_factory=list)


def texts_verbatim(actor, survey: Survey) -> bool:
    """Whether ``actor`` reads free-text answers as given: the office only (it holds the
    answers by household anyway). Everyone else reads them scrubbed."""
    return policy.can(actor, "survey.view_households", survey)


def _scrubber(survey: Survey):
    names = community_names(survey.community_id)  # once for the page
    return lambda text: scrub_public_text(str(text), known=names)


def results_for(
    survey: Survey, *, answered: int, text_sample: int = TEXT_SAMPLE, verbatim: bool = False
) -> list[QuestionResult]:
    """Per question: counts and percentages of each choice (of the households that answered
    the question; a multiple-choice question can add up to more than 100 %), the average
    and distribution of a scale, and the first free-text answers — never their households.
    Three grouped queries, whatever the number of households."""
    questions = list(survey.questions.order_by("order", "id"))
    answers = Answer.objects.filter(question__survey=survey, visit__outcome=O.ANSWERED)
    respondents = dict(
        answers.order_by()
        .values("question_id")
        .annotate(n=Count("pk"))
        .values_list("question_id", "n")
    )
    # Grouped by stored value: a multiple-choice answer is stored in the questionnaire's
    # order, so each combination groups once; combinations are split per choice below.
    values: dict[int, list[tuple[Any, int]]] = {}
    for qid, value, n in (
        answers.exclude(question__kind=K.TEXT)
        .order_by()
        .values("question_id", "value")
        .annotate(n=Count("pk"))
        .values_list("question_id", "value", "n")
    ):
        values.setdefault(qid, []).append((value, n))
    texts: dict[int, list[str]] = {}
    sample = (
        answers.filter(question__kind=K.TEXT)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("question_id")], order_by=[F("pk").asc()])
        )
        .filter(rank__lte=text_sample)
        .values_list("question_id", "value")
    )
    scrub = None if verbatim else _scrubber(survey)
    for qid, value in sample:
        texts.setdefault(qid, []).append(scrub(value) if scrub else value)

    out = []
    for q in questions:
        r = QuestionResult(q, respondents=respondents.get(q.pk, 0))
        r.skipped = max(answered - r.respondents, 0)
        counts: dict[Any, int] = {}
        for value, n in values.get(q.pk, []):
            for v in value if q.kind == K.MULTIPLE else [value]:
                counts[v] = counts.get(v, 0) + n
        if q.kind in CHOICE_KINDS:
            r.bars = [
                Bar(c, counts.get(c, 0), percent(counts.get(c, 0), r.respondents))
                for c in q.choices
            ]
        elif q.kind == K.SCALE:
            r.bars = [
                Bar(str(s), counts.get(s, 0), percent(counts.get(s, 0), r.respondents))
                for s in SCALE
            ]
            if r.respondents:
                total = sum(s * counts.get(s, 0) for s in SCALE)
                r.average = (Decimal(total) / r.respondents).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
        else:
            r.texts = texts.get(q.pk, [])
        out.append(r)
    return out


def outcome_counts(survey: Survey) -> dict[str, int]:
    rows = (
        SurveyVisit.objects.filter(survey=survey, outcome__in=FINAL)
        .order_by()
        .values("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    counts = {O.ANSWERED.value: 0, O.DECLINED.value: 0}
    counts.update(dict(rows))
    return counts


def text_answers_for(
    survey: Survey, question: Question, *, page: int | str | None = 1, verbatim: bool = False
) -> Page:
    """All free-text answers to one question, without their households, paginated;
    scrubbed unless ``verbatim`` (``texts_verbatim``)."""
    qs = (
        Answer.objects.filter(question=question, visit__survey=survey, visit__outcome=O.ANSWERED)
        .order_by("pk")
        .values_list("value", flat=True)
    )
    result = Paginator(qs, PER_PAGE).get_page(page)
    if not verbatim:
        scrub = _scrubber(survey)
        result.object_list = [scrub(v) for v in result.object_list]
    return result


def _final_visits(survey: Survey) -> QuerySet:
    return (
        SurveyVisit.objects.filter(survey=survey, outcome__in=FINAL)
        .select_related("household__building", "surveyor")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by("question_id")))
        .order_by("household__building_id", "household__label")
    )


@transaction.atomic
def answers_by_household_view(*, actor, survey: Survey, page: int | str | None = 1) -> Page:
    """Answers tied to households (office only). Each look is recorded: it is personal data."""
    policy.authorize(actor, "survey.view_households", survey)
    result = Paginator(_final_visits(survey), PER_PAGE).get_page(page)
    log_event(
        actor=actor, verb="survey.households.viewed", obj=survey, data={"page": result.number}
    )
    return result


def answer_text(question: Question, value: Any) -> str:
    if value is None:
        return ""
    if question.kind == K.MULTIPLE:
        return "; ".join(str(v) for v in value)
    return str(value)


@transaction.atomic
def answers_export(*, actor, survey: Survey) -> tuple[str, str]:
    """The answers of every household reached, as CSV text (UTF-8 with BOM so spreadsheet
    programs read Chinese), and a file name. Office only; recorded as an event."""
    policy.authorize(actor, "survey.view_households", survey)
    questions = list(survey.questions.order_by("order", "id"))
    columns = [
        Column(_("Household")),
        Column(_("Building")),
        Column(_("Outcome")),
        Column(_("Recorded at")),
        Column(_("Surveyor")),
        *(Column(f"{q.order}. {q.text}") for q in questions),
    ]

    def rows():
        for v in _final_visits(survey).iterator(chunk_size=500):
            by_q = {a.question_id: a.value for a in v.answers.all()}
            yield [
                v.household.label,
                v.household.building.number,
                v.get_outcome_display(),
                timezone.localtime(v.at).strftime("%Y-%m-%d %H:%M"),
                v.surveyor.get_full_name() if v.surveyor else "",
                *(answer_text(q, by_q.get(q.pk)) for q in questions),
            ]

    stem = f"survey-{survey.pk}-answers-{timezone.localdate():%Y%m%d}"
    export = ListExport(columns, rows(), title=_("Answers"), filename=stem)
    text = export.csv()
    log_event(
        actor=actor, verb="survey.answers.exported", obj=survey, data={"rows": export.written}
    )
    return text, f"{stem}.csv"
