"""The registry's refusals are the kernel's one domain error (core/errors.py): its services'
``RegistryError`` (still a ``ValidationError`` with its messages per field, so forms and the
import put them where they belong) and the import's errors."""

import pytest
from django.core.exceptions import ValidationError

from linli.core.errors import Conflict, DomainError
from linli.registry import services
from linli.registry.importing import ImportAlreadyDone, ImportHasErrors, ImportRejected

pytestmark = pytest.mark.django_db


def test_a_registry_refusal_is_a_domain_error_with_its_fields(world):
    with pytest.raises(DomainError) as e:
        services.tag_create(actor=world.staff, community=world.xincun, name="  ")
    err = e.value
    assert isinstance(err, ValidationError) and isinstance(err, services.RegistryError)
    assert err.status == 400 and err.field == "name"
    assert err.message_dict == {"name": [str(err.message)]}
    assert err.extra == {"errors": err.message_dict}


def test_a_model_validation_failure_is_the_registrys_refusal_too(world):
    b = world.hh_3_2_501.building
    with pytest.raises(services.RegistryError) as e:
        services.household_create(actor=world.staff, building=b, unit=None, room="x" * 200)
    assert "room" in e.value.message_dict


def test_the_import_errors_are_domain_errors():
    assert ImportRejected("bad").status == 400 and ImportRejected("bad").field == "file"
    assert isinstance(ImportHasErrors(), DomainError) and str(ImportHasErrors().message)
    assert isinstance(ImportAlreadyDone(), Conflict) and ImportAlreadyDone().status == 409
