"""The child's learning targets in the pupil booklet (SCH-7): those shared with the family, with the latest
progress note. Registered with keyworker.core.booklet_sections, so the booklet imports nothing of this app."""

import datetime as dt

from django.db.models import OuterRef, Subquery

from keyworker.core.booklet_sections import BookletPart, BookletSection, register_booklet_section
from keyworker.core.dates import on_screen

from .models import LearningTarget, TargetReview, TargetStatus


def targets_part(child, as_of: dt.date) -> BookletPart:
    """One query: the shared targets (not stopped), each with its latest progress note."""
    latest = TargetReview.objects.filter(target=OuterRef("pk")).order_by("-reviewed_on", "-id")
    targets = (LearningTarget.objects.filter(child_id=child.pk, shared_on__isnull=False)
               .exclude(status=TargetStatus.STOPPED)
               .annotate(progress=Subquery(latest.values("progress")[:1]), progress_on=Subquery(latest.values("reviewed_on")[:1]))
               .order_by("status", "review_on", "id"))
    rows = []
    for t in sorted(targets, key=lambda t: (t.status != TargetStatus.WORKING, t.review_on, t.pk)):
        home = f"\nAt home: {t.help_at_home}" if t.help_at_home else ""
        progress = f"\nProgress ({on_screen(t.progress_on)}): {t.progress}" if t.progress else ""
        rows.append((t.get_status_display(), f"{t.what}{home}{progress}"))
    return BookletPart("My learning targets", rows, "No learning targets shared yet.")


def register() -> None:
    register_booklet_section(BookletSection("targets", 10, targets_part))
