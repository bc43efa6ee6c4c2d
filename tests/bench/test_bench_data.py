"""The district data set's raw inserts (bench/data.py) follow the models: a field added to a
model must not break ``make bench`` twenty minutes into building two million requests."""

from bench import data
from linli.core.models import Event
from linli.tickets.models import Category, Ticket, TicketRequester


def test_bulk_requests_are_rows_the_models_read(world):
    Category.objects.create(community=world.xincun, code="repair", name="维修")
    out = data.add_tickets(40, community_codes_prefix="xincun", seed=1)

    assert out["tickets"] == 40
    tickets = list(Ticket.objects.filter(community=world.xincun))
    assert len(tickets) == 40
    for t in tickets:  # every column readable through the model, defaults as the model's
        assert t.private is False and t.channel == "web" and t.version == 1
        assert t.category.code == "repair" and t.household.community_id == world.xincun.pk
    assert TicketRequester.objects.filter(ticket__community=world.xincun).count() == 40
    verbs = set(Event.objects.filter(community_id=world.xincun.pk).values_list("verb", flat=True))
    assert verbs <= {"ticket.submitted", "ticket.closed"} and "ticket.submitted" in verbs


def test_a_column_without_a_value_stops_the_build_by_name():
    import pytest

    with pytest.raises(SystemExit, match=r"give Ticket\.community a value"):
        data._insert_sql(Ticket, ["id"], fixed={}, json=set())
