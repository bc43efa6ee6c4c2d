"""The request's events in the past tense (``ticket.accept`` → ``ticket.accepted``, …), as the
transition table (``models.TICKET_TRANSITIONS``) now records them. Reversible."""

from django.db import migrations

# Frozen here: the migration must not change if the table does.
RENAMES = {
    "ticket.accept": "ticket.accepted",
    "ticket.assign": "ticket.assigned",
    "ticket.claim": "ticket.claimed",
    "ticket.start": "ticket.started",
    "ticket.hold": "ticket.held",
    "ticket.resume": "ticket.resumed",
    "ticket.resolve": "ticket.resolved",
    "ticket.reply": "ticket.replied",
    "ticket.rate": "ticket.rated",
    "ticket.revisit": "ticket.revisited",
    "ticket.close": "ticket.closed",
    "ticket.mark_duplicate": "ticket.marked_duplicate",
    "ticket.refer": "ticket.referred",
    "ticket.withdraw": "ticket.withdrawn",
}


def _rename(apps, mapping: dict[str, str]) -> None:
    Event = apps.get_model("core", "Event")
    for old, new in mapping.items():
        Event.objects.filter(verb=old).update(verb=new)


def forwards(apps, schema_editor):
    _rename(apps, RENAMES)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0006_request_settings"),
        ("core", "0005_personal_data_reads"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
