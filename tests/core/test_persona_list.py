"""The isolation tests pair up ``tests.factories.PERSONAS``: it must be every person the test
world makes, so a persona added to the world is paired too."""

import pytest

from tests.factories import PERSONAS, make_world

pytestmark = pytest.mark.django_db


def test_the_persona_list_is_the_worlds_people():
    assert sorted(PERSONAS) == sorted(make_world().people)
