"""The resident's pages: report a problem, follow it in plain words, rate the answer — and
everything the resident must not see or do."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from linli.core.models import Event
from linli.tickets import services
from linli.tickets.models import Status, Ticket, TicketComment, TicketPhoto

pytestmark = pytest.mark.django_db


def en(client):
    """Pages in English, so the tests read the message ids (after logging in: logging out
    clears the cookies)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


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


def _act(client, t, action, **data):
    t.refresh_from_db()
    data.setdefault("version", t.version)
    return client.post(reverse("tickets:act", args=[t.pk, action]), data)


def _page(client, t):
    r = client.get(reverse("tickets:detail", args=[t.pk]))
    assert r.status_code == 200
    return r.content.decode()


# --- the whole loop ------------------------------------------------------------------------


def test_the_whole_loop_through_the_pages(tw, as_user, photo):
    # The resident reports a leaking pipe with a photo.
    c = as_user(tw.resident)
    r = c.post(reverse("tickets:submit"), _form(tw, photos=[photo()]))
    assert r.status_code == 302
    t = Ticket.objects.get()
    assert r["Location"].startswith(reverse("tickets:detail", args=[t.pk]))
    assert t.channel == "web" and t.household == tw.hh_3_2_501
    assert t.photos.count() == 1

    # Staff assigns it to the repair team.
    c = as_user(tw.staff)
    assert _act(c, t, "assign", team=tw.repair_team.pk).status_code == 302
    t.refresh_from_db()
    assert t.status == Status.ASSIGNED and t.assignee_team == tw.repair_team

    # The handler (a member of the team) takes it on and resolves it.
    c = as_user(tw.handler)
    page = _page(c, t)
    assert 'data-action="claim"' in page
    assert _act(c, t, "claim").status_code == 302
    assert _act(c, t, "resolve", result="换了新的水管接头").status_code == 302
    t.refresh_from_db()
    assert t.status == Status.RESOLVED and t.assignee_user == tw.handler

    # Staff replies to the requester.
    c = as_user(tw.staff)
    assert _act(c, t, "reply", body="已修好，请检查。").status_code == 302

    # The resident sees the reply and rates it: closed.
    c = as_user(tw.resident)
    page = _page(c, t)
    assert "已修好，请检查。" in page and 'value="satisfied"' in page
    assert _act(c, t, "rate", rating="satisfied", comment="谢谢").status_code == 302
    t.refresh_from_db()
    assert t.status == Status.CLOSED and t.rating == "satisfied"

    page = _page(c, t)
    for step in [
        "ticket.submitted",
        "ticket.assigned",
        "ticket.claimed",
        "ticket.resolved",
        "ticket.replied",
        "ticket.rated",
    ]:
        assert Event.objects.filter(verb=step, object_id=t.pk).exists(), step
    assert page.count("<li class=") >= 6  # every step on the resident's timeline
    assert "换了新的水管接头" in page  # the result is public
    # The handler's name is never shown to the requester.
    assert tw.handler.get_full_name() not in page


def test_unsatisfied_reopens_and_is_counted(tw, as_user, submit):
    t = submit()
    services.ticket_assign(actor=tw.staff, ticket=t, team=tw.repair_team)
    services.ticket_claim(actor=tw.handler, ticket=t)
    services.ticket_resolve(actor=tw.handler, ticket=t, result="修了")
    services.ticket_reply(actor=tw.staff, ticket=t, body="修好了")
    c = as_user(tw.resident)
    r = _act(c, t, "rate", rating="unsatisfied", comment="还在漏")
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.status == Status.ASSIGNED and t.reopen_count == 1
    page = _page(as_user(tw.staff), t)
    assert "还在漏" in page


# --- my requests ---------------------------------------------------------------------------


def test_my_requests_lists_only_mine_newest_first_with_plain_status(tw, as_user, submit):
    first = submit(description="第一件")
    second = submit(description="第二件")
    services.ticket_submit(
        actor=tw.other_resident, category=tw.water, description="别人的", household=tw.hh_4_1_101
    )
    r = en(as_user(tw.resident)).get(reverse("tickets:mine"))
    page = r.content.decode()
    assert r.status_code == 200
    assert 'data-testid="report-problem"' in page
    assert page.index(f"#{second.pk} ") < page.index(f"#{first.pk} ")
    assert "别人的" not in page
    assert "Received — waiting for the community" in page


def test_my_requests_flags_overdue(tw, as_user, submit):
    t = submit()
    Ticket.objects.filter(pk=t.pk).update(
        resolve_by=t.created_at.replace(year=2020), respond_by=t.created_at.replace(year=2020)
    )
    page = as_user(tw.resident).get(reverse("tickets:mine"))
    assert "tag-overdue" in page.content.decode()


def test_my_requests_is_paginated(tw, as_user, submit):
    for i in range(23):
        submit(description=f"事{i}")
    c = as_user(tw.resident)
    page1 = c.get(reverse("tickets:mine")).content.decode()
    page2 = c.get(reverse("tickets:mine") + "?page=2").content.decode()
    assert page1.count('<li class="card">') == 20
    assert page2.count('<li class="card">') == 3


def test_handler_sees_their_tasks_on_my_requests(tw, as_user, submit):
    t = submit()
    services.ticket_assign(actor=tw.staff, ticket=t, team=tw.repair_team)
    page = as_user(tw.handler).get(reverse("tickets:mine")).content.decode()
    assert reverse("tickets:detail", args=[t.pk]) in page


# --- reporting -----------------------------------------------------------------------------


def test_submit_page_shows_emergency_numbers_and_only_my_communitys_categories(tw, as_user):
    r = as_user(tw.resident).get(reverse("tickets:submit"))
    page = r.content.decode()
    assert r.status_code == 200
    for number in ("110", "119", "120"):
        assert f'href="tel:{number}"' in page
    assert 'name="emergency"' in page
    assert tw.water.name in page and tw.lights.name in page
    assert f'name="category" value="{tw.nancun_cat.pk}"' not in page
    assert 'accept="image/*"' in page and 'capture="environment"' in page
    assert "multiple" in page and 'enctype="multipart/form-data"' in page
    # The category's extra question is a field.
    assert "几楼?" in page


def test_emergency_is_accepted_at_once_and_the_result_page_repeats_the_numbers(tw, as_user):
    c = as_user(tw.resident)
    r = c.post(reverse("tickets:submit"), _form(tw, emergency="on", description="煤气味很重"))
    assert r.status_code == 302
    t = Ticket.objects.get()
    assert t.emergency and t.status == Status.ACCEPTED
    page = c.get(r["Location"]).content.decode()
    for number in ("110", "119", "120"):
        assert f'href="tel:{number}"' in page


def test_report_a_public_spot_or_a_building(tw, as_user):
    c = as_user(tw.resident)
    r = c.post(
        reverse("tickets:submit"),
        _form(tw, category=tw.lights.pk, place="public", location_text="东门路灯"),
    )
    assert r.status_code == 302
    r = c.post(reverse("tickets:submit"), _form(tw, place="estate", spot=f"u:{tw.u3_2.pk}"))
    assert r.status_code == 302
    public, unit = Ticket.objects.order_by("pk")
    assert public.location_text == "东门路灯" and public.household is None
    assert unit.unit == tw.u3_2 and unit.building == tw.b3 and unit.household is None


def test_extra_questions_are_saved_with_the_request(tw, as_user):
    c = as_user(tw.resident)
    field = f"attr_{tw.water.pk}_0"
    assert c.post(reverse("tickets:submit"), _form(tw, **{field: "5"})).status_code == 302
    assert Ticket.objects.get().attributes == {"floor": "5"}


def test_missing_place_or_category_is_refused_with_nothing_saved(tw, as_user):
    c = as_user(tw.resident)
    r = c.post(reverse("tickets:submit"), _form(tw, place="public", location_text=""))
    assert r.status_code == 400
    r = c.post(reverse("tickets:submit"), _form(tw, category=tw.nancun_cat.pk))
    assert r.status_code == 400
    r = c.post(reverse("tickets:submit"), _form(tw, description="   "))
    assert r.status_code == 400
    assert Ticket.objects.count() == 0


def test_a_file_pretending_to_be_a_photo_is_refused_with_nothing_saved(tw, as_user):
    fake = SimpleUploadedFile(
        "leak.jpg", b"MZ\x90\x00 not really an image", content_type="image/jpeg"
    )
    r = as_user(tw.resident).post(reverse("tickets:submit"), _form(tw, photos=[fake]))
    assert r.status_code == 400
    assert "leak.jpg" in r.content.decode()
    assert Ticket.objects.count() == 0 and TicketPhoto.objects.count() == 0


def test_more_than_five_photos_are_refused_with_nothing_saved(tw, as_user, photo):
    r = en(as_user(tw.resident)).post(
        reverse("tickets:submit"), _form(tw, photos=[photo(f"p{i}.jpg") for i in range(6)])
    )
    assert r.status_code == 400
    assert "At most 5 photos." in r.content.decode()
    assert Ticket.objects.count() == 0 and TicketPhoto.objects.count() == 0


def test_photos_are_stripped_and_streamed_only_to_those_who_may_see(tw, as_user):
    buf = io.BytesIO()
    Image.new("RGB", (3000, 2000), (10, 10, 10)).save(buf, "PNG")
    big = SimpleUploadedFile("big.png", buf.getvalue(), content_type="image/png")
    c = as_user(tw.resident)
    assert c.post(reverse("tickets:submit"), _form(tw, photos=[big])).status_code == 302
    p = TicketPhoto.objects.get()
    url = reverse("tickets:photo", args=[p.pk])
    r = c.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert "private" in r["Cache-Control"]
    assert max(Image.open(io.BytesIO(b"".join(r.streaming_content))).size) <= 1600
    assert as_user(tw.other_resident).get(url).status_code == 404
    assert as_user(tw.outsider).get(url).status_code == 404
    assert as_user(tw.volunteer).get(url).status_code == 403
    assert as_user(tw.staff).get(url).status_code == 200
    as_user(None)
    assert c.get(url).status_code == 302  # to the log-in page


def test_html_in_the_description_is_escaped(tw, as_user):
    c = as_user(tw.resident)
    c.post(reverse("tickets:submit"), _form(tw, description="<script>alert(1)</script>漏水"))
    t = Ticket.objects.get()
    for user in (tw.resident, tw.staff):
        page = _page(as_user(user), t)
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_only_residents_report_for_themselves(tw, as_user):
    assert as_user(tw.staff).get(reverse("tickets:submit")).status_code == 403
    assert as_user(tw.volunteer).post(reverse("tickets:submit"), _form(tw)).status_code == 403
    assert as_user(None).get(reverse("tickets:submit")).status_code == 302
    assert Ticket.objects.count() == 0


# --- what the requester sees and may do ----------------------------------------------------


def test_internal_notes_and_the_handlers_name_never_reach_the_requester(tw, as_user, submit):
    t = submit()
    services.ticket_assign(actor=tw.staff, ticket=t, user=tw.handler)
    staff = as_user(tw.staff)
    r = staff.post(
        reverse("tickets:comment", args=[t.pk]), {"kind": "note", "body": "住户脾气不好，注意沟通"}
    )
    assert r.status_code == 302
    r = staff.post(
        reverse("tickets:comment", args=[t.pk]), {"kind": "progress", "body": "师傅明天上午到"}
    )
    assert r.status_code == 302
    assert "住户脾气不好" in _page(staff, t)

    page = _page(as_user(tw.resident), t)
    assert "住户脾气不好" not in page
    assert "师傅明天上午到" in page
    assert tw.handler.get_full_name() not in page
    assert tw.staff.get_full_name() not in page
    assert TicketComment.objects.filter(kind="note").count() == 1


def test_requester_may_withdraw(tw, as_user, submit):
    t = submit()
    r = _act(as_user(tw.resident), t, "withdraw", reason="自己修好了")
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.status == Status.WITHDRAWN


def test_requester_cannot_assign_or_close(tw, as_user, submit):
    t = submit()
    c = as_user(tw.resident)
    assert _act(c, t, "assign", team=tw.repair_team.pk).status_code == 403
    assert _act(c, t, "accept").status_code == 403
    assert (
        c.post(reverse("tickets:comment", args=[t.pk]), {"kind": "note", "body": "x"}).status_code
        == 403
    )
    t.refresh_from_db()
    assert t.status == Status.SUBMITTED


def test_only_the_requester_may_rate(tw, as_user, submit):
    t = submit()
    services.ticket_assign(actor=tw.staff, ticket=t, team=tw.repair_team)
    services.ticket_resolve(actor=tw.staff, ticket=t, result="修了")
    services.ticket_reply(actor=tw.staff, ticket=t, body="修好了")
    assert _act(as_user(tw.staff), t, "rate", rating="satisfied").status_code == 403
    assert _act(as_user(tw.other_resident), t, "rate", rating="satisfied").status_code == 404
    assert _act(as_user(tw.handler), t, "rate", rating="satisfied").status_code == 403
    t.refresh_from_db()
    assert t.status == Status.REPLIED and t.rating == ""


def test_someone_elses_request_is_not_found(tw, as_user, submit):
    t = submit()
    url = reverse("tickets:detail", args=[t.pk])
    assert as_user(tw.other_resident).get(url).status_code == 404
    assert as_user(tw.outsider).get(url).status_code == 404
    assert as_user(tw.volunteer).get(url).status_code == 403
    assert as_user(None).get(url).status_code == 302
    assert as_user(tw.resident).get(url).status_code == 200
