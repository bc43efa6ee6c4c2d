"""Paper the office still needed for votes and meetings (issue 11, item 10): blank proxy
authorisation forms for an owners' vote, the sign-in sheet of a meeting, lines to sign under the
minutes on the print page, a print button on print pages, one name per way of consulting, and a
vote past its closing time never shown as "投票中"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from linli.deliberation.services import meeting_attendance as attendance_svc
from linli.deliberation.services import meeting_minutes as minutes_svc
from linli.deliberation.services import meetings as svc
from tests import pdfs
from tests.deliberation.test_meetings import _meeting, _members, _noticed_and_started
from tests.deliberation.test_print_pdfs import pdf_text
from tests.deliberation.test_votes import Clock, announce, close, open_vote, prepare

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"deliberation:{name}", args=args)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


# --- proxy authorisation forms ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["resident", "other_resident", "leader", "staff", "secretary"])
def test_anyone_who_reads_an_owners_vote_prints_blank_proxy_forms(dw, clock, as_user, who):
    vote = open_vote(dw, clock)
    r = as_user(getattr(dw, who)).get(url("vote_proxy_pdf", vote.pk), {"count": 2})
    text = pdf_text(r)
    pages = text.split("\f")
    assert len(pages) == 2
    for page in pages:
        assert "授权委托书" in page and "加装电梯表决" in page and "是否同意在" in page
        assert "受托人姓名" in page and "业主签名" in page and "受托人签名" in page
    assert r["Content-Disposition"] == f'attachment; filename="vote-{vote.pk}-proxy-forms.pdf"'


def test_the_vote_page_offers_the_proxy_form_while_voting_is_possible(dw, clock, as_user):
    vote = announce(dw, clock)
    page = as_user(dw.resident).get(url("vote_detail", vote.pk)).content.decode()
    assert 'data-testid="proxy-forms"' in page and url("vote_proxy_pdf", vote.pk) in page
    close(dw, clock, open_vote_from(dw, clock, vote))
    page = as_user(dw.resident).get(url("vote_detail", vote.pk)).content.decode()
    assert 'data-testid="proxy-forms"' not in page


def open_vote_from(dw, clock, vote):
    from linli.deliberation.services import votes as sv

    clock.set(vote.opens_at)
    return sv.vote_open(actor=dw.staff, vote=vote)


def test_an_outsider_and_a_resident_before_the_notice_get_no_proxy_form(dw, clock, as_user):
    vote = prepare(dw)
    assert as_user(dw.resident).get(url("vote_proxy_pdf", vote.pk)).status_code == 404
    vote = announce(dw, clock, title="另一次表决")
    assert as_user(dw.outsider).get(url("vote_proxy_pdf", vote.pk)).status_code == 404
    r = as_user(None).get(url("vote_proxy_pdf", vote.pk))
    assert r.status_code == 302 and "/login" in r["Location"]


@pytest.mark.parametrize("query", [{"count": 0}, {"count": 201}, {"count": "x"}])
def test_a_bad_number_of_proxy_forms_is_refused_clearly(dw, clock, as_user, query):
    vote = open_vote(dw, clock)
    r = as_user(dw.staff).get(url("vote_proxy_pdf", vote.pk), query)
    assert r.status_code == 400 and "份数" in r.content.decode()


def test_no_proxy_forms_for_a_counted_vote_or_one_counted_at_a_meeting(dw, clock, as_user):
    vote = close(dw, clock, open_vote(dw, clock))
    r = as_user(dw.staff).get(url("vote_proxy_pdf", vote.pk))
    assert r.status_code == 409 and "已经计票" in r.content.decode()
    vote = announce(dw, clock, rule="consultative", matter="", title="征求意见")
    assert as_user(dw.staff).get(url("vote_proxy_pdf", vote.pk)).status_code == 409


# --- the sign-in sheet -----------------------------------------------------------------------


@pytest.fixture
def noticed(dw):
    for user, name in ((dw.leader, "楼长老陈"), (dw.resident, "居民张三")):
        user.display_name = name
        user.save()
    m = _meeting(dw, invite=[dw.resident, dw.leader])
    svc.meeting_publish_notice(actor=dw.staff, meeting=m)
    return m


def test_the_office_prints_a_sign_in_sheet_with_the_invited_and_blank_rows(dw, as_user, noticed):
    r = as_user(dw.staff).get(url("meeting_signin_pdf", noticed.pk), {"blank": 3})
    text = pdf_text(r)
    assert "签到表" in text and "居民议事会" in text and "社区活动室" in text
    assert "楼长老陈" in text and "居民张三" in text and "签名" in text
    assert "共邀请 2 人" in text
    flat = text.replace("\n", " ")
    assert " 5 " in f" {flat} " or "5" in flat.split()  # 2 invited + 3 blank rows, numbered
    page = as_user(dw.staff).get(url("meeting_detail", noticed.pk)).content.decode()
    assert url("meeting_signin_pdf", noticed.pk) in page


@pytest.mark.parametrize("who", ["resident", "leader", "grid_worker", "volunteer"])
def test_members_print_no_sign_in_sheet(dw, as_user, noticed, who):
    c = as_user(getattr(dw, who))
    assert c.get(url("meeting_signin_pdf", noticed.pk)).status_code == 403
    assert (
        url("meeting_signin_pdf", noticed.pk)
        not in c.get(url("meeting_detail", noticed.pk)).content.decode()
    )


def test_an_outsider_prints_no_sign_in_sheet(dw, as_user, noticed):
    assert as_user(dw.outsider).get(url("meeting_signin_pdf", noticed.pk)).status_code == 404


@pytest.mark.parametrize("query", [{"blank": -1}, {"blank": 61}, {"blank": "many"}])
def test_a_bad_number_of_blank_rows_is_refused_clearly(dw, as_user, noticed, query):
    r = as_user(dw.staff).get(url("meeting_signin_pdf", noticed.pk), query)
    assert r.status_code == 400 and "空行" in r.content.decode()


def test_a_closed_meeting_has_no_sign_in_sheet(dw, as_user):
    m = _noticed_and_started(dw, _members(dw))
    attendance_svc.meeting_mark_held(actor=dw.staff, meeting=m)
    minutes_svc.meeting_save_minutes(
        actor=dw.staff, meeting=m, minutes="记录", public_summary="摘要"
    )
    minutes_svc.meeting_close(actor=dw.staff, meeting=m)
    r = as_user(dw.staff).get(url("meeting_signin_pdf", m.pk))
    assert r.status_code == 409


# --- the minutes page, print buttons, names ---------------------------------------------------


def test_the_printable_minutes_page_has_lines_to_sign_and_a_print_button(dw, as_user):
    m = _noticed_and_started(dw, _members(dw))
    attendance_svc.meeting_mark_held(actor=dw.staff, meeting=m)
    page = as_user(dw.staff).get(url("meeting_print_minutes", m.pk)).content.decode()
    assert 'data-testid="signature-lines"' in page
    assert "记录人" in page and "主持人" in page and "日期" in page
    assert 'data-testid="print-button"' in page and "js/print.js" in page


def test_every_print_page_has_a_print_button(dw, clock, as_user, noticed):
    vote = announce(dw, clock)
    c = as_user(dw.staff)
    for page in (url("meeting_print_agenda", noticed.pk), url("vote_print", vote.pk)):
        assert 'data-testid="print-button"' in c.get(page).content.decode(), page


def test_the_deliberation_heading_is_the_name_in_the_navigation(dw, as_user):
    page = as_user(dw.resident).get(url("index")).content.decode()
    assert "<h1>民事民议</h1>" in page and "社区议事" not in page
    for name in ("集中议", "当面议", "座谈议"):
        assert name in page
    assert url("survey_list") in page and url("vote_list") in page


def test_a_vote_past_its_closing_time_is_not_shown_as_voting(dw, clock, as_user):
    vote = open_vote(dw, clock)
    c = as_user(dw.resident)
    assert "投票中" in c.get(url("vote_detail", vote.pk)).content.decode()
    clock.set(vote.closes_at + dt.timedelta(minutes=1))
    for page in (url("vote_detail", vote.pk), url("vote_list"), url("index")):
        text = c.get(page).content.decode()
        assert "投票中" not in text, page
    assert "投票已截止，正在计票" in c.get(url("vote_detail", vote.pk)).content.decode()


def test_a_counted_vote_reads_counted(dw, clock, as_user):
    vote = close(dw, clock, open_vote(dw, clock))
    page = as_user(dw.staff).get(url("vote_detail", vote.pk)).content.decode()
    assert "投票中" not in page


def test_pdf_fonts_are_embedded_in_the_new_documents(dw, clock, as_user, noticed):
    vote = open_vote(dw, clock)
    for r in (
        as_user(dw.staff).get(url("vote_proxy_pdf", vote.pk)),
        as_user(dw.staff).get(url("meeting_signin_pdf", noticed.pk)),
    ):
        assert pdfs.all_fonts_embedded(r.content)
