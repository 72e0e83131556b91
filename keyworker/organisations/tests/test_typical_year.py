"""Copying a typical English or Scottish school year into a setting's term calendar, to be adjusted."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Closure, HalfTerm, Jurisdiction, Term
from keyworker.organisations.typical_year import calendar_copy_typical_year, easter_sunday, typical_year
from keyworker.testing import make_setting

pytestmark = pytest.mark.django_db
D = dt.date


def test_easter():
    assert [easter_sunday(y) for y in (2026, 2027, 2028)] == [D(2026, 4, 5), D(2027, 3, 28), D(2028, 4, 16)]


def test_an_english_year_three_terms_six_half_terms_early_september_to_late_july(world):
    setting = make_setting(world.org, name="New School")
    copied = calendar_copy_typical_year(actor=world.actor(world.headteacher), setting=setting, as_of=D(2026, 12, 4))
    assert (copied.terms, copied.half_terms, copied.closures) == (3, 6, 3)
    terms = list(Term.objects.filter(setting=setting).values_list("name", "school_year", "starts_on", "ends_on"))
    assert terms == [
        ("Autumn 2026", "2026/27", D(2026, 9, 2), D(2026, 12, 18)),
        ("Spring 2027", "2026/27", D(2027, 1, 4), D(2027, 3, 19)),
        ("Summer 2027", "2026/27", D(2027, 4, 5), D(2027, 7, 23)),
    ]
    assert list(HalfTerm.objects.filter(setting=setting).values_list("name", flat=True)) == [
        "Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2"]
    assert list(Closure.objects.filter(setting=setting).values_list("name", "starts_on")) == [
        ("October half term", D(2026, 10, 26)), ("February half term", D(2027, 2, 15)), ("May half term", D(2027, 5, 31))]
    calendar = TermCalendar.for_setting(setting)
    assert calendar.is_school_day(D(2026, 12, 4))
    assert not calendar.is_school_day(D(2026, 10, 28))      # October half term
    assert not calendar.is_school_day(D(2026, 12, 25))      # Christmas
    assert not calendar.is_school_day(D(2027, 3, 26))       # Good Friday, in the Easter holiday
    assert not calendar.is_school_day(D(2027, 5, 3))        # Early May bank holiday, from the calendar
    assert calendar.is_school_day(D(2027, 5, 4))
    assert not calendar.is_school_day(D(2027, 8, 2))        # summer
    assert calendar.half_term_for(D(2027, 6, 10)).name == "Summer 2"
    event = AuditEvent.objects.get(event_type="calendar.typical_year_copied")
    assert event.data["school_year"] == "2026/27"


def test_a_scottish_year_four_terms_mid_august_to_late_june(world):
    setting = make_setting(world.org, name="Scottish School", jurisdiction=Jurisdiction.SCOTLAND)
    calendar_copy_typical_year(actor=world.actor(world.headteacher), setting=setting, as_of=D(2026, 12, 4))
    terms = list(Term.objects.filter(setting=setting).values_list("starts_on", "ends_on"))
    assert terms == [(D(2026, 8, 17), D(2026, 10, 9)), (D(2026, 10, 19), D(2026, 12, 22)),
                     (D(2027, 1, 6), D(2027, 3, 19)), (D(2027, 4, 5), D(2027, 6, 25))]
    calendar = TermCalendar.for_setting(setting)
    assert not calendar.is_school_day(D(2026, 10, 14))      # the October week
    assert not calendar.is_school_day(D(2027, 1, 4))        # Christmas (and 4 January is Scotland's bank holiday)
    assert not calendar.is_school_day(D(2027, 2, 15))       # February mid-term break
    assert calendar.is_school_day(D(2027, 2, 17))
    assert not calendar.is_school_day(D(2027, 7, 5))        # summer starts in late June
    assert [h.name for h in HalfTerm.objects.filter(setting=setting)] == ["Term 1", "Term 2", "Term 3", "Term 4"]


def test_from_june_it_is_next_school_year():
    assert typical_year(Jurisdiction.ENGLAND, D(2027, 6, 1)).school_year == "2027/28"
    assert typical_year(Jurisdiction.ENGLAND, D(2027, 5, 31)).school_year == "2026/27"
    assert typical_year(Jurisdiction.SCOTLAND, D(2027, 6, 15)).starts_on == D(2027, 8, 17)


def test_refused_when_terms_overlap_and_nothing_is_copied(world):
    # The world's school has Autumn 2026 entered already.
    before = Term.objects.filter(setting=world.school).count()
    with pytest.raises(RuleViolation, match="already has term dates for 2026/27"):
        calendar_copy_typical_year(actor=world.actor(world.headteacher), setting=world.school, as_of=D(2026, 12, 4))
    assert Term.objects.filter(setting=world.school).count() == before
    assert not Closure.objects.filter(setting=world.school).exists()


def test_only_those_who_set_up_and_only_their_settings(world):
    setting = make_setting(world.org, name="New School")
    with pytest.raises(PermissionDenied):
        calendar_copy_typical_year(actor=world.actor(world.ta_a), setting=setting, as_of=D(2026, 12, 4))
    with pytest.raises(RuleViolation):
        calendar_copy_typical_year(actor=world.actor(world.outsider), setting=setting, as_of=D(2026, 12, 4))
    assert not Term.objects.filter(setting=setting).exists()


def test_the_button_on_the_setting_page(world, client_for):
    setting = make_setting(world.org, name="New School")
    client = client_for(world.headteacher)
    page = client.get(f"/setup/settings/{setting.pk}/").content.decode()
    assert "Copy a typical school year" in page
    response = client.post(f"/setup/settings/{setting.pk}/typical-year/", follow=True)
    assert "Copied a typical school year 2026/27 to New School: 3 terms and 6 half terms" in response.content.decode()
    assert Term.objects.filter(setting=setting).count() == 3
    response = client.post(f"/setup/settings/{setting.pk}/typical-year/", follow=True)
    assert "already has term dates" in response.content.decode()
    assert Term.objects.filter(setting=setting).count() == 3
    # Another organisation's setting does not exist for them.
    assert client_for(world.outsider).post(f"/setup/settings/{setting.pk}/typical-year/").status_code == 404
