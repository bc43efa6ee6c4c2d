"""Fixed labels in both languages (issue 11, item 2's leftovers): the photo limit, a category's
extra question ("几楼？" / "Which floor?"), the built-in care tags, a label's colon (满意：… in
Chinese, "Satisfied: …" in English, never "满意:") — and, over the pages, no Chinese fixed
label left in the English interface."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.registry.models import ResidentTag, Tag
from linli.tickets.models import Rating, Status, Ticket
from linli.tickets.services_admin import validate_attributes

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _text(html: str) -> str:
    """The page's visible text, tags and comments dropped."""
    html = re.sub(r"<!--.*?-->|<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_photo_limit_in_the_readers_language(tw, as_user):
    c = as_user(tw.resident)
    url = reverse("tickets:submit")
    # Chinese first: a label fixed at import would stay Chinese for the English reader.
    assert "最多 5 张照片" in c.get(url, **ZH).content.decode()
    en = c.get(url, **EN).content.decode()
    assert "Up to 5 photos." in en and "最多" not in en
    assert "最多 5 张照片" in c.get(url, **ZH).content.decode()


def test_an_extra_question_in_both_languages(tw, as_user):
    clean = validate_attributes(
        [{"code": "floor", "description": "几楼？", "description_en": "Which floor?"}]
    )
    assert clean[0]["description_en"] == "Which floor?"
    tw.water.attributes = clean
    tw.water.save()
    c = as_user(tw.resident)
    url = reverse("tickets:submit")
    en = c.get(url, **EN).content.decode()
    assert "Which floor?" in en and "几楼" not in en
    assert "几楼？" in c.get(url, **ZH).content.decode()
    # Without an English question, the one the community wrote is shown.
    tw.water.attributes = validate_attributes([{"code": "floor", "description": "几楼？"}])
    tw.water.save()
    assert "几楼？" in c.get(url, **EN).content.decode()


def test_the_demo_asks_its_floor_question_in_english_too():
    from linli.demo import tickets as demo_tickets

    source = Path(demo_tickets.__file__).read_text(encoding="utf-8")
    assert '"description_en": "Which floor?"' in source


def test_built_in_care_tags_are_named_in_the_readers_language(world, as_user):
    tag, _ = Tag.objects.get_or_create(
        community=None, code="empty_nest", defaults={"name": "空巢老人"}
    )
    ResidentTag.objects.create(community=world.xincun, resident=world.zhang_san, tag=tag)
    c = as_user(world.staff)
    url = reverse("registry:community", args=[world.xincun.code])
    en = c.get(url, **EN).content.decode()
    assert "Empty-nest elderly 1" in en and "空巢老人" not in en
    assert "空巢老人 1" in c.get(url, **ZH).content.decode()


def test_a_rating_and_its_comment_are_joined_by_the_languages_colon(tw, submit, as_user):
    t = submit()
    Ticket.objects.filter(pk=t.pk).update(
        status=Status.CLOSED,
        rating=Rating.SATISFIED,
        rating_comment="修得很快",
        rated_at=timezone.now(),
        resolved_at=timezone.now(),
    )
    c = as_user(tw.staff)
    url = reverse("tickets:detail", args=[t.pk])
    zh = c.get(url, **ZH).content.decode()
    assert "满意：修得很快" in zh and "满意:" not in zh
    assert "Satisfied: 修得很快" in c.get(url, **EN).content.decode()


PAGES_EN = [
    ("resident", "tickets:submit", []),
    ("resident", "tickets:mine", []),
    ("resident", "home", []),
    ("staff", "home", []),
    ("staff", "tickets:queue", []),
    ("staff", "tickets:metrics", []),
    ("staff", "registry:tags", ["xincun"]),
    ("staff", "deliberation:index", []),
    ("supervisor", "home", []),
    ("handler", "home", []),
]


@pytest.mark.parametrize("who,name,args", PAGES_EN)
def test_no_chinese_fixed_label_in_the_english_interface(tw, as_user, who, name, args):
    """Everything Chinese left on an English page is data the community wrote (names, places,
    categories without an English name): with those taken out, nothing Chinese is left."""
    html = as_user(getattr(tw, who)).get(reverse(name, args=args), **EN).content.decode()
    text = _text(html)
    data = [
        "邻里",  # the brand, written in both scripts on purpose
        "中文",  # the language switch names Chinese in Chinese
        "新村社区",
        "南村社区",
        "白源街道",
        "第一网格",
        "第二网格",
        "维修组",
        "老李师傅",
        "水管",
        "几楼",  # the test category's question, written without an English one
    ]
    for d in data:
        text = text.replace(d, "")
    left = sorted(set(CJK.findall(text)))
    assert not left, f"Chinese left on the English {name}: {''.join(left)} in " + " | ".join(
        line.strip() for line in text.splitlines() if CJK.search(line)
    )
