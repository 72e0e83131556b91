"""Sign-in e-mails held back while an organisation is set up, and sent to everyone at once when it is ready."""

from django.db import transaction

from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import Organisation

from . import capabilities as caps
from .access import Actor
from .models import StaffMember
from .services import password_set_send_many


def held_sign_in_emails_count(organisation_id: int) -> int:
    """How many active staff members still wait for their e-mail to choose a password."""
    return StaffMember.objects.filter(organisation_id=organisation_id, sign_in_email_held=True, is_active=True).count()


def can_send_held(actor: Actor) -> bool:
    return actor.is_member and actor.can(caps.MANAGE_STAFF)


@transaction.atomic
def held_sign_in_emails_send(*, actor: Actor, organisation: Organisation) -> int:
    """Send every held sign-in e-mail of the organisation, once, and audit it. Returns how many were sent.

    Someone who has chosen a password meanwhile (through "Forgotten your password?") is not sent one."""
    actor.require(caps.MANAGE_STAFF)
    if actor.organisation_id != organisation.pk:
        raise RuleViolation("Not found.", rule="tenancy")
    # Locked, so that two clicks at once send each e-mail once: the second finds nothing held.
    held = list(
        StaffMember.objects.select_for_update(of=("self",)).select_related("user")
        .filter(organisation=organisation, sign_in_email_held=True, is_active=True).order_by("id")
    )
    if not held:
        raise RuleViolation("Every member of staff has had their sign-in e-mail already.", rule="nothing_held")
    StaffMember.objects.filter(pk__in=[s.pk for s in held]).update(sign_in_email_held=False)
    waiting = [s.user for s in held if not s.user.has_usable_password()]
    sent = password_set_send_many(users=waiting, organisation=organisation, invited_by=actor.user)
    audit_record(
        organisation_id=organisation.pk, actor=actor.user, event_type="staff.sign_in_emails_sent", obj=organisation,
        summary=f"Sign-in e-mails sent to {sent} member{'s' if sent != 1 else ''} of staff",
        data={"staff": [s.pk for s in held], "sent": sent},
    )
    return sent
