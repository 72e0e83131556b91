"""The pupil booklet shows the child's learning targets shared with the family, with the latest progress note,
through the booklet sections registry (the meetings app imports nothing of the targets app)."""

import datetime as dt

import pytest

from keyworker.core import clock
from keyworker.core.booklet_sections import booklet_parts
from keyworker.targets import services
from keyworker.targets.models import ShareMethod, TargetStatus

from .helpers import target

pytestmark = pytest.mark.django_db


def test_booklet_part_has_the_shared_targets_with_progress(world, django_assert_max_num_queries):
    target(world, what="Not shared yet")
    shared = target(world, what="Spell the Year 3 words")
    services.targets_share(actor=world.actor(world.teacher_a), child=world.child_a, method=ShareMethod.PAPER)
    target(world, what="Set after sharing")
    services.target_review(actor=world.actor(world.teacher_a), target=shared, progress="Twenty of thirty now",
                           status=TargetStatus.WORKING, next_review_on=clock.today() + dt.timedelta(days=30))
    with django_assert_max_num_queries(1):
        parts = [p for p in booklet_parts(world.child_a, clock.today()) if p.heading == "My learning targets"]
    text = " ".join(b for _, b in parts[0].rows)
    assert "Spell the Year 3 words" in text and "Twenty of thirty now" in text and "Set after sharing" not in text


def test_the_pdf_has_the_section(world):
    from keyworker.meetings import reviews
    from keyworker.meetings.booklet import booklet_content, booklet_pdf
    from keyworker.meetings.tests.review_helpers import TODAY, booked

    target(world, what="Spell the Year 3 words")
    services.targets_share(actor=world.actor(world.teacher_a), child=world.child_a, method=ShareMethod.PAPER)
    review = reviews.access_review(world.actor(world.ta_a), booked(world).pk)
    text = booklet_pdf(booklet_content(review, TODAY), compress=False).decode("latin-1")
    assert "My learning targets" in text and "Spell the Year 3 words" in text
