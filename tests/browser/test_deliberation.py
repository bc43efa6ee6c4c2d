"""An owners' vote in a real browser (issue 4): an owner, on a phone in elder mode, reads how the
vote is counted and votes "agree"; the office enters another owner's paper ballot with its
serial number; the secretary closes, counts and publishes; the published result shows areas,
head counts and the outcome, and nobody's name. Each person has their own browser context."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from linli.deliberation.models import Ballot, Vote, VoteStatus
from linli.deliberation.queries import votes as vote_queries
from linli.deliberation.services import topics as topic_services
from linli.deliberation.services import votes as vote_services
from tests.browser.helpers import assert_elder_targets, login
from tests.factories import make_world

DESKTOP = {
    "viewport": {"width": 1280, "height": 900},
    "device_scale_factor": 1,
    "is_mobile": False,
    "has_touch": False,
}
ELDER = re.compile(r"\belder\b")
SERIAL = "DT-0007"


def _open_owners_vote():
    """make_world() with 张三 (3-2-501, 75.50 m²) and 王五 (4-1-101, 59.30 m²) as owners, and
    an owners' vote on the whole community whose window is open now. The notice went out 16
    days ago (15 days' notice is required): prepared and announced through the services with a
    future window, then the dates moved back as if that had been 16 days ago."""
    w = make_world()
    for r in (w.zhang_san, w.wang_wu):
        r.tenure = "owner"
        r.save(update_fields=["tenure"])
    topic = topic_services.topic_raise(actor=w.staff, community=w.xincun, title="3号楼加装电梯")
    now = timezone.now()
    vote = vote_services.vote_create(
        actor=w.staff,
        topic=topic,
        title="加装电梯表决",
        question="是否同意为3号楼加装电梯？",
        rule="owners_joint_decision",
        matter="rebuild",
        opens_at=now + dt.timedelta(days=16),
        closes_at=now + dt.timedelta(days=19),
    )
    vote = vote_services.vote_notice(actor=w.staff, vote=vote)
    back = dt.timedelta(days=16, hours=1)
    Vote.objects.filter(pk=vote.pk).update(
        noticed_at=vote.noticed_at - back,
        opens_at=vote.opens_at - back,
        closes_at=vote.closes_at - back,
    )
    vote = vote_services.vote_open(actor=w.staff, vote=Vote.objects.get(pk=vote.pk))
    assert vote.voters.count() == 2  # 张三 and 王五; 3-2-502 and 5-1-201 have no owner on record
    return w, vote


def _submit(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def _zh(lines) -> list[str]:
    with translation.override("zh-hans"):
        return [str(line) for line in lines()]


@pytest.mark.browser
def test_owner_votes_in_elder_mode_office_enters_paper_ballot_result_is_published(
    new_context, monkeypatch
):
    w, vote = _open_owners_vote()
    url = f"/deliberation/votes/{vote.pk}/"

    # 1. The owner, on a phone, in elder mode, opens the vote and reads the rule in plain words.
    owner = new_context().new_page()
    login(owner, "13812341234")
    owner.goto("/")
    _submit(owner, owner.get_by_test_id("elder-home-switch"))
    owner.goto(url)
    expect(owner.locator("html")).to_have_class(ELDER)
    expect(owner.get_by_test_id("vote-status")).to_be_visible()
    rule = owner.locator("section[aria-labelledby=rule-h]")
    for line in _zh(lambda: vote_services.rule_in_plain_words(vote.rule, vote.matter)):
        expect(rule).to_contain_text(line)
    expect(owner.get_by_test_id("my-flats")).to_contain_text("3-2-501")
    assert_elder_targets(owner, f"the vote page {url}")

    # … and agrees, with one big button; the next page says back what was chosen, the
    # owner confirms, and the page says the ballot is recorded.
    _submit(owner, owner.locator("[data-testid=cast-form] button[data-choice=yes]"))
    expect(owner.get_by_test_id("vote-confirm")).to_contain_text("同意")
    assert not Ballot.objects.filter(vote=vote).exists()
    assert_elder_targets(owner, "the vote confirmation page")
    _submit(owner, owner.get_by_test_id("vote-confirm-button"))
    expect(owner).to_have_url(re.compile(rf"{url}$"))
    expect(owner.get_by_test_id("my-ballot")).to_be_visible()
    expect(owner.get_by_test_id("cast-form")).to_have_count(0)
    mine = Ballot.objects.get(vote=vote, voter__user=w.resident)
    assert (mine.choice, mine.method) == ("yes", "online")

    # 2. The office, on a desktop, enters 王五's paper ballot for 4-1-101 with its serial number.
    staff = new_context(**DESKTOP).new_page()
    login(staff, "staff")
    staff.goto(url)
    box = staff.get_by_test_id("enter-ballot")
    box.locator("summary").click()
    form = box.locator("form")
    form.locator("input[name=flat]").fill("4-1-101")
    form.locator("input[name=choice][value=yes]").check()
    form.locator("input[name=method][value=paper]").check()
    form.locator("input[name=paper_serial]").fill(SERIAL)
    _submit(staff, form.locator("button[type=submit]"))
    expect(staff.locator("main .messages")).to_contain_text("4-1-101")
    paper = Ballot.objects.get(vote=vote, paper_serial=SERIAL)
    assert paper.method == "paper" and paper.voter.units[0]["id"] == "4-1-101"
    assert paper.entered_by == w.staff

    # 3. Voting has closed (the votes' clock moves past the window): the secretary counts it and
    # publishes the result.
    later = vote.closes_at + dt.timedelta(hours=1)
    monkeypatch.setattr(vote_services, "_now", lambda: later)
    sec = new_context(**DESKTOP).new_page()
    login(sec, "secretary")
    sec.goto(url)
    _submit(sec, sec.locator("button[data-step=close]"))
    expect(sec.get_by_test_id("vote-result")).to_be_visible()
    _submit(sec, sec.locator("button[data-step=publish]"))
    vote.refresh_from_db()
    assert vote.status == VoteStatus.PUBLISHED
    r = vote.result
    assert (r["outcome"], r["total_owners"], r["participating_owners"]) == ("passed", 2, 2)
    assert r == vote_services.tally_mod.tally(vote_queries.tally_input(vote)).as_json()

    # 4. The published result, as any member of the community sees it: areas, head counts and
    # the outcome — and no owner's name, nor which flat voted how.
    public = new_context().new_page()
    login(public, "leader")
    public.goto(url)
    result = public.get_by_test_id("vote-result")
    expect(result).to_contain_text(f"{r['participating_area']} / {r['total_area']} m²")
    expect(result).to_contain_text(f"{r['yes_area']} / {r['participating_area']} m²")
    expect(result).to_contain_text(f"{r['yes_owners']} / {r['participating_owners']}")
    with translation.override("zh-hans"):
        outcome = str(vote_services.OUTCOME_WORDS["passed"])
    expect(public.get_by_test_id("vote-outcome")).to_have_text(outcome)
    main = public.inner_text("main")
    for private in ("张三", "李四", "王五", "3-2-501", "4-1-101", SERIAL):
        assert private not in main, f"the published result shows {private!r}: {main}"
    expect(public.get_by_test_id("audit-link")).to_have_count(0)
