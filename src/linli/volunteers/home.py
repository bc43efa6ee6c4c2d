"""The volunteers' card on the home page: my next shift, my hours, hours to verify."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, Sum
from django.utils import timezone

from linli.core.home import register_home_card

if TYPE_CHECKING:
    from linli.core.actors import User


def volunteer_card(user: User) -> dict[str, Any] | None:
    from .models import HourStatus, SignUp, SignUpStatus
    from .queries import verification_queue_for

    profiles = list(user.volunteer_profiles.values_list("pk", flat=True))
    if not profiles:
        return None
    nxt = (
        SignUp.objects.filter(
            profile_id__in=profiles, status=SignUpStatus.SIGNED, shift__ends_at__gte=timezone.now()
        )
        .select_related("shift__activity")
        .order_by("shift__starts_at")
        .first()
    )
    from .models import HourEntry

    minutes = HourEntry.objects.filter(profile_id__in=profiles).aggregate(
        v=Sum("minutes", filter=Q(status=HourStatus.VERIFIED))
    )["v"]
    return {
        "vol_next": nxt,
        "vol_hours": round((minutes or 0) / 60, 1),
        "vol_to_verify": verification_queue_for(user).count(),
    }


def register() -> None:
    register_home_card(
        "volunteers.mine", template="volunteers/home_card.html", context=volunteer_card, order=30
    )
