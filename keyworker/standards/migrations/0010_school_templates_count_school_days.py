from django.db import migrations

# The built-in school policy's clauses whose days are school days: absences are challenged "by the next school day",
# and attendance concerns followed up within school days.
SCHOOL_CLAUSES = ("SCH-5",)


def count_school_days(apps, schema_editor):
    Standard = apps.get_model("standards", "Standard")
    Standard.objects.filter(
        policy_version__policy__template_code="school_key_worker", clause__in=SCHOOL_CLAUSES, day_count="calendar",
    ).update(day_count="school")


class Migration(migrations.Migration):

    dependencies = [
        ("standards", "0009_settled_periods"),
    ]

    operations = [
        migrations.RunPython(count_school_days, migrations.RunPython.noop),
    ]
