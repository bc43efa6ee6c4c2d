"""Personal data at rest (issue 9, findings 1 and 15).

- ``Resident.id_number_masked`` (first 5 and last 4 characters, in clear) is dropped: with the
  birth date beside it, it gave back the whole number. Only the 6-digit region code is kept in
  clear (``id_number_region``), read from the sealed number where the keys are configured.
- Event data held personal values: old and new phone numbers, names and birth dates in
  ``resident.updated``; sensitive tag codes (disability, low income) in ``resident.created``
  and ``resident.tags.changed``. They are rewritten to field names and counts.
"""

from django.db import migrations, models

PERSONAL = {"name", "gender", "birth_date", "phone", "id_number", "health_note", "tags"}


def _region(r, unseal) -> str:
    if r.id_number_sealed:
        try:
            return unseal(r.id_number_sealed)[:6]
        except ValueError:  # the keys are not configured here: the first 5 of the old mask
            pass
    return (r.id_number_masked or "")[:5].replace("*", "")


def keep_region(apps, schema_editor):
    from linli.core.personal import unseal

    Resident = apps.get_model("registry", "Resident")
    batch = []
    for r in Resident.objects.exclude(id_number_masked="").only(
        "id", "id_number_sealed", "id_number_masked"
    ).iterator(chunk_size=2000):
        r.id_number_region = _region(r, unseal)
        batch.append(r)
        if len(batch) >= 2000:
            Resident.objects.bulk_update(batch, ["id_number_region"])
            batch = []
    Resident.objects.bulk_update(batch, ["id_number_region"])


def _split(codes, sensitive: set) -> tuple[list, int]:
    codes = list(codes or [])
    return [c for c in codes if c not in sensitive], sum(1 for c in codes if c in sensitive)


def scrub_events(apps, schema_editor):
    Event = apps.get_model("core", "Event")
    Tag = apps.get_model("registry", "Tag")
    sensitive = set(Tag.objects.filter(sensitive=True).values_list("code", flat=True))
    verbs = ["resident.updated", "resident.created", "resident.tags.changed"]
    batch = []
    for e in Event.objects.filter(verb__in=verbs).only("id", "verb", "data").iterator(2000):
        data = dict(e.data or {})
        if e.verb == "resident.updated" and isinstance(data.get("changes"), dict):
            data["changed"] = list(data.pop("changes"))
        elif e.verb == "resident.created" and "tags" in data:
            data["tag_codes"], data["sensitive_tags"] = _split(data.pop("tags"), sensitive)
        elif e.verb == "resident.tags.changed":
            data["added"], n_added = _split(data.get("added"), sensitive)
            data["removed"], n_removed = _split(data.get("removed"), sensitive)
            data["sensitive_changed"] = n_added + n_removed
        for key in PERSONAL & data.keys():
            data.pop(key)
        if data != e.data:
            e.data = data
            batch.append(e)
        if len(batch) >= 2000:
            Event.objects.bulk_update(batch, ["data"])
            batch = []
    Event.objects.bulk_update(batch, ["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_household_developer_owned"),
        ("core", "0002_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="resident",
            name="id_number_region",
            field=models.CharField(blank=True, default="", editable=False, max_length=6),
        ),
        # Not reversible into the old mask: its last 4 digits are exactly what must go.
        migrations.RunPython(keep_region, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="resident", name="id_number_masked"),
        migrations.RunPython(scrub_events, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="tag",
            name="sensitive",
            field=models.BooleanField(
                default=False,
                help_text="Sensitive tags (health, disability, income) are seen and set by "
                "the community office only.",
                verbose_name="sensitive",
            ),
        ),
    ]
