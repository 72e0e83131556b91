"""Which built-in duties count school days: in a school, what staff do in days after something happens (no one is in
to act in a holiday), and a reply to a family's message (in any setting, counted in the days it is open); the
statutory EHCP review deadlines count calendar days and weeks, as the SEND Code of Practice does; childcare settings
(many open all year) count calendar days; reminders before an appointment count the family's days."""

from keyworker.standards.catalogue import CHILDCARE, SCHOOL

EVENT_CADENCES = {"after_event", "after_enrolment"}
STATUTORY_REVIEW_STEPS = {"SCH-R1", "SCH-R2", "SCH-R3", "SCH-R4", "SCH-R5", "SCH-R6", "SCH-R7"}


def test_a_schools_duties_after_an_event_count_school_days():
    counted = {s.clause: s.day_count for s in SCHOOL.standards
               if s.cadence in EVENT_CADENCES and s.clause not in STATUTORY_REVIEW_STEPS}
    assert counted == {"SCH-A1": "school", "SCH-3": "school", "SCH-5a": "school", "SCH-5b": "school", "SCH-9": "school",
                       "SCH-10b": "school", "SCH-11": "school"}


def test_statutory_review_deadlines_count_calendar_days():
    assert {s.clause: s.day_count for s in SCHOOL.standards if s.clause in STATUTORY_REVIEW_STEPS} == {
        c: "calendar" for c in STATUTORY_REVIEW_STEPS}


def test_childcare_and_reminders_count_calendar_days_but_replies_count_open_days():
    assert {s.clause: s.day_count for s in CHILDCARE.standards if s.day_count != "calendar"} == {"CC-K5": "school",
                                                                                          "CC-K8": "school"}
    assert {s.clause: s.day_count for s in SCHOOL.standards if s.cadence == "before_event"} == {
        "SCH-6": "calendar", "SCH-10a": "calendar", "SCH-R2": "calendar", "SCH-R3": "calendar", "SCH-R4": "calendar"}


def test_the_policy_says_school_days_where_it_counts_them():
    for s in (*SCHOOL.standards, *CHILDCARE.standards):
        if s.day_count == "school" and "within" in s.description.lower() and " days" in s.description:
            assert "school day" in s.description or "working day" in s.description, s.clause
