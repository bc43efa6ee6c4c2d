"""The printed work order of a request (issue 11, item 11): number, category, place,
description, deadlines, handler and lines to sign; the requester's phone in full for the
office only; refused to residents (even the requester) and to anyone outside the request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.core.models import PersonalDataRead
from linli.tickets import services
from tests import pdfs
from tests.deliberation.test_print_pdfs import pdf_text

pytestmark = pytest.mark.django_db


def url(t):
    return reverse("tickets:work_order_pdf", args=[t.pk])


@pytest.fixture
def assigned(tw, submit):
    t = submit(description="厨房水管漏水，楼下天花板滴水")
    services.ticket_assign(actor=tw.staff, ticket=t, user=tw.handler)
    return t


@pytest.mark.parametrize("who", ["staff", "secretary"])
def test_the_office_prints_the_work_order_with_the_full_phone(tw, as_user, assigned, who):
    text = pdf_text(as_user(getattr(tw, who)).get(url(assigned)))
    assert "派工单" in text and f"#{assigned.pk}" in text
    assert "水管漏水" in text and "3-2-501" in text.replace(" ", "")
    assert "厨房水管漏水，楼下天花板滴水" in text
    assert "老李师傅" in text and "办结期限" in text and "响应期限" in text
    assert "13812341234" in text
    assert "处理人签名" in text and "报事人确认" in text


@pytest.mark.parametrize("who", ["handler", "leader", "grid_worker"])
def test_handlers_and_keepers_print_it_with_the_phone_masked(tw, as_user, assigned, who):
    text = pdf_text(as_user(getattr(tw, who)).get(url(assigned)))
    assert "派工单" in text and "厨房水管漏水" in text
    assert "13812341234" not in text and "138****1234" in text


def test_the_request_page_links_the_work_order_for_those_who_may_print_it(tw, as_user, assigned):
    for who, shown in (("staff", True), ("handler", True), ("resident", False)):
        page = as_user(getattr(tw, who)).get(reverse("tickets:detail", args=[assigned.pk]))
        assert ('data-testid="work-order"' in page.content.decode()) is shown, who


@pytest.mark.parametrize(
    ("who", "status"), [("resident", 403), ("supervisor", 403), ("volunteer", 403)]
)
def test_the_requester_and_the_street_are_refused(tw, as_user, assigned, who, status):
    assert as_user(getattr(tw, who)).get(url(assigned)).status_code == status


@pytest.mark.parametrize("who", ["outsider", "other_resident"])
def test_others_do_not_find_the_request(tw, as_user, assigned, who):
    assert as_user(getattr(tw, who)).get(url(assigned)).status_code == 404


def test_anonymous_is_sent_to_log_in(tw, as_user, assigned):
    r = as_user(None).get(url(assigned))
    assert r.status_code == 302 and "login" in r["Location"]


def test_an_unknown_request_is_404(tw, as_user):
    assert as_user(tw.staff).get("/requests/999999/work-order.pdf").status_code == 404


def test_printing_records_the_read_of_the_requesters_data(tw, as_user, assigned):
    before = PersonalDataRead.objects.count()
    r = as_user(tw.staff).get(url(assigned))
    assert pdfs.all_fonts_embedded(r.content)
    read = PersonalDataRead.objects.order_by("-id").first()
    assert PersonalDataRead.objects.count() == before + 1
    assert read.purpose == "tickets.work_order" and read.subject_id == tw.zhang_san.pk
