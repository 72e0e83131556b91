"""Which built-in duties count school days: in a school, everything counted in days after something happens (no one
is in to act in a holiday); in childcare (many settings open all year), calendar days; reminders before an
appointment count the family's days."""

from keyworker.standards.catalogue import CHILDCARE, SCHOOL

EVENT_CADENCES = {"after_event", "after_enrolment"}


def test_a_schools_duties_after_an_event_count_school_days():
    counted = {s.clause: s.day_count for s in SCHOOL.standards if s.cadence in EVENT_CADENCES}
    assert counted == {"SCH-A1": "school", "SCH-3": "school", "SCH-5a": "school", "SCH-5b": "school", "SCH-9": "school"}


def test_childcare_and_reminders_count_calendar_days():
    assert {s.day_count for s in CHILDCARE.standards} == {"calendar"}
    assert {s.clause: s.day_count for s in SCHOOL.standards if s.cadence == "before_event"} == {"SCH-6": "calendar"}


def test_the_policy_says_school_days_where_it_counts_them():
    for s in SCHOOL.standards:
        if s.day_count == "school" and "within" in s.description.lower() and " days" in s.description:
            assert "school day" in s.description, s.clause
