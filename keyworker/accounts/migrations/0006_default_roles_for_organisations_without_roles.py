"""Organisations created before every route gave them roles (the admin site) start with the default roles now, so
that staff can be added and imported. Organisations that have any role are left as they are."""

from django.db import migrations


def add_default_roles(apps, schema_editor):
    from keyworker.accounts.capabilities import DEFAULT_ROLES

    Organisation = apps.get_model("organisations", "Organisation")
    Role = apps.get_model("accounts", "Role")
    with_roles = set(Role.objects.values_list("organisation_id", flat=True).distinct())
    for organisation_id in Organisation.objects.exclude(pk__in=with_roles).values_list("pk", flat=True):
        Role.objects.bulk_create([
            Role(organisation_id=organisation_id, code=code, name=name, scope=str(scope), capabilities=list(caps),
                 key_worker_eligibility=str(kw), for_schools=schools, for_childcare=childcare)
            for code, name, scope, caps, kw, schools, childcare in DEFAULT_ROLES
        ])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_staff_sign_in_email_held"),
        ("organisations", "0002_organisation_second_factor_for_everyone"),
    ]

    operations = [migrations.RunPython(add_default_roles, migrations.RunPython.noop)]
