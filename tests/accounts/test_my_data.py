"""A resident sees who looked at their record or revealed their personal data."""

from django.urls import reverse

from linli.core import access
from linli.registry import services as registry_services
from tests.factories import make_user

MY_DATA = reverse("accounts:my_data")


def _staff_named(world, name):
    world.staff.display_name = name
    world.staff.save()
    return world.staff


def _purposes(response) -> list[str]:
    return [line["purpose"] for line in response.context["page"].object_list]


def test_resident_sees_that_staff_viewed_their_record(as_user, world):
    _staff_named(world, "周干事")
    as_user(world.staff).get(reverse("registry:resident", args=[world.zhang_san.pk]))
    r = as_user(world.resident).get(MY_DATA)
    assert r.status_code == 200
    assert "社区工作人员 周干事 查看了您的居民信息" in r.content.decode()
    assert _purposes(r) == ["registry.resident_page"]


def test_resident_sees_that_staff_revealed_their_id_number(as_user, world):
    staff = _staff_named(world, "周干事")
    registry_services.resident_reveal(
        actor=staff, resident=world.zhang_san, field="id_number", reason="低保申请"
    )
    r = as_user(world.resident).get(MY_DATA)
    assert _purposes(r) == ["registry.reveal.id_number"]
    assert "周干事" in r.content.decode()


def test_another_resident_does_not_see_it(as_user, world):
    _staff_named(world, "周干事")
    as_user(world.staff).get(reverse("registry:resident", args=[world.zhang_san.pk]))
    r = as_user(world.other_resident).get(MY_DATA)
    assert r.status_code == 200
    assert "周干事" not in r.content.decode()
    assert not r.context["page"].object_list


def test_only_access_events_are_listed(as_user, world):
    # An edit of the record is on the staff timeline, not on "who looked at my data".
    registry_services.resident_update(
        actor=world.staff, resident=world.zhang_san, phone="13812340000"
    )
    r = as_user(world.resident).get(MY_DATA)
    assert not r.context["page"].object_list


def test_account_without_a_resident_record_is_told_so(as_user, world):
    r = as_user(world.staff).get(MY_DATA)
    assert r.status_code == 200
    assert r.context["resident"] is None


def test_my_data_query_count_does_not_grow_with_events(
    as_user, world, django_assert_max_num_queries
):
    access.record_reads(
        world.staff, [world.zhang_san], kind=access.VIEWED, purpose="registry.resident_page"
    )
    client = as_user(world.resident)
    client.get(MY_DATA)
    with django_assert_max_num_queries(10) as small:
        client.get(MY_DATA)
    for i in range(40):
        viewer = make_user(f"viewer{i}")
        access.record_reads(
            viewer, [world.zhang_san], kind=access.VIEWED, purpose="registry.resident_page"
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = client.get(MY_DATA)
    assert len(r.context["page"].object_list) == 30
