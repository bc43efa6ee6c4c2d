from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from linli.core.fastpath import get_by_pk
from linli.core.notifications import UNREAD_ATTR, unread_sql


class PhoneOrUsernameBackend(ModelBackend):
    """Log in with a username or a phone number (one field on the form)."""

    def get_user(self, user_id):
        # Every signed-in request reads its user, and every page shows the unread count: one
        # prepared statement for both (core/fastpath.py, core/notifications.py).
        extra = (UNREAD_ATTR, "unread", unread_sql("%(pk)s"))
        user = get_by_pk(get_user_model(), user_id, extra=extra)
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
