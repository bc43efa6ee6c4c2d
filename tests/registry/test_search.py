"""Search by name, pinyin, pinyin initials, phone (whole or tail) and room label — scoped and indexed."""

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from linli.registry import queries
from linli.registry.models import Resident
from linli.registry.search import phone_key
from tests.factories import make_household, make_resident

pytestmark = pytest.mark.django_db


def _names(result):
    return sorted(r.name for r in result.residents)


def test_initials_find_zhang_san(world):
    assert _names(queries.search(world.staff, "zs")) == ["张三"]


def test_full_pinyin_prefix_and_chinese_prefix(world):
    assert _names(queries.search(world.staff, "zhangs")) == ["张三"]
    assert _names(queries.search(world.staff, "ZhangSan")) == ["张三"]
    assert _names(queries.search(world.staff, "李")) == ["李四"]


def test_phone_tail(world):
    assert _names(queries.search(world.staff, "5678")) == ["李四"]


def test_room_label(world):
    result = queries.search(world.staff, "3-2-5")
    assert [h.label for h in result.households] == ["3-2-501", "3-2-502"]


def test_search_is_scoped_to_the_actors_places(world):
    # 赵六 lives in Nancun; Xincun staff and building leaders never find him.
    assert _names(queries.search(world.staff, "zl")) == []
    assert _names(queries.search(world.outsider, "zl")) == ["赵六"]
    assert _names(queries.search(world.supervisor, "zl")) == ["赵六"]
    # the leader of building 3 does not find 王五 of building 4
    assert _names(queries.search(world.leader, "ww")) == []
    assert _names(queries.search(world.grid_worker, "ww")) == ["王五"]


def test_search_page_and_htmx_fragment(world, as_user):
    client = as_user(world.staff)
    page = client.get(reverse("registry:search"), {"q": "zs"})
    assert "张三" in page.content.decode() and "<html" in page.content.decode()
    frag = client.get(reverse("registry:search"), {"q": "zs"}, HTTP_HX_REQUEST="true")
    assert "张三" in frag.content.decode() and "<html" not in frag.content.decode()


def test_search_uses_an_index_not_a_table_scan(world):
    qs = Resident.objects.filter(community=world.xincun).filter(
        queries._prefix_range("name_initials", "zs")
    )
    plan = qs.explain()
    if connection.vendor == "sqlite":
        assert "USING INDEX resident_initials_idx" in plan or "USING COVERING INDEX" in plan
        assert "SCAN registry_resident" not in plan.replace("USING INDEX", "")
    else:
        # PostgreSQL picks a seq scan on tiny tables; forbid it to see that the index applies.
        with connection.cursor() as cur:
            cur.execute("SET enable_seqscan = off")
        plan = qs.explain()
        assert "resident_initials_idx" in plan or "Index" in plan


def test_search_query_count_is_constant(world, django_assert_max_num_queries):
    b = world.b3
    for i in range(60):
        hh = make_household(b, world.u3_2, f"9{i:02d}")
        make_resident(hh, f"张{i}号")
    # The matches, their households, and one INSERT recording the 50 shown as read.
    with django_assert_max_num_queries(4):
        result = queries.search(world.staff, "zh")
    assert len(result.residents) == 50 and result.truncated


def test_a_name_character_pypinyin_does_not_know_is_still_found_by_pinyin(world):
    from linli.registry import services

    services.resident_create(actor=world.staff, household=world.hh_3_2_502, name="王𠮷")
    assert _names(queries.search(world.staff, "wangji")) == ["王𠮷"]
    assert _names(queries.search(world.staff, "wj")) == ["王𠮷"]


def test_names_are_stored_without_the_spaces_typed_to_line_them_up(world):
    from linli.registry import services

    r = services.resident_create(actor=world.staff, household=world.hh_3_2_502, name=" 周\u3000八 ")
    assert r.name == "周八"
    r = services.resident_create(
        actor=world.staff, household=world.hh_3_2_502, name="阿依古丽•买买提"
    )
    assert r.name == "阿依古丽·买买提" and r.name_pinyin == "ayigulimaimaiti"
    assert _names(queries.search(world.staff, "ayiguli")) == ["阿依古丽·买买提"]


# --- the whole phone number and names typed with spaces (tests/registry/test_phone_in_lookup.py)

PHONE = "19189450883"


def test_phone_search_uses_its_index(world):
    make_resident(world.hh_3_2_502, "梁洁", phone=PHONE)
    qs = Resident.objects.filter(community=world.xincun, phone_key=phone_key(PHONE))
    if connection.vendor == "sqlite":
        plan = qs.explain()
        assert "resident_phone_key_idx" in plan
    else:
        with connection.cursor() as cur:
            cur.execute("SET enable_seqscan = off")
        assert "resident_phone_key_idx" in qs.explain()


def test_phone_search_query_count_is_constant(world, django_assert_max_num_queries):
    for i in range(60):
        hh = make_household(world.b3, world.u3_2, f"8{i:02d}")
        make_resident(hh, "梁洁", phone=PHONE)
    with django_assert_max_num_queries(4):
        result = queries.search(world.staff, PHONE)
    assert len(result.residents) == 50 and result.truncated
    with django_assert_max_num_queries(4):
        assert len(queries.search(world.staff, "liang jie").residents) == 50


def test_a_name_with_a_middle_dot_is_found_with_or_without_it(world):
    """Issue 16 (6): 阿依古丽·买买提 as stored; offices type it either way (and with other dots)."""
    hh = make_household(world.b3, world.u3_2, "990")
    make_resident(hh, "阿依古丽·买买提")
    make_resident(hh, "阿依古丽")  # a name without a dot sharing the start
    for q in ("阿依古丽·买买提", "阿依古丽买买提", "阿依古丽•买买提", "阿依古丽买"):
        names = {r.name for r in queries.search(world.staff, q).residents}
        assert "阿依古丽·买买提" in names, q
    # A dotless query finds dotted names by their reading, never other names that sound alike.
    make_resident(hh, "阿依孤立")
    names = {r.name for r in queries.search(world.staff, "阿依古丽买").residents}
    assert names == {"阿依古丽·买买提"}


def test_the_dotless_name_search_uses_indexes(world, django_assert_max_num_queries):
    hh = make_household(world.b3, world.u3_2, "991")
    make_resident(hh, "阿依古丽·买买提")
    with django_assert_max_num_queries(4):
        queries.search(world.staff, "阿依古丽买买提")
    if connection.vendor == "sqlite":
        from linli.registry.models import Resident
        from linli.registry.search import pinyin_of

        qs = Resident.objects.filter(community=world.xincun).filter(
            queries._prefix_range("name", "阿依古丽买买提")
            | (
                queries._prefix_range("name_pinyin", pinyin_of("阿依古丽买买提"))
                & Q(name__contains="·")
            )
        )
        plan = qs.explain()
        assert "SCAN registry_resident" not in plan.replace("USING INDEX", ""), plan
