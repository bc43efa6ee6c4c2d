"""A resident reads who handles their request: the team and, once a person has it, that
person's public name as the community chose ("维修组 吴师傅") — never an empty label, never
a phone; "待分派" until it is assigned. The same on the page and in the JSON API."""

import pytest
from django.urls import reverse

from linli.tickets import services
from linli.tickets.models import HandlerName, RequestSettings
from tests.factories import grant, make_user

pytestmark = pytest.mark.django_db

API = "/api/tickets/"


@pytest.fixture
def wu(tw):
    """吴建国 of the repair team (维修组), whose phone must never reach a resident."""
    user = make_user("wu", phone="13512345678", display_name="吴建国")
    grant(user, "volunteer", tw.xincun)
    tw.repair_team.members.add(user)
    return user


def _handled_by(client, t, lang="zh-hans") -> str:
    page = client.get(reverse("tickets:detail", args=[t.pk]), HTTP_ACCEPT_LANGUAGE=lang)
    assert page.status_code == 200
    html = page.content.decode()
    cell = html[html.index('data-testid="assignee"') :]
    cell = cell[cell.index(">") + 1 : cell.index("</dd>")]
    api = client.get(f"{API}{t.pk}", HTTP_ACCEPT_LANGUAGE=lang).json()
    assert api["handled_by"] == cell.strip(), (api["handled_by"], cell)
    assert "13512345678" not in html and "13512345678" not in str(api)
    return cell.strip()


def _claimed(tw, wu, submit):
    t = submit()  # the water category sends it to 维修组's pool
    services.ticket_assign(actor=tw.staff, ticket=t, team=tw.repair_team)
    services.ticket_claim(actor=wu, ticket=t)
    return t


def _choose(tw, choice):
    RequestSettings.objects.create(community=tw.xincun, handler_name=choice)


def test_an_unassigned_request_says_not_yet_assigned_in_both_languages(tw, as_user, submit):
    t = submit(category=tw.lights)  # no default team
    client = as_user(tw.resident)
    assert _handled_by(client, t) == "待分派"
    assert _handled_by(client, t, "en") == "Not yet assigned"


def test_a_teams_pool_shows_the_team(tw, wu, as_user, submit):
    t = submit()
    services.ticket_assign(actor=tw.staff, ticket=t, team=tw.repair_team)
    assert _handled_by(as_user(tw.resident), t) == "维修组"


def test_by_default_the_resident_reads_the_team_and_surname_shifu(tw, wu, as_user, submit):
    t = _claimed(tw, wu, submit)
    client = as_user(tw.resident)
    assert _handled_by(client, t) == "维修组 吴师傅"
    assert _handled_by(client, t, "en") == "维修组 Master 吴"


def test_a_community_may_show_surname_tongzhi(tw, wu, as_user, submit):
    _choose(tw, HandlerName.SURNAME_TONGZHI)
    t = _claimed(tw, wu, submit)
    client = as_user(tw.resident)
    assert _handled_by(client, t) == "维修组 吴同志"
    assert _handled_by(client, t, "en") == "维修组 Comrade 吴"


def test_a_community_may_show_the_full_name(tw, wu, as_user, submit):
    _choose(tw, HandlerName.FULL)
    t = _claimed(tw, wu, submit)
    assert _handled_by(as_user(tw.resident), t) == "维修组 吴建国"
    assert _handled_by(as_user(tw.resident), t, "en") == "维修组 吴建国"


def test_a_community_may_show_the_team_only(tw, wu, as_user, submit):
    _choose(tw, HandlerName.TEAM)
    t = _claimed(tw, wu, submit)
    assert _handled_by(as_user(tw.resident), t) == "维修组"


def test_a_person_given_the_request_directly_shows_with_their_team(tw, wu, as_user, submit):
    t = submit()
    services.ticket_assign(actor=tw.staff, ticket=t, user=wu)
    assert _handled_by(as_user(tw.resident), t) == "维修组 吴师傅"


def test_a_person_with_no_team_and_no_known_surname_is_never_an_empty_label(tw, as_user, submit):
    nameless = make_user("clerk7", phone="13512345678", display_name="")
    grant(nameless, "community_staff", tw.xincun)
    t = submit(category=tw.lights)
    services.ticket_assign(actor=tw.staff, ticket=t, user=nameless)
    client = as_user(tw.resident)
    assert _handled_by(client, t) == "社区工作人员"
    assert _handled_by(client, t, "en") == "A member of the community office"


def test_a_compound_surname_is_kept_whole(tw, as_user, submit):
    ouyang = make_user("ouyang", display_name="欧阳修")
    grant(ouyang, "community_staff", tw.xincun)
    t = submit(category=tw.lights)
    services.ticket_assign(actor=tw.staff, ticket=t, user=ouyang)
    assert _handled_by(as_user(tw.resident), t) == "欧阳师傅"


def test_staff_still_read_the_assignee_as_recorded(tw, wu, as_user, submit):
    t = _claimed(tw, wu, submit)
    assert _handled_by(as_user(tw.staff), t) == "吴建国"
    t2 = submit(category=tw.lights)
    assert _handled_by(as_user(tw.staff), t2) == "待分派"


# --- the secretary's choice -----------------------------------------------------------------

SETTINGS = "tickets:request_settings"


def test_the_secretary_chooses_the_full_name_and_the_resident_reads_it(tw, wu, as_user, submit):
    t = _claimed(tw, wu, submit)
    sec = as_user(tw.secretary)
    page = sec.get(reverse("tickets:categories", args=["xincun"])).content.decode()
    assert 'data-testid="request-settings-form"' in page and "姓加“师傅”（吴师傅）" in page
    r = sec.post(reverse(SETTINGS, args=["xincun"]), {"handler_name": "full"})
    assert r.status_code == 302
    assert RequestSettings.objects.get(community=tw.xincun).updated_by == tw.secretary
    assert _handled_by(as_user(tw.resident), t) == "维修组 吴建国"


def test_a_choice_not_offered_is_refused_with_nothing_saved(tw, as_user):
    r = as_user(tw.secretary).post(
        reverse(SETTINGS, args=["xincun"]), {"handler_name": "phone"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 400
    assert "Select a valid choice" in r.content.decode()
    assert not RequestSettings.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("staff", 403), ("leader", 403), ("resident", 403), ("outsider", 404)]
)
def test_only_the_secretary_of_the_community_sets_it(tw, as_user, who, status):
    r = as_user(getattr(tw, who)).post(reverse(SETTINGS, args=["xincun"]), {"handler_name": "full"})
    assert r.status_code == status
    assert not RequestSettings.objects.exists()


def test_a_familiar_name_gives_its_surname(tw, as_user, submit):
    # tw.handler is "老李师傅": 老 + surname, not a surname 老
    t = submit()
    services.ticket_assign(actor=tw.staff, ticket=t, user=tw.handler)
    assert _handled_by(as_user(tw.resident), t) == "维修组 李师傅"


def test_a_progress_update_shows_its_handler_by_the_public_name(tw, wu, as_user, submit):
    t = _claimed(tw, wu, submit)
    r = as_user(wu).post(
        reverse("tickets:comment", args=[t.pk]), {"kind": "progress", "body": "明天上午到"}
    )
    assert r.status_code == 302
    page = as_user(tw.resident).get(reverse("tickets:detail", args=[t.pk])).content.decode()
    timeline = page[page.index("明天上午到") - 300 : page.index("明天上午到")]
    assert '· <span class="muted">吴师傅</span>' in timeline and "吴建国" not in page
