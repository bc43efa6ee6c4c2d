"""Issue 9: what each viewer sees of a resident, sensitive tags, and no personal values in the
event log. The page/API/export scan across personas is tests/security/test_masking_scan.py."""

import datetime as dt
import importlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from linli.core.events import PersonalDataInEvent, log_event
from linli.core.models import Event
from linli.registry import services
from linli.registry.models import Resident, ResidentTag, Tag
from tests.factories import VALID_ID, make_resident

pytestmark = pytest.mark.django_db


def _form(r, **over):
    data = {
        "name": r.name,
        "gender": r.gender,
        "birth_date": "",
        "phone": r.phone,
        "id_number": "",
        "relation": r.relation,
        "tenure": r.tenure,
        "moved_in_on": "",
    }
    data.update(over)
    return data


def _tag(code):
    return Tag.objects.get(code=code)


def test_the_id_number_shows_only_its_region_code_to_everyone(world, as_user):
    for who in ("resident", "leader", "staff", "supervisor"):
        page = as_user(getattr(world, who)).get(
            reverse("registry:resident", args=[world.zhang_san.pk])
        )
        text = page.content.decode()
        assert "110105************" in text, who
        assert "002X" not in text and "19491231" not in text, who


def test_a_street_supervisor_sees_the_age_not_the_birth_date(world, as_user):
    world.zhang_san.birth_date = dt.date(1949, 12, 31)
    world.zhang_san.save()
    url = reverse("registry:resident", args=[world.zhang_san.pk])
    page = as_user(world.supervisor).get(url).content.decode()
    assert "1949-12-31" not in page and "岁" in page
    assert "1949-12-31" in as_user(world.leader).get(url).content.decode()  # keeps the record


def test_a_building_leader_neither_sees_nor_sets_sensitive_tags(world, as_user):
    ResidentTag.objects.create(resident=world.li_si, tag=_tag("low_income"), community=world.xincun)
    client = as_user(world.leader)
    page = client.get(reverse("registry:resident", args=[world.li_si.pk])).content.decode()
    assert "低收入" not in page
    url = reverse("registry:resident_edit", args=[world.li_si.pk])
    form_page = client.get(url).content.decode()
    assert "残疾人" not in form_page and "低收入" not in form_page
    assert 'name="health_note"' not in form_page
    # Saving the form keeps the low-income tag they never saw, and adds the veteran tag.
    veteran = _tag("veteran")
    assert client.post(url, _form(world.li_si, tags=[veteran.pk])).status_code == 302
    codes = set(world.li_si.tags.values_list("code", flat=True))
    assert codes == {"low_income", "veteran"}
    # A forged post with a sensitive tag is refused, with the reason, and nothing is saved.
    resp = client.post(url, _form(world.li_si, tags=[veteran.pk, _tag("disability").pk]))
    assert resp.status_code == 400
    assert set(world.li_si.tags.values_list("code", flat=True)) == {"low_income", "veteran"}


def test_the_service_refuses_a_sensitive_tag_or_health_note_from_a_leader(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as e:
        services.resident_update(
            actor=world.leader, resident=world.li_si, tags=[_tag("disability")]
        )
    assert "tags" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.resident_update(actor=world.leader, resident=world.li_si, health_note="心脏病")
    assert "health_note" in e.value.message_dict
    world.li_si.refresh_from_db()
    assert not world.li_si.health_note_sealed and not world.li_si.tags.exists()


def test_the_office_sets_and_sees_sensitive_tags_and_the_log_does_not_name_them(world, as_user):
    client = as_user(world.staff)
    url = reverse("registry:resident_edit", args=[world.li_si.pk])
    tags = [_tag("disability").pk, _tag("veteran").pk]
    assert client.post(url, _form(world.li_si, tags=tags)).status_code == 302
    page = client.get(reverse("registry:resident", args=[world.li_si.pk])).content.decode()
    assert "残疾人" in page
    ev = Event.objects.get(verb="resident.tags.changed")
    assert ev.data == {"added": ["veteran"], "removed": [], "sensitive_changed": 1}


def test_event_data_may_not_hold_personal_values(world):
    with pytest.raises(PersonalDataInEvent, match="changes.phone"):
        log_event(
            actor=world.staff,
            verb="resident.updated",
            obj=world.li_si,
            data={"changes": {"phone": ["13900005678", "13900001111"]}},
        )
    # A resident's own fields (name, birth date …) are refused on events about a resident.
    with pytest.raises(PersonalDataInEvent, match="name"):
        log_event(actor=world.staff, verb="x.y", obj=world.li_si, data={"name": "李四"})
    # A tag's name is not personal.
    log_event(actor=world.staff, verb="tag.created", obj=_tag("veteran"), data={"name": "退役"})
    assert not Event.objects.filter(verb__in=["resident.updated", "x.y"]).exists()


def test_the_migration_scrubs_personal_values_from_old_events(world):
    from django.apps import apps

    for verb, data in [
        ("resident.updated", {"changes": {"phone": ["13900005678", "13900001111"]}}),
        ("resident.created", {"household": "3-2-501", "tags": ["disability", "veteran"]}),
        ("resident.tags.changed", {"added": ["low_income"], "removed": ["veteran"]}),
    ]:
        Event.objects.create(  # as written before the guard existed
            verb=verb,
            object_type=ContentType.objects.get_for_model(Resident),
            object_id=world.li_si.pk,
            data=data,
        )
    migration = importlib.import_module("linli.registry.migrations.0005_id_region_no_masked_copy")
    migration.scrub_events(apps, None)
    data = {e.verb: e.data for e in Event.objects.all()}
    assert data["resident.updated"] == {"changed": ["phone"]}
    assert data["resident.created"] == {
        "household": "3-2-501",
        "tag_codes": ["veteran"],
        "sensitive_tags": 1,
    }
    assert data["resident.tags.changed"] == {
        "added": [],
        "removed": ["veteran"],
        "sensitive_changed": 1,
    }


def test_the_migration_keeps_only_the_region_code(world):
    from django.apps import apps

    migration = importlib.import_module("linli.registry.migrations.0005_id_region_no_masked_copy")
    from linli.core.personal import unseal

    class Old:  # a row as it was: the old masked copy beside the sealed number
        id_number_sealed = world.zhang_san.id_number_sealed
        id_number_masked = "11010*********002X"

    assert migration._region(Old, unseal) == VALID_ID[:6]
    Old.id_number_sealed = "not-a-token"  # keys not configured: the old mask's first 5
    assert migration._region(Old, unseal) == "11010"
    assert apps  # the migration runs on the historical models (tested through migrate)


def test_a_child_is_masked_in_the_api_for_a_building_leader(world, as_user):
    child = make_resident(
        world.hh_3_2_501,
        "张小明",
        birth_date=dt.date.today().replace(year=dt.date.today().year - 8),
        relation="grandchild",
    )
    data = as_user(world.leader).get(f"/api/registry/households/{world.hh_3_2_501.pk}").json()
    names = {r["id"]: r["name"] for r in data["residents"]}
    assert names[child.pk] == "张**"
    data = as_user(world.staff).get(f"/api/registry/households/{world.hh_3_2_501.pk}").json()
    assert {r["id"]: r["name"] for r in data["residents"]}[child.pk] == "张小明"
    assert Resident.objects.get(pk=child.pk).name == "张小明"


def test_a_leader_may_not_open_a_childs_edit_form_but_the_family_record_is_kept(world, as_user):
    """The edit form would show the child's full name and birth date (found by the masking
    scan): only the office and the family see a child's record in full."""
    child = make_resident(
        world.hh_3_2_501,
        "张小明",
        birth_date=dt.date.today().replace(year=dt.date.today().year - 8),
        relation="grandchild",
    )
    client = as_user(world.leader)
    url = reverse("registry:resident_edit", args=[child.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _form(child, name="张大明")).status_code == 403
    assert Resident.objects.get(pk=child.pk).name == "张小明"
    page = client.get(reverse("registry:resident_move_out", args=[child.pk])).content.decode()
    assert "张小明" not in page and "张**" in page
    assert as_user(world.staff).get(url).status_code == 200
