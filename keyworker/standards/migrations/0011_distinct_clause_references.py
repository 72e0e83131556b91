"""Each standard of a policy version under a reference of its own: the built-in school policy's two parts of SCH-5
become SCH-5a (each unexplained absence challenged) and SCH-5b (each attendance concern followed up); any other
reference shared by several standards of one version gets a letter each, in the order they were made."""

import string

from django.db import migrations

SCH5 = {"unexplained_absence": "SCH-5a", "attendance_concern_raised": "SCH-5b"}


def distinct_references(apps, schema_editor):
    Standard = apps.get_model("standards", "Standard")
    seen: dict[tuple[int, str], list] = {}
    for s in Standard.objects.order_by("policy_version_id", "id").only("id", "policy_version_id", "clause", "event"):
        seen.setdefault((s.policy_version_id, s.clause), []).append(s)
    for (version, clause), standards in seen.items():
        if len(standards) < 2:
            continue
        taken = {c for (v, c) in seen if v == version}
        letters = iter(string.ascii_lowercase)
        for s in standards:
            new = SCH5.get(s.event) if clause == "SCH-5" else None
            while new is None or new in taken:
                new = f"{clause}{next(letters)}"[:20]
            taken.add(new)
            Standard.objects.filter(pk=s.pk).update(clause=new)


class Migration(migrations.Migration):
    dependencies = [("standards", "0010_school_templates_count_school_days")]

    operations = [migrations.RunPython(distinct_references, migrations.RunPython.noop)]
