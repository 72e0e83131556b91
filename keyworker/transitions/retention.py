"""How long transition plans are kept (registered with core.retention when the app starts)."""

from keyworker.core.retention import RetentionKind, register_retention_kind

from .models import TransitionPlan


def register() -> None:
    register_retention_kind(RetentionKind(
        "transition_plans", "Transition plans", "the date the plan was made", 6,
        "This product's choice: a transfer's arrangements, kept as the registers, 6 years",
        lambda org, cutoff: TransitionPlan.objects.filter(organisation_id=org, created_at__date__lt=cutoff),
    ))
