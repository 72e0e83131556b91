"""Demo records of the enrolment app for the childcare group: in the first early years setting, one child's
enrolment form in progress (saved by a carer, not sent) and one sent for the key person to review."""

import datetime as dt

from django.db import transaction

from keyworker.core import clock
from keyworker.organisations.models import Organisation
from keyworker.people.models import Carer, Child, ContactRestriction

from .models import ENROLMENT_KINDS
from .services import enrolment_save, enrolment_send

IN_PROGRESS = {"allergies": "None known", "medical_needs": "Eczema: cream twice a day, we will bring it in",
               "photo_consent": "yes"}
SENT = {"allergies": "Egg (hives within minutes); antihistamine in the bag", "medical_needs": "None",
        "outside_agencies": "Health visitor (two-year review due in spring)",
        "family_circumstances": "Dad works away Monday to Thursday; Gran collects on Tuesdays", "photo_consent": "yes",
        "outings_consent": "yes", "sun_cream_consent": "yes", "emergency_treatment_consent": "yes"}


def _carer_with_forms(child: Child) -> Carer | None:
    return (Carer.objects.filter(family_id=child.family_id, parental_responsibility=True,
                                 contact_restriction=ContactRestriction.NONE).order_by("contact_order", "id").first())


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None) -> int:
    """Returns the number of forms written."""
    children = list(Child.objects.filter(organisation=organisation, setting__kind__in=ENROLMENT_KINDS)
                    .select_related("setting").order_by("setting_id", "-date_of_birth", "id")[:20])
    written = 0
    for child in children:
        day = today or clock.today(child.setting.time_zone)
        if child.enrolled_on > day or (child.left_on and child.left_on < day):
            continue
        carer = _carer_with_forms(child)
        if carer is None:
            continue
        if written == 0:
            enrolment_save(link=carer, child=child, answers=IN_PROGRESS)
        else:
            enrolment_save(link=carer, child=child, answers=SENT)
            enrolment_send(link=carer, child=child)
        written += 1
        if written == 2:
            break
    return written
