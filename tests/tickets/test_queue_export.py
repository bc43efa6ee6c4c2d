"""The queue as a spreadsheet (issue 11, item 11): exactly what is filtered (every page, in
the queue's order, the remembered filter too), the office only, phones masked, every
resident in the file recorded as read; the queue page itself keeps its query count."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from linli.core.models import PersonalDataRead
from linli.tickets.models import Status, Ticket

from .test_pages_staff import _many

pytestmark = pytest.mark.django_db

URL = reverse("tickets:queue")


def _xlsx(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_office_exports_exactly_what_is_filtered(tw, as_user):
    tickets = _many(tw, 60)  # more than two pages
    c = as_user(tw.staff)
    rows = _xlsx(c.get(URL + "?status=open&sort=deadline&export=xlsx"))
    header, body = rows[0], rows[1:]
    assert len(header) == 14 and header[0] == "编号"
    expected = list(
        Ticket.objects.filter(pk__in=[t.pk for t in tickets])
        .exclude(status=Status.CLOSED)
        .values_list("pk", flat=True)
    )
    assert sorted(r[0] for r in body) == sorted(expected)
    assert len(body) == 48  # every page, not one
    page = c.get(URL + "?status=open&sort=deadline").content.decode()
    first_page = [int(x) for x in __import__("re").findall(r'data-ticket="(\d+)"', page)]
    assert [r[0] for r in body[:25]] == first_page  # the queue's own order
    assert 'data-testid="queue-export-xlsx"' in page


def test_csv_and_the_remembered_filter(tw, as_user, submit):
    t = submit()
    lights = submit(category=tw.lights, description="路灯坏了")
    c = as_user(tw.secretary)
    c.get(URL + f"?category={tw.lights.pk}")  # remembered in the cookie
    rows = _csv(c.get(URL + "?export=csv"))
    assert [int(r[0]) for r in rows[1:]] == [lights.pk]
    assert t.pk not in [int(r[0]) for r in rows[1:]]


def test_phones_are_masked_and_reads_recorded(tw, as_user, submit):
    t = submit()
    t.requesters.update(phone="13812345678")
    c = as_user(tw.staff)
    body = _csv(c.get(URL + "?status=&export=csv"))
    text = "\n".join(",".join(r) for r in body)
    assert "13812345678" not in text
    assert "138****5678" in text or "5678" in text
    resident_id = t.requesters.get().resident_id
    assert resident_id
    read = PersonalDataRead.objects.get(subject_id=resident_id, purpose="ticket.export")
    assert read.actor_id == tw.staff.pk and read.kind == "exported"


@pytest.mark.parametrize("who", ["leader", "grid_worker", "supervisor"])
def test_the_queue_but_not_the_export_for_others(tw, as_user, submit, who):
    submit()
    c = as_user(getattr(tw, who))
    page = c.get(URL + "?status=")
    assert page.status_code == 200
    assert b"queue-export-" not in page.content
    assert c.get(URL + "?status=&export=xlsx").status_code == 403
    assert not PersonalDataRead.objects.filter(purpose="ticket.export").exists()


@pytest.mark.parametrize("who", ["resident", "volunteer", "mediator"])
def test_no_queue_no_export(tw, as_user, who):
    assert as_user(getattr(tw, who)).get(URL + "?export=csv").status_code == 403


def test_another_community_is_not_exported(tw, as_user, submit):
    submit()
    rows = _csv(as_user(tw.outsider).get(URL + "?status=&export=csv"))
    assert rows[1:] == []


@pytest.mark.parametrize("n", [10, 3000])
def test_export_queries_do_not_grow(tw, as_user, django_assert_max_num_queries, n):
    _many(tw, n)
    c = as_user(tw.staff)
    # Fixed queries, then two per 500 rows (the rows and their requesters, streamed in chunks).
    with django_assert_max_num_queries(11 + 2 * -(-n // 500)):
        r = c.get(URL + "?status=&export=csv")
    assert len(_csv(r)) == n + 1
