"""Headteachers and managers are the data protection officers by default: existing roles of those codes gain
the capability to search and export the audit log (organisations may move it to another role afterwards)."""

from django.db import migrations

CAPABILITY = "audit.export"
CODES = ("headteacher", "manager")


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=CODES):
        if CAPABILITY not in role.capabilities:
            role.capabilities = sorted([*role.capabilities, CAPABILITY])
            role.save(update_fields=["capabilities"])


def revoke(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=CODES):
        if CAPABILITY in role.capabilities:
            role.capabilities = [c for c in role.capabilities if c != CAPABILITY]
            role.save(update_fields=["capabilities"])


class Migration(migrations.Migration):

    dependencies = [("accounts", "0002_staff_invitation")]

    operations = [migrations.RunPython(grant, revoke)]
