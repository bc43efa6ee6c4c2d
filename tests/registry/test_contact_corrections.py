"""Residents ask the office to correct their own contact details (issue 11, item 13): the
request, the office's queue, applying it to the record (logged, search key updated), declining
with a reason, the resident told; refused personas and bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.core.models import Event, Notification
from linli.registry.models import ContactCorrection, Resident

pytestmark = pytest.mark.django_db

MINE = reverse("registry:contact_correction_mine")


def queue(world):
    return reverse("registry:contact_corrections", args=[world.xincun.code])


def ask(world, as_user, **data):
    return as_user(world.resident).post(MINE, {"phone": "", "other_phone": "", "note": "", **data})


def test_a_resident_asks_for_a_new_phone_and_the_office_applies_it(
    world, as_user, django_capture_on_commit_callbacks
):
    page = as_user(world.resident).get(reverse("registry:resident", args=[world.zhang_san.pk]))
    assert MINE in page.content.decode()
    r = ask(world, as_user, phone="13999998888", note="换号了")
    assert r.status_code == 302
    c = ContactCorrection.objects.get()
    assert (c.resident, c.phone, c.status) == (world.zhang_san, "13999998888", "pending")
    ev = Event.objects.get(verb="contact_correction.requested")
    assert ev.data == {"fields": ["phone"]} and "13999998888" not in str(ev.data)

    staff = as_user(world.staff)
    community = staff.get(reverse("registry:community", args=[world.xincun.code])).content.decode()
    assert queue(world) in community and "1" in community
    page = staff.get(queue(world)).content.decode()
    assert "张三" in page and "13999998888" in page and "13812341234" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = staff.post(
            reverse("registry:contact_correction_apply", args=[c.pk]), {"version": c.version}
        )
    assert r.status_code == 302
    z = Resident.objects.get(pk=world.zhang_san.pk)
    assert z.phone == "13999998888" and z.phone_key.endswith("13999998888")
    c.refresh_from_db()
    assert c.status == "applied" and c.decided_by == world.staff
    assert Event.objects.filter(verb="contact_correction.applied").exists()
    assert Event.objects.filter(verb="resident.updated", data__changed=["phone"]).exists()
    told = Notification.objects.filter(recipient=world.resident, channel="in_app").latest("pk")
    assert told.title_text == "您的联系方式已更正"
    page = as_user(world.resident).get(MINE).content.decode()
    assert "已更正" in page


def test_the_office_declines_with_a_reason_the_resident_reads(
    world, as_user, django_capture_on_commit_callbacks
):
    ask(world, as_user, other_phone="010-88886666")
    c = ContactCorrection.objects.get()
    staff = as_user(world.staff)
    r = staff.post(reverse("registry:contact_correction_reject", args=[c.pk]), {"reason": ""})
    assert r.status_code == 302 and r["X-Linli-Status"] == "400"
    c.refresh_from_db()
    assert c.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            reverse("registry:contact_correction_reject", args=[c.pk]), {"reason": "号码打不通"}
        )
    c.refresh_from_db()
    assert c.status == "rejected" and c.reason == "号码打不通"
    assert Resident.objects.get(pk=world.zhang_san.pk).other_phone == ""
    told = Notification.objects.filter(recipient=world.resident, channel="in_app").latest("pk")
    assert "号码打不通" in told.body_text
    # Decided once: applying afterwards is a conflict, nothing changes.
    r = staff.post(reverse("registry:contact_correction_apply", args=[c.pk]))
    assert r["X-Linli-Status"] == "409"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phone": "abc"}, "只填数字"),
        ({"phone": ""}, "请填写与登记不同的新手机号或其他电话"),
        ({"phone": "13812341234"}, "请填写与登记不同的新手机号或其他电话"),  # the same number
        ({"phone": "1" * 21}, ""),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_saved(world, as_user, data, message):
    r = ask(world, as_user, **data)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not ContactCorrection.objects.exists()


def test_one_request_waits_at_a_time(world, as_user):
    ask(world, as_user, phone="13999998888")
    r = ask(world, as_user, phone="13999997777")
    assert r.status_code == 409 and "已经有一个更正申请" in r.content.decode()
    assert ContactCorrection.objects.count() == 1


def test_an_account_without_a_record_is_told_whom_to_ask(world, as_user):
    page = as_user(world.staff).get(MINE).content.decode()
    assert 'data-testid="not-linked"' in page
    r = as_user(world.staff).post(MINE, {"phone": "13999998888"})
    assert r.status_code == 404 and not ContactCorrection.objects.exists()


def test_nobody_else_sees_the_link_on_a_residents_page(world, as_user):
    page = as_user(world.staff).get(reverse("registry:resident", args=[world.zhang_san.pk]))
    assert 'data-testid="correct-contact"' not in page.content.decode()


@pytest.mark.parametrize("who", ["resident", "leader", "grid_worker", "volunteer", "supervisor"])
def test_only_the_office_sees_the_queue_and_decides(world, as_user, who):
    ask(world, as_user, phone="13999998888")
    c = ContactCorrection.objects.get()
    client = as_user(getattr(world, who))
    assert client.get(queue(world)).status_code in (403, 404)
    for name in ("contact_correction_apply", "contact_correction_reject"):
        r = client.post(reverse(f"registry:{name}", args=[c.pk]), {"reason": "x"})
        assert r.status_code in (403, 404), (who, name)
    c.refresh_from_db()
    assert c.status == "pending"
    page = client.get(reverse("registry:community", args=[world.xincun.code]))
    assert 'data-testid="corrections-link"' not in page.content.decode()


def test_another_communitys_office_does_not_find_it(world, as_user):
    ask(world, as_user, phone="13999998888")
    c = ContactCorrection.objects.get()
    client = as_user(world.outsider)
    assert client.get(queue(world)).status_code == 404
    r = client.post(reverse("registry:contact_correction_apply", args=[c.pk]))
    assert r.status_code == 404


@pytest.mark.parametrize("n", [2, 45])
def test_queue_queries_do_not_grow(world, as_user, django_assert_max_num_queries, n):
    from tests.factories import make_household, make_resident

    for i in range(n):
        hh = make_household(world.b3, world.u3_2, f"{800 + i}")
        r = make_resident(hh, f"测{i}", phone="13800000000")
        ContactCorrection.objects.create(
            community=world.xincun, resident=r, household=hh, phone=f"139{i:08d}"
        )
    client = as_user(world.staff)
    client.get(queue(world))
    with django_assert_max_num_queries(12):
        assert client.get(queue(world)).status_code == 200
