"""The notifications outbox: how every domain tells people that something happened.

Services call ``notify`` inside their transaction. It writes, per recipient, an in-app row (the
inbox entry, delivered by being written) and, as the recipient's preference says, an e-mail
row and an SMS row, each rendered in the recipient's language. Only after the transaction
commits are the e-mail and SMS rows handed to the huey task ``deliver_notification``: a
rolled-back change sends nothing and a request never waits for a mail server or SMS gateway.
Rows of people who chose a daily summary stay pending until ``digests_send`` at 18:00.

Delivery claims a row with a conditional UPDATE (pending → sending), so two workers never
both send it. It is *at least once*, not exactly once: a worker that dies after the gateway
accepted a message but before the row is marked sent leaves it "sending"; after ten minutes
``stuck_notifications_requeue`` puts it back to pending and it is sent again.

Example::

    notify(
        recipients=[ticket.assignee],
        verb="ticket.assigned",
        title=_("Request %(number)s was assigned to you"),
        body=_("%(title)s, reported by %(reporter)s."),
        params={"number": ticket.number, "title": ticket.title, "reporter": name},
        url=reverse("tickets:detail", args=[ticket.pk]),
        obj=ticket,
    )
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import F, Model, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .fastpath import insert_rows, objects, scalar, table
from .i18n import message_spec
from .models import Notification, NotificationPreference
from .sms import get_sms_backend

if TYPE_CHECKING:
    from .actors import User

logger = logging.getLogger("linli.notifications")

Channel = Notification.Channel
Status = Notification.Status

MAX_ATTEMPTS = 5
PER_PAGE = 30
# A pending row older than this was missed (broker down, retries used up): enqueue it again.
REQUEUE_PENDING_AFTER = timedelta(minutes=2)
# A row "sending" for this long belongs to a worker that died mid-send.
REQUEUE_SENDING_AFTER = timedelta(minutes=10)
REQUEUE_BATCH = 500

Text = str | Promise
Params = Mapping[str, Any] | Callable[[Any], Mapping[str, Any]] | None


# --- enqueueing ------------------------------------------------------------------------------


def notify(
    *,
    recipients: Iterable[User | None],
    verb: str,
    title: Text,
    body: Text,
    params: Params = None,
    url: str = "",
    obj: Model | None = None,
    community_id: int | None = None,
    dedupe_key: str | None = None,
    preferences: Mapping[int, NotificationPreference] | None = None,
) -> list[Notification]:
    """Tell ``recipients`` (users) that ``verb`` happened; return the rows written.

    ``title`` and ``body`` are message ids (``gettext_lazy``) with ``%(name)s`` placeholders
    filled from ``params`` — a dict, or a function of the recipient returning one. Both are
    rendered once per recipient inside ``translation.override(<their language>)``, so pass
    lazy values in ``params`` too (``Status.X.label``, not ``get_status_display()``).
    ``url`` is a site-relative link ("/tickets/42/"). With ``dedupe_key``, a recipient gets
    at most one row per channel for that key, however often (or concurrently) this is called;
    repeats return nothing. Inactive users are left out. ``preferences``: recipients'
    ``preferences_for``, read by the caller before its transaction (a shorter write lock);
    those of anyone not in it are read here.
    """
    if url and (not url.startswith("/") or url.startswith("//")):
        raise ValueError(f"notification url must be site-relative, got {url!r}")
    users = _unique_active(recipients)
    if not users:
        return []
    if community_id is None and obj is not None:
        community_id = getattr(obj, "community_id", None)
    # Keyword arguments shared by every row (``Notification(**common)``): values of mixed types.
    common: dict[str, Any] = {
        "verb": verb,
        "url": url,
        "community_id": community_id,
        "object_type": ContentType.objects.get_for_model(type(obj)) if obj is not None else None,
        "object_id": obj.pk if obj is not None else None,
        "created_at": timezone.now(),
        "dedupe_key": dedupe_key,
    }
    prefs = dict(preferences or {})
    missing = [u for u in users if u.pk not in prefs]
    if missing:
        prefs.update(preferences_for(missing))
    rendered: dict[str, tuple[str, str]] = {}  # per language, when params are shared
    shared_spec = None if callable(params) else message_spec(title, body, params)
    rows: list[Notification] = []
    for user in users:
        pref = prefs[user.pk]
        if callable(params):
            own = params(user)
            text = _render(title, body, own, pref.language)
            spec = message_spec(title, body, own)
        else:
            if pref.language not in rendered:
                rendered[pref.language] = _render(title, body, params, pref.language)
            text = rendered[pref.language]
            spec = shared_spec
        copy = {
            **common,
            "recipient": user,
            "title": text[0][:200],
            "body": text[1],
            "message": spec,
        }
        rows.append(
            Notification(
                channel=Channel.IN_APP, status=Status.SENT, sent_at=common["created_at"], **copy
            )
        )
        digest = pref.digest == NotificationPreference.Digest.DAILY
        if pref.email and user.email:
            rows.append(Notification(channel=Channel.EMAIL, digest=digest, **copy))
        if pref.sms and user.phone:
            rows.append(Notification(channel=Channel.SMS, digest=digest, **copy))

    # Usually one row: written by the statement compiled once (``fastpath.insert_rows``).
    created = insert_rows(rows) if dedupe_key is None else _create_once(rows, users, dedupe_key)

    to_deliver = [n.pk for n in created if n.status == Status.PENDING and not n.digest]
    if to_deliver:
        # robust: a broker that is down must not turn a committed change into an error page;
        # the rows stay pending and the requeue job enqueues them.
        transaction.on_commit(partial(_enqueue_deliveries, to_deliver), robust=True)
    return created


def _unique_active(recipients: Iterable[User | None]) -> list[User]:
    seen: set[int] = set()
    users: list[User] = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        users.append(user)
    return users


def _render(
    title: Text, body: Text, params: Mapping[str, Any] | None, language: str
) -> tuple[str, str]:
    with translation.override(language):
        if params is None:
            return str(title), str(body)
        values = {k: str(v) if isinstance(v, Promise) else v for k, v in params.items()}
        return str(title) % values, str(body) % values


def _create_once(
    rows: list[Notification], users: list[User], dedupe_key: str
) -> list[Notification]:
    """Insert the rows whose (recipient, channel, key) is new. The unique constraint decides
    between concurrent callers (INSERT … ON CONFLICT DO NOTHING / INSERT OR IGNORE); a row a
    concurrent caller inserted may be returned to both, and the delivery claim sends it once."""
    same_key = Notification.objects.filter(dedupe_key=dedupe_key, recipient__in=users)
    existing = {(r, c): pk for pk, r, c in same_key.values_list("pk", "recipient_id", "channel")}
    new = [n for n in rows if (n.recipient_id, n.channel) not in existing]
    if not new:
        return []
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return list(same_key.exclude(pk__in=existing.values()).order_by("pk"))


def _enqueue_deliveries(ids: list[int]) -> None:
    from .tasks import deliver_notification

    for pk in ids:
        deliver_notification(pk)


# --- preferences -----------------------------------------------------------------------------


def preferences_for(users: list[User]) -> dict[int, NotificationPreference]:
    """Each user's preference (the defaults for those who never chose), in one query."""
    if len(users) == 1:  # the usual case (a requester): with the statement compiled once
        rows = objects(NotificationPreference, "preference", _preference_query, users[0].pk)
    else:
        rows = list(NotificationPreference.objects.filter(user__in=users))
    saved = {p.user_id: p for p in rows}
    return {u.pk: saved.get(u.pk) or NotificationPreference.default_for(u) for u in users}


def _preference_query(user_id: int) -> QuerySet[NotificationPreference]:
    return NotificationPreference.objects.filter(user_id=user_id)


def preference_for(user: User) -> NotificationPreference:
    return preferences_for([user])[user.pk]


def preference_save(
    *, actor: User, email: bool, sms: bool, digest: str, language: str
) -> NotificationPreference:
    pref, _created = NotificationPreference.objects.update_or_create(
        user=actor, defaults={"email": email, "sms": sms, "digest": digest, "language": language}
    )
    return pref


# --- the inbox -------------------------------------------------------------------------------


def inbox_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP)


def notification_list_for(actor: User, *, page: int | str = 1) -> Page[Notification]:
    """The actor's in-app notifications, newest first."""
    qs = inbox_for(actor).only("pk", "title", "body", "message", "url", "created_at", "read_at")
    return Paginator(qs, PER_PAGE).get_page(page)


# Read with the user row on every signed-in request (accounts.backends: one statement for
# both), kept on the user object for the request; marking read forgets it.
UNREAD_ATTR = "_linli_unread"


def unread_count_for(user: User) -> int:
    known = getattr(user, UNREAD_ATTR, None)
    if known is not None:
        return int(known)
    # On every page (the header): one prepared statement, not a queryset per request.
    return int(scalar(Notification, "unread", unread_sql("%s"), [user.pk]) or 0)


def unread_sql(user_column: str) -> Callable[[Any], str]:
    """The unread count's SQL for the user in ``user_column`` (a column or ``%s``)."""

    def sql(conn: Any) -> str:
        t, recipient, channel, read_at = table(
            conn, Notification, "recipient", "channel", "read_at"
        )
        return (
            f"SELECT COUNT(*) FROM {t} WHERE {recipient} = {user_column} "  # noqa: S608
            f"AND {channel} = '{Channel.IN_APP.value}' AND {read_at} IS NULL"
        )

    return sql


def _forget_unread(user: User) -> None:
    if hasattr(user, UNREAD_ATTR):
        delattr(user, UNREAD_ATTR)


def notification_mark_read(*, actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read; anyone else's is a 404."""
    notification = get_object_or_404(inbox_for(actor), pk=notification_id)
    _forget_unread(actor)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, actor: User) -> int:
    _forget_unread(actor)
    return inbox_for(actor).filter(read_at__isnull=True).update(read_at=timezone.now())


# --- delivery (called by core.tasks) ---------------------------------------------------------


def notification_deliver(notification_id: int) -> str:
    """Send one e-mail or SMS row if this worker wins the claim. Returns what happened.

    On a sending error the row goes back to pending and the error is raised again so that
    huey retries; after ``MAX_ATTEMPTS`` attempts it is marked failed and nothing is raised.
    """
    claimed = (
        Notification.objects.filter(pk=notification_id, status=Status.PENDING, digest=False)
        .exclude(channel=Channel.IN_APP)
        # Counted at the claim, so a message that kills its worker cannot loop for ever.
        .update(status=Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1)
    )
    if not claimed:
        return "not claimed"
    n = Notification.objects.select_related("recipient").get(pk=notification_id)
    pref = preference_for(n.recipient)
    address = _address(n.channel, n.recipient, pref)
    mine = Notification.objects.filter(pk=n.pk, status=Status.SENDING)
    if not address:
        mine.update(status=Status.SKIPPED, last_error="channel turned off or no address")
        return Status.SKIPPED
    try:
        with translation.override(pref.language):
            title, body = n.texts()
            if n.channel == Channel.EMAIL:
                send_mail(" ".join(title.splitlines()), _email_text(n), None, [address])
            else:
                get_sms_backend().send(address, _with_link(f"{title}\n{body}".strip(), n.url))
    except Exception as exc:
        failed = n.attempts >= MAX_ATTEMPTS
        mine.update(status=Status.FAILED if failed else Status.PENDING, last_error=_error_text(exc))
        if failed:
            logger.error("notification %s failed after %s attempts: %s", n.pk, n.attempts, exc)
            return Status.FAILED
        raise
    mine.update(status=Status.SENT, sent_at=timezone.now(), last_error="")
    return Status.SENT


def digests_send(now: datetime | None = None) -> int:
    """One e-mail and one SMS per person, combining their pending daily-summary rows.
    Returns how many messages were sent."""
    now = now or timezone.now()
    pairs = (
        Notification.objects.filter(status=Status.PENDING, digest=True)
        .values_list("recipient_id", "channel")
        .order_by("recipient_id", "channel")
        .distinct()
    )
    return sum(_send_digest(user_id, channel, now) for user_id, channel in pairs)


def _send_digest(user_id: int, channel: str, now: datetime) -> bool:
    token = uuid.uuid4().hex
    claimed = Notification.objects.filter(
        recipient_id=user_id, channel=channel, status=Status.PENDING, digest=True
    ).update(status=Status.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1)
    if not claimed:
        return False
    mine = Notification.objects.filter(claim_token=token, status=Status.SENDING)
    rows = list(mine.select_related("recipient").order_by("created_at", "pk"))
    user = rows[0].recipient
    pref = preference_for(user)
    address = _address(channel, user, pref)
    if not address:
        mine.update(status=Status.SKIPPED, last_error="channel turned off or no address")
        return False
    try:
        with translation.override(pref.language):
            texts = [(n, *n.texts()) for n in rows]
            if channel == Channel.EMAIL:
                items = "\n\n".join(_with_link(f"{t}\n{b}".strip(), n.url) for n, t, b in texts)
                send_mail(_("Your Linli notifications"), items + _footer(), None, [address])
            else:
                text = ngettext(
                    "Linli: %(count)s new notification: %(titles)s",
                    "Linli: %(count)s new notifications: %(titles)s",
                    len(rows),
                ) % {"count": len(rows), "titles": "; ".join(t for _n, t, _b in texts)}
                get_sms_backend().send(address, _with_link(text, reverse("notifications")))
    except Exception as exc:
        # The next evening's run tries again, up to MAX_ATTEMPTS.
        logger.warning("digest for user %s on %s failed: %s", user_id, channel, exc)
        mine.filter(attempts__gte=MAX_ATTEMPTS).update(
            status=Status.FAILED, last_error=_error_text(exc)
        )
        mine.update(status=Status.PENDING, last_error=_error_text(exc))
        return False
    mine.update(status=Status.SENT, sent_at=timezone.now(), last_error="")
    return True


def stuck_notifications_requeue(now: datetime | None = None) -> list[int]:
    """Give up on "sending" rows of dead workers (back to pending, or failed when out of
    attempts) and return the ids of pending rows that need to be enqueued again."""
    now = now or timezone.now()
    lost = Notification.objects.filter(status=Status.SENDING).filter(
        Q(claimed_at__lt=now - REQUEUE_SENDING_AFTER) | Q(claimed_at__isnull=True)
    )
    note = "worker stopped while sending; may have been sent twice"
    lost.filter(attempts__gte=MAX_ATTEMPTS).update(status=Status.FAILED, last_error=note)
    lost.update(status=Status.PENDING, last_error=note)
    quiet_since = now - REQUEUE_PENDING_AFTER
    due = (
        Notification.objects.filter(status=Status.PENDING, digest=False, created_at__lt=quiet_since)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=quiet_since))
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    return list(due[:REQUEUE_BATCH])


def _address(channel: str, user: User, pref: NotificationPreference) -> str:
    """Where to send, or "" when the person turned the channel off or has no address."""
    if not user.is_active:
        return ""
    if channel == Channel.EMAIL:
        return user.email if pref.email else ""
    if channel == Channel.SMS:
        return (user.phone or "") if pref.sms else ""
    return ""


def _with_link(text: str, url: str) -> str:
    site = settings.LINLI_NOTIFY_SITE_URL
    return f"{text}\n{site}{url}" if site and url else text


def _footer() -> str:
    site = settings.LINLI_NOTIFY_SITE_URL
    if not site:
        return ""
    link = site + reverse("notifications_preferences")
    return "\n\n-- \n" + _("Change how you are notified: %(url)s") % {"url": link}


def _email_text(n: Notification) -> str:
    title, body = n.texts()
    return _with_link(body or title, n.url) + _footer()


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]
