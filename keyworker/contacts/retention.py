"""How long contact logs and portal messages are kept (registered with core.retention when the app starts)."""

from keyworker.core.retention import RetentionKind, register_retention_kind

from .models import ContactLog


def register() -> None:
    # The IRMS toolkit keeps correspondence with parents on the pupil file; a family's contact log is not one
    # child's, so it is counted from the contact: the attendance registers' 6 years, lengthened by the organisation.
    register_retention_kind(RetentionKind(
        "contact_logs", "Contact logs", "the date of the contact", 6,
        "IRMS Information Management Toolkit for Schools: correspondence with parents, as the registers, 6 years",
        lambda org, cutoff: ContactLog.objects.filter(organisation_id=org, happened_on__lt=cutoff, message__isnull=True),
    ))
    register_retention_kind(RetentionKind(
        "portal_messages", "Portal messages", "the date the message was sent", 6,
        "IRMS Information Management Toolkit for Schools: correspondence with parents, 6 years",
        # A message is a contact log with its delivery: destroying the log destroys the message with it.
        lambda org, cutoff: ContactLog.objects.filter(organisation_id=org, message__sent_at__date__lt=cutoff),
    ))
