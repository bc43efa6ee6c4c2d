"""Request pages: thin — parse a form, call one service or query, render.

One module per part: ``resident`` (my requests, reporting), ``intake`` (taking a request for
someone else), ``queue`` (the office's queue), ``detail`` (one request and its actions),
``settings`` (the secretary's). Domain errors (``DomainError``) are shown by ``core.pages``
(``form_page``/``run_action``) with their message and HTTP status (400, or 409 for a stale
page or a transition not possible now); ``PermissionDenied`` is a 403 and ``Http404`` a 404,
both raised by the one policy.
"""

from ._common import PLAIN_STATUS
from .detail import ACTION_FORMS, act, comment, detail, moderate, photo
from .intake import intake
from .queue import QUEUE_COOKIE, QUEUE_DEFAULT, bulk_assign, queue
from .resident import mine, submit
from .settings import (
    categories,
    category_edit,
    holiday_add,
    request_settings,
    team_members,
    team_save,
)

__all__ = [
    "ACTION_FORMS",
    "PLAIN_STATUS",
    "QUEUE_COOKIE",
    "QUEUE_DEFAULT",
    "act",
    "bulk_assign",
    "categories",
    "category_edit",
    "comment",
    "detail",
    "holiday_add",
    "intake",
    "mine",
    "moderate",
    "photo",
    "queue",
    "request_settings",
    "submit",
    "team_members",
    "team_save",
]
