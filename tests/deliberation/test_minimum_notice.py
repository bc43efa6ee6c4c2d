"""Minimum notice (issue 9, finding 11): an owners' joint vote with 0 days' notice was
accepted. Each rule has a legal floor (owners' joint decision and owners' assembly 15 days,
residents' meeting and the councils 1, consultative poll 0); a community may require more,
never less; the service, the forms and the community's settings page all refuse less with a
clear, translated message, and nothing is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from linli.core.errors import DomainError
from linli.deliberation.models import Meeting, NoticeRules, Vote, VoteStatus
from linli.deliberation.queries import notice as notice_queries
from linli.deliberation.services import meetings as sm
from linli.deliberation.services import notice
from linli.deliberation.services import votes as sv
from tests.deliberation.test_votes import T0, Clock, prepare

FLOORS = [("owners_joint_decision", 15), ("residents_meeting", 1), ("consultative", 0)]


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def _vote(dw, rule, days, **kw):
    return prepare(
        dw,
        rule=rule,
        notice_days=days,
        opens_at=T0 + dt.timedelta(days=max(days, 0) + 1),
        closes_at=T0 + dt.timedelta(days=max(days, 0) + 5),
        **kw,
    )


# --- votes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "floor"), FLOORS)
def test_a_vote_with_less_notice_than_its_rule_allows_is_refused(dw, english, rule, floor):
    with pytest.raises(DomainError, match="notice period") as e:
        _vote(dw, rule, floor - 1)
    assert e.value.status_code == 400
    assert not Vote.objects.exists()


@pytest.mark.parametrize(("rule", "floor"), FLOORS)
def test_a_vote_with_exactly_the_legal_notice_is_announced(dw, clock, rule, floor):
    clock.set(T0)
    vote = _vote(dw, rule, floor)
    assert sv.vote_notice(actor=dw.staff, vote=vote).status == VoteStatus.NOTICED


def test_the_owners_vote_of_the_finding_with_0_days_is_refused_in_words(dw, english):
    with pytest.raises(DomainError) as e:
        _vote(dw, "owners_joint_decision", 0)
    assert str(e.value.message) == (
        "“Owners' joint decision (Civil Code Art. 278)” needs a notice period of at least 15 days."
    )


def test_a_vote_cannot_be_changed_to_less_notice(dw, english):
    vote = _vote(dw, "owners_joint_decision", 15)
    with pytest.raises(DomainError, match="at least 15 days"):
        sv.vote_update(
            actor=dw.staff,
            vote=vote,
            title=vote.title,
            question=vote.question,
            rule=vote.rule,
            matter=vote.matter,
            notice_days=14,
            opens_at=vote.opens_at,
            closes_at=vote.closes_at,
        )
    vote.refresh_from_db()
    assert vote.notice_days == 15


def test_a_community_that_requires_more_notice_refuses_less(dw, clock, english):
    notice.notice_rules_update(
        actor=dw.staff, community=dw.xincun, owners_days=20, residents_days=3, consultative_days=1
    )
    with pytest.raises(DomainError) as e:
        _vote(dw, "owners_joint_decision", 19)
    assert "This community requires a notice period of at least 20 days" in str(e.value.message)
    assert "the legal minimum is 15)" in str(e.value.message)
    with pytest.raises(DomainError, match="at least 3 days"):
        _vote(dw, "residents_meeting", 2)
    with pytest.raises(DomainError, match="at least 1 day\\b"):
        _vote(dw, "consultative", 0)
    assert not Vote.objects.exists()
    clock.set(T0)
    vote = _vote(dw, "owners_joint_decision", 20)
    assert sv.vote_notice(actor=dw.staff, vote=vote).status == VoteStatus.NOTICED


def test_the_other_community_keeps_the_legal_floor(dw):
    notice.notice_rules_update(
        actor=dw.staff, community=dw.xincun, owners_days=30, residents_days=1, consultative_days=0
    )
    assert notice_queries.minimum_days(dw.nancun.pk, "owners_joint_decision") == 15
    assert notice_queries.minimum_days(dw.xincun.pk, "owners_joint_decision") == 30


def test_a_notice_is_refused_when_the_community_raised_its_minimum_since(dw, clock, english):
    vote = _vote(dw, "owners_joint_decision", 15)
    notice.notice_rules_update(
        actor=dw.staff, community=dw.xincun, owners_days=20, residents_days=1, consultative_days=0
    )
    clock.set(T0)
    with pytest.raises(DomainError, match="at least 20 days"):
        sv.vote_notice(actor=dw.staff, vote=vote)
    vote.refresh_from_db()
    assert vote.status == VoteStatus.DRAFT and vote.noticed_at is None


# --- the community's setting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"owners_days": 14, "residents_days": 1, "consultative_days": 0},
        {"owners_days": 15, "residents_days": 0, "consultative_days": 0},
        {"owners_days": 15, "residents_days": 1, "consultative_days": -1},
        {"owners_days": 91, "residents_days": 1, "consultative_days": 0},
    ],
)
def test_a_community_cannot_set_less_than_the_legal_floor(dw, english, values):
    with pytest.raises(DomainError, match="minimum notice is between"):
        notice.notice_rules_update(actor=dw.staff, community=dw.xincun, **values)
    assert not NoticeRules.objects.exists()


def test_the_database_refuses_a_minimum_below_the_legal_floor(dw):
    with pytest.raises(IntegrityError), transaction.atomic():
        NoticeRules.objects.create(community=dw.xincun, owners_days=0)


@pytest.mark.parametrize(("who", "status"), [("resident", 403), ("leader", 403), ("outsider", 404)])
def test_only_the_office_sets_the_minimum_notice(dw, as_user, who, status):
    path = reverse("deliberation:notice_rules", args=[dw.xincun.code])
    c = as_user(getattr(dw, who))
    assert c.get(path).status_code == status
    data = {"owners_days": 30, "residents_days": 3, "consultative_days": 0}
    assert c.post(path, data).status_code == status
    assert not NoticeRules.objects.exists()


def test_the_office_raises_the_minimum_notice_on_its_page(dw, as_user):
    path = reverse("deliberation:notice_rules", args=[dw.xincun.code])
    c = as_user(dw.staff)
    assert (
        'data-testid="notice-rules-link"'
        in c.get(reverse("deliberation:vote_list")).content.decode()
    )
    assert c.get(path).status_code == 200
    bad = c.post(path, {"owners_days": 10, "residents_days": 1, "consultative_days": 0})
    assert bad.status_code == 400
    assert "15" in bad.content.decode()  # the field says the least it accepts
    assert not NoticeRules.objects.exists()
    ok = c.post(path, {"owners_days": 21, "residents_days": 2, "consultative_days": 0})
    assert ok.status_code == 302
    rules = NoticeRules.objects.get()
    assert (rules.owners_days, rules.residents_days, rules.updated_by) == (21, 2, dw.staff)


# --- the vote form --------------------------------------------------------------------------


def _vote_form(**kw):
    data = {
        "title": "加装电梯表决",
        "question": "是否同意加装电梯？",
        "rule": "owners_joint_decision",
        "matter": "rebuild",
        "notice_days": "0",
        "results_due_days": "3",
        "opens_at": "2026-05-17T09:00",
        "closes_at": "2026-05-21T18:00",
    }
    data.update(kw)
    return data


def test_the_vote_form_refuses_0_days_for_an_owners_vote_in_chinese(dw, as_user):
    new = f"{reverse('deliberation:vote_create')}?topic={dw.topic.pk}"
    r = as_user(dw.staff).post(new, _vote_form())
    assert r.status_code == 400
    html = r.content.decode()
    assert "至少要提前 15 天发布通知" in html  # in the person's language (Chinese by default)
    assert not Vote.objects.exists()
    r = as_user(dw.staff).post(new, _vote_form(notice_days="15"))
    assert r.status_code == 302 and Vote.objects.get().notice_days == 15


# --- meetings ---------------------------------------------------------------------------------


def _meeting(dw, body, days, **kw):
    return sm.meeting_create(
        actor=dw.staff,
        community=dw.xincun,
        body=body,
        title="会议",
        starts_at=timezone.now() + dt.timedelta(days=30),
        location="社区活动室",
        **kw,
        notice_days=days,
    )


MEETING_FLOORS = [("owners_assembly", 15), ("residents_council", 1), ("affairs_council", 1)]


@pytest.mark.parametrize(("body", "floor"), MEETING_FLOORS)
def test_a_meeting_with_less_notice_than_its_body_allows_is_refused(dw, english, body, floor):
    with pytest.raises(DomainError, match="notice period of at least"):
        _meeting(dw, body, floor - 1)
    assert not Meeting.objects.exists()
    assert _meeting(dw, body, floor).notice_days == floor


def test_a_meeting_default_follows_a_community_minimum_above_it(dw, english):
    notice.notice_rules_update(
        actor=dw.staff, community=dw.xincun, owners_days=15, residents_days=5, consultative_days=0
    )
    assert _meeting(dw, "residents_council", None).notice_days == 5  # the usual 3 is too few
    with pytest.raises(DomainError, match="at least 5 days"):
        _meeting(dw, "residents_council", 4)


def test_the_meeting_form_refuses_0_days(dw, as_user):
    start = timezone.localtime(timezone.now() + dt.timedelta(days=10))
    data = {
        "community": dw.xincun.pk,
        "body": "residents_council",
        "title": "四月居民议事会",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "location": "社区活动室",
        "notice_days": "0",
    }
    r = as_user(dw.staff).post(reverse("deliberation:meeting_new"), data)
    assert r.status_code == 400 and "至少要提前 1 天发布通知" in r.content.decode()
    assert not Meeting.objects.exists()


def test_a_meeting_cannot_be_changed_to_less_notice(dw, english):
    m = _meeting(dw, "owners_assembly", 15)
    with pytest.raises(DomainError, match="at least 15 days"):
        sm.meeting_update(
            actor=dw.staff,
            meeting=m,
            title=m.title,
            starts_at=m.starts_at,
            location=m.location,
            notice_days=0,
        )
    m.refresh_from_db()
    assert m.notice_days == 15
