"""Reads for the survey pages: lists, one survey, the surveyors' household lists, progress per
building, the aggregated results (texts scrubbed for whoever may not read them verbatim), the
answers by household (office only, each read recorded) and their export."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
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
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.queries import members_of
from linli.core import policy
from linli.core.events import log_event
from linli.core.exports import Column, ListExport
from linli.core.public import community_names, scrub_public_text
from linli.core.roles import roles_for

from ..models import (
    CHOICE_KINDS,
    FINAL,
    SCALE,
    Answer,
    Question,
    QuestionKind,
    Survey,
    SurveyAssignment,
    SurveyStatus,
    SurveyVisit,
    VisitOutcome,
)

PER_PAGE = 50
TEXT_SAMPLE = 10
# Cells a spreadsheet would read as a formula (CSV injection, OWASP).

K = QuestionKind
O = VisitOutcome  # noqa: E741 - the outcomes read best short


def surveyor_candidates(survey: Survey) -> QuerySet:
    """People who may visit households for this survey: anyone holding, in the survey's
    community, a role that may enter answers (building leaders, grid workers, volunteers,
    team leaders, the office)."""
    return members_of(survey.community_id, roles_for("survey.enter"))


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


def survey_list_for(actor, *, page: int | str | None = 1) -> Page:
    """Surveys the actor may see: every one the office manages, and the open and closed
    ones of the places the actor belongs to."""
    visible = policy.scope_filter(actor, Survey.objects.all(), "survey.view")
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
        Survey.objects.filter(pk__in=visible.values("pk"))
        .select_related("community")
        .annotate(mine=Coalesce(Subquery(mine), 0))
    )
    return Paginator(qs, 20).get_page(page)


def survey_get_for(actor, pk: int) -> Survey:
    """A survey's page: drafts for the office only; open and closed ones for anyone in the
    community (it is what the printed notice's QR code opens)."""
    return policy.get_for(
        actor, Survey.objects.select_related("community", "topic"), "survey.view", pk=pk
    )


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
