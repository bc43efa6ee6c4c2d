"""The print pages as PDFs: the meeting notice and agenda, the minutes with lines to sign, the
notice of a vote and blank paper ballots. Whoever may open a print page gets its PDF; whoever
may not is refused exactly as for the page (same policy call)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.deliberation.services import meeting_attendance as attendance_svc
from linli.deliberation.services import meeting_minutes as minutes_svc
from linli.deliberation.services import meetings as svc
from tests import pdfs
from tests.deliberation.test_meetings import _meeting, _members, _noticed_and_started
from tests.deliberation.test_votes import Clock, announce, close, open_vote, prepare

pytestmark = pytest.mark.django_db

MEMBERS = ["resident", "other_resident", "leader", "grid_worker", "volunteer", "staff"]


def url(name, *args):
    return reverse(f"deliberation:{name}", args=args)


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    assert pdfs.all_fonts_embedded(response.content)
    return pdfs.text(response.content)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def noticed(dw):
    m = _meeting(dw, invite=[dw.resident])
    svc.meeting_publish_notice(actor=dw.staff, meeting=m)
    return m


@pytest.fixture
def held(dw):
    for user, name in ((dw.leader, "楼长老陈"), (dw.resident, "居民张三")):
        user.display_name = name
        user.save()
    m = _noticed_and_started(dw, _members(dw))
    for i in m.invitations.all():
        attendance_svc.meeting_sign_in(actor=dw.staff, invitation=i)
    attendance_svc.meeting_mark_held(actor=dw.staff, meeting=m)
    minutes_svc.resolution_record(
        actor=dw.staff, meeting=m, topic=dw.topic, text="同意加装", yes=4, no=0, abstain=0
    )
    minutes_svc.meeting_save_minutes(
        actor=dw.staff, meeting=m, minutes="详细记录：楼长发言", public_summary="公开摘要"
    )
    return m


# --- the meeting notice and agenda -------------------------------------------------------------


@pytest.mark.parametrize("who", MEMBERS)
def test_who_may_print_the_agenda_downloads_it_as_a_pdf(dw, as_user, noticed, who):
    c = as_user(getattr(dw, who))
    assert c.get(url("meeting_print_agenda", noticed.pk)).status_code == 200
    text = pdf_text(c.get(url("meeting_print_agenda_pdf", noticed.pk)))
    assert "会议通知" in text and "居民议事会" in text and dw.topic.title in text
    assert "社区活动室" in text and dw.xincun.name in text
    assert "第 1 页，共 1 页" in text
    assert f"/deliberation/meetings/{noticed.pk}/" in text.replace("\n", "")  # under the QR


def test_an_outsider_gets_no_agenda_pdf(dw, as_user, noticed):
    c = as_user(dw.outsider)
    assert c.get(url("meeting_print_agenda", noticed.pk)).status_code == 404
    assert c.get(url("meeting_print_agenda_pdf", noticed.pk)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_for_a_pdf(dw, as_user, noticed):
    r = as_user(None).get(url("meeting_print_agenda_pdf", noticed.pk))
    assert r.status_code == 302 and "/login" in r["Location"]


def test_the_pdf_link_sits_beside_the_print_page(dw, as_user, noticed):
    page = as_user(dw.resident).get(url("meeting_print_agenda", noticed.pk)).content.decode()
    assert url("meeting_print_agenda_pdf", noticed.pk) in page
    page = as_user(dw.resident).get(url("meeting_detail", noticed.pk)).content.decode()
    assert url("meeting_print_agenda_pdf", noticed.pk) in page


# --- the minutes ------------------------------------------------------------------------------


def test_the_office_prints_draft_minutes_with_names_and_lines_to_sign(dw, as_user, held):
    text = pdf_text(as_user(dw.staff).get(url("meeting_print_minutes_pdf", held.pk)))
    assert "会议纪要草稿" in text
    assert "楼长老陈" in text and "详细记录：楼长发言" in text and "同意加装" in text
    assert "记录人" in text and "主持人" in text


@pytest.mark.parametrize("who", ["resident", "other_resident", "leader"])
def test_before_publication_members_get_no_minutes_pdf(dw, as_user, held, who):
    c = as_user(getattr(dw, who))
    assert c.get(url("meeting_print_minutes", held.pk)).status_code == 404
    assert c.get(url("meeting_print_minutes_pdf", held.pk)).status_code == 404


def test_published_minutes_pdf_shows_residents_the_summary_and_no_names(dw, as_user, held):
    minutes_svc.meeting_close(actor=dw.staff, meeting=held)
    text = pdf_text(as_user(dw.other_resident).get(url("meeting_print_minutes_pdf", held.pk)))
    assert "公开摘要" in text and "同意加装" in text
    assert "详细记录" not in text and "楼长老陈" not in text
    # An invited member reads the minutes themselves, as on the print page.
    text = pdf_text(as_user(dw.resident).get(url("meeting_print_minutes_pdf", held.pk)))
    assert "详细记录：楼长发言" in text and "楼长老陈" not in text


def test_an_outsider_gets_no_minutes_pdf(dw, as_user, held):
    minutes_svc.meeting_close(actor=dw.staff, meeting=held)
    assert as_user(dw.outsider).get(url("meeting_print_minutes_pdf", held.pk)).status_code == 404


def test_a_rare_character_in_the_minutes_is_marked_not_lost(dw, as_user, held):
    minutes_svc.meeting_save_minutes(
        actor=dw.staff, meeting=held, minutes="王堃同志发言", public_summary="公开摘要"
    )
    text = pdf_text(as_user(dw.staff).get(url("meeting_print_minutes_pdf", held.pk)))
    assert "王〓同志发言" in text


# --- the notice of a vote ---------------------------------------------------------------------


@pytest.mark.parametrize("who", [*MEMBERS, "secretary", "supervisor"])
def test_everyone_in_the_community_downloads_the_vote_notice(dw, clock, as_user, who):
    vote = announce(dw, clock)
    c = as_user(getattr(dw, who))
    assert c.get(url("vote_print", vote.pk)).status_code == 200
    text = pdf_text(c.get(url("vote_print_pdf", vote.pk)))
    assert "加装电梯表决" in text and "是否同意在" in text
    assert f"/deliberation/votes/{vote.pk}/" in text.replace("\n", "")


def test_a_vote_being_prepared_has_no_notice_pdf_but_for_the_office(dw, as_user):
    vote = prepare(dw)
    assert as_user(dw.resident).get(url("vote_print", vote.pk)).status_code == 404
    assert as_user(dw.resident).get(url("vote_print_pdf", vote.pk)).status_code == 404
    text = pdf_text(as_user(dw.staff).get(url("vote_print_pdf", vote.pk)))
    assert "草稿" in text


def test_an_outsider_gets_no_vote_notice_pdf(dw, clock, as_user):
    vote = announce(dw, clock)
    assert as_user(dw.outsider).get(url("vote_print", vote.pk)).status_code == 404
    assert as_user(dw.outsider).get(url("vote_print_pdf", vote.pk)).status_code == 404


# --- blank paper ballots ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "secretary"])
def test_the_office_prints_numbered_blank_ballots_one_a_page(dw, clock, as_user, who):
    vote = open_vote(dw, clock)
    r = as_user(getattr(dw, who)).get(url("vote_ballots_pdf", vote.pk), {"first": 7, "count": 3})
    text = pdf_text(r)
    pages = text.split("\f")
    assert len(pages) == 3
    for n, page in zip((7, 8, 9), pages, strict=True):
        assert f"{vote.pk}-{n:04d}" in page
        assert "是否同意在" in page and "同意" in page and "反对" in page and "弃权" in page
    assert r["Content-Disposition"] == f'attachment; filename="vote-{vote.pk}-ballots-7-9.pdf"'


def test_a_printed_serial_number_is_the_one_the_office_enters(dw, clock, as_user):
    from tests.deliberation.test_votes import paper

    vote = open_vote(dw, clock)
    text = pdf_text(as_user(dw.staff).get(url("vote_ballots_pdf", vote.pk), {"count": 1}))
    serial = f"{vote.pk}-0001"
    assert serial in text
    assert paper(dw, vote, "3-2-501", "yes", serial).paper_serial == serial


@pytest.mark.parametrize(
    ("who", "status"),
    [("resident", 403), ("leader", 403), ("grid_worker", 403), ("supervisor", 403)],
)
def test_only_who_enters_paper_ballots_prints_them(dw, clock, as_user, who, status):
    vote = open_vote(dw, clock)
    assert as_user(getattr(dw, who)).get(url("vote_ballots_pdf", vote.pk)).status_code == status


def test_an_outsider_prints_no_ballots(dw, clock, as_user):
    vote = open_vote(dw, clock)
    assert as_user(dw.outsider).get(url("vote_ballots_pdf", vote.pk)).status_code == 404


@pytest.mark.parametrize(
    "query", [{"count": 0}, {"count": 501}, {"count": "x"}, {"first": 0}, {"first": "-3"}]
)
def test_a_bad_number_of_ballots_is_refused_with_a_clear_message(dw, clock, as_user, query):
    vote = open_vote(dw, clock)
    r = as_user(dw.staff).get(url("vote_ballots_pdf", vote.pk), query)
    assert r.status_code == 400
    assert r["Content-Type"].startswith("text/plain")
    assert "数" in r.content.decode() or "编号" in r.content.decode()


def test_a_counted_vote_prints_no_more_ballots(dw, clock, as_user):
    vote = close(dw, clock, open_vote(dw, clock))
    r = as_user(dw.staff).get(url("vote_ballots_pdf", vote.pk))
    assert r.status_code == 409 and "已经计票" in r.content.decode()


def test_a_vote_counted_at_a_meeting_has_no_paper_ballots(dw, clock, as_user):
    vote = announce(dw, clock, rule="consultative", matter="")
    r = as_user(dw.staff).get(url("vote_ballots_pdf", vote.pk))
    assert r.status_code == 409 and "没有个人选票" in r.content.decode()


def test_the_office_sees_where_to_print_blank_ballots(dw, clock, as_user):
    vote = announce(dw, clock)
    page = as_user(dw.staff).get(url("vote_detail", vote.pk)).content.decode()
    assert 'data-testid="blank-ballots"' in page and url("vote_ballots_pdf", vote.pk) in page
    page = as_user(dw.resident).get(url("vote_detail", vote.pk)).content.decode()
    assert 'data-testid="blank-ballots"' not in page
