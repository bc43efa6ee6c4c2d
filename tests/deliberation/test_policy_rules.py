"""Deliberation's permission rules live in the policy: drafts hidden by one status-aware hook
(``SCOPE_HIDDEN``), ``holds_role_in`` for who raised a topic, one ``members_of`` behind every
people picker (who can be given follow-up work agrees everywhere), and one memoised checker
per request."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone, translation

from linli.accounts.queries import members_of
from linli.core import policy
from linli.core.errors import DomainError
from linli.core.roles import OFFICE, PERMISSIONS, WORKERS, Role
from linli.deliberation.forms.votes import FollowupForm
from linli.deliberation.models import Meeting, Survey, Topic, Vote
from linli.deliberation.queries import meetings as meeting_queries
from linli.deliberation.queries import surveys as survey_queries
from linli.deliberation.queries import votes as vote_queries
from linli.deliberation.queries.topics import follow_up_choices
from linli.deliberation.services import meetings as meeting_services
from linli.deliberation.services import surveys as survey_services
from linli.deliberation.services import topics as topic_services
from linli.deliberation.services import votes as vote_services

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src" / "linli"


def _drafts(dw):
    m = meeting_services.meeting_create(
        actor=dw.staff,
        community=dw.xincun,
        body="residents_council",
        title="草稿会议",
        starts_at=timezone.now() + dt.timedelta(days=30),
        location="x",
    )
    s = survey_services.survey_create(actor=dw.staff, community=dw.xincun, title="草稿问卷")
    v = vote_services.vote_create(
        actor=dw.staff, topic=dw.topic, title="草稿表决", question="q?", rule="consultative"
    )
    return m, s, v


@pytest.mark.parametrize("persona", ["resident", "leader", "grid_worker"])
def test_drafts_are_hidden_from_everyone_but_the_office_by_one_hook(dw, persona):
    m, s, v = _drafts(dw)
    actor = getattr(dw, persona)
    assert not meeting_queries.meetings_for(actor).filter(pk=m.pk).exists()
    assert not survey_queries.survey_list_for(actor).paginator.count
    assert not vote_queries.votes_for(actor).filter(pk=v.pk).exists()
    for fetch in (
        lambda: meeting_queries.meeting_get_for(actor, m.pk),
        lambda: vote_queries.vote_get_for(actor, v.pk),
    ):
        with pytest.raises(Http404):
            fetch()
    with pytest.raises(PermissionDenied):  # the survey's declared refusal, as before
        survey_queries.survey_get_for(actor, s.pk)


def test_the_office_sees_its_drafts_and_everyone_sees_them_once_announced(dw):
    m, s, v = _drafts(dw)
    for actor in (dw.staff, dw.secretary):
        assert meeting_queries.meetings_for(actor).filter(pk=m.pk).exists()
        assert vote_queries.votes_for(actor).filter(pk=v.pk).exists()
        assert survey_queries.survey_get_for(actor, s.pk) == s
    Survey.objects.filter(pk=s.pk).update(status="open")
    Meeting.objects.filter(pk=m.pk).update(status="noticed")
    Vote.objects.filter(pk=v.pk).update(status="noticed")
    assert survey_queries.survey_get_for(dw.resident, s.pk) == s
    assert meeting_queries.meetings_for(dw.resident).filter(pk=m.pk).exists()
    assert vote_queries.votes_for(dw.resident).filter(pk=v.pk).exists()


def test_the_hook_is_declared_once_per_model_and_policy_hidden_reads_it(dw):
    m, s, v = _drafts(dw)
    assert ("status", {"draft"}, "meeting.manage") == Meeting.SCOPE_HIDDEN
    assert ("status", {"draft"}, "vote.manage") == Vote.SCOPE_HIDDEN
    assert ("status", {"draft"}, "survey.manage", 403) == Survey.SCOPE_HIDDEN
    assert policy.hidden(dw.resident, v) and not policy.hidden(dw.staff, v)
    # No deliberation read filters drafts by hand any more.
    for path in (SRC / "deliberation" / "queries").glob("*.py"):
        assert "status=VoteStatus.DRAFT" not in path.read_text()
        assert "status=SurveyStatus.DRAFT" not in path.read_text()
        assert "status=MS.DRAFT" not in path.read_text()


def test_holds_role_in_decides_who_raised_a_topic(dw):
    assert policy.holds_role_in(dw.staff, OFFICE, dw.xincun)
    assert not policy.holds_role_in(dw.staff, OFFICE, dw.nancun)
    assert policy.holds_role_in(dw.leader, {Role.BUILDING_LEADER}, dw.topic)  # via community_id
    assert not policy.holds_role_in(dw.resident, OFFICE, dw.xincun)
    for actor, source in ((dw.staff, "staff"), (dw.leader, "leader"), (dw.resident, "resident")):
        t = topic_services.topic_raise(actor=actor, community=dw.xincun, title=f"{source}的议题")
        assert t.source == source


def test_one_set_of_people_can_be_given_follow_up_work_everywhere(dw):
    workers = list(members_of(dw.xincun, WORKERS))
    assert workers and dw.resident not in workers and dw.supervisor not in workers
    assert dw.outsider not in workers
    people, _ = follow_up_choices(dw.staff, dw.xincun.pk)
    assert people == workers  # topics, forums and meetings
    form = FollowupForm(community_id=dw.xincun.pk)
    assert list(form.fields["owner"].queryset) == workers  # votes
    # The service takes exactly these people, and says why it refuses the others.
    with translation.override("en"):
        with pytest.raises(DomainError, match="not a resident"):
            topic_services.action_create(
                actor=dw.staff, topic=dw.topic, title="x", owner=dw.resident
            )
        with pytest.raises(DomainError, match="holds no role"):
            topic_services.action_create(
                actor=dw.staff, topic=dw.topic, title="x", owner=dw.outsider
            )
    for owner in workers:
        topic_services.action_create(actor=dw.staff, topic=dw.topic, title="x", owner=owner)


def test_members_of_is_the_one_people_query_of_the_pickers(dw, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        everyone = list(members_of(dw.xincun))
    assert dw.resident in everyone and dw.staff in everyone and dw.outsider not in everyone
    surveyors = list(survey_queries.surveyor_candidates(Survey(community=dw.xincun)))
    assert surveyors == list(members_of(dw.xincun, PERMISSIONS["survey.enter"]))
    assert dw.resident not in surveyors


def test_one_checker_per_request_memoises_by_object_and_roles(dw, django_assert_num_queries):
    topic = Topic.objects.get(pk=dw.topic.pk)
    checker = policy.checker(dw.staff)
    assert policy.checker(dw.staff) is checker  # the same for the whole request
    may = checker.on(topic)
    assert may("topic.manage") and may("action.manage")  # the office's roles: asked once
    with django_assert_num_queries(0):
        assert may("topic.manage") and may("action.manage") and may("topic.view")
    assert not policy.checker(dw.resident).on(topic)("topic.manage")
    policy.forget_memberships(dw.staff)
    assert policy.checker(dw.staff) is not checker


def test_deliberation_declares_its_own_permissions_and_no_literal_role_strings():
    core_roles = (SRC / "core" / "roles.py").read_text()
    assert '"topic.view"' not in core_roles and '"vote.cast"' not in core_roles
    assert PERMISSIONS["vote.audit"] == frozenset({Role.SECRETARY})
    literals = {r.value for r in Role}
    offenders = []
    for path in (SRC / "deliberation").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in literals - {
                "resident",
                "volunteer",
            }:
                offenders.append(f"{path.name}: {node.value!r}")
    assert offenders == []


def test_accounts_and_registry_import_each_other_no_more():
    for path in (SRC / "registry").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        assert "linli.accounts" not in text.replace("# ", ""), path


def test_a_resident_cannot_read_a_draft_even_with_the_manage_url(dw, as_user):
    m, s, v = _drafts(dw)
    for url in (
        f"/deliberation/meetings/{m.pk}/",
        f"/deliberation/votes/{v.pk}/",
        f"/deliberation/votes/{v.pk}/edit/",
    ):
        assert as_user(dw.resident).get(url).status_code == 404, url
    assert as_user(dw.resident).get(f"/deliberation/surveys/{s.pk}/").status_code == 403
    with pytest.raises((Http404, PermissionDenied)):
        policy.get_for(dw.resident, Vote, "vote.manage", pk=v.pk)
