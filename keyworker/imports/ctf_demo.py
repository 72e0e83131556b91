"""Demo records of the common transfer file import: in the demo school, two joiners and a sibling from another
school's CTF, previewed and imported by the office (the upload list shows it; the children's pages show their
languages, SEN needs, a father's court order and a warned UPN). docs/examples/example-ctf-joiners.xml is a later
partial file for a newcomer to import by hand: it changes one of them and adds a pupil."""

import datetime as dt
import re
from pathlib import Path

from django.db import transaction

from keyworker.core import clock
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Group, Organisation, Setting
from keyworker.people.services import child_update

from .ctf_commands import command_actor
from .ctf_services import ctf_confirm, ctf_upload
from .models import CtfImport

DEMO_FILE = Path(__file__).resolve().parent / "fixtures" / "ctf" / "transfer_full.xml"


@transaction.atomic
def demo_history(*, organisation: Organisation) -> int:
    """Returns the number of children the file added (none when the demo already has them)."""
    setting = Setting.objects.filter(organisation=organisation, kind="school").order_by("id").first()
    if setting is None or CtfImport.objects.filter(organisation=organisation).exists():
        return 0
    actor = command_actor(organisation, setting, None)
    today = clock.today(setting.time_zone)
    start = (TermCalendar.for_setting(setting).school_year_start(today)
             or dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1))
    upload = ctf_upload(actor=actor, setting=setting, name="Larkfield_Primary_CTF.xml",
                        data=_this_year(DEMO_FILE.read_bytes(), start.year))
    done = ctf_confirm(actor=actor, upload=upload)
    # Each joiner into a class that teaches their year group, as the office would after the import.
    classes = list(Group.objects.filter(setting=setting).order_by("name"))
    for pupil in done.preview["pupils"]:
        child = setting.children.filter(pk=pupil["child_id"]).first()
        group = next((g for g in classes if g.year_group == child.year_group), None) if child else None
        if group is not None:
            child_update(actor=actor, child=child, group=group)
    return done.preview["outcome"]["created"]


def _this_year(data: bytes, first_year: int) -> bytes:
    """The file with each pupil born in the right school year for their year group this year (the file is fixed;
    the demo's today moves): Year N is N + 4 on 1 September."""
    def born(match: re.Match) -> bytes:
        pupil = match.group(0)
        year = re.search(rb"<NCyearActual>(\d+)</NCyearActual>", pupil)
        if year is None:
            return pupil
        birthday = dt.date(first_year - int(year.group(1)) - 5, 11, 14)
        return re.sub(rb"<DOB>[^<]*</DOB>", f"<DOB>{birthday.isoformat()}</DOB>".encode(), pupil)
    return re.sub(rb"<Pupil>.*?</Pupil>", born, data, flags=re.S)
