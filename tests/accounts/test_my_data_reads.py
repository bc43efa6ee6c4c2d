"""Every read of a resident's record reaches their "My data" (PIPL Art. 45): the household
page and API, the building page, search (page and API), the edit form with the full phone,
the intake look-up by room, the registry export and the ID reveal. Issue 9, finding 4."""

import pytest
from django.urls import reverse

from linli.core import access
from linli.core.models import Event, PersonalDataRead
from linli.registry import services as registry_services
from tests.factories import VALID_ID, grant, make_household, make_resident, make_user

MY_DATA = reverse("accounts:my_data")


def _named(user, name):
    user.display_name = name
    user.save()
    return user


def _my_data(as_user, world):
    """Zhang San's "My data": (the lines' purposes, the page's text)."""
    r = as_user(world.resident).get(MY_DATA)
    assert r.status_code == 200
    return [line["purpose"] for line in r.context["page"].object_list], r.content.decode()


def test_building_leader_opening_the_household_page_shows_on_my_data(as_user, world):
    _named(world.leader, "张楼长")
    assert (
        as_user(world.leader)
        .get(reverse("registry:household", args=[world.hh_3_2_501.pk]))
        .status_code
        == 200
    )
    purposes, page = _my_data(as_user, world)
    assert purposes == ["registry.household_page"]
    assert "楼栋长 张楼长 查看了您的住户页，" in page


def test_household_api_shows_on_my_data(as_user, world):
    r = as_user(world.grid_worker).get(f"/api/registry/households/{world.hh_3_2_501.pk}")
    assert r.status_code == 200
    purposes, page = _my_data(as_user, world)
    assert purposes == ["registry.api.household"]
    assert "通过接口读取了您的住户信息" in page


def test_building_page_listing_shows_on_my_data(as_user, world):
    as_user(world.leader).get(reverse("registry:building", args=[world.b3.pk]))
    purposes, page = _my_data(as_user, world)
    assert purposes == ["registry.building_page"]
    assert "在楼栋住户列表中看到了您家" in page


def test_search_results_show_on_my_data(as_user, world):
    r = as_user(world.staff).get(reverse("registry:search"), {"q": "张"})
    assert "张三" in r.content.decode()
    purposes, page = _my_data(as_user, world)
    assert purposes == ["registry.search"]
    assert "在居民登记中搜索到了您" in page


def test_search_api_shows_on_my_data(as_user, world):
    r = as_user(world.staff).get("/api/registry/search", {"q": "zs"})
    assert [x["name"] for x in r.json()["residents"]] == ["张三"]
    purposes, _page = _my_data(as_user, world)
    assert purposes == ["registry.api.search"]


def test_edit_form_with_the_full_phone_shows_on_my_data(as_user, world):
    r = as_user(world.staff).get(reverse("registry:resident_edit", args=[world.zhang_san.pk]))
    assert "13812341234" in r.content.decode()
    purposes, page = _my_data(as_user, world)
    assert purposes == ["registry.edit_form"]
    assert "含完整手机号" in page


def test_intake_look_up_by_room_shows_on_my_data(as_user, world):
    r = as_user(world.leader).get(reverse("tickets:intake"), {"room": "3-2-501"})
    assert r.status_code == 200 and "张三" in r.content.decode()
    purposes, page = _my_data(as_user, world)
    assert purposes == ["tickets.intake"]
    assert "按房号查到了您家" in page


def test_export_shows_on_my_data(as_user, world):
    _named(world.staff, "周干事")
    r = as_user(world.staff).get(reverse("registry:export", args=[world.xincun.code]))
    b"".join(r.streaming_content)
    purposes, page = _my_data(as_user, world)
    assert purposes == ["registry.export"]
    assert "社区工作人员 周干事 导出了居民登记表（含您的信息）" in page


def test_reveal_still_logs_an_event_and_shows_on_my_data(as_user, world):
    url = reverse("registry:resident_reveal", args=[world.zhang_san.pk, "id_number"])
    assert (
        VALID_ID in as_user(world.secretary).post(url, {"reason": "核对低保材料"}).content.decode()
    )
    assert Event.objects.filter(verb="resident.id_number.revealed").count() == 1
    purposes, page = _my_data(as_user, world)
    assert purposes == ["registry.reveal.id_number"]
    assert "查看了您的完整身份证号" in page


def test_repeated_reads_the_same_day_are_one_line_with_a_count(as_user, world):
    client = as_user(world.staff)
    for _ in range(3):
        client.get(reverse("registry:household", args=[world.hh_3_2_501.pk]))
    client.get(reverse("registry:resident", args=[world.zhang_san.pk]))
    r = as_user(world.resident).get(MY_DATA)
    lines = {line["purpose"]: line for line in r.context["page"].object_list}
    assert lines["registry.household_page"]["count"] == 3
    assert lines["registry.resident_page"]["count"] == 1
    assert "查看了您的住户页，共 3 次，最近一次" in r.content.decode()


def test_my_data_in_english(as_user, world):
    _named(world.staff, "Zhou")
    as_user(world.staff).get(reverse("registry:export", args=[world.xincun.code]))
    client = as_user(world.resident)
    client.cookies["django_language"] = "en"
    page = client.get(MY_DATA).content.decode()
    assert "Community staff Zhou exported the registry, with your record in it, " in page


def test_a_household_member_is_shown_by_relation_not_by_name(as_user, world):
    spouse = make_user("lisi", resident=world.li_si)
    grant(spouse, "resident", world.hh_3_2_501)
    as_user(spouse).get(reverse("registry:household", args=[world.hh_3_2_501.pk]))
    purposes, page = _my_data(as_user, world)
    assert purposes == ["registry.household_page"]
    assert "您的家庭成员 查看了您的住户页" in page and "lisi" not in page


def test_a_person_reading_their_own_record_is_not_written_down(as_user, world):
    as_user(world.resident).get(reverse("registry:household", args=[world.hh_3_2_501.pk]))
    assert not PersonalDataRead.objects.filter(subject_id=world.zhang_san.pk).exists()
    # …but the rest of the household shown to them is.
    assert PersonalDataRead.objects.filter(subject_id=world.li_si.pk).count() == 1


def test_a_resident_cannot_see_another_residents_my_data(as_user, world):
    as_user(world.staff).get(reverse("registry:resident", args=[world.zhang_san.pk]))
    client = as_user(world.other_resident)
    for params in ({}, {"resident": world.zhang_san.pk}, {"subject": world.zhang_san.pk}):
        r = client.get(MY_DATA, params)
        assert r.status_code == 200
        assert not r.context["page"].object_list
    assert PersonalDataRead.objects.filter(subject_id=world.zhang_san.pk).count() == 1


def _grow(world, n):
    for i in range(n):
        hh = make_household(world.b4, None, f"{100 + i}")
        make_resident(hh, f"测{i}", phone=f"1380000{i:04d}")


@pytest.mark.parametrize("n", [3, 120])
def test_export_of_n_residents_records_n_reads_in_one_query(
    world, as_user, django_assert_max_num_queries, n
):
    _grow(world, n)
    expected = 3 + n  # 张三, 李四, 王五 and the new ones of Xincun
    client = as_user(world.staff)
    with django_assert_max_num_queries(11) as ctx:
        b"".join(client.get(reverse("registry:export", args=["xincun"])).streaming_content)
    inserts = [q for q in ctx.captured_queries if "core_personaldataread" in q["sql"]]
    assert len(inserts) == 1
    reads = PersonalDataRead.objects.filter(kind="exported", purpose="registry.export")
    assert reads.count() == expected
    assert reads.values("subject_id").distinct().count() == expected


@pytest.mark.parametrize("n", [5, 120])
def test_building_page_records_every_listed_resident_in_one_query(
    world, as_user, django_assert_max_num_queries, n
):
    for i in range(n):
        make_resident(make_household(world.b3, world.u3_2, f"{700 + i}"), f"测{i}")
    client = as_user(world.leader)
    with django_assert_max_num_queries(14) as ctx:
        assert client.get(reverse("registry:building", args=[world.b3.pk])).status_code == 200
    inserts = [q for q in ctx.captured_queries if "core_personaldataread" in q["sql"]]
    # SQLite takes at most 999 parameters a statement: 142 rows of 7 columns.
    assert len(inserts) == 1
    assert PersonalDataRead.objects.filter(purpose="registry.building_page").count() == n + 2


@pytest.mark.parametrize("n", [5, 120])
def test_search_records_its_results_in_one_query(world, as_user, django_assert_max_num_queries, n):
    for i in range(n):
        make_resident(world.hh_3_2_502, f"测{i}")
    client = as_user(world.staff)
    with django_assert_max_num_queries(8) as ctx:
        assert client.get(reverse("registry:search"), {"q": "测"}).status_code == 200
    inserts = [q for q in ctx.captured_queries if "core_personaldataread" in q["sql"]]
    assert len(inserts) == 1
    assert PersonalDataRead.objects.filter(purpose="registry.search").count() == min(n, 50)


def test_thousands_of_reads_make_a_short_readable_page(
    world, as_user, django_assert_max_num_queries
):
    viewers = [make_user(f"v{i}") for i in range(5)]
    for v in viewers:
        for _ in range(400):
            access.record_reads(
                v, [world.zhang_san], kind=access.LISTED, purpose="registry.building_page"
            )
    client = as_user(world.resident)
    with django_assert_max_num_queries(10):
        r = client.get(MY_DATA)
    lines = r.context["page"].object_list
    assert len(lines) == 5 and {line["count"] for line in lines} == {400}


def test_reads_hold_no_personal_values(as_user, world):
    """Only ids, the role, the kind of read and the page are stored: no name, phone, ID."""
    staff = as_user(world.staff)
    staff.get(reverse("registry:household", args=[world.hh_3_2_501.pk]))
    staff.get(reverse("registry:search"), {"q": "1234"})
    staff.get(reverse("registry:resident_edit", args=[world.zhang_san.pk]))
    b"".join(staff.get(reverse("registry:export", args=["xincun"])).streaming_content)
    registry_services.resident_reveal(
        actor=world.secretary, resident=world.zhang_san, field="id_number", reason="核对"
    )
    assert {f.name for f in PersonalDataRead._meta.get_fields()} == {
        "id", "at", "actor", "actor_role", "subject_id", "community_id", "kind", "purpose",
    }  # fmt: skip
    personal = ["张三", "李四", "13812341234", "1234", VALID_ID, "3-2-501", "501"]
    for row in PersonalDataRead.objects.values("actor_role", "kind", "purpose"):
        for value in row.values():
            assert not any(p in value for p in personal), row
    export = Event.objects.get(verb="registry.exported")
    assert set(export.data) == {"rows"}


@pytest.mark.parametrize("n", [5, 120])
def test_a_cached_search_hit_records_its_results_again_in_one_query(
    world, as_user, django_assert_max_num_queries, n
):
    for i in range(n):
        make_resident(world.hh_3_2_502, f"测{i}")
    client = as_user(world.staff)
    url = reverse("registry:search")
    assert client.get(url, {"q": "测"}).status_code == 200  # stored
    with django_assert_max_num_queries(6) as ctx:
        r = client.get(url, {"q": "测"})
    assert r.status_code == 200 and r["X-Linli-Page-Cache"] == "hit"
    inserts = [q for q in ctx.captured_queries if "core_personaldataread" in q["sql"]]
    assert len(inserts) == 1
    assert PersonalDataRead.objects.filter(purpose="registry.search").count() == 2 * min(n, 50)


@pytest.mark.parametrize("prepare", [True, False])
def test_more_reads_than_one_sqlite_statement_takes_are_all_recorded(world, settings, prepare):
    # SQLite: 490 rows a statement; PostgreSQL: one statement of two arrays, whatever the
    # number, prepared on the server or (behind a pooler that cannot keep it) not.
    settings.LINLI_PG_PREPARE = prepare
    ids = [(100_000 + i, world.xincun.pk if i % 2 else None) for i in range(1100)]
    access.replay(world.staff, [(access.LISTED, "registry.building_page", ids)])
    reads = PersonalDataRead.objects.filter(actor=world.staff, purpose="registry.building_page")
    assert reads.count() == 1100
    assert set(reads.values_list("subject_id", "community_id")) == set(ids)
    assert (
        reads.filter(kind=access.LISTED, actor_role=access.actor_role(world.staff)).count() == 1100
    )


def test_reads_by_a_deleted_account_stay_on_my_data_without_the_actor(as_user, world):
    reader = make_user("shortlived")
    grant(reader, "community_staff", world.xincun)
    url = reverse("registry:household", args=[world.hh_3_2_501.pk])
    assert as_user(reader).get(url).status_code == 200
    assert PersonalDataRead.objects.filter(actor=reader).exists()
    reader_id = reader.pk
    reader.delete()  # the column has no database constraint: Django's SET_NULL clears it
    assert not PersonalDataRead.objects.filter(actor_id=reader_id).exists()
    gone = PersonalDataRead.objects.filter(actor__isnull=True, purpose="registry.household_page")
    assert gone.exists()
    purposes, _page = _my_data(as_user, world)
    assert "registry.household_page" in purposes
