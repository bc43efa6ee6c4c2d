"""Door-to-door surveys (当面议): the questionnaire, who visits which household, what was
recorded at each door, progress per building and the aggregated results.

Writes are ``noun_verb(*, actor, …)``: a policy check, validation with ``DomainError``,
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
  is an event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import policy
from linli.core.errors import Conflict, DomainError
from linli.core.events import log_event, register_verbs
from linli.core.notifications import notify
from linli.registry.models import Building, Household

from ..models import (
    CHOICE_KINDS,
    FINAL,
    SCALE,
    SURVEY_FLOW,
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
from ..queries.surveys import assignment_for, surveyor_candidates
from .common import office_step

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
MAX_QUESTIONS = 50
MAX_CHOICES = 20
MAX_CHOICE_LEN = 100
MAX_TEXT_ANSWER = 1000


class AnswerErrors(DomainError):
    """Answers that cannot be saved, per question id; nothing was saved."""

    def __init__(self, errors: dict[int, str]):
        super().__init__(_("Some answers need attention; nothing was saved."))
        self.errors = errors


def _already_recorded() -> DomainError:
    return Conflict(_("The outcome for this household is already recorded; nothing was saved."))


# --- the questionnaire -----------------------------------------------------------------------


def _clean_survey_text(title: str, intro: str) -> tuple[str, str]:
    title, intro = (title or "").strip(), (intro or "").strip()
    if not title:
        raise DomainError(_("Give the survey a title."))
    if len(title) > 120:
        raise DomainError(_("The title is too long (120 characters at most)."))
    if len(intro) > 2000:
        raise DomainError(_("The text to read at the door is too long (2000 characters at most)."))
    return title, intro


def _check_topic(topic: Topic | None, community_id: int) -> None:
    if topic is not None and topic.community_id != community_id:
        raise DomainError(_("This topic belongs to another community."))


def _locked(survey: Survey) -> Survey:
    """The survey row, locked for this transaction, so its status cannot change under us."""
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _survey_event(actor, verb: str, *, obj, survey: Survey, data: dict) -> None:
    """An event about one of the survey's rows (a question, a visit): filed under the survey,
    in its community (the row itself has none)."""
    log_event(
        actor=actor, verb=verb, obj=obj, parent=survey, community_id=survey.community_id, data=data
    )


def _managed(actor, survey: Survey, step: str) -> Survey:
    """The office changes the survey: ``survey.manage``, locked, ``step`` allowed by ``SURVEY_FLOW``."""
    return office_step(actor, survey, "survey.manage", SURVEY_FLOW, step)


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
    survey = _managed(actor, survey, "edit")
    title, intro = _clean_survey_text(title, intro)
    _check_topic(topic, survey.community_id)
    survey.title, survey.intro, survey.topic = title, intro, topic
    survey.save(update_fields=["title", "intro", "topic"])
    log_event(actor=actor, verb="survey.updated", obj=survey, data={"title": title})
    return survey


def _clean_question(kind: str, text: str, choices: str | Iterable[str]) -> tuple[str, str, list]:
    if kind not in K.values:
        raise DomainError(_("Choose the kind of question."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the question."))
    if len(text) > 300:
        raise DomainError(_("The question is too long (300 characters at most)."))
    if kind not in CHOICE_KINDS:
        return kind, text, []  # a scale or free text has no choices; any typed are dropped
    lines = choices.splitlines() if isinstance(choices, str) else list(choices or [])
    items = [str(c).strip() for c in lines if str(c).strip()]
    if len(items) < 2:
        raise DomainError(_("Give at least two choices, one per line."))
    if len(items) > MAX_CHOICES:
        raise DomainError(_("Give at most %(n)s choices.") % {"n": MAX_CHOICES})
    if any(len(c) > MAX_CHOICE_LEN for c in items):
        raise DomainError(
            _("A choice is too long (%(n)s characters at most).") % {"n": MAX_CHOICE_LEN}
        )
    if len({c.casefold() for c in items}) != len(items):
        raise DomainError(_("Each choice must be different."))
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
    survey = _managed(actor, survey, "add_question")
    kind, text, items = _clean_question(kind, text, choices)
    count = survey.questions.count()
    if count >= MAX_QUESTIONS:
        raise DomainError(_("A survey has at most %(n)s questions.") % {"n": MAX_QUESTIONS})
    q = Question.objects.create(
        survey=survey, order=count + 1, kind=kind, text=text, required=bool(required), choices=items
    )
    _survey_event(
        actor, "survey.question.added", obj=q, survey=survey, data={"kind": kind, "text": text}
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
    survey = _managed(actor, survey, "change_question")
    kind, text, items = _clean_question(kind, text, choices)
    question.kind, question.text, question.required, question.choices = (
        kind,
        text,
        bool(required),
        items,
    )
    question.save(update_fields=["kind", "text", "required", "choices"])
    _survey_event(
        actor,
        "survey.question.changed",
        obj=question,
        survey=survey,
        data={"kind": kind, "text": text},
    )
    return question


@transaction.atomic
def question_move(*, actor, question: Question, up: bool) -> Question:
    survey = question.survey
    survey = _managed(actor, survey, "move_question")
    ordered = list(survey.questions.order_by("order", "id"))
    i = next(n for n, q in enumerate(ordered) if q.pk == question.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
        _renumber(survey, ordered)
        _survey_event(
            actor, "survey.question.moved", obj=question, survey=survey, data={"to": j + 1}
        )
    return question


@transaction.atomic
def question_remove(*, actor, question: Question) -> None:
    survey = question.survey
    survey = _managed(actor, survey, "remove_question")
    text = question.text
    _survey_event(
        actor, "survey.question.removed", obj=question, survey=survey, data={"text": text}
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
    survey = _managed(actor, survey, "open")
    if not survey.questions.exists():
        raise DomainError(_("Add at least one question before opening the survey."))
    SURVEY_FLOW.apply(survey, "open", actor=actor, lock=False)
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
    survey.closed_at = timezone.now()
    SURVEY_FLOW.apply(survey, "close", actor=actor, fields=["closed_at"], lock=False)
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
    survey = _managed(actor, survey, "assign")
    if surveyor is None or not surveyor_candidates(survey).filter(pk=surveyor.pk).exists():
        raise DomainError(
            _("This person holds no role in this community that can visit households.")
        )
    if building is not None:
        if building.community_id != survey.community_id:
            raise DomainError(_("This building is not in this community."))
        ids = list(Household.objects.filter(building=building).values_list("pk", flat=True))
        if not ids:
            raise DomainError(_("This building has no households."))
    else:
        households = list(households)
        if not households:
            raise DomainError(_("Choose at least one household."))
        for hh in households:
            if hh.community_id != survey.community_id:
                raise DomainError(
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
        raise Conflict(
            _("Someone else changed these assignments at the same time; try again.")
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
    survey = _managed(actor, survey, "unassign")
    assignment = SurveyAssignment.objects.filter(survey=survey, household_id=household_id).first()
    if assignment is None:
        raise Http404
    if SurveyVisit.objects.filter(
        survey=survey, household_id=household_id, outcome__in=FINAL
    ).exists():
        raise Conflict(_("This household's visit is finished; it stays on its surveyor's list."))
    assignment.delete()
    log_event(actor=actor, verb="survey.unassigned", obj=survey, data={"household": household_id})


# --- at the door ---------------------------------------------------------------------------


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
        raise DomainError(_("An answer is for a question that is not in this survey."))
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
        raise DomainError(_("Record at least one answer, or choose “declined”."))
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
        raise DomainError(_("Choose what happened at the door."))
    survey = _locked(survey)
    SURVEY_FLOW.check(survey, "record_visit")
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
    _survey_event(
        actor,
        "survey.visit.recorded",
        obj=visit,
        survey=survey,
        data={"outcome": outcome, "household": assignment.household_id},
    )
    return visit


# --- reads ---------------------------------------------------------------------------------
