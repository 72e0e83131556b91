"""Demo records of the common transfer file import: in the demo school, a CTF from another school uploaded by the
office and waiting to be imported, so Import > common transfer files shows its preview (three joiners: languages,
SEN needs, a father's court order, a warned UPN, what is not kept). docs/examples/example-ctf-joiners.xml is the
same kind of file for a newcomer to upload by hand."""

import datetime as dt
import re
from pathlib import Path

from django.db import transaction

from keyworker.core import clock
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Organisation, Setting

from .ctf_commands import command_actor
from .ctf_services import ctf_upload
from .models import CtfImport

DEMO_FILE = Path(__file__).resolve().parent / "fixtures" / "ctf" / "transfer_full.xml"


@transaction.atomic
def demo_history(*, organisation: Organisation) -> int:
    """Returns the number of pupils in the file waiting to be imported (none when the demo has it already)."""
    setting = Setting.objects.filter(organisation=organisation, kind="school").order_by("id").first()
    if setting is None or CtfImport.objects.filter(organisation=organisation).exists():
        return 0
    actor = command_actor(organisation, setting, None)
    today = clock.today(setting.time_zone)
    start = (TermCalendar.for_setting(setting).school_year_start(today)
             or dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1))
    upload = ctf_upload(actor=actor, setting=setting, name="Larkfield_Primary_CTF.xml",
                        data=this_year(DEMO_FILE.read_bytes(), start.year))
    return upload.pupil_count


def this_year(data: bytes, first_year: int) -> bytes:
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
