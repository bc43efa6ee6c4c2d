"""A report sent back for a mistake keeps the photos already chosen (issue 11, item 5):
stored as pending uploads under a token bound to the uploader, listed with a remove box,
attached on the corrected submit; nobody else can use the token; the photo checks still
apply; a periodic task purges what was never sent."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from linli.tickets import pending
from linli.tickets.models import PendingPhoto, Ticket, TicketPhoto
from linli.tickets.tasks import purge_pending_photos

pytestmark = pytest.mark.django_db

URL = "tickets:submit"


def _form(tw, **over):
    data = {
        "category": tw.water.pk,
        "description": "厨房水管漏水",
        "place": "home",
        "household": tw.hh_3_2_501.pk,
        "contact_preference": "in_app",
    }
    data.update(over)
    return data


def _tokens(html: str) -> list[str]:
    return re.findall(r'name="kept_photo" value="([^"]+)"', html)


def test_a_photo_survives_an_error_and_is_attached_on_the_fixed_submit(tw, as_user, photo):
    c = as_user(tw.resident)
    r = c.post(reverse(URL), _form(tw, description="", photos=[photo("leak.jpg")]))
    assert r.status_code == 400 and Ticket.objects.count() == 0
    html = r.content.decode()
    (token,) = _tokens(html)
    assert 'data-testid="kept-photos"' in html and "leak.jpg" in html
    assert f'name="remove_photo" value="{token}"' in html
    row = PendingPhoto.objects.get()
    assert row.user == tw.resident and len(token) >= 40 and token not in row.image.name

    r = c.post(reverse(URL), _form(tw, kept_photo=[token]))
    assert r.status_code == 302
    t = Ticket.objects.get()
    assert TicketPhoto.objects.filter(ticket=t).count() == 1
    assert PendingPhoto.objects.count() == 0  # attached: the pending copy is gone


def test_a_kept_photo_ticked_for_removal_is_not_attached(tw, as_user, photo):
    c = as_user(tw.resident)
    r = c.post(reverse(URL), _form(tw, description="", photos=[photo(), photo("b.jpg")]))
    a, b = _tokens(r.content.decode())
    r = c.post(reverse(URL), _form(tw, kept_photo=[a, b], remove_photo=[a]))
    assert r.status_code == 302
    assert TicketPhoto.objects.filter(ticket=Ticket.objects.get()).count() == 1
    assert PendingPhoto.objects.count() == 0


def test_another_person_cannot_use_the_token(tw, as_user, photo):
    r = as_user(tw.resident).post(reverse(URL), _form(tw, description="", photos=[photo()]))
    (token,) = _tokens(r.content.decode())
    # The other resident sends the token: ignored, their request has no photo, and the
    # owner's pending photo is untouched (not removed either).
    other = as_user(tw.other_resident)
    r = other.post(
        reverse(URL), _form(tw, description="", kept_photo=[token], remove_photo=[token])
    )
    assert r.status_code in (400, 403)
    assert token not in r.content.decode()
    assert PendingPhoto.objects.filter(token=token, user=tw.resident).exists()
    assert pending.kept(tw.other_resident, _Post(kept_photo=[token])) == []


class _Post(dict):
    def getlist(self, key):
        return self.get(key, [])


def test_the_photo_checks_still_apply(tw, as_user, photo):
    c = as_user(tw.resident)
    bad = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    r = c.post(reverse(URL), _form(tw, photos=[bad]))
    assert r.status_code == 400 and Ticket.objects.count() == 0
    assert "x.jpg" in r.content.decode()  # the same refusal as before
    assert PendingPhoto.objects.count() == 0  # a refused file is never kept
    # Five kept and a sixth new: at most five photos, the sixth is not stored.
    r = c.post(
        reverse(URL), _form(tw, description="", photos=[photo(f"{i}.jpg") for i in range(5)])
    )
    tokens = _tokens(r.content.decode())
    assert len(tokens) == 5
    r = c.post(reverse(URL), _form(tw, kept_photo=tokens, photos=[photo("6.jpg")]))
    assert r.status_code == 400 and Ticket.objects.count() == 0
    assert PendingPhoto.objects.count() == 5


def test_the_purge_task_deletes_pending_photos_after_a_day(tw, as_user, photo):
    c = as_user(tw.resident)
    c.post(reverse(URL), _form(tw, description="", photos=[photo(), photo("b.jpg")]))
    old, fresh = PendingPhoto.objects.all()
    PendingPhoto.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    assert purge_pending_photos.call_local() == 1
    assert list(PendingPhoto.objects.all()) == [fresh]
    # An expired token no longer brings the photo back.
    assert pending.kept(tw.resident, _Post(kept_photo=[old.token])) == []
