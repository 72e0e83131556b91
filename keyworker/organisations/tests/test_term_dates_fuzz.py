"""The iCalendar term-dates reader under generated input: whatever the bytes, it answers with a plan or a
CalendarFileError in words, never another exception. Inputs it once failed on are kept as examples."""

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from keyworker.organisations.models import Jurisdiction
from keyworker.organisations.term_dates_ical import CalendarFileError, term_dates_read

FIXTURE = (Path(__file__).parent / "fixtures" / "council-england-2027-28.ics").read_bytes()
LINES = FIXTURE.split(b"\r\n")


def _read(data: bytes) -> None:
    try:
        plan = term_dates_read(data, jurisdiction=Jurisdiction.ENGLAND)
    except CalendarFileError as exc:
        assert str(exc)
        return
    assert plan.terms
    for t in plan.terms:
        assert t.starts_on <= t.ends_on
        assert all(s <= e for _, s, e in t.half_terms)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
@example(b"BEGIN:VCALENDAR")
@example(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
def test_any_bytes(data):
    _read(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(LINES) - 1), st.sampled_from([b"", b"X", b";VALUE=DATE:", b"99999999", b"\xff\xfe",
                                                                             b"T250000", b":", b"\\", b"20270230"])),
                max_size=8))
def test_a_real_file_with_lines_damaged(changes):
    lines = list(LINES)
    for i, junk in changes:
        cut = len(lines[i]) // 2
        lines[i] = lines[i][:cut] + junk + lines[i][cut:]
    _read(b"\r\n".join(lines))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["Autumn term", "Spring Term starts", "Term ends", "Half term", "INSET day",
                                           "Christmas holidays", "Bank holiday", "Sports day", "Third term begins"]),
                          st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)), st.integers(0, 120)), max_size=12))
def test_generated_calendars(events):
    body = [b"BEGIN:VCALENDAR", b"VERSION:2.0"]
    for summary, start, days in events:
        end = start + dt.timedelta(days=days + 1)
        body += [b"BEGIN:VEVENT", f"SUMMARY:{summary}".encode(), f"DTSTART;VALUE=DATE:{start:%Y%m%d}".encode(),
                 f"DTEND;VALUE=DATE:{end:%Y%m%d}".encode(), b"END:VEVENT"]
    body.append(b"END:VCALENDAR")
    _read(b"\r\n".join(body) + b"\r\n")
