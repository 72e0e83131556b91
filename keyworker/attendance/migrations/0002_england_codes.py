"""England's 2024 register codes as data."""

from django.db import migrations

from ._england_2024 import ENGLAND_2024


def load(apps, schema_editor):
    AttendanceCode = apps.get_model("attendance", "AttendanceCode")
    for order, (code, meaning, category, possible) in enumerate(ENGLAND_2024, start=1):
        AttendanceCode.objects.update_or_create(
            jurisdiction="england", code=code,
            defaults={"meaning": meaning, "category": category, "possible": possible, "order": order, "in_use": True},
        )


def unload(apps, schema_editor):
    apps.get_model("attendance", "AttendanceCode").objects.filter(jurisdiction="england").delete()


class Migration(migrations.Migration):
    dependencies = [("attendance", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
