"""The child's learning targets in the pupil booklet (SCH-7): those shared with the family, with the latest
progress note. Registered with keyworker.core.booklet_sections, so the booklet imports nothing of this app."""

import datetime as dt

from keyworker.core.booklet_sections import BookletPart, BookletSection, register_booklet_section
from keyworker.core.dates import on_screen

from .selectors import shared_targets


def targets_part(child, as_of: dt.date) -> BookletPart:
    rows = []
    for t in shared_targets(child):
        reviews = list(t.reviews.all())
        progress = f"\nProgress ({on_screen(reviews[0].reviewed_on)}): {reviews[0].progress}" if reviews else ""
        home = f"\nAt home: {t.help_at_home}" if t.help_at_home else ""
        rows.append((t.get_status_display(), f"{t.what}{home}{progress}"))
    return BookletPart("My learning targets", rows, "No learning targets shared yet.")


def register() -> None:
    register_booklet_section(BookletSection("targets", 10, targets_part))
