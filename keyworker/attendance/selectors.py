"""Reads of the register, scoped to the acting user: rates per child, class and setting over any range (one
aggregate query whatever the number of children), the periods users ask about, and the absences to challenge."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Setting
from keyworker.people.models import Child
from keyworker.people.selectors import children_visible_to

from .models import AttendanceMark, AttendanceSettings, Category, Session


@dataclass(frozen=True)
class Rates:
    """Counts of sessions over a range and the rates they give. Not-possible sessions count on neither side."""

    present: int = 0
    authorised: int = 0
    unauthorised: int = 0
    not_possible: int = 0

    @property
    def possible(self) -> int:
        return self.present + self.authorised + self.unauthorised

    @property
    def absent(self) -> int:
        return self.authorised + self.unauthorised

    @property
    def recorded(self) -> int:
        return self.possible + self.not_possible

    def _pct(self, n: int) -> Decimal | None:
        if not self.possible:
            return None
        return (Decimal(100) * n / self.possible).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def attendance_pct(self) -> Decimal | None:
        return self._pct(self.present)

    @property
    def authorised_pct(self) -> Decimal | None:
        return self._pct(self.authorised)

    @property
    def unauthorised_pct(self) -> Decimal | None:
        return self._pct(self.unauthorised)

    @property
    def absence_pct(self) -> Decimal | None:
        return self._pct(self.absent)

    def exact_attendance(self) -> Decimal | None:
        return Decimal(100) * self.present / self.possible if self.possible else None

    def __add__(self, other: "Rates") -> "Rates":
        return Rates(self.present + other.present, self.authorised + other.authorised,
                     self.unauthorised + other.unauthorised, self.not_possible + other.not_possible)


EMPTY = Rates()


def _counts() -> dict:
    # The category is the code's; a code that is not a possible session (D, X, Y1...) counts only as not possible.
    possible = Q(code__possible=True)
    return {
        "present": Count("id", filter=possible & Q(code__category=Category.PRESENT)),
        "authorised": Count("id", filter=possible & Q(code__category=Category.AUTHORISED)),
        "unauthorised": Count("id", filter=possible & Q(code__category=Category.UNAUTHORISED)),
        "not_possible": Count("id", filter=Q(code__possible=False)),
    }


def rates_by_child(organisation_id: int, children: QuerySet[Child] | list[int], start: dt.date, end: dt.date) -> dict[int, Rates]:
    """Each child's counts over [start, end], in one aggregate query (children as ids or a queryset of them)."""
    qs = AttendanceMark.objects.filter(organisation_id=organisation_id, date__gte=start, date__lte=end)
    if isinstance(children, QuerySet):
        qs = qs.filter(child_id__in=children.values("id"))
    else:
        qs = qs.filter(child_id__in=list(children))
    rows = qs.values("child_id").annotate(**_counts()).order_by()
    return {r["child_id"]: Rates(r["present"], r["authorised"], r["unauthorised"], r["not_possible"]) for r in rows}


def rates_total(organisation_id: int, start: dt.date, end: dt.date, **filters) -> Rates:
    """Totals over [start, end] for a class (group_id=), a setting (setting_id=) or a child (child_id=): one query."""
    qs = AttendanceMark.objects.filter(organisation_id=organisation_id, date__gte=start, date__lte=end)
    if "group_id" in filters:
        qs = qs.filter(child__group_id=filters.pop("group_id"))
    qs = qs.filter(**filters)
    r = qs.aggregate(**_counts())
    return Rates(r["present"], r["authorised"], r["unauthorised"], r["not_possible"])


def thresholds(organisation_id: int) -> AttendanceSettings:
    from .services import attendance_settings

    return attendance_settings(organisation_id)


def band(rates: Rates, settings: AttendanceSettings) -> str:
    """"severe", "persistent" or "" (nothing possible yet is neither)."""
    pct = rates.exact_attendance()
    if pct is None:
        return ""
    if pct <= settings.severe_at_or_below:
        return "severe"
    if pct <= settings.persistent_at_or_below:
        return "persistent"
    return ""


# Periods -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    key: str
    label: str
    start: dt.date
    end: dt.date


def periods(calendar: TermCalendar, as_of: dt.date) -> list[Range]:
    """This week, this half term and this school year up to `as_of` (those the calendar knows)."""
    monday = as_of - dt.timedelta(days=as_of.weekday())
    out = [Range("week", "This week", monday, as_of)]
    half = calendar.half_term_for(as_of)
    if half is None:
        started = [h for h in calendar.half_terms if h.starts_on <= as_of]
        half = started[-1] if started else None
    if half is not None:
        out.append(Range("half_term", f"This half term ({half.name})", half.starts_on, min(half.ends_on, as_of)))
    year_start = calendar.school_year_start(as_of)
    if year_start is not None:
        out.append(Range("year", "This school year", year_start, as_of))
    return out


def period(calendar: TermCalendar, as_of: dt.date, key: str) -> Range | None:
    return next((p for p in periods(calendar, as_of) if p.key == key), None)


# Scoped reads ------------------------------------------------------------------------------------------------


def access_child_attendance(actor: Actor, child_id: int) -> Child:
    """A child the actor may see (else 404)."""
    if not actor.is_member:
        raise Http404
    child = children_visible_to(actor).select_related("family", "setting", "group").filter(pk=child_id).first()
    if child is None:
        raise Http404("No such child")
    return child


def child_marks(child: Child, start: dt.date, end: dt.date) -> list[AttendanceMark]:
    return list(
        AttendanceMark.objects.filter(organisation_id=child.organisation_id, child_id=child.pk, date__gte=start, date__lte=end)
        .select_related("code").order_by("date", "session")
    )


def on_roll(qs: QuerySet[Child], start: dt.date, end: dt.date) -> QuerySet[Child]:
    """Children on roll at some point in [start, end]."""
    return qs.filter(enrolled_on__lte=end).filter(Q(left_on__isnull=True) | Q(left_on__gte=start))


def register_children(group, day: dt.date) -> list[Child]:
    return list(on_roll(Child.objects.filter(organisation_id=group.organisation_id, group_id=group.pk), day, day)
                .order_by("legal_last_name", "legal_first_name", "id"))


def register_marks(group, day: dt.date, session: str) -> dict[int, AttendanceMark]:
    return {
        m.child_id: m for m in AttendanceMark.objects.filter(
            organisation_id=group.organisation_id, child__group_id=group.pk, date=day, session=session
        ).select_related("code", "recorded_by")
    }


def default_session(setting: Setting, now: dt.datetime) -> str:
    """The morning until 12:30 in the setting's time zone, then the afternoon."""
    import zoneinfo

    local = now.astimezone(zoneinfo.ZoneInfo(setting.time_zone))
    return Session.AM if (local.hour, local.minute) < (12, 30) else Session.PM
