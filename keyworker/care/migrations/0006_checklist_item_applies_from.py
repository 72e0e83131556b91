"""A setting's own checklist item may be asked of the children who started recently too: `applies_from`, the first
start day it applies to. The items added before it apply from the day they were added, as they did."""

from django.db import migrations, models


def from_added_on(apps, schema_editor):
    ChecklistItem = apps.get_model("care", "ChecklistItem")
    ChecklistItem.objects.update(applies_from=models.F("added_on"))


class Migration(migrations.Migration):

    dependencies = [
        ("care", "0005_monitoring"),
    ]

    operations = [
        migrations.AddField(
            model_name="checklistitem",
            name="applies_from",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(from_added_on, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="checklistitem",
            name="applies_from",
            field=models.DateField(help_text="Children who start on or after this day have it on their checklist"),
        ),
    ]
