"""core/lists.py: scope first, then filter, sort, paginate, export what is filtered."""

import io

import django_filters
import pytest
from django.test import RequestFactory
from openpyxl import load_workbook

from linli.core.exports import Column
from linli.core.lists import Sort, list_page
from linli.registry.models import Building, Household
from tests.factories import make_household


class HouseholdFilter(django_filters.FilterSet):
    building = django_filters.ModelChoiceFilter(queryset=Building.objects.all())
    min_area = django_filters.NumberFilter(field_name="floor_area", lookup_expr="gte")

    class Meta:
        model = Household
        fields = ["building", "min_area"]


SORTS = {
    "room": Sort("Room", ("label", "id")),
    "area": Sort("Area", ("-floor_area", "id")),
}


def _list(user, query="", **kw):
    request = RequestFactory().get("/x/" + query)
    request.user = user
    return list_page(
        request,
        Household.objects.select_related("building"),
        action="household.view",
        filterset=HouseholdFilter,
        sorts=SORTS,
        default_sort="room",
        **kw,
    )


@pytest.mark.django_db
def test_the_list_is_scoped_before_it_is_filtered(world):
    # The building leader of building 3 sees building 3's households only, whatever the filter.
    assert {h.pk for h in _list(world.leader).page} == {world.hh_3_2_501.pk, world.hh_3_2_502.pk}
    assert list(_list(world.leader, f"?building={world.b4.pk}").page) == []
    assert [h.pk for h in _list(world.outsider).page] == [world.hh_nancun.pk]
    assert _list(world.staff).total == 4


@pytest.mark.django_db
def test_filter_sort_and_an_invalid_value_shown_not_fatal(world):
    by_area = _list(world.staff, "?sort=area&min_area=60")
    assert [h.floor_area for h in by_area.page] == sorted(
        [h.floor_area for h in by_area.page], reverse=True
    )
    assert all(h.floor_area >= 60 for h in by_area.page)
    bad = _list(world.staff, "?min_area=lots&sort=nonsense")
    assert bad.form.errors["min_area"]  # shown on the form …
    assert bad.total == 4 and bad.sort == "room"  # … and ignored, with the default order
    assert bad.filtered


@pytest.mark.django_db
def test_pages_keep_the_filter_in_their_links(world):
    for i in range(30):
        make_household(world.b5, None, f"{600 + i}")
    listing = _list(world.staff, f"?building={world.b5.pk}&page=2", per_page=10)
    assert listing.page.number == 2 and listing.total == 31
    assert listing.query == f"building={world.b5.pk}"
    assert listing.url(sort="area") == f"?building={world.b5.pk}&page=2&sort=area"


@pytest.mark.django_db
def test_export_writes_every_filtered_row_not_one_page(world):
    for i in range(30):
        make_household(world.b5, None, f"{600 + i}")
    listing = _list(
        world.staff, f"?building={world.b5.pk}&export=xlsx", per_page=10, allow_export=True
    )
    assert listing.export_format == "xlsx"
    resp = listing.export([Column("Room")], lambda h: [h.label], title="Households", filename="hh")
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    assert ws.max_row == 1 + 31


@pytest.mark.django_db
def test_export_is_refused_unless_the_caller_allows_it(world):
    assert _list(world.staff, "?export=xlsx").export_format is None
    assert _list(world.staff, "?export=xlsx").export_links == []


@pytest.mark.django_db
def test_query_count_constant_as_rows_grow(world, django_assert_max_num_queries):
    def count():
        with django_assert_max_num_queries(6) as ctx:
            listing = _list(world.staff, f"?building={world.b5.pk}")
            [h.building.number for h in listing.page]
        return len(ctx.captured_queries)

    count()  # warm: the actor's memberships are loaded once per request cycle
    small = count()
    for i in range(60):
        make_household(world.b5, None, f"{700 + i}")
    assert count() == small
