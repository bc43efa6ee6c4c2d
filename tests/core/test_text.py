"""Look-alike text (issue 9, finding 14): names refuse invisible characters, free text loses
them, NUL is refused, everything is NFC — on every path, through the model fields."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from linli.core.text import clean_name, clean_text
from linli.deliberation.models import Answer
from linli.registry.models import Resident

RLO_NAME = "王\u202e五"
ZW_NAME = "梁\u200b洁"


@pytest.mark.parametrize("name", [RLO_NAME, ZW_NAME, "张\u2066三", "李\ufeff四"])
def test_names_with_invisible_characters_are_refused(name):
    with pytest.raises(ValidationError) as exc:
        clean_name(name)
    assert exc.value.code == "invisible_characters"


def test_free_text_loses_invisible_characters_and_keeps_the_rest():
    assert clean_text("水管\u202e漏水\u200b了") == "水管漏水了"


@pytest.mark.parametrize("clean", [clean_name, clean_text])
def test_nul_is_refused_everywhere(clean):
    with pytest.raises(ValidationError):
        clean("漏水\x00")


def test_text_is_nfc_normalised():
    decomposed = "Jose\u0301"
    assert clean_name(decomposed) == "Jos\u00e9" == clean_text(decomposed)


def test_survey_answers_are_cleaned_inside_their_json():
    field = Answer._meta.get_field("value")
    a = Answer(value=["楼道\u200b灯", {"note": "x\u202ey"}])
    assert field.pre_save(a, add=True) == ["楼道灯", {"note": "xy"}]


# --- through the pages, the API and direct writes ------------------------------------------


def test_registering_a_resident_with_a_right_to_left_override_is_refused_on_the_form(
    world, as_user
):
    url = reverse("registry:resident_create", args=[world.hh_3_2_502.pk])
    data = {
        "name": RLO_NAME,
        "gender": "F",
        "birth_date": "1950-03-04",
        "phone": "13511112222",
        "id_number": "",
        "relation": "spouse",
        "tenure": "owner",
        "moved_in_on": "",
        "health_note": "",
    }
    r = as_user(world.staff).post(url, data)
    assert r.status_code == 400
    assert r.context["form"].errors["name"]
    assert not Resident.objects.filter(household=world.hh_3_2_502).exists()


def test_a_zero_width_space_in_a_resident_name_is_refused_on_any_save(world):
    from django.db import transaction

    world.li_si.name = ZW_NAME
    with pytest.raises(ValidationError), transaction.atomic():
        world.li_si.save()
    world.li_si.refresh_from_db()
    assert world.li_si.name == "李四"


def test_an_account_name_with_invisible_characters_is_refused(world, as_user):
    r = as_user(world.secretary).post(
        "/accounts/c/xincun/users/new/",
        {
            "display_name": ZW_NAME,
            "username": "liangjie",
            "phone": "",
            "password": "plum-blossom-2024",
            "password2": "plum-blossom-2024",
        },
    )
    assert r.status_code == 400
    assert r.context["form"].errors["display_name"]


def test_a_search_with_a_pasted_zero_width_space_does_not_fail(world, as_user):
    r = as_user(world.staff).get(reverse("registry:search"), {"q": "张\u200b三"})
    assert r.status_code == 200
