"""Requests test data on top of the registry world: categories, a handling team, helpers."""

import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from linli.tickets import services
from linli.tickets.models import Category, HandlingTeam


@dataclass
class TicketWorld:
    w: object
    water: Category
    lights: Category
    nancun_cat: Category
    repair_team: HandlingTeam

    def __getattr__(self, name):
        return getattr(self.__dict__["w"], name)


@pytest.fixture
def tw(world):
    from tests.factories import grant, make_user

    repair = HandlingTeam.objects.create(community=world.xincun, name="维修组")
    handler = make_user("handler", display_name="老李师傅")  # a volunteer repairman
    grant(handler, "volunteer", world.xincun)
    repair.members.add(handler)
    world.people["handler"] = handler
    water = Category.objects.create(
        community=world.xincun,
        code="water",
        name="水管漏水",
        name_en="Water leak",
        default_team=repair,
        respond_within_hours=24,
        resolve_within_workdays=5,
        attributes=[
            {"code": "floor", "description": "几楼?", "datatype": "string", "required": False}
        ],
    )
    lights = Category.objects.create(
        community=world.xincun, code="lights", name="路灯不亮", name_en="Street light out"
    )
    nancun_cat = Category.objects.create(
        community=world.nancun, code="water", name="水管", name_en="Water"
    )
    return TicketWorld(world, water, lights, nancun_cat, repair)


@pytest.fixture
def photo():
    def make(name="leak.jpg", size=(800, 600), fmt="JPEG"):
        buf = io.BytesIO()
        Image.new("RGB", size, (200, 30, 30)).save(buf, fmt)
        return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")

    return make


@pytest.fixture
def submit(tw):
    """``submit(**over)`` → a ticket submitted by the resident of 3-2-501."""

    def make(**over):
        kw = {
            "actor": tw.resident,
            "category": tw.water,
            "description": "厨房水管漏水",
            "household": tw.hh_3_2_501,
        }
        kw.update(over)
        return services.ticket_submit(**kw)

    return make
