"""The pupil booklet: what a family may see of the child, attendance, celebrations and "All about my family"; never a
staff-only key aspect."""

import datetime as dt

import pytest

from keyworker.people.models import KeyAspects

from .. import reviews
from ..booklet import booklet_content, booklet_pdf
from .review_helpers import TODAY, booked

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return pdf.decode("latin-1")


def test_the_booklet_holds_what_the_family_may_see_and_not_staff_notes(world):
    KeyAspects.objects.filter(child=world.child_a).update(
        allergies="Peanuts", medical_needs="Asthma: blue inhaler", behaviour_plan="STAFF ONLY PLAN", risk_assessments="RISK NOTE",
        family_circumstances="PRIVATE CIRCUMSTANCES")
    review = booked(world)
    reviews.family_views_save(actor=world.actor(world.ta_a), review=review,
                              answers=reviews.Answers(going_well="Loves music", hopes="More words"), done=True)
    review = reviews.access_review(world.actor(world.ta_a), review.pk)
    text = _text(booklet_pdf(booklet_content(review, TODAY), compress=False))
    for words in ("Alfie's pupil booklet", "Peanuts", "Asthma: blue inhaler", "Kim Keyworker", "Loves music", "More words",
                  "No attendance recorded yet this school year", "Page 1 of"):
        assert words in text, words
    for secret in ("STAFF ONLY PLAN", "RISK NOTE", "PRIVATE CIRCUMSTANCES"):
        assert secret not in text


@pytest.mark.parametrize("extra", [0, 5])
def test_the_booklet_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries, extra):
    from keyworker.celebrations.models import Celebration

    review = booked(world)
    for n in range(extra):
        Celebration.objects.create(organisation=world.org, child=world.child_a, family=world.family_a, setting=world.school,
                                   kind="achievement", title=f"Great work {n}", celebrated_on=TODAY - dt.timedelta(days=n),
                                   recorded_by=world.ta_a, shared_on=TODAY, shared_how="face_to_face", shared_by=world.ta_a)
    review = reviews.access_review(world.actor(world.ta_a), review.pk)
    with django_assert_max_num_queries(8):
        booklet_pdf(booklet_content(review, TODAY))


def test_attendance_reads_the_british_way():
    from decimal import Decimal

    from keyworker.meetings.booklet import percent_text

    assert [percent_text(Decimal(v)) for v in ("100.0", "96.5", "0.0")] == ["100%", "96.5%", "0%"]

