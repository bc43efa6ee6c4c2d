"""China's public holidays and the weekend days worked in exchange (调休), as published by the
General Office of the State Council (国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04).

Global rows (``community`` empty). The 2027 schedule is published each November; add it in a
later migration (or in the admin) once it is out.
"""

import datetime as dt

from django.db import migrations

D = dt.date


def _days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


# (name, first day off, last day off, [worked weekend days])
SCHEDULE_2026 = [
    ("元旦", D(2026, 1, 1), D(2026, 1, 3), [D(2026, 1, 4)]),
    ("春节", D(2026, 2, 15), D(2026, 2, 23), [D(2026, 2, 14), D(2026, 2, 28)]),
    ("清明节", D(2026, 4, 4), D(2026, 4, 6), []),
    ("劳动节", D(2026, 5, 1), D(2026, 5, 5), [D(2026, 5, 9)]),
    ("端午节", D(2026, 6, 19), D(2026, 6, 21), []),
    ("中秋节", D(2026, 9, 25), D(2026, 9, 27), []),
    ("国庆节", D(2026, 10, 1), D(2026, 10, 7), [D(2026, 9, 20), D(2026, 10, 10)]),
]


def rows():
    for name, first, last, worked in SCHEDULE_2026:
        for day in _days(first, last):
            yield day, name, False
        for day in worked:
            yield day, f"{name}调休上班", True


def add(apps, schema_editor):
    Holiday = apps.get_model("tickets", "Holiday")
    existing = set(Holiday.objects.filter(community=None).values_list("date", flat=True))
    Holiday.objects.bulk_create(
        Holiday(community=None, date=day, name=name, is_workday=worked)
        for day, name, worked in rows()
        if day not in existing
    )


def remove(apps, schema_editor):
    Holiday = apps.get_model("tickets", "Holiday")
    Holiday.objects.filter(community=None, date__in=[day for day, _, _ in rows()]).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
