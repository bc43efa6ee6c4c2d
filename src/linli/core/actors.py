"""Who is acting: the type of the ``actor`` that services and queries take.

``Actor`` is what ``request.user`` is — a signed-in ``accounts.User`` or Django's
``AnonymousUser`` — so a view passes ``request.user`` on as it is. A service that needs a
signed-in person narrows it with ``actor.is_authenticated`` (mypy then knows it is a ``User``);
the policy answers "no" for an anonymous actor (and for ``None``: a management command or a
task acting for no one).

Core imports no app above it at run time (``tests/core/test_layers.py``): ``User`` and
``RoleMembership`` are named for the type checker only, so ``Actor`` is a string alias here and
the modules that use it start with ``from __future__ import annotations``::

    from __future__ import annotations

    from linli.core.actors import Actor

    def ticket_close(*, actor: Actor, ticket_id: int) -> Ticket: ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from linli.accounts.models import RoleMembership, User

# Quoted: at run time the names above are not imported (core sits below accounts).
Actor: TypeAlias = "User | AnonymousUser"
# One role held at one place (``policy.memberships``).
Membership: TypeAlias = "RoleMembership"


def signed_in(request: HttpRequest) -> User:
    """``request.user`` in a view behind ``login_required``, typed as the ``User`` it is there
    (a stray anonymous request is refused, 403, rather than passed on)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


def user_or_none(actor: Actor | None) -> User | None:
    """The account to record as having done something (a ``core.models.by_user`` field:
    recorded, created, verified by): the signed-in actor, or ``None`` for an anonymous
    actor or none at all (a management command, a task)."""
    return actor if actor is not None and actor.is_authenticated else None
