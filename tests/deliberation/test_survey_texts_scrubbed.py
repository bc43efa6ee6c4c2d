"""Free-text survey answers (issue 9, finding 5): once a survey is closed every member reads
its results, so a name, phone or room typed into an answer is taken out for them; the office,
which holds the answers by household anyway, reads them as given."""

import pytest
from django.urls import reverse

from linli.deliberation.services import surveys as svc
from tests.deliberation.test_surveys import _qs, _survey

pytestmark = pytest.mark.django_db

TYPED = "张三说3号楼2单元501室的李四家漏水，电话13812341234"


@pytest.fixture
def closed(dw):
    s = _survey(dw)
    q1, q2, q3, q4 = _qs(s)
    svc.visit_record(
        actor=dw.leader,
        survey=s,
        household_id=dw.hh_3_2_501.pk,
        outcome="answered",
        answers={q1.pk: "同意", q2.pk: [], q3.pk: "4", q4.pk: TYPED},
    )
    svc.survey_close(actor=dw.staff, survey=s)
    return s, q4


@pytest.mark.parametrize("who", ["resident", "other_resident", "leader", "supervisor"])
def test_members_read_free_text_answers_scrubbed(dw, as_user, closed, who):
    s, q = closed
    c = as_user(getattr(dw, who))
    for url in (
        reverse("deliberation:survey_results", args=[s.pk]),
        reverse("deliberation:survey_text_answers", args=[s.pk, q.pk]),
    ):
        r = c.get(url)
        assert r.status_code == 200
        page = r.content.decode()
        assert "漏水" in page
        for secret in ("张三", "李四", "501", "13812341234"):
            assert secret not in page, (url, secret)


def test_the_office_reads_free_text_answers_as_given(dw, as_user, closed):
    s, q = closed
    page = as_user(dw.staff).get(reverse("deliberation:survey_results", args=[s.pk]))
    assert TYPED in page.content.decode()


def test_outsider_gets_404_on_the_results(dw, as_user, closed):
    s, q = closed
    url = reverse("deliberation:survey_text_answers", args=[s.pk, q.pk])
    assert as_user(dw.outsider).get(url).status_code == 404
