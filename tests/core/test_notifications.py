"""The notifications outbox: enqueueing, delivery by e-mail and SMS in each person's language,
retries, the claim, daily summaries, and a person's own notifications page."""

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from huey.contrib.djhuey import HUEY

from linli.core import notifications
from linli.core.models import Notification, NotificationPreference
from linli.core.notifications import notify
from linli.core.sms import LoggingSmsBackend
from linli.core.tasks import deliver_notification, requeue_stuck_notifications, send_digests

pytestmark = pytest.mark.django_db

# Message ids that already have a Chinese translation, so the language is visible.
TITLE = _("Roles in %(name)s")  # zh: "%(name)s的角色分工"
BODY = _(
    "There is no household %(label)s in this community."
)  # zh: "本社区没有 %(label)s 这一户。"
PARAMS = {"name": "新村", "label": "3-2-501"}


@pytest.fixture(autouse=True)
def _outboxes(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LINLI_SMS_BACKEND = "linli.core.sms.LoggingSmsBackend"
    settings.LINLI_NOTIFY_SITE_URL = "https://linli.example.org"
    LoggingSmsBackend.outbox.clear()
    HUEY.flush()  # huey's in-memory schedule (retries) outlives a test
    yield
    LoggingSmsBackend.outbox.clear()
    HUEY.flush()


def _with_email(user, email="person@example.org", **pref):
    user.email = email
    user.save(update_fields=["email"])
    if pref:
        NotificationPreference.objects.create(user=user, **pref)
    return user


def _send(user, **kw):
    kw = {"verb": "test.happened", "title": TITLE, "body": BODY, "params": PARAMS, **kw}
    return notify(recipients=[user], **kw)


def test_an_in_app_notification_is_always_written_and_already_delivered(world):
    (row,) = _send(world.leader, url="/registry/")
    assert row.channel == "in_app" and row.status == "sent" and row.read_at is None
    assert row.title == "新村的角色分工" and row.url == "/registry/"


def test_email_goes_out_after_commit_in_the_recipients_language(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    chinese = _with_email(world.leader, "leader@example.org")
    english = _with_email(world.staff, "staff@example.org", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[chinese, english],
            verb="test.happened",
            title=TITLE,
            body=BODY,
            params=PARAMS,
            url="/registry/",
        )
    by_address = {m.to[0]: m for m in mailoutbox}
    assert by_address["leader@example.org"].subject == "新村的角色分工"
    assert "本社区没有 3-2-501 这一户。" in by_address["leader@example.org"].body
    assert by_address["staff@example.org"].subject == "Roles in 新村"
    assert "There is no household 3-2-501" in by_address["staff@example.org"].body
    assert "https://linli.example.org/registry/" in by_address["staff@example.org"].body
    assert set(Notification.objects.filter(channel="email").values_list("status", flat=True)) == {
        "sent"
    }


def test_a_person_without_an_email_address_gets_no_email_row(world):
    rows = _send(world.leader)
    assert [r.channel for r in rows] == ["in_app"]


def test_sms_goes_through_the_sms_backend_when_chosen(world, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=world.resident, sms=True, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        rows = _send(world.resident)
    assert sorted(r.channel for r in rows) == ["in_app", "sms"]
    (sms,) = LoggingSmsBackend.outbox
    assert sms.phone == "13812341234" and sms.text.startswith("新村的角色分工")


def test_a_rolled_back_change_sends_nothing(world, mailoutbox, django_capture_on_commit_callbacks):
    _with_email(world.leader)

    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        _send(world.leader)
        raise Boom
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mailoutbox == []


def test_nothing_is_sent_before_the_transaction_commits(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    _with_email(world.leader)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send(world.leader)
    assert mailoutbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(mailoutbox) == 1


def test_the_same_dedupe_key_enqueues_once(world, mailoutbox, django_capture_on_commit_callbacks):
    _with_email(world.leader)
    with django_capture_on_commit_callbacks(execute=True):
        first = _send(world.leader, dedupe_key="reminder:42:2024-05-01")
        second = _send(world.leader, dedupe_key="reminder:42:2024-05-01")
    assert len(first) == 2 and second == []
    assert Notification.objects.filter(recipient=world.leader).count() == 2
    assert len(mailoutbox) == 1
    # A different key, or another person with the same key, is a new notification.
    assert len(_send(world.leader, dedupe_key="reminder:42:2024-05-02")) == 2
    assert len(_send(world.staff, dedupe_key="reminder:42:2024-05-01")) == 1


def test_the_database_refuses_a_second_row_with_the_same_key(world):
    # What makes two concurrent callers safe: the loser's INSERT is ignored, not doubled.
    _send(world.leader, dedupe_key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=world.leader, channel="in_app", verb="t", title="t", dedupe_key="k"
        )
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=world.leader, channel="in_app", verb="t", title="t", dedupe_key="k"
            )
        ],
        ignore_conflicts=True,
    )
    assert Notification.objects.filter(dedupe_key="k").count() == 1


def test_a_failed_send_is_retried_and_then_succeeds(world, mailoutbox, monkeypatch):
    _with_email(world.leader)
    (_, email) = _send(world.leader)
    real_send_mail = notifications.send_mail
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionRefusedError("mail server down")
        return real_send_mail(*args, **kwargs)

    monkeypatch.setattr(notifications, "send_mail", flaky)
    deliver_notification(email.pk)  # the error is logged by huey, never raised to the caller
    email.refresh_from_db()
    assert email.status == "pending" and email.attempts == 1
    assert "mail server down" in email.last_error and mailoutbox == []

    (retry,) = HUEY.scheduled()  # huey retries in a minute
    assert retry.name.endswith("deliver_notification") and retry.retries == 2
    HUEY.execute(retry, timestamp=retry.eta)  # …and a minute has passed
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 2 and email.sent_at
    assert email.last_error == "" and len(mailoutbox) == 1


def test_a_send_that_keeps_failing_is_marked_failed_after_five_attempts(world, monkeypatch):
    _with_email(world.leader)
    (_, email) = _send(world.leader)

    def down(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(notifications, "send_mail", down)
    for _attempt in range(4):
        with pytest.raises(ConnectionRefusedError):
            notifications.notification_deliver(email.pk)
    assert notifications.notification_deliver(email.pk) == "failed"
    email.refresh_from_db()
    assert email.status == "failed" and email.attempts == 5
    assert notifications.notification_deliver(email.pk) == "not claimed"


def test_the_claim_prevents_sending_twice(world, mailoutbox):
    _with_email(world.leader)
    (_, email) = _send(world.leader)
    deliver_notification(email.pk)
    deliver_notification(email.pk)
    assert len(mailoutbox) == 1
    # A row another worker holds is not touched.
    Notification.objects.filter(pk=email.pk).update(status="sending")
    assert notifications.notification_deliver(email.pk) == "not claimed"


def test_a_channel_turned_off_before_delivery_is_skipped(world, mailoutbox):
    _with_email(world.leader)
    (_, email) = _send(world.leader)
    NotificationPreference.objects.create(user=world.leader, email=False)
    deliver_notification(email.pk)
    email.refresh_from_db()
    assert email.status == "skipped" and mailoutbox == []


def test_requeue_resends_missed_rows_and_rows_of_a_dead_worker(world, mailoutbox):
    _with_email(world.leader)
    (_, missed) = _send(world.leader)  # on_commit never ran: the broker was down
    (_, stuck) = _send(world.leader)
    (_, fresh) = _send(world.leader)
    long_ago = timezone.now() - timedelta(minutes=11)
    Notification.objects.filter(pk__in=[missed.pk, stuck.pk]).update(created_at=long_ago)
    Notification.objects.filter(pk=stuck.pk).update(
        status="sending", claimed_at=long_ago, attempts=1
    )
    requeue_stuck_notifications.call_local()
    statuses = dict(Notification.objects.filter(channel="email").values_list("pk", "status"))
    assert statuses == {missed.pk: "sent", stuck.pk: "sent", fresh.pk: "pending"}
    assert len(mailoutbox) == 2


def test_daily_digest_collects_pending_rows_into_one_email(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    _with_email(world.staff, "staff@example.org", digest="daily", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        _send(world.staff, params={"name": "Xincun", "label": "1"}, url="/registry/")
        _send(world.staff, params={"name": "Nancun", "label": "2"})
    assert mailoutbox == []
    assert Notification.objects.filter(channel="email", status="pending", digest=True).count() == 2
    # In-app rows are not held back.
    assert Notification.objects.filter(channel="in_app", status="sent").count() == 2

    send_digests.call_local()
    (mail,) = mailoutbox
    assert mail.subject == "Your Linli notifications"
    assert "Roles in Xincun" in mail.body and "Roles in Nancun" in mail.body
    assert "https://linli.example.org/registry/" in mail.body
    assert not Notification.objects.filter(status="pending").exists()
    send_digests.call_local()
    assert len(mailoutbox) == 1


def test_digest_runs_at_six_in_the_evening_beijing_time():
    from datetime import datetime

    from linli.core.tasks import local_time_is

    at_six = local_time_is(18, 0)
    assert at_six(datetime(2024, 5, 1, 10, 0))  # huey passes naive UTC
    assert not at_six(datetime(2024, 5, 1, 18, 0))


def test_url_must_be_site_relative(world):
    for bad in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            _send(world.leader, url=bad)


# --- the page ---------------------------------------------------------------------------------


def test_notifications_page_lists_my_own_newest_first(world, as_user):
    _send(world.leader, params={"name": "older", "label": "1"})
    _send(world.leader, params={"name": "newer", "label": "2"}, url="/registry/")
    _send(world.staff, params={"name": "not mine", "label": "3"})
    page = as_user(world.leader).get(reverse("notifications")).content.decode()
    assert page.index("newer") < page.index("older")
    assert "not mine" not in page and 'href="/registry/"' in page


def test_notifications_page_needs_a_log_in(client):
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_marking_read_and_the_unread_count_in_the_nav(world, as_user):
    first, second = (_send(world.leader)[0] for _i in range(2))
    client = as_user(world.leader)

    def nav_count():
        page = client.get("/").content.decode()
        return re.search(r'data-testid="nav-notifications">[^<]*\((\d+)\)', page).group(1)

    assert nav_count() == "2"
    response = client.post(reverse("notifications_read", args=[first.pk]))
    assert response.status_code == 302
    assert nav_count() == "1"
    client.post(reverse("notifications_read_all"))
    assert nav_count() == "0"
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_marking_someone_elses_notification_read_is_a_404(world, as_user):
    (theirs,) = _send(world.staff)
    response = as_user(world.leader).post(reverse("notifications_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_a_post(world, as_user):
    (mine,) = _send(world.leader)
    response = as_user(world.leader).get(reverse("notifications_read", args=[mine.pk]))
    assert response.status_code == 405


def test_anonymous_pages_count_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        page = client.get("/").content.decode()
    assert 'data-testid="nav-notifications"' not in page


def test_notifications_page_query_count_does_not_grow(world, as_user):
    client = as_user(world.leader)

    def add(n):
        Notification.objects.bulk_create(
            Notification(
                recipient=world.leader, channel="in_app", status="sent", verb="t", title="t"
            )
            for _i in range(n)
        )

    def count_queries():
        with CaptureQueriesContext(transaction.get_connection()) as queries:
            assert client.get(reverse("notifications")).status_code == 200
        return len(queries)

    add(5)
    client.get(reverse("notifications"))  # warm caches (content types, memberships)
    few = count_queries()
    add(95)
    assert count_queries() == few <= 8


def test_preferences_are_saved_and_used(world, as_user, mailoutbox):
    _with_email(world.resident, "resident@example.org")
    client = as_user(world.resident)
    page = client.get(reverse("notifications_preferences")).content.decode()
    assert 'name="email"' in page and "checked" in page
    response = client.post(
        reverse("notifications_preferences"),
        {"email": "", "sms": "on", "digest": "daily", "language": "en"},
    )
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=world.resident)
    assert (pref.email, pref.sms, pref.digest, pref.language) == (False, True, "daily", "en")
    rows = _send(world.resident)
    assert sorted(r.channel for r in rows) == ["in_app", "sms"]
    assert rows[0].title == "Roles in 新村"


def test_sms_cannot_be_chosen_without_a_phone_number(world, as_user):
    client = as_user(world.leader)
    client.post(
        reverse("notifications_preferences"),
        {"sms": "on", "digest": "immediate", "language": "zh-hans"},
    )
    assert NotificationPreference.objects.get(user=world.leader).sms is False
