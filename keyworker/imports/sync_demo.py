"""Demo records of the nightly MIS sync: in the demo school, the office's saved mapping of the nightly SIMS export,
run last night (two joiners, one change of class, nothing stopped), so Import > Saved mappings has something to show."""

import datetime as dt

from django.db import transaction

from keyworker.core import clock
from keyworker.organisations.models import Organisation, Setting
from keyworker.people.models import Child

from .ctf_commands import command_actor
from .models import ImportKind, SavedMapping

COLUMNS = {
    "legal_first_name": "Legal Forename", "legal_last_name": "Legal Surname", "preferred_name": "Preferred Forename",
    "date_of_birth": "DOB", "upn": "UPN", "mis_reference": "Adno", "group": "Reg Group", "year_group": "Year",
    "has_ehcp": "EHCP", "household": "Family Ref", "address": "Address Block",
}


@transaction.atomic
def demo_history(*, organisation: Organisation) -> int:
    """Returns the number of saved mappings made (none when the demo has one already)."""
    setting = Setting.objects.filter(organisation=organisation, kind="school").order_by("id").first()
    if setting is None or SavedMapping.objects.filter(organisation=organisation).exists():
        return 0
    actor = command_actor(organisation, setting, None)
    moved = Child.objects.filter(organisation=organisation, setting=setting).order_by("id").first()
    last_night = clock.now().replace(hour=2, minute=10, second=0, microsecond=0) - dt.timedelta(days=1)
    SavedMapping.objects.create(
        organisation=organisation, name="Nightly SIMS export", setting=setting, kind=ImportKind.CHILDREN,
        columns=COLUMNS, drop_path="/srv/mis/sims_children.csv", max_leaver_share=10, last_run_at=last_night,
        last_report={"mapping": "Nightly SIMS export", "file": "sims_children.csv", "created": 2,
                     "updated": [[moved.display_name if moved else "A pupil", ["class: 3A → 3B"]]], "unchanged": 118, "leavers": [], "errors": [],
                     "stopped": "", "dry_run": False},
        created_by=actor.user)
    return 1
