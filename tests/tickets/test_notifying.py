"""Who hears what: the requester of acceptance, assignment, extension, resolution and the
reply; the handler of the assignment; the office of an emergency."""

import pytest

from linli.core.models import Notification
from linli.tickets import services

pytestmark = pytest.mark.django_db


def verbs_for(user):
    return list(
        Notification.objects.filter(recipient=user, channel="in_app")
        .order_by("id")
        .values_list("verb", flat=True)
    )


def test_requester_and_handler_hear_each_step(tw, submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        t = submit()
        services.ticket_assign(actor=tw.staff, ticket=t, user=tw.handler)
        services.ticket_extend(actor=tw.staff, ticket=t, days=2, reason="等配件")
        services.ticket_resolve(actor=tw.handler, ticket=t, result="修好了")
        services.ticket_reply(actor=tw.staff, ticket=t, body="已修好")
    # Assigning a fresh request accepts it too; the requester gets one message for both.
    assert verbs_for(tw.resident) == [
        "ticket.submitted",
        "ticket.assigned_requester",
        "ticket.extended",
        "ticket.resolved",
        "ticket.replied",
    ]
    assert verbs_for(tw.handler) == ["ticket.assigned"]
    n = Notification.objects.get(recipient=tw.resident, verb="ticket.replied")
    assert n.url == f"/requests/{t.pk}/" and str(t.pk) in n.title


def test_acceptance_on_its_own_is_announced(tw, submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        t = submit()
        services.ticket_accept(actor=tw.staff, ticket=t)
    assert verbs_for(tw.resident) == ["ticket.submitted", "ticket.accepted"]


def test_emergency_alerts_the_office(tw, submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(emergency=True, description="闻到燃气味")
    for office in (tw.staff, tw.secretary):
        assert "ticket.emergency" in verbs_for(office)
    assert "ticket.emergency" not in verbs_for(tw.outsider)


def test_a_refused_change_tells_nobody(tw, submit, django_capture_on_commit_callbacks):
    from linli.tickets.workflow import TicketError

    t = submit()
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TicketError):
        services.ticket_assign(actor=tw.staff, ticket=t, user=tw.outsider)
    assert Notification.objects.count() == before


def test_every_kind_of_request_notification_reads_in_chinese_and_in_english(tw, submit):
    """Each kind keeps its message ids, so the inbox shows it in the reader's language; the
    kinds are read from notifying.py, so a new one cannot be left out of this test."""
    import inspect
    import re

    from linli.tickets import notifying

    t = submit()
    other = submit(actor=tw.other_resident, household=tw.hh_4_1_101)
    services.ticket_mark_duplicate(actor=tw.staff, ticket=other, original=t)  # a joined requester
    t.refresh_from_db()
    t.assignee_user = tw.handler
    t.referred_to, t.referral_reason = "供电公司", "线路归供电公司"
    t.save()
    calls = {
        "submitted": (t,),
        "emergency": (t,),
        "accepted": (t,),
        "assigned": (t,),
        "held": (t,),
        "extended": (t, "等配件"),
        "progress": (t,),
        "resolved": (t,),
        "replied": (t,),
        "reopened": (t,),
        "merged": (other, t),
        "closed": (t,),
        "reopened_for_joined": (t,),
        "referred": (t,),
        "withdrawn": (t,),
    }
    Notification.objects.all().delete()
    for name, args in calls.items():
        getattr(notifying, name)(*args)
    declared = set(re.findall(r'"(ticket\.[a-z_]+)"', inspect.getsource(notifying)))
    made = set(Notification.objects.values_list("verb", flat=True))
    assert made == declared
    for verb in sorted(made):
        n = Notification.objects.filter(verb=verb, channel="in_app").first()
        assert n.message is not None, verb
        zh, en = n.texts("zh-hans"), n.texts("en")
        assert zh[0] != en[0] and zh[1] != en[1], (verb, zh, en)
        assert not re.search(r"[\u4e00-\u9fff]", n.message["title"]["args"][-1]), verb
