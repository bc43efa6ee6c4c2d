"""A notification is shown in the reader's language and sent in the recipient's, whatever
language was active — or which catalogue was compiled — when it was written."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy, pgettext_lazy

from linli.core.i18n import message_spec, render_spec
from linli.core.models import Notification, NotificationPreference
from linli.core.notifications import notify

pytestmark = pytest.mark.django_db

TITLE = gettext_lazy("Vote announced: %(title)s")
BODY = gettext_lazy(
    "Voting runs from %(opens)s to %(closes)s. Read the question and how it is counted on the "
    "vote page."
)
PARAMS = {"title": "3号楼加装电梯", "opens": "12-05", "closes": "12-20"}


def _notify(user, **kw):
    return notify(
        recipients=[user], verb="vote.noticed", title=TITLE, body=BODY, params=PARAMS, **kw
    )


def test_an_announcement_written_in_english_reads_in_chinese_in_the_chinese_interface(
    world, as_user
):
    # Written while English was active for the recipient (as when the demo was loaded before
    # the Chinese catalogue was compiled): the stored text is English...
    NotificationPreference.objects.create(user=world.resident, language="en")
    (row,) = _notify(world.resident)
    assert row.title.startswith("Vote announced")
    # ...and the resident reading in Chinese sees Chinese.
    page = as_user(world.resident).get(reverse("notifications")).content.decode()
    assert "表决公告：3号楼加装电梯" in page
    assert "Vote announced" not in page and "Voting runs from" not in page


def test_the_same_row_reads_in_english_in_the_english_interface(world, as_user):
    _notify(world.resident)
    c = as_user(world.resident)
    c.cookies["django_language"] = "en"
    page = c.get(reverse("notifications")).content.decode()
    assert "Vote announced: 3号楼加装电梯" in page and "Voting runs from 12-05" in page


def test_email_is_sent_in_the_recipients_language_whatever_is_active(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    world.resident.email = "r@example.org"
    world.resident.save()
    NotificationPreference.objects.create(user=world.resident, email=True, language="zh-hans")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        _notify(world.resident)
    (mail,) = mailoutbox
    assert mail.subject == "表决公告：3号楼加装电梯"
    assert Notification.objects.get(channel=Notification.Channel.EMAIL).status == "sent"


def test_lazy_parameters_and_contexts_are_kept_as_message_ids():
    spec = message_spec(
        TITLE, pgettext_lazy("month", "May"), {"title": gettext_lazy("Accepted"), "n": 3}
    )
    assert spec["params"]["title"] == {"_i18n": "gettext", "args": ["Accepted"]}
    assert spec["body"] == {"_i18n": "pgettext", "args": ["month", "May"]}
    assert render_spec(spec, "en")[0] == "Vote announced: Accepted"
    zh_title = render_spec(spec, "zh-hans")[0]
    assert "Vote announced" not in zh_title and "Accepted" not in zh_title


def test_a_message_that_cannot_be_rendered_again_falls_back_to_the_stored_text(world):
    from django.utils.translation import ngettext_lazy

    title = ngettext_lazy("%(n)s day", "%(n)s days", "n")
    assert message_spec(title, "", {"n": 2}) is None
    (row,) = notify(recipients=[world.resident], verb="x.y", title=title, body="", params={"n": 2})
    assert row.message is None and row.texts("en") == (row.title, row.body)
