"""How long learning targets and homework are kept (registered with core.retention when the app starts)."""

from keyworker.core.retention import RetentionKind, register_retention_kind

from .models import Homework, LearningTarget


def register() -> None:
    register_retention_kind(RetentionKind(
        "learning_targets", "Learning targets and their reviews", "the date the target was set", 3,
        "IRMS Information Management Toolkit for Schools: pupils' work and assessment records, current year + 3",
        lambda org, cutoff: LearningTarget.objects.filter(organisation_id=org, created_at__date__lt=cutoff),
    ))
    register_retention_kind(RetentionKind(
        "homework", "Homework and its returns", "the date the homework was set", 3,
        "IRMS Information Management Toolkit for Schools: pupils' work, current year + 3",
        lambda org, cutoff: Homework.objects.filter(organisation_id=org, set_on__lt=cutoff),
    ))
