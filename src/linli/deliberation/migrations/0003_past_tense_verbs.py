"""Event verbs are past tense: follow-up work's "action.done" becomes "action.completed"
(``ACTION_FLOW``). Reversible: going back renames them again."""

from django.db import migrations

RENAMED = {"action.done": "action.completed"}


def forwards(apps, schema_editor):
    Event = apps.get_model("core", "Event")
    for old, new in RENAMED.items():
        Event.objects.filter(verb=old).update(verb=new)


def backwards(apps, schema_editor):
    Event = apps.get_model("core", "Event")
    for old, new in RENAMED.items():
        Event.objects.filter(verb=new).update(verb=old)


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0002_notice_rules"),
        ("core", "0005_personal_data_reads"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
