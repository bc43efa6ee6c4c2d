from django.utils.translation import gettext_lazy as _

from linli.core.events import register_verbs

register_verbs(
    {
        "membership.granted": _("Role granted"),
        "membership.revoked": _("Role removed"),
        "membership.updated": _("Role changed by an administrator"),
        "user.created": _("Account created"),
        "user.password_reset": _("New password set by the community secretary"),
    }
)
