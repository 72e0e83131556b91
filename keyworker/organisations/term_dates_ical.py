"""Term dates from an iCalendar file, as local authorities publish them, and a setting's dates as a feed.

Councils publish a school year as events: a whole term as one long event ("Autumn term 2026") or its first and
last days as two ("Autumn term starts", "Autumn term ends"), half-term breaks and holidays as all-day events,
INSET (training) days, often the bank holidays too. `term_dates_read` classifies each event by its words and dates
into a plan (terms with their half terms, holidays and INSET days inside terms, and the events it left out, each
with the reason); the page shows the plan before anything is written, and `term_dates_import` enters it all or
nothing. Parsing is the `icalendar` library's.

Half terms: in England, Wales and Northern Ireland a term is split at the half-term break inside it ("Autumn 1",
"Autumn 2"); Scottish schools have no half terms, so each term is its own period, as in the typical year.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from icalendar import Calendar, Event

from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation

from .calendar import bank_holidays
from .models import Closure, ClosureKind, HalfTerm, Jurisdiction, Setting, Term
from .policies import require_manage_setup

DAY = dt.timedelta(days=1)
MAX_BYTES = 2 * 1024 * 1024  # a council's calendar of several years is tens of kilobytes
MAX_EVENTS = 2000
MAX_YEARS = 6  # a file spanning more than this is not one setting's term dates
SEASONS = ("autumn", "spring", "summer")
SCOTTISH_TERMS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1": 1, "2": 2, "3": 3, "4": 4}

_INSET = re.compile(r"\binset\b|training day|in[- ]service|staff development|professional (development|learning)|"
                    r"non[- ]pupil day|teacher day|teachers' day|staff day", re.I)
_HOLIDAY = re.compile(r"half[- ]?term|mid[- ]?term|holiday|\bbreak\b|closed|closure|vacation|october week|recess", re.I)
_BANK = re.compile(r"bank holiday|christmas day|boxing day|new year's day|good friday|easter monday|may day|"
                   r"st\.? andrew's day|st\.? patrick's day|battle of the boyne|orangemen", re.I)
_TERM = re.compile(r"\bterm\b", re.I)
_STARTS = re.compile(r"\b(starts?|begins?|opens?|first day|commences?|returns?|start of|beginning of)\b", re.I)
_ENDS = re.compile(r"\b(ends?|finish(es)?|closes?|last day|end of)\b", re.I)
_HALF_TERM_BREAK = re.compile(r"half[- ]?term|mid[- ]?term|october week", re.I)


class CalendarFileError(ValueError):
    """The file cannot be read as term dates; the message says why, in the user's words."""


@dataclass(frozen=True)
class PlannedTerm:
    name: str
    school_year: str
    starts_on: dt.date
    ends_on: dt.date
    half_terms: tuple[tuple[str, dt.date, dt.date], ...]


@dataclass(frozen=True)
class PlannedClosure:
    kind: str  # ClosureKind
    name: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class LeftOut:
    summary: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    reason: str


@dataclass
class TermDatesPlan:
    terms: list[PlannedTerm] = field(default_factory=list)
    closures: list[PlannedClosure] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    @property
    def starts_on(self) -> dt.date:
        return min(t.starts_on for t in self.terms)

    @property
    def ends_on(self) -> dt.date:
        return max(t.ends_on for t in self.terms)

    def as_data(self) -> dict:
        """A plain form of the plan (for the confirmation step to carry, signed)."""
        return {
            "terms": [[t.name, t.school_year, t.starts_on.isoformat(), t.ends_on.isoformat(),
                       [[n, s.isoformat(), e.isoformat()] for n, s, e in t.half_terms]] for t in self.terms],
            "closures": [[c.kind, c.name, c.starts_on.isoformat(), c.ends_on.isoformat()] for c in self.closures],
        }

    @classmethod
    def from_data(cls, data: dict) -> "TermDatesPlan":
        d = dt.date.fromisoformat
        return cls(
            terms=[PlannedTerm(n, y, d(s), d(e), tuple((hn, d(hs), d(he)) for hn, hs, he in hts))
                   for n, y, s, e, hts in data["terms"]],
            closures=[PlannedClosure(k, n, d(s), d(e)) for k, n, s, e in data["closures"]],
        )


@dataclass(frozen=True)
class _Event:
    summary: str
    starts_on: dt.date
    ends_on: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _event_dates(event: Event) -> tuple[dt.date, dt.date]:
    start_prop = event.get("DTSTART")
    if start_prop is None:
        raise CalendarFileError("has no start date")
    start = start_prop.dt
    end_prop = event.get("DTEND")
    if end_prop is not None:
        end = end_prop.dt
        if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
            last = end.date()
            if end.time() == dt.time(0, 0) and last > start.date():
                last -= DAY  # ends at midnight: the day before is the last
            return start.date(), last
        last = _as_date(end)
        # An all-day event's end is the day after its last day (RFC 5545).
        return _as_date(start), (last - DAY if last > _as_date(start) else _as_date(start))
    duration = event.get("DURATION")
    if duration is not None and duration.dt.days > 0:
        return _as_date(start), _as_date(start) + dt.timedelta(days=duration.dt.days - 1)
    return _as_date(start), _as_date(start)


def _school_year(day: dt.date) -> str:
    y = day.year if day.month >= 8 else day.year - 1
    return f"{y}/{(y + 1) % 100:02d}"


def _season(summary: str) -> str | None:
    low = summary.lower()
    for season in SEASONS:
        if season in low:
            return season
    match = re.search(r"\b(first|second|third|fourth|[1-4])\b", low)
    return f"term {SCOTTISH_TERMS[match.group(1)]}" if match else None


def _events(data: bytes) -> list[_Event | LeftOut]:
    if not data.strip():
        raise CalendarFileError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise CalendarFileError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: a calendar of term dates is far "
                                "smaller. Check that this is the right file.")
    if b"BEGIN:VCALENDAR" not in data[:4096].upper():
        raise CalendarFileError("This is not an iCalendar file (.ics): it does not start with BEGIN:VCALENDAR. Download the "
                                "council's term dates as an iCalendar or .ics file.")
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise CalendarFileError(f"The iCalendar file cannot be read: {str(exc)[:200] or 'it is malformed'}.") from exc
    found: list[_Event | LeftOut] = []
    for event in calendar.walk("VEVENT"):
        if len(found) >= MAX_EVENTS:
            raise CalendarFileError(f"The file holds more than {MAX_EVENTS} events: a calendar of term dates holds far fewer.")
        summary = str(event.get("SUMMARY", "")).strip()[:200] or "(no title)"
        try:
            starts_on, ends_on = _event_dates(event)
        except (CalendarFileError, AttributeError, TypeError, ValueError) as exc:
            found.append(LeftOut(summary, None, None, f"Its dates cannot be read ({exc})."))
            continue
        if ends_on < starts_on:
            found.append(LeftOut(summary, starts_on, ends_on, "It ends before it starts."))
        elif event.get("RRULE") is not None:
            found.append(LeftOut(summary, starts_on, ends_on, "A repeating event: term dates are single dates."))
        else:
            found.append(_Event(summary, starts_on, ends_on))
    return found


def _half_terms(jurisdiction: str, name: str, season: str | None, starts_on: dt.date, ends_on: dt.date,
                breaks: list[PlannedClosure]) -> tuple[tuple[str, dt.date, dt.date], ...]:
    label = (season or name).capitalize() if season in SEASONS else name.split(" 20")[0]
    if jurisdiction == Jurisdiction.SCOTLAND:
        return ((label, starts_on, ends_on),)
    inside = [b for b in breaks if _HALF_TERM_BREAK.search(b.name) and starts_on < b.starts_on and b.ends_on < ends_on]
    if not inside:
        return ((label, starts_on, ends_on),)
    b = inside[0]
    first_ends, second_starts = b.starts_on - DAY, b.ends_on + DAY
    while first_ends.weekday() >= 5:  # the Friday before a break that starts on a Monday
        first_ends -= DAY
    while second_starts.weekday() >= 5:  # the Monday after a break that ends on a Friday
        second_starts += DAY
    return ((f"{label} 1", starts_on, first_ends), (f"{label} 2", second_starts, ends_on))


def term_dates_read(data: bytes, *, jurisdiction: str) -> TermDatesPlan:
    """Classify the file's events into terms (with half terms), holidays and INSET days inside terms, and what was
    left out with the reason. Raises CalendarFileError when the file is not a readable calendar of term dates."""
    plan = TermDatesPlan()
    banks = bank_holidays(jurisdiction)
    spans: list[tuple[str | None, _Event]] = []  # whole terms
    starts: list[tuple[str | None, _Event]] = []
    ends: list[tuple[str | None, _Event]] = []
    closures: list[PlannedClosure] = []
    for item in _events(data):
        if isinstance(item, LeftOut):
            plan.left_out.append(item)
            continue
        text = item.summary
        if _BANK.search(text) or (item.days == 1 and item.starts_on in banks and not _INSET.search(text)):
            plan.left_out.append(LeftOut(text, item.starts_on, item.ends_on,
                                         "A bank holiday: Keyworker already knows them for the setting's country."))
        elif _INSET.search(text):
            closures.append(PlannedClosure(ClosureKind.INSET, text[:100], item.starts_on, item.ends_on))
        elif _HOLIDAY.search(text):
            closures.append(PlannedClosure(ClosureKind.HOLIDAY, text[:100], item.starts_on, item.ends_on))
        elif _TERM.search(text) and item.days >= 20:
            spans.append((_season(text), item))
        elif _TERM.search(text) and _ENDS.search(text):
            ends.append((_season(text), item))
        elif _TERM.search(text) and _STARTS.search(text):
            starts.append((_season(text), item))
        else:
            plan.left_out.append(LeftOut(text, item.starts_on, item.ends_on,
                                         "Not a term, a holiday or an INSET day."))
    # Terms given as their first and last days: each start pairs with the first end after it.
    periods: list[tuple[str | None, str, dt.date, dt.date]] = [(s, e.summary, e.starts_on, e.ends_on) for s, e in spans]
    ends.sort(key=lambda pair: pair[1].starts_on)
    used: set[int] = set()
    for season, start in sorted(starts, key=lambda pair: pair[1].starts_on):
        match = next((i for i, (_, end) in enumerate(ends) if i not in used and end.starts_on > start.starts_on), None)
        if match is None:
            plan.left_out.append(LeftOut(start.summary, start.starts_on, start.ends_on,
                                         "A term's first day with no last day after it in the file."))
            continue
        used.add(match)
        end_season, end = ends[match]
        periods.append((season or end_season, start.summary, start.starts_on, end.starts_on))
    for i, (_, end) in enumerate(ends):
        if i not in used:
            plan.left_out.append(LeftOut(end.summary, end.starts_on, end.ends_on,
                                         "A term's last day with no first day before it in the file."))
    periods.sort(key=lambda p: p[2])
    for (_, summary, s, e), nxt in zip(periods, periods[1:], strict=False):
        if nxt[2] <= e:
            raise CalendarFileError(f"Two terms overlap: “{summary}” ({on_screen(s)} to {on_screen(e)}) and “{nxt[1]}” "
                                    f"({on_screen(nxt[2])} to {on_screen(nxt[3])}). Check the file.")
    if not periods:
        raise CalendarFileError("The file holds no term dates: no event names a term with its dates (for example "
                                "“Autumn term” from its first to its last day, or “Autumn term starts” and “Autumn "
                                "term ends”). Nothing was imported.")
    if (periods[-1][3] - periods[0][2]).days > MAX_YEARS * 366:
        raise CalendarFileError(f"The terms span more than {MAX_YEARS} years: import one or two school years at a time.")
    # Holidays and INSET days inside a term are closures; those between terms are already holidays.
    for c in closures:
        if any(s <= c.ends_on and c.starts_on <= e for _, _, s, e in periods):
            plan.closures.append(c)
        else:
            plan.left_out.append(LeftOut(c.name, c.starts_on, c.ends_on,
                                         "Between terms: every day outside a term is already a holiday."))
    numbered: dict[str, int] = {}
    for season, _summary, s, e in periods:
        year = _school_year(s)
        if season in SEASONS:
            name = f"{season.capitalize()} {s.year}"
        else:
            numbered[year] = numbered.get(year, 0) + 1
            n = int(season.split()[1]) if season else numbered[year]
            name = f"Term {n} {year}"
        plan.terms.append(PlannedTerm(name, year, s, e, _half_terms(jurisdiction, name, season, s, e, plan.closures)))
    plan.closures.sort(key=lambda c: c.starts_on)
    plan.left_out.sort(key=lambda x: (x.starts_on or dt.date.min, x.summary))
    return plan


def term_dates_clashes(setting: Setting, plan: TermDatesPlan) -> list[str]:
    """The setting's terms that the plan's dates overlap, in words: importing over them is refused."""
    clashes = Term.objects.filter(setting=setting, starts_on__lte=plan.ends_on, ends_on__gte=plan.starts_on).order_by("starts_on")
    return [f"{t.name} ({on_screen(t.starts_on)} to {on_screen(t.ends_on)})" for t in clashes
            if any(p.starts_on <= t.ends_on and t.starts_on <= p.ends_on for p in plan.terms)]


@dataclass(frozen=True)
class ImportedTermDates:
    terms: int
    half_terms: int
    closures: int
    starts_on: dt.date
    ends_on: dt.date


@transaction.atomic
def term_dates_import(*, actor, setting: Setting, plan: TermDatesPlan) -> ImportedTermDates:
    """Enter the plan's terms, half terms, holidays and INSET days for the setting: all or nothing. Refused when a
    term of the plan overlaps one the setting has: nothing entered by hand is overwritten."""
    if actor is not None:
        require_manage_setup(actor)
        if setting.organisation_id != actor.organisation_id:
            raise RuleViolation("Not found.", rule="tenancy")
    if not plan.terms:
        raise RuleViolation("The file holds no term dates, so nothing was imported.", rule="empty")
    setting = Setting.objects.select_for_update().get(pk=setting.pk)  # one import at a time per setting
    clashes = term_dates_clashes(setting, plan)
    if clashes:
        raise RuleViolation(f"{setting} already has term dates that these overlap: {'; '.join(clashes)}. Nothing was "
                            "imported. Remove or change those terms on the setting's page first.", rule="overlap")
    org_id = setting.organisation_id
    half_terms: list[HalfTerm] = []
    for t in plan.terms:
        term = Term.objects.create(organisation_id=org_id, setting=setting, name=t.name, school_year=t.school_year,
                                   starts_on=t.starts_on, ends_on=t.ends_on)
        half_terms += [HalfTerm(organisation_id=org_id, setting=setting, term=term, name=n, starts_on=s, ends_on=e)
                       for n, s, e in t.half_terms]
    HalfTerm.objects.bulk_create(half_terms)
    Closure.objects.bulk_create([
        Closure(organisation_id=org_id, setting=setting, kind=c.kind, name=c.name, starts_on=c.starts_on, ends_on=c.ends_on)
        for c in plan.closures
    ])
    audit_record(
        organisation_id=org_id, actor=getattr(actor, "user", None), event_type="calendar.term_dates_imported", obj=setting,
        summary=f"Term dates imported from an iCalendar file for {setting}: {len(plan.terms)} terms from "
                f"{on_screen(plan.starts_on)} to {on_screen(plan.ends_on)}",
        data={"terms": len(plan.terms), "half_terms": len(half_terms), "closures": len(plan.closures),
              "starts_on": plan.starts_on.isoformat(), "ends_on": plan.ends_on.isoformat()},
    )
    return ImportedTermDates(len(plan.terms), len(half_terms), len(plan.closures), plan.starts_on, plan.ends_on)


def term_dates_feed(setting: Setting, *, product_id: str = "-//Keyworker//Term dates//EN") -> bytes:
    """The setting's terms, holidays and INSET days as an iCalendar file (all-day events; two queries). Half terms
    are not events of their own: they are the parts of a term either side of its half-term break, as on import."""
    calendar = Calendar()
    calendar.add("prodid", product_id)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{setting.name}: term dates")
    uid_base = f"setting-{setting.pk}"

    def add(uid: str, summary: str, starts_on: dt.date, ends_on: dt.date, category: str) -> None:
        event = Event()
        event.add("uid", f"{uid}@{uid_base}.keyworker")
        event.add("summary", summary)
        event.add("dtstart", starts_on)
        event.add("dtend", ends_on + DAY)
        event.add("dtstamp", dt.datetime(starts_on.year, starts_on.month, starts_on.day, tzinfo=dt.UTC))
        event.add("categories", [category])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)

    for t in Term.objects.filter(setting=setting).order_by("starts_on"):
        add(f"term-{t.pk}", f"{t.name} term" if not t.name.lower().startswith("term") else t.name, t.starts_on, t.ends_on, "Term")
    for c in Closure.objects.filter(setting=setting).order_by("starts_on"):
        add(f"closure-{c.pk}", c.name, c.starts_on, c.ends_on, ClosureKind(c.kind).label)
    return calendar.to_ical()
