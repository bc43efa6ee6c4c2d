"""Deliberation (民事民议): topics, and the three ways of hearing residents — council meetings
(集中议), door-to-door surveys (当面议), building forums (座谈议) — and votes counted by law.

Counting lives in ``tally.py`` (pure, shared with ``linli tally``); writes in ``services``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from linli.core.models import CommunityScoped
from linli.core.text import FreeTextField, FreeTextJSONField, NameField, TextLineField
from linli.core.workflow import Transition, Workflow

# A community-wide row is in scope for every level inside the community (to-many paths), so a
# building leader reaches the community's topics, meetings and votes.
_COMMUNITY_PATHS = {
    **CommunityScoped.SCOPE_PATHS,
    "grid": "community__grids__id",
    "building": "community__buildings__id",
    "household": "community__households__id",
}


class Body(models.TextChoices):
    RESIDENTS_COUNCIL = "residents_council", _("Residents' council")
    AFFAIRS_COUNCIL = "affairs_council", _("Residents' affairs council")
    OWNERS_ASSEMBLY = "owners_assembly", _("Owners' assembly")


class TopicStatus(models.TextChoices):
    OPEN = "open", _("Being discussed")
    DECIDED = "decided", _("Decided")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class TopicSource(models.TextChoices):
    RESIDENT = "resident", _("A resident")
    BUILDING_LEADER = "leader", _("A building leader")
    STAFF = "staff", _("Community staff")
    COUNCIL = "council", _("The council")


class Topic(CommunityScoped):
    """A matter the community deliberates (议题), at the community, a grid, a building or a
    unit. Every meeting, survey, forum and vote on it is shown on its page."""

    # The base's key under the reverse name it has always had (``community.topics``).
    community = models.ForeignKey(
        "registry.Community", on_delete=models.PROTECT, related_name="topics"
    )
    grid = models.ForeignKey(
        "registry.Grid", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "registry.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = TextLineField(_("title"), max_length=120)
    description = FreeTextField(_("description"), max_length=4000, blank=True)
    source = models.CharField(
        _("raised by"), max_length=10, choices=TopicSource.choices, default=TopicSource.STAFF
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TopicStatus.choices, default=TopicStatus.OPEN
    )
    decision = FreeTextField(_("what was decided"), max_length=4000, blank=True)
    tickets = models.ManyToManyField(
        "tickets.Ticket", blank=True, related_name="topics", verbose_name=_("related requests")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATHS = _COMMUNITY_PATHS

    class Meta:
        verbose_name = _("topic")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "status", "created_at"])]

    def __str__(self) -> str:
        return self.title


class ActionStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ActionItem(CommunityScoped):
    """Follow-up work a decision creates: an owner and a due date, or a request (ticket)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="actions")
    # The base's key as it was migrated: without the base's verbose name (no form shows it).
    community = models.ForeignKey("registry.Community", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("what to do"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliberation_actions",
        verbose_name=_("who"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    # Where it came from: a resolution, a vote or a forum.
    source_type = models.CharField(max_length=12, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    SCOPE_PATHS = _COMMUNITY_PATHS
    SCOPE_SELF_PATHS = {"owner": "owner_id"}

    class Meta:
        ordering = ["status", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | Q(ticket__isnull=False),
                name="action_has_owner_or_ticket",
            )
        ]

    def __str__(self) -> str:
        return self.title


# --- council meetings (集中议) ---------------------------------------------------------------


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    NOTICED = "noticed", _("Notice published")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Minutes published")
    CANCELLED = "cancelled", _("Cancelled")


def _token() -> str:
    return secrets.token_urlsafe(16)


class Meeting(CommunityScoped):
    # The base's key under the reverse name it has always had (``community.meetings``).
    community = models.ForeignKey(
        "registry.Community", on_delete=models.PROTECT, related_name="meetings"
    )
    body = models.CharField(_("body"), max_length=20, choices=Body.choices)
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    location = models.CharField(_("place"), max_length=120)
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=7)
    noticed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    topics = models.ManyToManyField(Topic, through="AgendaItem", related_name="meetings")
    minutes = FreeTextField(_("minutes"), max_length=20000, blank=True)
    public_summary = FreeTextField(_("public summary"), max_length=4000, blank=True)
    # Shown as a QR code at the meeting: members scan it to sign in. Rotated when closed.
    checkin_token = models.CharField(max_length=40, default=_token, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = _COMMUNITY_PATHS
    # Being prepared, it does not exist yet for anyone but the office (core.policy).
    SCOPE_HIDDEN = ("status", {"draft"}, "meeting.manage")

    class Meta:
        verbose_name = _("council meeting")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "topic"], name="agenda_topic_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.order}"


class Invitation(models.Model):
    """An invited member and whether they came (signed in by staff, or by scanning the QR)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_invitations"
    )
    attended = models.BooleanField(default=False)
    signed_in_at = models.DateTimeField(null=True, blank=True)
    sign_in_method = models.CharField(max_length=8, blank=True)  # "staff" | "qr"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="invitation_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.user_id}"


class Resolution(models.Model):
    """A decision of a meeting on one topic, with its vote result."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="resolutions")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="resolutions")
    text = FreeTextField(_("resolution"), max_length=4000)
    yes = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)
    abstain = models.PositiveIntegerField(default=0)
    passed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:40]


# --- door-to-door surveys (当面议) ----------------------------------------------------------


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Visiting")
    CLOSED = "closed", _("Closed")


class Survey(CommunityScoped):
    # The base's key under the reverse name it has always had (``community.surveys``).
    community = models.ForeignKey(
        "registry.Community", on_delete=models.PROTECT, related_name="surveys"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys"
    )
    title = models.CharField(_("title"), max_length=120)
    intro = FreeTextField(_("what to say at the door"), max_length=2000, blank=True)
    status = models.CharField(
        max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    SCOPE_PATHS = _COMMUNITY_PATHS
    # Being prepared, it is the office's alone (core.policy); a member who opens it is told
    # it is not theirs (403: its notice and QR code may already be printed), not a 404.
    SCOPE_HIDDEN = ("status", {"draft"}, "survey.manage", 403)

    class Meta:
        verbose_name = _("door-to-door survey")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale 1–5")
    TEXT = "text", _("Free text")


# Questions answered by choosing: one, or several.
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
SCALE = (1, 2, 3, 4, 5)


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("required"), default=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)  # ["…", "…"]

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyAssignment(models.Model):
    """Which surveyor (a building leader, a volunteer) visits which household."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="assignments")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="survey_assignments"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "household"], name="survey_household_once")
        ]
        indexes = [models.Index(fields=["surveyor", "survey"])]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.household_id}"


class VisitOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    NOT_HOME = "not_home", _("Not at home — visit again")
    DECLINED = "declined", _("Declined")


# A visit with one of these outcomes ends the household's part in the survey.
FINAL = (VisitOutcome.ANSWERED, VisitOutcome.DECLINED)


class SurveyVisit(models.Model):
    """Each knock on a door. At most one visit per household ends the survey for it
    (answered or declined): enforced by the database."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="visits")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=VisitOutcome.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "household"],
                condition=~Q(outcome="not_home"),
                name="survey_one_final_visit",
            )
        ]
        indexes = [models.Index(fields=["survey", "outcome"])]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.household_id}:{self.outcome}"


class Answer(models.Model):
    visit = models.ForeignKey(SurveyVisit, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # single: "choice"; multiple: ["a", "b"]; scale: 1..5; text: "…"
    value = FreeTextJSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["visit", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.visit_id}:{self.question_id}"


# --- building forums (座谈议) ----------------------------------------------------------------


class Forum(CommunityScoped):
    # The base's key under the reverse name it has always had (``community.forums``).
    community = models.ForeignKey(
        "registry.Community", on_delete=models.PROTECT, related_name="forums"
    )
    building = models.ForeignKey(
        "registry.Building", on_delete=models.PROTECT, related_name="forums"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="forums"
    )
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=120)
    notes = FreeTextField(_("notes"), max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = {
        **CommunityScoped.SCOPE_PATHS,
        "grid": "building__grid_id",
        "building": "building_id",
        "household": "building__households__id",
    }

    class Meta:
        verbose_name = _("building forum")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Opinion(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="opinions")
    theme = models.CharField(_("theme"), max_length=40)
    text = FreeTextField(_("opinion"), max_length=2000)
    # The speaker is recorded only with their consent (PIPL Art. 25).
    speaker_consented = models.BooleanField(_("the speaker agrees to be named"), default=False)
    speaker_name = NameField(_("speaker"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["theme", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(speaker_consented=True) | Q(speaker_name=""),
                name="opinion_speaker_needs_consent",
            )
        ]

    def __str__(self) -> str:
        return self.theme


# --- votes ----------------------------------------------------------------------------------


class VoteRule(models.TextChoices):
    OWNERS = "owners_joint_decision", _("Owners' joint decision (Civil Code Art. 278)")
    RESIDENTS = "residents_meeting", _("Residents' meeting (Organic Law)")
    CONSULTATIVE = "consultative", _("Consultative poll (no legal effect)")


# Rules counted by heads alone (no floor areas): the office enters the counts.
COUNT_RULES = frozenset({VoteRule.RESIDENTS, VoteRule.CONSULTATIVE})


class Matter(models.TextChoices):
    PROCEDURE_RULES = "procedure_rules", _("Rules of procedure of the owners' assembly")
    MANAGEMENT_COMPACT = "management_compact", _("The management compact")
    OWNERS_COMMITTEE = "owners_committee", _("Electing or replacing the owners' committee")
    PROPERTY_MANAGER = "property_manager", _("Hiring or dismissing a property manager")
    USE_FUND = "use_maintenance_fund", _("Using the building maintenance fund")
    RAISE_FUND = "raise_maintenance_fund", _("Raising the building maintenance fund")
    REBUILD = "rebuild", _("Rebuilding buildings and their facilities")
    CHANGE_USE = "change_common_use", _("Changing the use of common parts")
    OTHER_MAJOR = "other_major", _("Another major matter")


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    NOTICED = "noticed", _("Notice published")
    OPEN = "open", _("Voting")
    CLOSED = "closed", _("Counted")
    PUBLISHED = "published", _("Result published")


class Vote(CommunityScoped):
    # The base's key under the reverse name it has always had (``community.votes``).
    community = models.ForeignKey(
        "registry.Community", on_delete=models.PROTECT, related_name="votes"
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="votes")
    title = models.CharField(_("title"), max_length=120)
    question = FreeTextField(_("question put to the vote"), max_length=2000)
    rule = models.CharField(_("counting rule"), max_length=24, choices=VoteRule.choices)
    matter = models.CharField(_("matter"), max_length=24, choices=Matter.choices, blank=True)
    # Buildings the vote covers; none = the whole community.
    buildings = models.ManyToManyField("registry.Building", blank=True, related_name="+")
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=15)
    results_due_days = models.PositiveSmallIntegerField(_("post results within (days)"), default=3)
    noticed_at = models.DateTimeField(null=True, blank=True)
    opens_at = models.DateTimeField(_("voting opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("voting closes"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=VoteStatus.choices, default=VoteStatus.DRAFT)
    # Residents' meeting / consultative: counts taken at the meeting.
    eligible = models.PositiveIntegerField(null=True, blank=True)
    present = models.PositiveIntegerField(null=True, blank=True)
    yes_count = models.PositiveIntegerField(null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="votes"
    )
    result = models.JSONField(default=dict, blank=True)  # the tally output, kept verbatim
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = _COMMUNITY_PATHS
    # Being prepared, it does not exist yet for anyone but the office (core.policy).
    SCOPE_HIDDEN = ("status", {"draft"}, "vote.manage")
    # The person on the frozen list of owners (core.roles "self:voter"): they vote as an owner.
    SCOPE_SELF_PATHS = {"voter": "voters__user_id"}

    class Meta:
        verbose_name = _("vote")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rule="owners_joint_decision") | ~Q(matter=""),
                name="owners_vote_names_its_matter",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Voter(models.Model):
    """The electorate, frozen when voting opens, so the count is reproducible: one row per
    person (an owner of several units is one person; the developer's unsold units together
    are one). ``units`` is ``[{"id": "3-2-501", "household": 12, "area": "75.50"}, …]``."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="voters")
    key = models.CharField(max_length=64)  # stable person key: resident digest or "developer"
    resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    display_name = NameField(max_length=50, blank=True)
    developer = models.BooleanField(default=False)
    units = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "key"], name="voter_once")]
        indexes = [models.Index(fields=["vote", "user"])]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.key}"


class BallotChoice(models.TextChoices):
    YES = "yes", _("Agree")
    NO = "no", _("Disagree")
    ABSTAIN = "abstain", _("Abstain")


class BallotMethod(models.TextChoices):
    ONLINE = "online", _("Online, by the owner")
    PAPER = "paper", _("Paper ballot")
    PROXY = "proxy", _("By proxy")


class Ballot(models.Model):
    """One ballot per voter per vote, enforced by the database. Visible only to the
    secretary as auditor; the public sees tallies."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots")
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="ballots")
    choice = models.CharField(max_length=8, choices=BallotChoice.choices)
    method = models.CharField(max_length=8, choices=BallotMethod.choices)
    paper_serial = models.CharField(_("ballot serial number"), max_length=40, blank=True)
    proxy_name = NameField(_("proxy's name"), max_length=50, blank=True)
    proxy_authorization = models.CharField(_("written authorisation"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cast_at = models.DateTimeField()

    class Meta:
        ordering = ["cast_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "voter"], name="one_ballot_per_voter"),
            models.UniqueConstraint(
                fields=["vote", "paper_serial"],
                condition=~Q(paper_serial=""),
                name="paper_serial_once",
            ),
            models.CheckConstraint(
                condition=~Q(method="paper") | ~Q(paper_serial=""), name="paper_ballot_has_serial"
            ),
            models.CheckConstraint(
                condition=~Q(method="proxy") | (~Q(proxy_name="") & ~Q(proxy_authorization="")),
                name="proxy_ballot_has_authorisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.voter_id}"


# --- minimum notice -------------------------------------------------------------------------

# The least notice (days between publishing the notice and the vote or meeting) each rule
# allows; a community may require more (NoticeRules), never less. Sources, in
# ../shared/brief/domain-rules.md §1:
# - owners' joint decision (Civil Code Art. 278) and the owners' assembly: 15 days — the notice
#   period §1 names (Beijing 2024), as the Property Management Regulations Art. 13 require for
#   an owners' assembly meeting;
# - residents' meeting (Organic Law Arts. 9–10) and the councils: §1 names no period; at least
#   1 day is Linli's floor, so a decision with legal effect is never noticed on the day itself;
# - consultative poll: no legal effect, no floor (0).
LEGAL_NOTICE_FLOOR_DAYS: dict[str, int] = {
    VoteRule.OWNERS: 15,
    VoteRule.RESIDENTS: 1,
    VoteRule.CONSULTATIVE: 0,
}
# The rule whose notice floor each meeting body follows.
BODY_NOTICE_RULE: dict[str, str] = {
    Body.OWNERS_ASSEMBLY: VoteRule.OWNERS,
    Body.RESIDENTS_COUNCIL: VoteRule.RESIDENTS,
    Body.AFFAIRS_COUNCIL: VoteRule.RESIDENTS,
}


class NoticeRules(models.Model):
    """A community's own minimum notice per rule, at or above the legal floor (the database
    refuses less). No row: the legal floor."""

    community = models.OneToOneField(
        "registry.Community", on_delete=models.CASCADE, related_name="notice_rules"
    )
    owners_days = models.PositiveSmallIntegerField(
        _("owners' joint decision: at least (days)"),
        default=LEGAL_NOTICE_FLOOR_DAYS[VoteRule.OWNERS],
    )
    residents_days = models.PositiveSmallIntegerField(
        _("residents' meeting and councils: at least (days)"),
        default=LEGAL_NOTICE_FLOOR_DAYS[VoteRule.RESIDENTS],
    )
    consultative_days = models.PositiveSmallIntegerField(
        _("consultative poll: at least (days)"),
        default=LEGAL_NOTICE_FLOOR_DAYS[VoteRule.CONSULTATIVE],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    SCOPE_PATHS = _COMMUNITY_PATHS
    FIELD_FOR_RULE = {
        VoteRule.OWNERS: "owners_days",
        VoteRule.RESIDENTS: "residents_days",
        VoteRule.CONSULTATIVE: "consultative_days",
    }

    class Meta:
        verbose_name = _("minimum notice")
        constraints = [
            models.CheckConstraint(
                condition=Q(owners_days__gte=LEGAL_NOTICE_FLOOR_DAYS[VoteRule.OWNERS])
                & Q(residents_days__gte=LEGAL_NOTICE_FLOOR_DAYS[VoteRule.RESIDENTS])
                & Q(consultative_days__gte=LEGAL_NOTICE_FLOOR_DAYS[VoteRule.CONSULTATIVE]),
                name="notice_rules_not_below_the_legal_floor",
            )
        ]

    def __str__(self) -> str:
        return f"{self.community_id}"


# --- workflows: which step each status allows (core/workflow.py) ------------------------------
# Services call ``<FLOW>.apply(obj, action, actor=…)`` for a change of status and
# ``<FLOW>.check(obj, action)`` before a step that keeps the status (an edit, a ballot); pages
# ask ``allowed(obj)``. The verbs are the events' (past tense); their display labels are
# registered by the services.


def when_text(value: dt.datetime | None) -> str:
    """A moment as the refusals and notices print it (local time)."""
    if value is None:
        return "—"
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i")


_VOTE_FINISHED = _("This vote is closed and counted; it can no longer be changed.")
_VOTE_CLOSED = _("Voting is not open: this vote is closed.")


def _voting_not_open(vote: Vote) -> str:
    return str(_("Voting is not open: it opens at %(at)s.") % {"at": when_text(vote.opens_at)})


def _outside_window(vote: Vote) -> str:
    return str(
        _("Voting is not open: it runs from %(opens)s to %(closes)s.")
        % {"opens": when_text(vote.opens_at), "closes": when_text(vote.closes_at)}
    )


def _finished(message: Any) -> dict[str, Any]:
    return {VoteStatus.CLOSED: _VOTE_FINISHED, VoteStatus.PUBLISHED: _VOTE_FINISHED, "*": message}


def _closed(message: Any) -> dict[str, Any]:
    return {VoteStatus.CLOSED: _VOTE_CLOSED, VoteStatus.PUBLISHED: _VOTE_CLOSED, "*": message}


VS = VoteStatus
VOTE_FLOW = Workflow(
    "vote",
    [
        Transition(
            "edit",
            {VS.DRAFT},
            None,
            "vote.updated",
            _("Edit"),
            refused=_finished(
                _("The notice of this vote is published; it can no longer be changed.")
            ),
        ),
        Transition(
            "notice",
            {VS.DRAFT},
            VS.NOTICED,
            "vote.noticed",
            _("Publish the notice"),
            refused=_finished(_("The notice of this vote is already published.")),
        ),
        Transition(
            "open",
            {VS.NOTICED},
            VS.OPEN,
            "vote.opened",
            _("Open voting"),
            refused={
                **_finished(_("Voting can open only after its notice is published.")),
                VS.OPEN: _("Voting is already open."),
            },
        ),
        Transition(
            "cast", {VS.OPEN}, None, "vote.cast", _("Vote"), refused=_closed(_outside_window)
        ),
        Transition(
            "enter_ballot",
            {VS.OPEN},
            None,
            "vote.ballot_entered",
            _("Enter a ballot"),
            refused=_closed(_outside_window),
        ),
        Transition(
            "enter_counts",
            {VS.OPEN},
            None,
            "vote.counts_entered",
            _("Enter the counts"),
            refused=_finished(_voting_not_open),
        ),
        Transition(
            "close",
            {VS.OPEN},
            VS.CLOSED,
            "vote.closed",
            _("Close and count"),
            refused=_finished(
                lambda v: (
                    _("Voting has not opened yet: it opens at %(at)s.")
                    % {"at": when_text(v.opens_at)}
                )
            ),
        ),
        Transition(
            "follow_up",
            {VS.CLOSED, VS.PUBLISHED},
            None,
            "action.created",
            _("Create follow-up work"),
            refused=_("Only a vote that passed creates follow-up work."),
        ),
        Transition(
            "publish",
            {VS.CLOSED},
            VS.PUBLISHED,
            "vote.published",
            _("Publish the result"),
            refused={
                VS.PUBLISHED: _("The result is already published."),
                "*": _("Count the vote before publishing its result."),
            },
        ),
    ],
    noun=_("The vote"),
)

MS = MeetingStatus
_AGENDA_FIXED = _(
    "The agenda is fixed once the notice is published: no decision on a topic that was not in "
    "the notice."
)
_BEFORE_HELD = {MS.DRAFT, MS.NOTICED}
MEETING_FLOW = Workflow(
    "meeting",
    [
        Transition(
            "edit",
            {MS.DRAFT},
            None,
            "meeting.updated",
            _("Edit"),
            refused=_(
                "The notice is published: the time and place can no longer change here. "
                "Cancel the meeting and call a new one."
            ),
        ),
        Transition(
            "change_agenda",
            {MS.DRAFT},
            None,
            "meeting.agenda_changed",
            _("Change the agenda"),
            refused=_AGENDA_FIXED,
        ),
        Transition(
            "invite",
            _BEFORE_HELD,
            None,
            "meeting.invited",
            _("Invite"),
            refused=_("Members can be invited only before the meeting is held."),
        ),
        Transition(
            "uninvite",
            _BEFORE_HELD,
            None,
            "meeting.uninvited",
            _("Withdraw an invitation"),
            refused=_("Invitations can be withdrawn only before the meeting is held."),
        ),
        Transition(
            "notice",
            {MS.DRAFT},
            MS.NOTICED,
            "meeting.noticed",
            _("Publish the notice"),
            refused=_("The notice has already been published."),
        ),
        Transition(
            "cancel",
            _BEFORE_HELD,
            MS.CANCELLED,
            "meeting.cancelled",
            _("Cancel the meeting"),
            refused=_("A meeting that has been held cannot be cancelled."),
        ),
        Transition(
            "take_attendance",
            {MS.NOTICED, MS.HELD},
            None,
            "meeting.signed_in",
            _("Sign in"),
            refused=_("Attendance is taken only at a meeting whose notice is published."),
        ),
        Transition(
            "mark_held",
            {MS.NOTICED},
            MS.HELD,
            "meeting.held",
            _("Mark as held"),
            refused=_("Only a meeting whose notice is published can be marked as held."),
        ),
        Transition(
            "record_resolution",
            {MS.HELD},
            None,
            "resolution.recorded",
            _("Record a resolution"),
            refused=_(
                "Resolutions are recorded after the meeting is marked as held, and before "
                "the minutes are published."
            ),
        ),
        Transition(
            "delete_resolution",
            {MS.HELD},
            None,
            "resolution.deleted",
            _("Delete a resolution"),
            refused=_("Published minutes cannot be changed."),
        ),
        Transition(
            "save_minutes",
            {MS.HELD},
            None,
            "meeting.minutes_saved",
            _("Save the minutes"),
            refused=_("Minutes are written after the meeting is held, before they are published."),
        ),
        Transition(
            "close",
            {MS.HELD},
            MS.CLOSED,
            "meeting.closed",
            _("Publish the minutes"),
            refused=_("Only a meeting that was held can be closed."),
        ),
    ],
    noun=_("The meeting"),
)

SS = SurveyStatus
_QUESTIONS_LOCKED = _("The questions are locked: the survey has been opened.")
_SURVEY_CLOSED = _("This survey is closed.")
SURVEY_FLOW = Workflow(
    "survey",
    [
        Transition(
            "edit", {SS.DRAFT, SS.OPEN}, None, "survey.updated", _("Edit"), refused=_SURVEY_CLOSED
        ),
        *(
            Transition(action, {SS.DRAFT}, None, verb, label, refused=_QUESTIONS_LOCKED)
            for action, verb, label in (
                ("add_question", "survey.question.added", _("Add a question")),
                ("change_question", "survey.question.changed", _("Change a question")),
                ("move_question", "survey.question.moved", _("Move a question")),
                ("remove_question", "survey.question.removed", _("Remove a question")),
            )
        ),
        Transition(
            "open",
            {SS.DRAFT},
            SS.OPEN,
            "survey.opened",
            _("Start the visits"),
            refused=_("This survey is already open or closed."),
        ),
        Transition(
            "close",
            {SS.OPEN},
            SS.CLOSED,
            "survey.closed",
            _("Close the survey"),
            refused=_("Only an open survey can be closed."),
        ),
        Transition(
            "assign",
            {SS.DRAFT, SS.OPEN},
            None,
            "survey.assigned",
            _("Assign households"),
            refused=_SURVEY_CLOSED,
        ),
        Transition(
            "unassign",
            {SS.DRAFT, SS.OPEN},
            None,
            "survey.unassigned",
            _("Withdraw a household"),
            refused=_SURVEY_CLOSED,
        ),
        Transition(
            "record_visit",
            {SS.OPEN},
            None,
            "survey.visit.recorded",
            _("Record a visit"),
            refused={
                SS.CLOSED: _("This survey is closed: no more visits are recorded."),
                "*": _("This survey is not open for visits yet."),
            },
        ),
    ],
    noun=_("The survey"),
)

TS = TopicStatus
# A topic is decided (and the decision amended) while it is discussed or decided; done and
# dropped are ends: a dropped topic is reopened before it is decided again, a done one stays.
TOPIC_FLOW = Workflow(
    "topic",
    [
        Transition("decide", {TS.OPEN, TS.DECIDED}, TS.DECIDED, "topic.decided", _("Decided")),
        Transition("complete", {TS.OPEN, TS.DECIDED}, TS.DONE, "topic.decided", _("Done")),
        Transition("drop", {TS.OPEN, TS.DECIDED}, TS.DROPPED, "topic.decided", _("Dropped")),
        Transition("reopen", {TS.DECIDED, TS.DROPPED}, TS.OPEN, "topic.decided", _("Reopen")),
    ],
    noun=_("The topic"),
)
# The status a decision form asks for → the step that reaches it.
TOPIC_ACTION_FOR: dict[str, str] = {
    TS.DECIDED: "decide",
    TS.DONE: "complete",
    TS.DROPPED: "drop",
    TS.OPEN: "reopen",
}

ACTION_FLOW = Workflow(
    "action",
    [
        Transition(
            "complete",
            {ActionStatus.OPEN},
            ActionStatus.DONE,
            "action.completed",
            _("Mark done"),
            refused=_("This work is already finished."),
        ),
    ],
    noun=_("The follow-up work"),
)
