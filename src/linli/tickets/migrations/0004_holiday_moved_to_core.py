"""The working-day calendar moves to core (``core.Holiday``, ``core.calendar``): every row is
copied, then the requests app's table is dropped."""

from django.db import migrations


def copy_to_core(apps, schema_editor):
    Old = apps.get_model("tickets", "Holiday")
    New = apps.get_model("core", "Holiday")
    New.objects.bulk_create(
        [
            New(
                community_id=h.community_id,
                date=h.date,
                name=h.name,
                is_workday=h.is_workday,
                official=h.community_id is None,
            )
            for h in Old.objects.all()
        ],
        batch_size=500,
        ignore_conflicts=True,
    )


def copy_back(apps, schema_editor):
    Old = apps.get_model("tickets", "Holiday")
    New = apps.get_model("core", "Holiday")
    Old.objects.bulk_create(
        [
            Old(community_id=h.community_id, date=h.date, name=h.name, is_workday=h.is_workday)
            for h in New.objects.all()
        ],
        batch_size=500,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0003_apikey"),
        ("core", "0004_holiday"),
    ]

    operations = [
        migrations.RunPython(copy_to_core, copy_back),
        migrations.DeleteModel(name="Holiday"),
    ]
