"""Intake by every channel, and bad input that must save nothing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from linli.core.models import Event
from linli.tickets import services
from linli.tickets.models import Ticket, TicketPhoto
from linli.tickets.workflow import TicketError

pytestmark = pytest.mark.django_db


def nothing_saved():
    return (
        Ticket.objects.count() == 0
        and TicketPhoto.objects.count() == 0
        and not Event.objects.filter(verb__startswith="ticket.").exists()
    )


def test_resident_submits_with_photos_exif_stripped(tw, submit, photo, settings):
    import io

    img = Image.new("RGB", (3000, 2000), (10, 20, 30))
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera"  # Make
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    f = SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")
    t = submit(photos=[f, photo()])
    assert t.photos.count() == 2
    stored = t.photos.first()
    with Image.open(stored.image.path) as im:
        assert max(im.size) <= 1600
        assert not im.getexif()
    assert t.channel == "web" and t.requesters.get().user == tw.resident


def test_more_than_five_photos_saves_nothing(tw, submit, photo):
    with pytest.raises(TicketError):
        submit(photos=[photo() for _ in range(6)])
    assert nothing_saved()


@pytest.mark.parametrize(
    "content", [b"<?php echo 1; ?>", b"GIF89a" + b"\x00" * 10, b"\x89PNG\r\n\x1a\n" + b"broken"]
)
def test_a_file_pretending_to_be_a_photo_saves_nothing(tw, submit, content):
    fake = SimpleUploadedFile("leak.jpg", content, content_type="image/jpeg")
    with pytest.raises(TicketError):
        submit(photos=[fake])
    assert nothing_saved()


def test_oversized_photo_saves_nothing(tw, submit, photo, settings):
    settings.LINLI_MAX_PHOTO_BYTES = 1000
    with pytest.raises(TicketError):
        submit(photos=[photo()])
    assert nothing_saved()


def test_missing_place_and_unknown_category_are_refused(tw, submit):
    with pytest.raises(TicketError):
        submit(household=None)
    with pytest.raises(PermissionDenied):  # a Xincun resident cannot file in Nancun
        submit(category=tw.nancun_cat, household=None, location_text="南村路口")
    with pytest.raises(TicketError):
        submit(description="   ")
    assert nothing_saved()


def test_a_room_of_another_community_is_refused(tw, submit):
    with pytest.raises(TicketError):
        submit(household=tw.hh_nancun)
    assert nothing_saved()


def test_required_extra_question(tw, submit):
    tw.water.attributes = [
        {"code": "floor", "description": "几楼?", "datatype": "string", "required": True}
    ]
    tw.water.save()
    with pytest.raises(TicketError):
        submit()
    t = submit(attributes={"floor": "5"})
    assert t.attributes == {"floor": "5"}


def test_public_spot_request(tw, submit):
    t = submit(household=None, category=tw.lights, location_text="3号楼东侧路灯")
    assert t.household is None and t.location_text == "3号楼东侧路灯"


@pytest.mark.parametrize("channel", ["phone", "walk_in", "patrol", "council", "hotline"])
def test_staff_takes_requests_by_every_channel(tw, channel):
    t = services.ticket_intake(
        actor=tw.staff,
        category=tw.water,
        channel=channel,
        description="漏水",
        requester_name="赵阿姨",
        requester_phone="135-1111-2222",
        household=tw.hh_4_1_101,
    )
    assert t.channel == channel
    assert t.requesters.get().phone == "13511112222"


def test_anonymous_and_unregistered_requesters(tw):
    t = services.ticket_intake(
        actor=tw.grid_worker,
        category=tw.lights,
        channel="patrol",
        description="路灯坏了",
        anonymous=True,
        location_text="小广场",
    )
    assert t.requesters.get().display_name in ("Anonymous", "匿名")
    with pytest.raises(TicketError):
        services.ticket_intake(
            actor=tw.staff,
            category=tw.lights,
            channel="phone",
            description="x",
            location_text="小广场",
        )


def test_leader_takes_requests_only_in_own_building(tw):
    services.ticket_intake(
        actor=tw.leader,
        category=tw.water,
        channel="leader",
        description="漏水",
        requester_name="李",
        household=tw.hh_3_2_502,
    )
    with pytest.raises(Http404):
        services.ticket_intake(
            actor=tw.leader,
            category=tw.water,
            channel="leader",
            description="漏水",
            requester_name="李",
            household=tw.hh_4_1_101,
        )
    with pytest.raises(PermissionDenied):
        services.ticket_intake(
            actor=tw.volunteer,
            category=tw.water,
            channel="patrol",
            description="漏水",
            requester_name="李",
            household=tw.hh_4_1_101,
        )


def test_web_is_not_an_intake_channel(tw):
    with pytest.raises(TicketError):
        services.ticket_intake(
            actor=tw.staff,
            category=tw.water,
            channel="web",
            description="x",
            requester_name="李",
            household=tw.hh_3_2_502,
        )
