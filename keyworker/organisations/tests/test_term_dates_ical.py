"""Term dates from a council's iCalendar file: read, previewed, imported all or nothing, and given back as a feed."""

import datetime as dt
from pathlib import Path

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from icalendar import Calendar

from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Closure, ClosureKind, HalfTerm, Jurisdiction, Term
from keyworker.organisations.term_dates_ical import (
    CalendarFileError,
    term_dates_feed,
    term_dates_import,
    term_dates_read,
)
from keyworker.organisations.views_term_dates import feed_token
from keyworker.testing import make_setting

pytestmark = pytest.mark.django_db
D = dt.date
FIXTURES = Path(__file__).parent / "fixtures"


def _file(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_a_council_file_of_whole_terms_with_breaks_inset_and_bank_holidays():
    plan = term_dates_read(_file("council-england-2027-28.ics"), jurisdiction=Jurisdiction.ENGLAND)
    assert [(t.name, t.school_year, t.starts_on, t.ends_on) for t in plan.terms] == [
        ("Autumn 2027", "2027/28", D(2027, 9, 2), D(2027, 12, 17)),
        ("Spring 2028", "2027/28", D(2028, 1, 4), D(2028, 3, 31)),
        ("Summer 2028", "2027/28", D(2028, 4, 18), D(2028, 7, 21)),
    ]
    assert plan.terms[0].half_terms == (("Autumn 1", D(2027, 9, 2), D(2027, 10, 22)), ("Autumn 2", D(2027, 11, 1), D(2027, 12, 17)))
    assert [h[0] for t in plan.terms for h in t.half_terms] == ["Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2"]
    assert [(c.kind, c.name, c.starts_on, c.ends_on) for c in plan.closures] == [
        (ClosureKind.HOLIDAY, "Autumn half term", D(2027, 10, 25), D(2027, 10, 29)),
        (ClosureKind.HOLIDAY, "Spring half term", D(2028, 2, 14), D(2028, 2, 18)),
        (ClosureKind.HOLIDAY, "Summer half term", D(2028, 5, 29), D(2028, 6, 2)),
        (ClosureKind.INSET, "Training day", D(2028, 6, 5), D(2028, 6, 5)),
    ]
    reasons = {x.summary: x.reason for x in plan.left_out}
    assert reasons["Christmas Day (bank holiday)"].startswith("A bank holiday")
    assert reasons["Good Friday"].startswith("A bank holiday")
    assert reasons["Early May bank holiday"].startswith("A bank holiday")
    assert reasons["Christmas holidays"].startswith("Between terms")
    assert reasons["INSET day - schools closed to pupils"].startswith("Between terms")  # the day before the term
    assert reasons["Year 6 SATs week"] == "Not a term, a holiday or an INSET day."


def test_terms_given_as_first_and_last_days_timed_events_and_repeating_events():
    plan = term_dates_read(_file("council-start-end-2027-28.ics"), jurisdiction=Jurisdiction.ENGLAND)
    assert [(t.name, t.starts_on, t.ends_on) for t in plan.terms] == [
        ("Autumn 2027", D(2027, 9, 6), D(2027, 12, 17)),
        ("Spring 2028", D(2028, 1, 5), D(2028, 3, 31)),
        ("Summer 2028", D(2028, 4, 18), D(2028, 7, 21)),
    ]
    assert [c.kind for c in plan.closures] == [ClosureKind.HOLIDAY] * 3 + [ClosureKind.INSET]
    assert [x.reason for x in plan.left_out] == ["A repeating event: term dates are single dates."]


def test_a_scottish_council_file_four_terms_each_its_own_period():
    plan = term_dates_read(_file("council-scotland-2027-28.ics"), jurisdiction=Jurisdiction.SCOTLAND)
    assert [(t.name, t.starts_on, t.ends_on, t.half_terms) for t in plan.terms][0] == (
        "Term 1 2027/28", D(2027, 8, 16), D(2027, 10, 8), (("Term 1", D(2027, 8, 16), D(2027, 10, 8)),))
    assert [t.name for t in plan.terms] == ["Term 1 2027/28", "Term 2 2027/28", "Term 3 2027/28", "Term 4 2027/28"]
    assert [(c.kind, c.name) for c in plan.closures] == [
        (ClosureKind.INSET, "In-service day"), (ClosureKind.HOLIDAY, "February mid-term break")]
    reasons = {x.summary: x.reason for x in plan.left_out}
    assert reasons["St Andrew's Day"].startswith("A bank holiday")
    assert reasons["October week"].startswith("Between terms")


@pytest.mark.parametrize(("data", "words"), [
    (b"", "The file is empty."),
    (b"Name,Date\nAutumn term,2027-09-02\n", "This is not an iCalendar file"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2027\r\n", "cannot be read"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "holds no term dates"),
    ((FIXTURES / "no-terms.ics").read_bytes(), "holds no term dates"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Autumn term\r\nDTSTART;VALUE=DATE:20270902\r\nDTEND;VALUE=DATE:20271218\r\nEND:VEVENT\r\n"
     b"BEGIN:VEVENT\r\nSUMMARY:Spring term\r\nDTSTART;VALUE=DATE:20271201\r\nDTEND;VALUE=DATE:20280331\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
     "Two terms overlap"),
])
def test_files_that_are_not_term_dates_are_refused_with_the_reason(data, words):
    with pytest.raises(CalendarFileError, match=words):
        term_dates_read(data, jurisdiction=Jurisdiction.ENGLAND)


def test_an_event_whose_dates_cannot_be_read_is_left_out_with_the_reason():
    data = (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Autumn term\r\nDTSTART;VALUE=DATE:20270902\r\nDTEND;VALUE=DATE:20271218\r\n"
            b"END:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Staff training day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    plan = term_dates_read(data, jurisdiction=Jurisdiction.ENGLAND)
    assert len(plan.terms) == 1
    assert plan.left_out[0].summary == "Staff training day" and "has no start date" in plan.left_out[0].reason


def test_import_enters_everything_and_the_calendar_counts_the_breaks(world):
    setting = make_setting(world.org, name="New School")
    plan = term_dates_read(_file("council-england-2027-28.ics"), jurisdiction=setting.jurisdiction)
    done = term_dates_import(actor=world.actor(world.headteacher), setting=setting, plan=plan)
    assert (done.terms, done.half_terms, done.closures) == (3, 6, 4)
    calendar = TermCalendar.for_setting(setting)
    assert calendar.is_school_day(D(2027, 10, 22))
    assert not calendar.is_school_day(D(2027, 10, 27))   # autumn half term
    assert not calendar.is_school_day(D(2028, 6, 5))     # training day
    assert not calendar.is_school_day(D(2028, 5, 1))     # bank holiday, known already
    assert calendar.half_term_for(D(2028, 6, 12)).name == "Summer 2"
    assert AuditEvent.objects.get(event_type="calendar.term_dates_imported").data["terms"] == 3


def test_import_over_existing_terms_is_refused_and_writes_nothing(world):
    setting = make_setting(world.org, name="New School")
    Term.objects.create(organisation=world.org, setting=setting, name="Autumn 2027", school_year="2027/28",
                        starts_on=D(2027, 9, 1), ends_on=D(2027, 12, 17))
    plan = term_dates_read(_file("council-england-2027-28.ics"), jurisdiction=setting.jurisdiction)
    with pytest.raises(RuleViolation, match="already has term dates"):
        term_dates_import(actor=world.actor(world.headteacher), setting=setting, plan=plan)
    assert Term.objects.filter(setting=setting).count() == 1
    assert not HalfTerm.objects.filter(setting=setting).exists() and not Closure.objects.filter(setting=setting).exists()


def _upload(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else _file(name), content_type="text/calendar")


def test_a_leader_previews_then_imports_through_the_pages(world, client_for):
    setting = make_setting(world.org, name="New School")
    client = client_for(world.headteacher)
    url = reverse("organisations:term_dates_import", args=[setting.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Import term dates" in page.content.decode()
    preview = client.post(url, {"file": _upload("council-england-2027-28.ics")})
    html = preview.content.decode()
    assert "Check the term dates before importing" in html
    assert "3 terms, 6 half terms and 4 holidays or INSET days to import" in html
    assert "Year 6 SATs week" in html and "Not a term, a holiday or an INSET day." in html
    assert not Term.objects.filter(setting=setting).exists()  # the preview writes nothing
    signed = preview.context["signed_plan"]
    done = client.post(url, {"plan": signed}, follow=True)
    assert "Imported 3 terms, 6 half terms and 4 holidays and INSET days" in done.content.decode()
    assert Term.objects.filter(setting=setting).count() == 3
    again = client.post(url, {"plan": signed}, follow=True)  # the same preview twice: refused, nothing doubled
    assert "already has term dates" in again.content.decode()
    assert Term.objects.filter(setting=setting).count() == 3


def test_bad_files_and_tampered_previews_get_a_message_on_the_page(world, client_for):
    setting = make_setting(world.org, name="New School")
    client = client_for(world.headteacher)
    url = reverse("organisations:term_dates_import", args=[setting.pk])
    answer = client.post(url, {"file": _upload("dates.ics", b"\x89PNG\r\n\x1a\n not a calendar")})
    assert answer.status_code == 200
    assert "This is not an iCalendar file" in answer.context["form"].errors["file"][0]
    answer = client.post(url, {})
    assert answer.context["form"].errors["file"]
    plan = signing.dumps({"terms": [], "closures": [], "setting": setting.pk + 1}, salt="keyworker.term-dates.plan")
    answer = client.post(url, {"plan": plan}, follow=True)
    assert "This preview has expired or was changed" in answer.content.decode()
    answer = client.post(url, {"plan": "forged"}, follow=True)
    assert "This preview has expired or was changed" in answer.content.decode()
    assert not Term.objects.filter(setting=setting).exists()


def test_only_leaders_import_and_other_organisations_get_404(world, client_for):
    setting = make_setting(world.org, name="New School")
    url = reverse("organisations:term_dates_import", args=[setting.pk])
    assert client_for(world.ta_a).get(url).status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.outsider).get(reverse("organisations:term_dates_download", args=[setting.pk])).status_code == 404


def test_the_feed_gives_back_the_dates_and_reads_back_the_same(world, client_for):
    setting = make_setting(world.org, name="New School")
    term_dates_import(actor=None, setting=setting,
                      plan=term_dates_read(_file("council-england-2027-28.ics"), jurisdiction=setting.jurisdiction))
    calendar = Calendar.from_ical(term_dates_feed(setting))
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert "Autumn 2027 term" in summaries and "Autumn half term" in summaries and "Training day" in summaries
    # Round trip: the feed, imported into another setting, gives the same terms, half terms and closures.
    other = make_setting(world.org, name="Sister School")
    again = term_dates_read(term_dates_feed(setting), jurisdiction=other.jurisdiction)
    term_dates_import(actor=None, setting=other, plan=again)
    fields = ("name", "starts_on", "ends_on")
    assert list(Term.objects.filter(setting=other).values_list(*fields)) == list(Term.objects.filter(setting=setting).values_list(*fields))
    assert list(HalfTerm.objects.filter(setting=other).values_list(*fields)) == list(HalfTerm.objects.filter(setting=setting).values_list(*fields))
    assert list(Closure.objects.filter(setting=other).values_list("kind", *fields)) == list(
        Closure.objects.filter(setting=setting).values_list("kind", *fields))
    # The download (staff) and the feed address (anyone with it; a forged one is a 404).
    download = client_for(world.ta_a).get(
        reverse("organisations:term_dates_download", args=[setting.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/calendar")
    feed = client_for(world.ta_a).get(reverse("organisations:term_dates_feed", args=[feed_token(setting)]))
    assert feed.status_code == 200 and b"Autumn 2027 term" in feed.content
    from django.test import Client
    assert Client().get(reverse("organisations:term_dates_feed", args=[feed_token(setting)])).status_code == 200
    assert Client().get(reverse("organisations:term_dates_feed", args=["forged"])).status_code == 404
