import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Service refusals are matched by their English text here; pages keep their own."""
    with translation.override("en"):
        yield
