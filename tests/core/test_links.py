import pytest
from django.urls import reverse

from linli.core.links import object_url


@pytest.mark.parametrize(
    "name", ["registry:resident", "registry:household", "tickets:detail", "tickets:photo"]
)
@pytest.mark.parametrize("pk", [1, 42, 987654321, 10**12])
def test_object_url_is_reverse(name, pk):
    assert object_url(name, pk) == reverse(name, args=[pk])


def test_object_url_refuses_what_is_not_an_id():
    with pytest.raises(ValueError):
        object_url("tickets:detail", "1/../../admin")
