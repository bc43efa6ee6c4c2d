"""Door-to-door surveys: the questionnaire, assignments, entry at the door, progress, results
and their publication without households."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from linli.core.errors import DomainError
from linli.core.exports import neutralise
from linli.core.models import Event, Notification
from linli.deliberation.models import (
    Answer,
    Question,
    Survey,
    SurveyAssignment,
    SurveyStatus,
    SurveyVisit,
)
from linli.deliberation.queries import surveys as survey_queries
from linli.deliberation.services import surveys as svc
from linli.registry.models import Household
from tests.factories import make_household

pytestmark = pytest.mark.django_db

YES, NO, CARE = "同意", "不同意", "无所谓"
LIFT, PARKING, GREEN = "电梯", "停车", "绿化"


def _shown(message: str, page: str) -> bool:
    """Whether the page shows ``message`` as the user reads it (the tests run in Chinese)."""
    with translation.override("zh-hans"):
        return escape(translation.gettext(message)) in page


def _survey(dw, *, open_=True, assign=True) -> Survey:
    """A questionnaire of each kind; building 3 (3-2-501, 3-2-502) assigned to its leader."""
    staff = dw.staff
    s = svc.survey_create(
        actor=staff,
        community=dw.xincun,
        title="加装电梯意见征询",
        intro="您好，我们是社区的。",
        topic=dw.topic,
    )
    svc.question_add(
        actor=staff,
        survey=s,
        kind="single",
        text="是否同意加装电梯？",
        choices=f"{YES}\n{NO}\n{CARE}",
    )
    svc.question_add(
        actor=staff,
        survey=s,
        kind="multiple",
        text="最关心什么？",
        choices=[LIFT, PARKING, GREEN],
        required=False,
    )
    svc.question_add(actor=staff, survey=s, kind="scale", text="对小区环境满意吗？")
    svc.question_add(actor=staff, survey=s, kind="text", text="其他意见", required=False)
    if assign:
        svc.survey_assign(actor=staff, survey=s, surveyor=dw.leader, building=dw.b3)
    if open_:
        svc.survey_open(actor=staff, survey=s)
    s.refresh_from_db()
    return s


def _qs(s: Survey) -> list[Question]:
    return list(s.questions.order_by("order"))


def _door(s, hh):
    return reverse("deliberation:survey_door", args=[s.pk, hh.pk])


def _answers_post(s, *, single=YES, multiple=(LIFT,), scale="4", text="", outcome="answered"):
    q1, q2, q3, q4 = _qs(s)
    data = {"outcome": outcome, f"q{q1.pk}": single, f"q{q3.pk}": scale, f"q{q4.pk}": text}
    data[f"q{q2.pk}"] = list(multiple)
    return data


# --- the questionnaire -----------------------------------------------------------------------


def test_office_builds_a_questionnaire_in_order(dw):
    s = _survey(dw, open_=False)
    assert [q.kind for q in _qs(s)] == ["single", "multiple", "scale", "text"]
    assert _qs(s)[0].choices == [YES, NO, CARE]
    assert _qs(s)[2].choices == []  # a scale has no choices
    assert Event.objects.filter(verb="survey.question.added").count() == 4


def test_multiple_choice_with_fewer_than_two_choices_is_refused(dw):
    s = _survey(dw, open_=False)
    for choices in ("只有一个", "", "同一个\n同一个", "a\n\n  \n"):
        with pytest.raises(DomainError):
            svc.question_add(actor=dw.staff, survey=s, kind="multiple", text="?", choices=choices)
    assert s.questions.count() == 4


def test_adding_a_bad_question_on_the_page_shows_the_error_and_saves_nothing(dw, as_user):
    s = _survey(dw, open_=False)
    r = as_user(dw.staff).post(
        reverse("deliberation:survey_question_add", args=[s.pk]),
        {"kind": "single", "text": "好吗？", "choices": "好", "required": "on"},
    )
    assert r.status_code == 400
    assert _shown("Give at least two choices, one per line.", r.content.decode())
    assert s.questions.count() == 4


def test_questions_move_and_are_removed_while_in_draft(dw, as_user):
    s = _survey(dw, open_=False)
    q1, q2, q3, q4 = _qs(s)
    c = as_user(dw.staff)
    c.post(reverse("deliberation:survey_question_move", args=[s.pk, q3.pk]), {"direction": "up"})
    assert [q.pk for q in _qs(s)] == [q1.pk, q3.pk, q2.pk, q4.pk]
    c.post(reverse("deliberation:survey_question_remove", args=[s.pk, q1.pk]))
    assert [(q.pk, q.order) for q in _qs(s)] == [(q3.pk, 1), (q2.pk, 2), (q4.pk, 3)]
    r = c.post(
        reverse("deliberation:survey_question_edit", args=[s.pk, q4.pk]),
        {"kind": "single", "text": "改成选择题", "choices": "甲\n乙"},
    )
    assert r.status_code == 302
    q4.refresh_from_db()
    assert (q4.kind, q4.choices, q4.required) == ("single", ["甲", "乙"], False)


def test_opening_locks_the_questions(dw, as_user):
    s = _survey(dw)
    q1 = _qs(s)[0]
    with pytest.raises(DomainError) as e:
        svc.question_add(actor=dw.staff, survey=s, kind="text", text="再加一个")
    assert e.value.status_code == 409
    for call in (
        lambda: svc.question_update(actor=dw.staff, question=q1, kind="text", text="x"),
        lambda: svc.question_move(actor=dw.staff, question=q1, up=False),
        lambda: svc.question_remove(actor=dw.staff, question=q1),
    ):
        with pytest.raises(DomainError):
            call()
    r = as_user(dw.staff).post(
        reverse("deliberation:survey_question_edit", args=[s.pk, q1.pk]),
        {"kind": "text", "text": "改"},
    )
    assert r.status_code == 409
    q1.refresh_from_db()
    assert q1.kind == "single" and s.questions.count() == 4


def test_a_survey_without_questions_cannot_open(dw):
    s = svc.survey_create(actor=dw.staff, community=dw.xincun, title="空")
    with pytest.raises(DomainError):
        svc.survey_open(actor=dw.staff, survey=s)
    s.refresh_from_db()
    assert s.status == SurveyStatus.DRAFT


@pytest.mark.parametrize("persona", ["leader", "volunteer", "resident", "supervisor"])
def test_only_the_office_builds_surveys(dw, as_user, persona):
    c = as_user(getattr(dw, persona))
    assert c.get(reverse("deliberation:survey_create")).status_code == 403
    s = _survey(dw, open_=False)
    assert c.get(reverse("deliberation:survey_edit", args=[s.pk])).status_code == 403
    assert c.get(reverse("deliberation:survey_detail", args=[s.pk])).status_code == 403


def test_outsider_never_sees_the_survey(dw, as_user):
    s = _survey(dw)
    c = as_user(dw.outsider)
    for name in (
        "survey_detail",
        "survey_edit",
        "survey_entry",
        "survey_results",
        "survey_households",
        "survey_export",
        "survey_assignments",
        "survey_notice",
    ):
        assert c.get(reverse(f"deliberation:{name}", args=[s.pk])).status_code == 404, name
    assert c.get(_door(s, dw.hh_3_2_501)).status_code == 404
    assert c.post(_door(s, dw.hh_3_2_501), _answers_post(s)).status_code == 404
    assert not SurveyVisit.objects.exists()


def test_office_creates_a_survey_on_the_page(dw, as_user):
    r = as_user(dw.staff).post(
        reverse("deliberation:survey_create"),
        {"community": dw.xincun.pk, "title": "停车问题", "intro": "打扰了", "topic": dw.topic.pk},
    )
    s = Survey.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse(
        "deliberation:survey_detail", args=[s.pk]
    )
    assert (s.title, s.topic, s.created_by) == ("停车问题", dw.topic, dw.staff)


# --- assignments -----------------------------------------------------------------------------


def test_a_building_is_assigned_in_bulk_and_households_one_by_one(dw, as_user):
    s = _survey(dw, open_=False, assign=False)
    c = as_user(dw.staff)
    url = reverse("deliberation:survey_assignments", args=[s.pk])
    r = c.post(url, {"what": "building", "b-building": dw.b3.pk, "b-surveyor": dw.leader.pk})
    assert r.status_code == 302
    assert set(SurveyAssignment.objects.values_list("household__label", "surveyor")) == {
        ("3-2-501", dw.leader.pk),
        ("3-2-502", dw.leader.pk),
    }
    r = c.post(
        url, {"what": "households", "h-labels": "4-1-101，5-1-201", "h-surveyor": dw.volunteer.pk}
    )
    assert r.status_code == 302
    assert SurveyAssignment.objects.get(household=dw.hh_4_1_101).surveyor == dw.volunteer
    r = c.post(url, {"what": "households", "h-labels": "9-9-999", "h-surveyor": dw.volunteer.pk})
    assert r.status_code == 400 and "9-9-999" in r.content.decode()
    assert SurveyAssignment.objects.count() == 4


def test_a_household_has_one_surveyor_per_survey(dw):
    s = _survey(dw)
    r = svc.survey_assign(
        actor=dw.staff, survey=s, surveyor=dw.grid_worker, households=[dw.hh_3_2_501]
    )
    assert (r.added, r.moved) == (0, 1)
    assert list(
        SurveyAssignment.objects.filter(household=dw.hh_3_2_501).values_list("surveyor", flat=True)
    ) == [dw.grid_worker.pk]
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyAssignment.objects.create(survey=s, household=dw.hh_3_2_501, surveyor=dw.leader)


def test_a_finished_household_keeps_its_surveyor(dw):
    s = _survey(dw)
    svc.visit_record(actor=dw.leader, survey=s, household_id=dw.hh_3_2_501.pk, outcome="declined")
    r = svc.survey_assign(actor=dw.staff, survey=s, surveyor=dw.volunteer, building=dw.b3)
    assert (r.added, r.moved, r.kept) == (0, 1, 1)
    assert SurveyAssignment.objects.get(household=dw.hh_3_2_501).surveyor == dw.leader
    with pytest.raises(DomainError):
        svc.survey_unassign(actor=dw.staff, survey=s, household_id=dw.hh_3_2_501.pk)
    svc.survey_unassign(actor=dw.staff, survey=s, household_id=dw.hh_3_2_502.pk)
    assert not SurveyAssignment.objects.filter(household=dw.hh_3_2_502).exists()


def test_only_households_and_surveyors_of_the_community(dw):
    s = _survey(dw, open_=False, assign=False)
    with pytest.raises(DomainError):
        svc.survey_assign(actor=dw.staff, survey=s, surveyor=dw.leader, households=[dw.hh_nancun])
    nb = dw.hh_nancun.building
    with pytest.raises(DomainError):
        svc.survey_assign(actor=dw.staff, survey=s, surveyor=dw.leader, building=nb)
    # Surveyors hold a role in this community that may enter answers.
    for person in (dw.outsider, dw.resident, dw.supervisor, dw.mediator):
        with pytest.raises(DomainError):
            svc.survey_assign(actor=dw.staff, survey=s, surveyor=person, building=dw.b3)
    assert not SurveyAssignment.objects.exists()
    with pytest.raises(PermissionDenied):
        svc.survey_assign(actor=dw.leader, survey=s, surveyor=dw.leader, building=dw.b3)
    with pytest.raises(Http404):
        svc.survey_assign(actor=dw.outsider, survey=s, surveyor=dw.leader, building=dw.b3)


def test_surveyors_hear_when_the_survey_opens(dw):
    _survey(dw)
    n = Notification.objects.get(recipient=dw.leader, channel="in_app", verb="survey.opened")
    assert n.url.endswith("/visits/")


# --- at the door -----------------------------------------------------------------------------


def test_surveyor_records_answers_at_the_door(dw, as_user):
    s = _survey(dw)
    c = as_user(dw.leader)
    r = c.get(reverse("deliberation:survey_entry", args=[s.pk]))
    assert r.status_code == 200
    page = r.content.decode()
    assert "3-2-501" in page and "3-2-502" in page and "4-1-101" not in page
    assert c.get(_door(s, dw.hh_3_2_501)).status_code == 200
    r = c.post(
        _door(s, dw.hh_3_2_501), _answers_post(s, multiple=[GREEN, LIFT], text="  希望早点装  ")
    )
    assert r.status_code == 302
    visit = SurveyVisit.objects.get()
    assert (visit.outcome, visit.surveyor, visit.household) == (
        "answered",
        dw.leader,
        dw.hh_3_2_501,
    )
    q1, q2, q3, q4 = _qs(s)
    got = {a.question_id: a.value for a in visit.answers.all()}
    # Multiple choices are stored in the questionnaire's order.
    assert got == {q1.pk: YES, q2.pk: [LIFT, GREEN], q3.pk: 4, q4.pk: "希望早点装"}
    assert Event.objects.filter(verb="survey.visit.recorded").count() == 1
    r = c.get(reverse("deliberation:survey_entry", args=[s.pk]) + "?state=answered")
    assert "3-2-501" in r.content.decode() and "3-2-502" not in r.content.decode()


def test_a_missing_required_answer_saves_nothing(dw, as_user):
    s = _survey(dw)
    r = as_user(dw.leader).post(_door(s, dw.hh_3_2_501), _answers_post(s, single="", scale=""))
    assert r.status_code == 400
    assert r.content.decode().count('role="alert"') >= 3  # the summary and both questions
    assert not SurveyVisit.objects.exists() and not Answer.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"single": "也许"},
        {"multiple": [LIFT, "游泳池"]},
        {"scale": "6"},
        {"scale": "0"},
        {"scale": "三"},
        {"text": "字" * 1001},
    ],
)
def test_answers_outside_the_questionnaire_are_refused(dw, as_user, bad):
    s = _survey(dw)
    r = as_user(dw.leader).post(_door(s, dw.hh_3_2_501), _answers_post(s, **bad))
    assert r.status_code == 400
    assert not SurveyVisit.objects.exists() and not Answer.objects.exists()


def test_a_text_answer_of_1000_characters_is_kept(dw):
    s = _survey(dw)
    q1, _q2, q3, q4 = _qs(s)
    svc.visit_record(
        actor=dw.leader,
        survey=s,
        household_id=dw.hh_3_2_501.pk,
        outcome="answered",
        answers={q1.pk: NO, q3.pk: "1", q4.pk: "字" * 1000},
    )
    assert len(Answer.objects.get(question=q4).value) == 1000


def test_a_second_final_outcome_is_refused(dw, as_user):
    s = _survey(dw)
    c = as_user(dw.leader)
    assert c.post(_door(s, dw.hh_3_2_501), _answers_post(s)).status_code == 302
    for data in ({"outcome": "declined"}, _answers_post(s, single=NO)):
        r = c.post(_door(s, dw.hh_3_2_501), data)
        assert r.status_code == 409
        assert _shown(
            "The outcome for this household is already recorded; nothing was saved.",
            r.content.decode(),
        )
    assert SurveyVisit.objects.count() == 1
    assert list(Answer.objects.filter(question=_qs(s)[0]).values_list("value", flat=True)) == [YES]


def test_the_database_holds_one_final_outcome_when_the_check_is_bypassed(dw):
    s = _survey(dw)
    now = timezone.now()
    SurveyVisit.objects.create(
        survey=s, household=dw.hh_3_2_501, surveyor=dw.leader, outcome="answered", at=now
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyVisit.objects.create(
            survey=s, household=dw.hh_3_2_501, surveyor=dw.leader, outcome="answered", at=now
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyVisit.objects.create(
            survey=s, household=dw.hh_3_2_501, surveyor=dw.leader, outcome="declined", at=now
        )


def test_not_at_home_can_be_recorded_again_and_again(dw, as_user):
    s = _survey(dw)
    c = as_user(dw.leader)
    for _i in range(3):
        assert c.post(_door(s, dw.hh_3_2_502), {"outcome": "not_home"}).status_code == 302
    page = c.get(reverse("deliberation:survey_entry", args=[s.pk])).content.decode()
    assert 'data-state="not_home">1<' in page
    with translation.override("zh-hans"):
        times = translation.ngettext("Not at home (%(n)s time)", "Not at home (%(n)s times)", 3)
    assert escape(times % {"n": 3}) in page
    assert c.post(_door(s, dw.hh_3_2_502), {"outcome": "declined"}).status_code == 302
    assert list(SurveyVisit.objects.values_list("outcome", flat=True)) == [
        "not_home",
        "not_home",
        "not_home",
        "declined",
    ]
    assert c.post(_door(s, dw.hh_3_2_502), {"outcome": "not_home"}).status_code == 409


def test_another_surveyor_gets_403_and_a_household_outside_the_survey_404(dw, as_user):
    s = _survey(dw)
    svc.survey_assign(actor=dw.staff, survey=s, surveyor=dw.grid_worker, households=[dw.hh_4_1_101])
    c = as_user(dw.grid_worker)
    assert c.get(_door(s, dw.hh_3_2_501)).status_code == 403
    assert c.post(_door(s, dw.hh_3_2_501), _answers_post(s)).status_code == 403
    c = as_user(dw.leader)
    assert c.get(_door(s, dw.hh_5_1_201)).status_code == 404  # not in the survey
    assert c.post(_door(s, dw.hh_5_1_201), {"outcome": "declined"}).status_code == 404
    assert c.get(_door(s, dw.hh_nancun)).status_code == 404  # another community
    assert not SurveyVisit.objects.exists()


@pytest.mark.parametrize("persona", ["resident", "supervisor", "mediator"])
def test_people_who_do_not_survey_cannot_enter(dw, as_user, persona):
    s = _survey(dw)
    c = as_user(getattr(dw, persona))
    assert c.get(reverse("deliberation:survey_entry", args=[s.pk])).status_code == 403
    assert c.post(_door(s, dw.hh_3_2_501), _answers_post(s)).status_code == 403
    assert not SurveyVisit.objects.exists()


def test_the_office_may_record_for_any_assigned_household(dw, as_user):
    s = _survey(dw)
    r = as_user(dw.secretary).post(_door(s, dw.hh_3_2_502), {"outcome": "declined"})
    assert r.status_code == 302
    assert SurveyVisit.objects.get().surveyor == dw.secretary
    page = (
        as_user(dw.secretary)
        .get(reverse("deliberation:survey_entry", args=[s.pk]) + "?all=1")
        .content.decode()
    )
    assert "3-2-501" in page and "3-2-502" in page


def test_no_entries_once_closed_or_before_opening(dw, as_user):
    s = _survey(dw, open_=False)
    c = as_user(dw.leader)
    assert c.post(_door(s, dw.hh_3_2_501), {"outcome": "declined"}).status_code == 409
    svc.survey_open(actor=dw.staff, survey=s)
    as_user(dw.staff).post(reverse("deliberation:survey_close", args=[s.pk]))
    s.refresh_from_db()
    assert s.status == SurveyStatus.CLOSED and s.closed_at is not None
    c = as_user(dw.leader)
    assert c.post(_door(s, dw.hh_3_2_501), _answers_post(s)).status_code == 409
    assert c.post(_door(s, dw.hh_3_2_501), {"outcome": "not_home"}).status_code == 409
    assert not SurveyVisit.objects.exists()


# --- progress and results --------------------------------------------------------------------


def _known_data(dw) -> Survey:
    """Ten households in building 3 and two in building 4, with known answers."""
    s = _survey(dw)
    hhs = [dw.hh_3_2_501, dw.hh_3_2_502]
    hhs += [make_household(dw.b3, dw.u3_2, str(600 + i)) for i in range(8)]
    svc.survey_assign(actor=dw.staff, survey=s, surveyor=dw.leader, building=dw.b3)
    svc.survey_assign(actor=dw.staff, survey=s, surveyor=dw.grid_worker, households=[dw.hh_4_1_101])
    q1, q2, q3, q4 = _qs(s)
    rows = [  # single, multiple, scale, text
        (YES, [LIFT, PARKING], "5", "=cmd|' /C calc'!A0"),
        (YES, [LIFT], "4", "楼道太暗"),
        (YES, [], "4", ""),
        (NO, [PARKING], "2", ""),
        (CARE, [LIFT, GREEN], "3", "+1 赞成"),
        (YES, [LIFT], "5", ""),
    ]
    for hh, (a1, a2, a3, a4) in zip(hhs, rows, strict=False):
        ans = {q1.pk: a1, q2.pk: a2, q3.pk: a3, q4.pk: a4}
        svc.visit_record(
            actor=dw.leader, survey=s, household_id=hh.pk, outcome="answered", answers=ans
        )
    svc.visit_record(actor=dw.leader, survey=s, household_id=hhs[6].pk, outcome="declined")
    svc.visit_record(actor=dw.leader, survey=s, household_id=hhs[7].pk, outcome="not_home")
    svc.visit_record(
        actor=dw.grid_worker, survey=s, household_id=dw.hh_4_1_101.pk, outcome="declined"
    )
    return s


def test_progress_per_building_is_exact(dw):
    s = _known_data(dw)
    buildings, total = survey_queries.progress_for(s)
    got = [(b.number, b.total, b.reached, b.answered) for b in buildings]
    assert got == [("3", 10, 7, 6), ("4", 1, 1, 0)]
    assert (total.total, total.reached, total.answered) == (11, 8, 6)
    assert buildings[0].reached_pct == Decimal("70.0")


def test_results_aggregates_are_exact(dw):
    s = _known_data(dw)
    res = survey_queries.results_for(s, answered=survey_queries.outcome_counts(s)["answered"])
    single, multiple, scale, text = res
    assert [(b.label, b.count, b.pct) for b in single.bars] == [
        (YES, 4, Decimal("66.7")),
        (NO, 1, Decimal("16.7")),
        (CARE, 1, Decimal("16.7")),
    ]
    assert (multiple.respondents, multiple.skipped) == (5, 1)
    assert [(b.label, b.count, b.pct) for b in multiple.bars] == [
        (LIFT, 4, Decimal("80.0")),
        (PARKING, 2, Decimal("40.0")),
        (GREEN, 1, Decimal("20.0")),
    ]
    assert [(b.label, b.count) for b in scale.bars] == [
        ("1", 0),
        ("2", 1),
        ("3", 1),
        ("4", 2),
        ("5", 2),
    ]
    assert scale.average == Decimal("3.83")  # 23 / 6
    assert text.respondents == 3
    assert sorted(text.texts) == sorted(["=cmd|' /C calc'!A0", "楼道太暗", "+1 赞成"])


def test_results_page_shows_bars_and_free_text_without_households(dw, as_user):
    s = _known_data(dw)
    r = as_user(dw.supervisor).get(reverse("deliberation:survey_results", args=[s.pk]))
    assert r.status_code == 200
    page = r.content.decode()
    assert "楼道太暗" in page
    assert '<rect class="survey-bar-fill" x="0" y="0" width="66.7"' in page
    assert 'data-average="3.83"' in page
    for label in ("3-2-501", "3-2-502", "3-2-600", "4-1-101"):
        assert label not in page
    assert "张三" not in page
    # The supervisor sees aggregates, never answers tied to households.
    c = as_user(dw.supervisor)
    assert c.get(reverse("deliberation:survey_households", args=[s.pk])).status_code == 403
    assert c.get(reverse("deliberation:survey_export", args=[s.pk])).status_code == 403


def test_results_are_published_to_members_once_closed(dw, as_user):
    s = _known_data(dw)
    url = reverse("deliberation:survey_results", args=[s.pk])
    for persona in ("resident", "leader", "volunteer"):
        assert as_user(getattr(dw, persona)).get(url).status_code == 403
    svc.survey_close(actor=dw.staff, survey=s)
    r = as_user(dw.resident).get(url)
    assert r.status_code == 200
    page = r.content.decode()
    assert 'data-testid="closed-on"' in page and f"{timezone.localdate():%Y-%m-%d}" in page
    assert "3-2-501" not in page
    assert as_user(dw.outsider).get(url).status_code == 404
    assert (
        as_user(dw.resident).get(reverse("deliberation:survey_households", args=[s.pk])).status_code
        == 403
    )


def test_all_free_text_answers_are_listed_without_households(dw, as_user):
    s = _known_data(dw)
    q4 = _qs(s)[3]
    r = as_user(dw.supervisor).get(reverse("deliberation:survey_text_answers", args=[s.pk, q4.pk]))
    assert r.status_code == 200
    assert "楼道太暗" in r.content.decode() and "3-2-50" not in r.content.decode()


def test_office_sees_answers_by_household_and_each_look_is_recorded(dw, as_user):
    s = _known_data(dw)
    r = as_user(dw.staff).get(reverse("deliberation:survey_households", args=[s.pk]))
    assert r.status_code == 200
    assert 'data-household="3-2-501"' in r.content.decode()
    assert r["Cache-Control"] == "no-store"
    assert Event.objects.filter(verb="survey.households.viewed", actor=dw.staff).count() == 1


def test_csv_export_neutralises_formulas(dw, as_user):
    s = _known_data(dw)
    r = as_user(dw.staff).get(reverse("deliberation:survey_export", args=[s.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 8  # header, six answered and two declined
    cells = [c for row in rows for c in row]
    assert "'=cmd|' /C calc'!A0" in cells and "'+1 赞成" in cells
    assert not any(c[:1] in ("=", "+", "-", "@") for c in cells)
    first = next(row for row in rows if row[0] == "3-2-501")
    assert first[-4:] == [YES, f"{LIFT}; {PARKING}", "5", "'=cmd|' /C calc'!A0"]
    assert Event.objects.filter(verb="survey.answers.exported").count() == 1
    # The one rule of every export (core.exports.neutralise).
    assert neutralise("@SUM(A1)") == "'@SUM(A1)" and neutralise("-2") == "'-2"


def test_printable_notice_has_a_qr_code_to_the_survey_page(dw, as_user):
    s = _survey(dw)
    r = as_user(dw.staff).get(reverse("deliberation:survey_notice", args=[s.pk]))
    assert r.status_code == 200
    page = r.content.decode()
    assert "<svg" in page and 'class="segno"' in page
    assert f"/deliberation/surveys/{s.pk}/" in page


def test_members_see_an_open_survey_page_but_not_a_draft(dw, as_user):
    s = _survey(dw, open_=False)
    url = reverse("deliberation:survey_detail", args=[s.pk])
    assert as_user(dw.resident).get(url).status_code == 403
    svc.survey_open(actor=dw.staff, survey=s)
    r = as_user(dw.resident).get(url)
    assert r.status_code == 200 and s.title in r.content.decode()
    r = as_user(dw.resident).get(reverse("deliberation:survey_list"))
    assert s.title in r.content.decode()


# --- query counts ----------------------------------------------------------------------------


def _grow(dw, s: Survey, n: int) -> None:
    """``n`` more households in building 3, assigned to the leader: a third answered (with
    every question), a third not at home twice, the rest declined or untouched."""
    base = Household.objects.count()
    Household.objects.bulk_create(
        [
            Household(
                community=dw.xincun,
                building=dw.b3,
                unit=dw.u3_2,
                room=str(1000 + i),
                label=f"3-2-{1000 + i}",
            )
            for i in range(n)
        ]
    )
    hhs = list(Household.objects.order_by("pk")[base:])
    SurveyAssignment.objects.bulk_create(
        [SurveyAssignment(survey=s, household=h, surveyor=dw.leader) for h in hhs]
    )
    now = timezone.now()
    visits = []
    for i, h in enumerate(hhs):
        if i % 3 == 0:
            visits.append(
                SurveyVisit(survey=s, household=h, surveyor=dw.leader, outcome="answered", at=now)
            )
        elif i % 3 == 1:
            visits += [
                SurveyVisit(survey=s, household=h, surveyor=dw.leader, outcome="not_home", at=now)
                for _ in range(2)
            ]
        elif i % 2:
            visits.append(
                SurveyVisit(survey=s, household=h, surveyor=dw.leader, outcome="declined", at=now)
            )
    SurveyVisit.objects.bulk_create(visits)
    q1, q2, q3, q4 = _qs(s)
    answers = []
    for i, v in enumerate(SurveyVisit.objects.filter(survey=s, outcome="answered")):
        answers += [
            Answer(visit=v, question=q1, value=[YES, NO, CARE][i % 3]),
            Answer(visit=v, question=q2, value=[LIFT, GREEN][: 1 + i % 2]),
            Answer(visit=v, question=q3, value=1 + i % 5),
            Answer(visit=v, question=q4, value=f"意见{i}"),
        ]
    Answer.objects.bulk_create(answers)


@pytest.mark.parametrize("n", [10, 300])
def test_surveyor_list_queries_constant(dw, as_user, django_assert_max_num_queries, n):
    s = _survey(dw)
    _grow(dw, s, n)
    c = as_user(dw.leader)
    url = reverse("deliberation:survey_entry", args=[s.pk])
    with django_assert_max_num_queries(10):
        r = c.get(url)
    assert r.status_code == 200 and "3-2-1000" in r.content.decode()
    with django_assert_max_num_queries(10):
        assert c.get(url + "?state=not_home&page=2").status_code == 200


@pytest.mark.parametrize("n", [10, 300])
def test_results_page_queries_constant(dw, as_user, django_assert_max_num_queries, n):
    s = _survey(dw)
    _grow(dw, s, n)
    c = as_user(dw.staff)
    with django_assert_max_num_queries(14):
        r = c.get(reverse("deliberation:survey_results", args=[s.pk]))
    assert r.status_code == 200
    answered = SurveyVisit.objects.filter(survey=s, outcome="answered").count()
    assert f"data-answered>{answered}<" in r.content.decode()
    with django_assert_max_num_queries(16):
        assert c.get(reverse("deliberation:survey_households", args=[s.pk])).status_code == 200
    with django_assert_max_num_queries(16):
        assert c.get(reverse("deliberation:survey_assignments", args=[s.pk])).status_code == 200


def test_the_survey_page_offers_each_person_what_they_may_do(dw, as_user):
    s = _survey(dw)
    url = reverse("deliberation:survey_detail", args=[s.pk])
    page = as_user(dw.leader).get(url).content.decode()
    assert 'data-testid="my-households"' in page and 'data-testid="close-survey"' not in page
    assert 'data-testid="results-link"' not in page  # not before the survey is closed
    page = as_user(dw.staff).get(url).content.decode()
    assert 'data-testid="close-survey"' in page and 'data-testid="survey-progress"' in page
    page = as_user(dw.supervisor).get(url).content.decode()
    assert 'data-testid="results-link"' in page and 'data-testid="close-survey"' not in page
    page = as_user(dw.resident).get(url).content.decode()
    assert 'data-testid="results-link"' not in page and "survey-progress" not in page


def test_office_opens_and_closes_on_the_page(dw, as_user):
    s = _survey(dw, open_=False)
    c = as_user(dw.staff)
    assert c.post(reverse("deliberation:survey_open", args=[s.pk])).status_code == 302
    assert c.post(reverse("deliberation:survey_open", args=[s.pk])).status_code == 409
    assert (
        as_user(dw.leader).post(reverse("deliberation:survey_close", args=[s.pk])).status_code
        == 403
    )
    c = as_user(dw.staff)
    assert c.post(reverse("deliberation:survey_close", args=[s.pk])).status_code == 302
    s.refresh_from_db()
    assert s.status == SurveyStatus.CLOSED
    assert list(
        Event.objects.filter(verb__in=["survey.opened", "survey.closed"])
        .values_list("verb", flat=True)
        .order_by("id")
    ) == ["survey.opened", "survey.closed"]
