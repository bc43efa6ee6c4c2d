from django.db import migrations

BUILTIN = {
    "empty_nest": ("空巢老人", False),
    "living_alone": ("独居老人", False),
    "left_behind_child": ("留守儿童", False),
    "veteran": ("退役军人", False),
    "party_member": ("党员", False),
    "disability": ("残疾人", True),
    "low_income": ("低收入", True),
}


def create(apps, schema_editor):
    Tag = apps.get_model("registry", "Tag")
    for code, (name, sensitive) in BUILTIN.items():
        Tag.objects.update_or_create(community=None, code=code,
                                     defaults={"name": name, "sensitive": sensitive})


def remove(apps, schema_editor):
    apps.get_model("registry", "Tag").objects.filter(community=None, code__in=BUILTIN).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
