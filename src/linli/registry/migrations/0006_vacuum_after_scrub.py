"""On SQLite, rewrite the file after 0005: the dropped ID-number copies and the rewritten event
data otherwise stay readable in the file's free pages until it is vacuumed."""

from django.db import migrations


def vacuum(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("VACUUM")


class Migration(migrations.Migration):
    atomic = False  # VACUUM cannot run inside a transaction

    dependencies = [("registry", "0005_id_region_no_masked_copy")]
    operations = [migrations.RunPython(vacuum, migrations.RunPython.noop, elidable=True)]
