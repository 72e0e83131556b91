"""Erasing a carer's personal data on request, where the law allows, keeping what must be kept.

Erasure replaces the carer's name, contact details, address, language and notes with nothing, ends their sign-in
to the carers' portal (the account itself goes when it serves no other family) and records who erased them, when
and why, without what was erased. The carer's row stays, so the school's own records of its work with the family
(contact logs, meetings, safeguarding records) keep their place and their dates: the safeguarding team's records
are never erased here.

Refused while the carer is the only one with parental responsibility for a child on roll (the setting must be able
to reach someone with parental responsibility), and twice.
"""

from django.db import transaction

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation

from .models import Carer, Child
from .policies import require_handle_data_rights

ERASED = "(erased)"
REASON_MIN = 10


@transaction.atomic
def carer_erase(*, actor: Actor, carer: Carer, reason: str) -> Carer:
    require_handle_data_rights(actor)
    if carer.organisation_id != actor.organisation_id:
        raise RuleViolation("Not found.", rule="tenancy")
    carer = Carer.objects.select_for_update().get(pk=carer.pk)
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise RuleViolation("Say why, in a sentence: the request, who made it and when (the reason is kept).",
                            rule="reason", field="reason")
    if carer.first_name == ERASED:
        raise RuleViolation("This carer's personal data has already been erased.", rule="erased")
    today = clock.today()
    on_roll = Child.objects.filter(family_id=carer.family_id, enrolled_on__lte=today).exclude(left_on__lt=today)
    if carer.parental_responsibility and on_roll.exists() and not Carer.objects.filter(
            family_id=carer.family_id, parental_responsibility=True).exclude(pk=carer.pk).exclude(first_name=ERASED).exists():
        raise RuleViolation(
            f"{carer.first_name} {carer.last_name} is the only carer with parental responsibility for "
            f"{', '.join(c.display_name for c in on_roll)}, who {'is' if on_roll.count() == 1 else 'are'} on roll: the "
            "setting must be able to reach someone with parental responsibility. Record another carer first, or erase "
            "after the child leaves.", rule="only_parental_responsibility")
    user = carer.user
    carer.first_name = carer.last_name = ERASED
    carer.title = carer.phone = carer.email = carer.address = carer.restriction_notes = ""
    carer.first_language = ""
    carer.user = None
    carer.version += 1
    carer.save()
    account = "none"
    if user is not None:
        if Carer.objects.filter(user=user).exists():
            account = "kept: it signs in for another family"
        else:
            user.is_active = False
            user.email = f"erased-{user.pk}@invalid.example"
            user.full_name = ERASED
            user.set_unusable_password()
            user.save()
            account = "closed"
    audit_record(organisation_id=carer.organisation_id, actor=actor.user, event_type="carer.erased", obj=carer,
                 summary=f"A carer of family {carer.family_id} erased on request",
                 data={"carer": carer.pk, "family": carer.family_id, "reason": reason, "portal_account": account})
    return carer
