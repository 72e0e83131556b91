"""How long wellbeing concerns are kept (registered with core.retention when the app starts)."""

from keyworker.core.retention import RetentionKind, register_retention_kind

from .models import WellbeingConcern


def register() -> None:
    # Not safeguarding (those are child-protection files, DOB + 25): a family's concern, counted from when noticed.
    register_retention_kind(RetentionKind(
        "wellbeing_concerns", "Wellbeing concerns and follow-ups", "the date the concern was noticed", 25,
        "IRMS Information Management Toolkit for Schools: pupil file, 25 years (counted from the concern)",
        lambda org, cutoff: WellbeingConcern.objects.filter(organisation_id=org, noticed_on__lt=cutoff),
    ))
