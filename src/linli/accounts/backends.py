from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router
from django.db.models import Q

from linli.core import prepared
from linli.core.fastpath import _convert, compiled
from linli.core.notifications import UNREAD_ATTR, unread_sql

# (alias) -> the user row's SQL with the unread count as one more column.
_USER_SQL: dict[str, str] = {}


def user_with_unread(pk: Any) -> Any:
    """``User.objects.filter(pk=pk).first()`` with the unread count set on it, in one statement
    whose SQL the ORM compiled once per process (core/fastpath.py) and which PostgreSQL keeps
    prepared per connection (core/prepared.py): read on every signed-in request."""
    User = get_user_model()
    alias = router.db_for_read(User)
    conn = connections[alias]
    sql, fields, converters = compiled(
        alias, "user+unread", lambda: User._base_manager.using(alias).filter(pk=0)
    )
    text = _USER_SQL.get(alias)
    if text is None:
        q = conn.ops.quote_name
        col = f"{q(User._meta.db_table)}.{q(str(User._meta.pk.column))}"
        head, _sep, tail = sql.partition(" FROM ")
        text = _USER_SQL[alias] = f"{head}, ({unread_sql(col)(conn)}) FROM {tail}"
    with prepared.cursor(conn) as cur:
        cur.execute(text, [User._meta.pk.get_db_prep_value(pk, conn)])
        row = cur.fetchone()
    if row is None:
        return None
    user = User.from_db(alias, fields, _convert(row[: len(fields)], converters, conn))
    setattr(user, UNREAD_ATTR, row[len(fields)])
    return user


class PhoneOrUsernameBackend(ModelBackend):
    """Log in with a username or a phone number (one field on the form)."""

    def get_user(self, user_id):
        # Every signed-in request reads its user, and every page shows the unread count: one
        # statement for both (core/fastpath.py, core/notifications.py, core/prepared.py).
        user = user_with_unread(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        User = get_user_model()
        ident = username.strip()
        user = User.objects.filter(Q(username=ident) | Q(phone=ident)).order_by("id").first()
        if user is None:
            User().set_password(password)  # same time whether or not the user exists
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request, credentials) -> str:
    """The canonical user name for django-axes, so that switching between phone number and
    user name does not reset the failed log-in count."""
    ident = ((credentials or {}).get("username") or "").strip()
    if not ident and request is not None:
        ident = (request.POST.get("username") or "").strip()
    if not ident:
        return ""
    User = get_user_model()
    found = User.objects.filter(Q(username=ident) | Q(phone=ident)).order_by("id")
    username = found.values_list("username", flat=True).first()
    return username or ident
