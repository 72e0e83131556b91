"""Demo records of the common transfer file import: in the demo school, two joiners and a sibling from another
school's CTF, previewed and imported by the office (the upload list shows it; the children's pages show their
languages, SEN needs, a father's court order and a warned UPN). docs/examples/example-ctf-joiners.xml is a later
partial file for a newcomer to import by hand: it changes one of them and adds a pupil."""

from pathlib import Path

from django.db import transaction

from keyworker.organisations.models import Organisation, Setting

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
    upload = ctf_upload(actor=actor, setting=setting, name="Larkfield_Primary_CTF.xml", data=DEMO_FILE.read_bytes())
    done = ctf_confirm(actor=actor, upload=upload)
    return done.preview["outcome"]["created"]
