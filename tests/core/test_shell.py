"""The shell: home page per role, elder mode, language switch, health check, no CDN."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_shows_the_elder_mode_switch_to_everyone(client):
    page = client.get("/").content.decode()
    assert 'data-testid="elder-home-switch"' in page
    assert 'lang="zh-Hans"' in page


def test_elder_mode_is_remembered_by_cookie_for_a_visitor(client):
    response = client.post(reverse("elder_mode"), {"on": "1", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert 'class="elder"' in client.get("/").content.decode()
    client.post(reverse("elder_mode"), {"on": "0"})
    assert 'class="elder"' not in client.get("/").content.decode()


def test_elder_mode_is_remembered_per_user(world, as_user):
    client = as_user(world.resident)
    client.post(reverse("elder_mode"), {"on": "1"})
    world.resident.refresh_from_db()
    assert world.resident.elder_mode is True
    client.cookies.clear()
    client.force_login(world.resident, backend="linli.accounts.backends.PhoneOrUsernameBackend")
    assert 'class="elder"' in client.get("/").content.decode()


def test_elder_mode_switch_refuses_an_offsite_redirect(client):
    response = client.post(reverse("elder_mode"), {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_language_switch_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="en"' in page and "Elder mode" in page


def test_home_per_role(world, as_user):
    page = as_user(world.resident).get("/").content.decode()
    assert "3-2-501" in page and reverse("registry:search") not in page
    page = as_user(world.staff).get("/").content.decode()
    assert reverse("registry:search") in page


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_every_asset_is_served_locally(client):
    page = client.get("/").content.decode()
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not url.startswith(("http:", "https:", "//")), url


def test_secretary_home_links_to_role_management(world, as_user):
    page = as_user(world.secretary).get("/").content.decode()
    assert reverse("accounts:roles", args=["xincun"]) in page
    page = as_user(world.staff).get("/").content.decode()
    assert reverse("accounts:roles", args=["xincun"]) not in page


def test_public_pages_never_show_a_residents_name_or_room(world, client):
    for url in ("/", reverse("accounts:login"), "/healthz"):
        page = client.get(url).content.decode()
        for secret in ("张三", "李四", "3-2-501", "13812341234"):
            assert secret not in page, (url, secret)


def test_every_page_names_its_icon_and_the_icon_is_served(client):
    from django.contrib.staticfiles import finders

    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    assert finders.find("favicon.svg")


def test_no_template_relies_on_an_emoji_font():
    """Emoji render as empty boxes on phones without an emoji font (issue 11: the rating
    buttons): every template says it in words."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "src" / "linli"
    emoji = re.compile(r"[\U0001F000-\U0001FAFF]")  # pictographs; ✓ is in every CJK font
    found = [
        f"{p.relative_to(root)}: {m.group()}"
        for p in root.rglob("*.html")
        for m in emoji.finditer(p.read_text(encoding="utf-8"))
    ]
    assert found == []
