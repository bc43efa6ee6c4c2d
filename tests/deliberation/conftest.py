"""Deliberation test data on the registry world: owners (one with two flats), a developer's
unsold flat, a topic."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from linli.deliberation.models import Topic


@dataclass
class DWorld:
    w: object
    topic: Topic

    def __getattr__(self, name):
        return getattr(self.__dict__["w"], name)


@pytest.fixture
def dw(world):
    from tests.factories import make_resident

    # 张三 (world.resident's record) owns 3-2-501 and also 3-2-502: one person, two flats.
    world.zhang_san.tenure = "owner"
    world.zhang_san.save()
    world.li_si.tenure = "family"
    world.li_si.save()
    twin = make_resident(world.hh_3_2_502, "张三", tenure="owner")
    twin.id_number_digest = world.zhang_san.id_number_digest  # same person, second flat
    twin.save()
    world.wang_wu.tenure = "owner"
    world.wang_wu.save()
    world.hh_5_1_201.developer_owned = True
    world.hh_5_1_201.floor_area = Decimal("80.00")
    world.hh_5_1_201.save()
    topic = Topic.objects.create(
        community=world.xincun, title="加装电梯", source="staff", raised_by=world.staff
    )
    return DWorld(world, topic)
