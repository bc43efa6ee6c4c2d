"""The inbox groups unread notifications about the same object (issue 11, item 13): one
request that produced five unread notifications for the same resident is one entry with a
count, marked read together; other objects and read rows stay as they were; query counts do
not grow with the number of notifications."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.core.models import Notification
from linli.core.notifications import notify
from linli.tickets import services
from linli.tickets.models import Category

pytestmark = pytest.mark.django_db

INBOX = reverse("notifications")


@pytest.fixture
def cat(world):
    return Category.objects.create(community=world.xincun, code="water", name="水管漏水")


def _ticket(world, cat, text="厨房水管漏水"):
    return services.ticket_submit(
        actor=world.resident, category=cat, description=text, household=world.hh_3_2_501
    )


def _five_about(world, obj, title="诉求 %(n)s 有新进展"):
    for _ in range(5):
        notify(
            recipients=[world.resident],
            verb="test.update",
            title=title,
            body="",
            params={"n": obj.pk},
            url=f"/requests/{obj.pk}/",
            obj=obj,
        )


def entries(page: str) -> list[str]:
    return page.split('<ul class="timeline"')[1].split("</ul>")[0].split("<li ")[1:]


def test_five_unread_notifications_about_one_request_are_one_entry_with_a_count(
    world, cat, as_user
):
    t = _ticket(world, cat)
    Notification.objects.filter(recipient=world.resident).delete()
    _five_about(world, t)
    page = as_user(world.resident).get(INBOX).content.decode()
    items = entries(page)
    assert len(items) == 1
    assert "5 条新消息" in items[0] and 'data-testid="notification-group"' in items[0]
    assert reverse("notifications_read_group", args=[Notification.objects.latest("pk").pk]) in page


def test_other_requests_and_read_notifications_stay_apart(world, cat, as_user):
    a, b = _ticket(world, cat), _ticket(world, cat, "楼道灯坏了")
    Notification.objects.filter(recipient=world.resident).delete()
    _five_about(world, a)
    _five_about(world, b)
    notify(recipients=[world.resident], verb="test.plain", title="社区通知", body="")
    older = Notification.objects.filter(recipient=world.resident, object_id=a.pk).first()
    Notification.objects.filter(pk=older.pk).update(read_at=older.created_at)
    items = entries(as_user(world.resident).get(INBOX).content.decode())
    # a: 4 unread (one entry) + the read one; b: 5 unread (one entry); the plain one.
    assert len(items) == 4
    counts = sorted(i.count("条新消息") for i in items)
    assert counts == [0, 0, 1, 1]
    assert sum("4 条新消息" in i for i in items) == 1 and sum("5 条新消息" in i for i in items) == 1


def test_marking_the_group_read_marks_all_its_notifications(world, cat, as_user):
    t = _ticket(world, cat)
    other = _ticket(world, cat, "楼道灯坏了")
    Notification.objects.filter(recipient=world.resident).delete()
    _five_about(world, t)
    _five_about(world, other)
    newest = Notification.objects.filter(object_id=t.pk).latest("pk")
    r = as_user(world.resident).post(reverse("notifications_read_group", args=[newest.pk]))
    assert r.status_code == 302
    unread = Notification.objects.filter(recipient=world.resident, read_at__isnull=True)
    assert not unread.filter(object_id=t.pk).exists()
    assert unread.filter(object_id=other.pk).count() == 5


def test_nobody_marks_anyone_elses_group(world, cat, as_user):
    t = _ticket(world, cat)
    _five_about(world, t)
    mine = Notification.objects.filter(recipient=world.resident).latest("pk")
    for who in (world.other_resident, world.staff, world.outsider):
        r = as_user(who).post(reverse("notifications_read_group", args=[mine.pk]))
        assert r.status_code == 404
    assert Notification.objects.filter(recipient=world.resident, read_at__isnull=True).exists()
    r = as_user(None).post(reverse("notifications_read_group", args=[mine.pk]))
    assert r.status_code == 302 and "login" in r["Location"]
    assert (
        as_user(world.resident).get(reverse("notifications_read_group", args=[mine.pk])).status_code
        == 405
    )
    assert as_user(world.resident).post("/notifications/99999999/read-group/").status_code == 404


@pytest.mark.parametrize("n", [3, 60])
def test_inbox_queries_do_not_grow(world, cat, as_user, django_assert_max_num_queries, n):
    tickets = [_ticket(world, cat, f"第{i}件事") for i in range(3)]
    for i in range(n):
        t = tickets[i % 3]
        notify(recipients=[world.resident], verb="x", title="更新", body="", obj=t)
    client = as_user(world.resident)
    client.get(INBOX)
    with django_assert_max_num_queries(12):
        r = client.get(INBOX)
    assert r.status_code == 200
