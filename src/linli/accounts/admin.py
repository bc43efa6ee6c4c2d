"""Django admin: a superuser's repair tool, not a community work place.

``is_staff`` in Django means "may use the admin"; in Linli community staff get their powers
from role memberships and never need the admin, so the site is closed to all but superusers
(a staff flag set by mistake must not open every table). Role changes made here are written
to the event log like the secretary's, so the community's audit trail stays whole.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from linli.core import policy
from linli.core.events import log_event

from .models import RoleMembership, User


def _superusers_only(request) -> bool:
    user = request.user
    return user.is_active and user.is_superuser


admin.site.has_permission = _superusers_only


@admin.register(User)
class LinliUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Linli"), {"fields": ("display_name", "phone", "resident", "elder_mode")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "display_name", "phone")}),
        *UserAdmin.add_fieldsets,
    )
    list_display = ("username", "display_name", "phone", "is_active", "is_superuser", "last_login")
    list_filter = ("is_active", "is_superuser")
    search_fields = ("username", "display_name", "phone")
    raw_id_fields = ("resident",)


@admin.register(RoleMembership)
class RoleMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "community", "grid", "building", "household", "active")
    list_filter = ("role", "active", "community")
    search_fields = ("user__username", "user__display_name", "user__phone")
    raw_id_fields = ("user", "street_office", "community", "grid", "building", "household")
    list_select_related = ("user", "community", "grid", "building", "household")
    readonly_fields = ("created_at",)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Switch a membership off instead: the event log keeps pointing at it.
        return False

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        verb = "membership.updated" if change else "membership.granted"
        log_event(
            actor=request.user,
            verb=verb,
            obj=obj,
            community_id=obj.community_id,
            data={
                "user": obj.user_id,
                "role": obj.role,
                "admin": True,
                "changed": list(form.changed_data),
            },
        )
        policy.forget_memberships(obj.user)
