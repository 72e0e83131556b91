from django.db import migrations

# The built-in school policy's clauses whose days are school days ("the next school day"); SCH-7 is once a year.
SCHOOL_CLAUSES = ("SCH-A1", "SCH-1", "SCH-2", "SCH-3", "SCH-4", "SCH-5", "SCH-6", "SCH-8", "SCH-9", "SCH-10")


def count_school_days(apps, schema_editor):
    Standard = apps.get_model("standards", "Standard")
    Standard.objects.filter(
        policy_version__policy__template_code="school_key_worker", clause__in=SCHOOL_CLAUSES, day_count="calendar",
    ).update(day_count="school")


class Migration(migrations.Migration):

    dependencies = [
        ("standards", "0008_settled_periods"),
    ]

    operations = [
        migrations.RunPython(count_school_days, migrations.RunPython.noop),
    ]
