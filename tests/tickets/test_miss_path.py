"""A page-cache miss of the queue and of a request's page renders their forms from HTML kept
behind the choice-list counters (``tickets/views/_fields.py``) and reads a request's
requesters, events, comments and photos with SQL compiled once (``queries._prepared``): the
HTML must be Django's own, the objects the ORM's, and a new person or team must show at once."""

import re

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from linli.core import policy
from linli.tickets import queries, services
from linli.tickets.forms import QueueFilterForm
from linli.tickets.models import HandlingTeam, Ticket
from linli.tickets.views._fields import chosen_html, fields_html, unchosen_parts
from tests.factories import grant, make_user

_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"')


def _page(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200
    return _TOKEN.sub(r"\1-", r.content.decode())


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_queue_filters_marked_on_kept_html_are_what_django_renders(tw, lang):
    policy.memberships(tw.staff)
    choices = queries.queue_choices(tw.staff)
    building = choices["buildings"][0].pk
    team = tw.repair_team.pk
    queries_ = [
        "",
        "status=open",
        f"status=closed&category={tw.water.pk}&building={building}&assignee=t:{team}"
        "&overdue=on&emergency=1&sort=category&channel=phone",
        f"assignee=u:{tw.staff.pk}&sort=oldest",
        "assignee=none&status=",
        "category=99999",  # not offered: the form has an error, rendered in full
        "status=bogus&overdue=1",
        "channel=%22%3E%3Cb%3E",
    ]
    with translation.override(lang):
        parts = unchosen_parts(QueueFilterForm(choices=choices))
        for q in queries_:
            form = QueueFilterForm(QueryDict(q), choices=choices)
            form.filters()
            assert str(chosen_html(form, parts)) == str(fields_html(form)), q


@pytest.mark.parametrize("status", ["submitted", "accepted", "in_progress"])
def test_request_page_forms_from_kept_html_are_a_full_rendering(
    tw, as_user, submit, settings, status
):
    t = submit()
    if status != "submitted":
        services.ticket_act(actor=tw.staff, ticket=t, action="accept")
    if status == "in_progress":
        services.ticket_assign(actor=tw.staff, ticket=Ticket.objects.get(pk=t.pk), user=tw.staff)
        t = Ticket.objects.get(pk=t.pk)
        services.ticket_act(actor=tw.staff, ticket=t, action="start")
    url = reverse("tickets:detail", args=[t.pk])
    c = as_user(tw.staff)
    _page(c, url)  # fills the kept fields
    kept = _page(c, url + "?again=1")
    settings.LINLI_PAGE_CACHE = False
    assert kept == _page(c, url + "?again=1")
    assert 'data-action="assign"' in kept or status == "in_progress"


def test_a_new_handler_and_team_are_offered_at_once(tw, as_user, submit):
    t = submit()
    c = as_user(tw.staff)
    detail, queue = reverse("tickets:detail", args=[t.pk]), reverse("tickets:queue")
    c.get(detail), c.get(queue)  # the assignment's choices and fields are kept now
    newcomer = make_user("newcomer", display_name="新来的王师傅")
    grant(newcomer, "volunteer", tw.xincun)
    HandlingTeam.objects.create(community=tw.xincun, name="绿化组")
    for url in (detail, queue):
        page = c.get(url).content.decode()
        assert f'<option value="{newcomer.pk}">新来的王师傅</option>' in page, url
        assert "绿化组" in page, url


def test_prepared_reads_are_the_orms(tw, submit, photo, django_assert_num_queries):
    t = submit(photos=[photo()])
    services.ticket_comment(actor=tw.staff, ticket=t, body="内部", kind="note")
    services.ticket_comment(actor=tw.staff, ticket=t, body="在修了", kind="progress")
    t = Ticket.objects.get(pk=t.pk)
    for public in (False, True):
        events = queries.ticket_events(t, public_only=public)
        orm = list(
            queries.Event.objects.filter(object_id=t.pk, object_type__model="ticket").order_by(
                "created_at", "id"
            )
        )
        if public:
            orm = [e for e in orm if e.verb in queries.PUBLIC_VERBS]
        assert [(e.pk, e.verb, e.data, e.created_at) for e in events] == [
            (e.pk, e.verb, e.data, e.created_at) for e in orm
        ]
        comments = queries.ticket_comments(t, public_only=public)
        assert [c.body for c in comments] == (["在修了"] if public else ["内部", "在修了"])
    requesters = queries.ticket_requesters(t)
    photos = queries.ticket_photos(t)
    assert [p.pk for p in photos] == [p.pk for p in t.photos.all()]
    assert [(r.pk, r.user_id, r.primary) for r in requesters] == [
        (r.pk, r.user_id, r.primary) for r in t.requesters.order_by("-primary", "added_at", "id")
    ]
    with django_assert_num_queries(0):  # the related rows came with them, as the ORM's do
        assert requesters[0].user.display_name == tw.resident.display_name
        assert {c.author.pk for c in comments} == {tw.staff.pk}
        assert {c.ticket.pk for c in comments} | {p.ticket.pk for p in photos} == {t.pk}


def test_queue_rows_escape_what_people_typed_as_the_template_did(tw, as_user, submit):
    submit(description='<script>alert("x")</script> & 3\'s')
    page = as_user(tw.staff).get(reverse("tickets:queue") + "?status=open").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 3&#x27;s" in page


@pytest.mark.parametrize(
    "text", ["", "短", "x" * 60, "x" * 61, "e\u0301" * 40, "\u0344" * 59 + "ab", "水管" * 40]
)
def test_queue_row_summary_is_truncatechars(text):
    import importlib

    from django.utils.text import Truncator

    queue = importlib.import_module("linli.tickets.views.queue")
    assert queue._summary(text) == Truncator(text).chars(60)


def _ticket_fields(t: Ticket) -> dict:
    return {f.attname: getattr(t, f.attname) for f in Ticket._meta.concrete_fields}


def test_prepared_request_read_is_the_orms_and_authorised_as_before(
    tw, submit, django_assert_num_queries
):
    t = submit()
    services.ticket_act(actor=tw.staff, ticket=t, action="assign", team=tw.repair_team)
    orm = Ticket.objects.select_related(*queries.TICKET_RELATED).get(pk=t.pk)
    for _ in range(2):  # compiled on the first read, run again on the second
        got = queries.ticket_get_for(tw.staff, t.pk)
        assert _ticket_fields(got) == _ticket_fields(orm)
        assert not got._state.adding and got._state.db == orm._state.db
        with django_assert_num_queries(0):  # its relations came with it, as select_related's
            for name in queries.TICKET_RELATED:
                mine, theirs = getattr(got, name), getattr(orm, name)
                assert (mine and mine.pk, str(mine)) == (theirs and theirs.pk, str(theirs)), name
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(Http404):  # another community's staff: as if it did not exist
        queries.ticket_get_for(tw.outsider, t.pk)
    with pytest.raises(Http404):  # no such request
        queries.ticket_get_for(tw.staff, t.pk + 1000)
    with pytest.raises(Http404):  # a key no database column holds: the ORM's answer
        queries.ticket_get_for(tw.staff, 2**70)
    with pytest.raises(PermissionDenied):  # in their places, but not theirs to do
        queries.ticket_get_for(tw.resident, t.pk, "ticket.assign")


_TABS_AS_THE_TEMPLATE_MADE_THEM = (
    "{% for value, label, n in tabs %}"
    '<li><a class="button{% if value == current_status %} primary{% endif %}" '
    'href="{% querystring query status=value page=None %}"'
    '{% if value == current_status %} aria-current="page"{% endif %}>{{ label }} '
    '<span class="count" data-status="{{ value|default:\'all\' }}">{{ n }}</span></a></li>'
    "{% endfor %}"
)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "query",
    [
        "",
        "status=open",
        "status=closed&page=3",
        "page=2&sort=oldest&status=",
        "a=%3C%22&status=x&b=1",
    ],
)
def test_queue_status_tabs_are_what_the_template_made(lang, query):
    import importlib

    from django.template import engines

    from linli.tickets.models import Status

    queue = importlib.import_module("linli.tickets.views.queue")
    params = QueryDict(query)
    current = params.get("status", "")
    with translation.override(lang):
        tabs = [("", "All", 12345), ("open", "Open", 7)] + [
            (s.value, s.label, i) for i, s in enumerate(Status)
        ]
        expected = (
            engines["django"]
            .from_string(_TABS_AS_THE_TEMPLATE_MADE_THEM)
            .render({"tabs": tabs, "query": params, "current_status": current})
        )
        assert "".join(queue._tabs(tabs, params, current)) == expected
    assert params.urlencode() == QueryDict(query).urlencode()  # the page's own query untouched


def test_queue_counts_and_rows_read_once_compiled_are_the_orms(tw, submit):
    """``queries.queue_filtered``'s counts and ``queue_rows``' page, read with SQL compiled
    once per shape, against the ORM's reading of the same filters; and per scope: another
    community's staff, asking the same, get their own."""
    from django.db.models import Count

    a, b, c = submit(), submit(emergency=True), submit(category=tw.lights)
    services.ticket_act(actor=tw.staff, ticket=a, action="assign", team=tw.repair_team)
    services.ticket_act(actor=tw.staff, ticket=c, action="assign", user=tw.staff)
    base = {
        "status": "",
        "category_id": None,
        "building_id": None,
        "channel": "",
        "overdue": False,
        "assignee": "",
        "emergency": False,
    }
    cases = [
        {},
        {"status": "open"},
        {"status": "assigned"},
        {"category_id": tw.lights.pk},
        {"building_id": a.building_id or tw.b3.pk, "status": "open"},
        {"channel": a.channel},
        {"assignee": f"t:{tw.repair_team.pk}"},
        {"assignee": f"u:{tw.staff.pk}", "status": "open"},
        {"assignee": "me"},
        {"assignee": "none", "emergency": True},
        {"assignee": "ext"},
        {"overdue": True},  # reads the clock: the ORM's, every time
    ]
    for actor in (tw.staff, tw.outsider, tw.staff):
        for case in cases:
            f = {**base, **case}
            qs, counts, total = queries.queue_filtered(actor, **f)
            assert set(qs) <= set(queries.tickets_for(actor, "ticket.queue")), case
            per_status = {}
            every = queries.queue_filtered(actor, **{**f, "status": ""})[0]  # the ORM's queryset
            for row in every.order_by().values("status").annotate(n=Count("*")):
                per_status[row["status"]] = row["n"]
            assert {k: v for k, v in counts.items() if k != "open"} == per_status, case
            for order in (("urgent", "-created_at", "-id"), ("urgent", "resolve_by", "id")):
                for low, high in ((0, 25), (1, 2)):
                    page = qs.order_by(*order)[low:high]
                    got = queries.queue_rows(actor, page, {**f, "sort": "newest"})
                    want = list(
                        page.select_related("household", "unit").only(
                            *queries.QUEUE_ROW_FIELDS, *queries.QUEUE_ROW_RELATED
                        )
                    )
                    assert [(t.pk, t.urgent, t.status, t.place_label) for t in got] == [
                        (t.pk, t.urgent, t.status, t.place_label) for t in want
                    ], (case, order, low)
    # The two communities' staff do not share one compiled statement: each sees their own.
    mine = queries.queue_rows(
        tw.staff, queries.queue_filtered(tw.staff, **base)[0].order_by("id")[:25], base
    )
    theirs = queries.queue_rows(
        tw.outsider, queries.queue_filtered(tw.outsider, **base)[0].order_by("id")[:25], base
    )
    assert {t.pk for t in mine} == {a.pk, b.pk, c.pk}
    assert not {t.pk for t in theirs} & {a.pk, b.pk, c.pk}


@pytest.mark.parametrize(
    "q", ["zh", "z", "张", "张 三", "1234", "19189450883", "nobody", "l j", "阿依"]
)
def test_registry_search_compiled_once_finds_what_the_orm_finds(world, q, monkeypatch):
    from linli.core import fastpath
    from linli.registry import queries as registry_queries

    def as_the_orm(actor):
        with monkeypatch.context() as m:  # every shape refused: page_rows runs the querysets
            m.setattr(fastpath, "_SHAPES", {})
            m.setattr(fastpath, "_shape_plan", lambda *a, **k: fastpath._NOT_PREPARED)
            return registry_queries.search(actor, q)

    for actor in (world.staff, world.leader, world.outsider, world.staff):
        got = registry_queries.search(actor, q)  # compiled once, then run again
        orm = as_the_orm(actor)
        assert [(r.pk, r.name, r.household_label, r.community_name) for r in got.residents] == [
            (r.pk, r.name, r.household_label, r.community_name) for r in orm.residents
        ], (actor, q)
        assert got.truncated == orm.truncated
