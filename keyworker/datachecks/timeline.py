"""The family timeline's data check entries: checks completed and corrections applied."""

from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.core.extensions import TimelineEntry, TimelineSource, register_timeline_source
from keyworker.people.models import Family

from .models import CheckState, CorrectionState
from .selectors import checks_visible_to, corrections_visible_to


def _data_checks(actor: Actor, family: Family, limit: int) -> list[TimelineEntry]:
    """Two queries: the family's completed checks and its applied corrections, newest first."""
    checks = (
        checks_visible_to(actor).filter(family_id=family.pk, state=CheckState.COMPLETE)
        .select_related("child", "half_term", "admin_confirmed_by__user").order_by("-admin_confirmed_at", "-id")[:limit]
    )
    entries = [
        TimelineEntry(
            at=c.admin_confirmed_at, kind="datachecks", label=f"Data check complete: {c.half_term.name}", tone="good",
            summary=f"Checked with {c.carer_name} ({c.get_carer_method_display().lower()}) and confirmed by the admin office.",
            url=reverse("datachecks:detail", args=[c.pk]),
            by=c.admin_confirmed_by.user.full_name if c.admin_confirmed_by else "", children=(c.child.display_name,),
            key=("check", c.pk),
        )
        for c in checks
    ]
    corrections = (
        corrections_visible_to(actor).filter(family_id=family.pk, state=CorrectionState.APPLIED)
        .select_related("child", "decided_by__user").order_by("-decided_at", "-id")[:limit]
    )
    entries += [
        TimelineEntry(
            at=c.decided_at, kind="datachecks", label="Data corrected", tone="info",
            summary=f"{c.label}: {c.current_value or 'nothing recorded'} → {c.proposed_shown or 'nothing recorded'}",
            url=reverse("datachecks:detail", args=[c.data_check_id]),
            by=c.decided_by.user.full_name if c.decided_by else "", children=(c.child.display_name,), key=("correction", c.pk),
        )
        for c in corrections
    ]
    entries.sort(key=lambda e: (e.at, e.key), reverse=True)
    return entries[:limit]


def register() -> None:
    register_timeline_source(TimelineSource("datachecks", "Data checks", _data_checks))
