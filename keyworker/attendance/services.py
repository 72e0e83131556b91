"""Writes to the register: record one mark, or a batch (a class session, an import, an API upload) all or nothing.

Every entry is checked before anything is written: the code exists in the setting's jurisdiction, the day is a
school day, the child was on roll, the day is not in the future, no session twice in the batch, and a change to
an existing mark says why (the old value is kept as a revision). Then the obligations of families with an
unexplained absence recorded or cleared are brought up to date in the same transaction.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import date_problem, on_screen
from keyworker.core.errors import RuleViolation
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Setting
from keyworker.people.models import Child
from keyworker.standards.obligations import obligations_refresh

from .models import AttendanceCode, AttendanceMark, AttendanceSettings, Category, MarkRevision, Session
from .policies import can_record_for

REASON_MAX = 300
_SESSION_WORDS = {"am": "AM", "morning": "AM", "pm": "PM", "afternoon": "PM"}


@dataclass(frozen=True)
class MarkEntry:
    """One mark to record. `line` is where it came from (an import row, an API item) for the report."""

    child: Child
    date: dt.date
    session: str
    code: str
    reason: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Problem:
    index: int            # position in the batch
    line: int | None
    field: str
    message: str


class MarksRefused(RuleViolation):
    """The batch was refused; `problems` says why, entry by entry. Nothing was written."""

    def __init__(self, problems: list[Problem]):
        first = problems[0]
        more = f" ({len(problems)} problems in all)" if len(problems) > 1 else ""
        super().__init__(first.message + more, rule="marks", field=first.field)
        self.problems = problems


@dataclass
class MarksResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    marks: list[AttendanceMark] = field(default_factory=list)
    families_refreshed: set[int] = field(default_factory=set)

    @property
    def written(self) -> int:
        return self.created + self.changed


def normalise_session(value: str) -> str | None:
    if value == "AM" or value == "PM":  # the usual case, without building anything (an import has 500,000 of them)
        return value
    return _SESSION_WORDS.get((value or "").strip().lower())


def normalise_code(value: str) -> str:
    return (value or "").strip().upper()


def codes_for(jurisdictions: set[str]) -> dict[tuple[str, str], AttendanceCode]:
    """Codes that may be recorded, by (jurisdiction, code), in one query."""
    return {(c.jurisdiction, c.code): c for c in AttendanceCode.objects.filter(jurisdiction__in=jurisdictions, in_use=True)}


def attendance_settings(organisation_id: int) -> AttendanceSettings:
    """The organisation's thresholds, or the national defaults (unsaved) when it has not set its own."""
    return AttendanceSettings.objects.filter(organisation_id=organisation_id).first() or AttendanceSettings(
        organisation_id=organisation_id
    )


class _Days:
    """School days per setting, each (setting, day) asked of its calendar once."""

    def __init__(self, settings: dict[int, Setting]):
        self.calendars = {pk: TermCalendar.for_setting(s) for pk, s in settings.items()}
        self._cache: dict[tuple[int, dt.date], bool] = {}

    def is_school_day(self, setting_id: int, day: dt.date) -> bool:
        key = (setting_id, day)
        if key not in self._cache:
            self._cache[key] = self.calendars[setting_id].is_school_day(day)
        return self._cache[key]

    def describe(self, setting_id: int, day: dt.date) -> str:
        return self.calendars[setting_id].describe(day)


def _check(
    actor: Actor, entries: Sequence[MarkEntry], reason: str, settings: dict[int, Setting], days: _Days,
) -> tuple[list[Problem], list[tuple[MarkEntry, str, AttendanceCode, str]]]:
    """Problems, and for the good entries (entry, session, code, reason)."""
    codes = codes_for({s.jurisdiction for s in settings.values()})
    today = {pk: clock.today(s.time_zone) for pk, s in settings.items()}
    problems: list[Problem] = []
    good: list[tuple[MarkEntry, str, AttendanceCode, str]] = []
    seen: dict[tuple[int, dt.date, str], int] = {}
    allowed: dict[int, bool] = {}

    def refuse(i: int, entry: MarkEntry, fld: str, message: str) -> None:
        problems.append(Problem(i, entry.line, fld, message))

    for i, entry in enumerate(entries):
        child = entry.child
        if child.organisation_id != actor.organisation_id:
            refuse(i, entry, "child", "No such child.")
            continue
        if child.pk not in allowed:
            allowed[child.pk] = can_record_for(actor, child)
        if not allowed[child.pk]:
            refuse(i, entry, "child", f"You cannot record marks for {child.display_name}: they are not in your class.")
            continue
        session = normalise_session(entry.session)
        if session is None:
            refuse(i, entry, "session", "Enter the session as AM or PM.")
            continue
        if not isinstance(entry.date, dt.date):
            refuse(i, entry, "date", "Enter the date, for example 18/11/2026.")
            continue
        setting = settings[child.setting_id]
        if problem := date_problem(entry.date, today=today[setting.pk]):
            refuse(i, entry, "date", problem)
            continue
        code = codes.get((setting.jurisdiction, normalise_code(entry.code)))
        if code is None:
            shown = (entry.code or "").strip()[:10]
            message = f"“{shown}” is not a register code." if shown else "Choose a register code."
            refuse(i, entry, "code", message)
            continue
        if entry.date > today[setting.pk]:
            refuse(i, entry, "date", f"{on_screen(entry.date)} is in the future: marks are recorded on the day or after.")
            continue
        if not days.is_school_day(setting.pk, entry.date):
            refuse(i, entry, "date", f"{on_screen(entry.date)} is not a school day at {setting.name} "
                                     f"({days.describe(setting.pk, entry.date)}).")
            continue
        if entry.date < child.enrolled_on or (child.left_on is not None and entry.date > child.left_on):
            refuse(i, entry, "date", f"{child.display_name} was not on roll on {on_screen(entry.date)}.")
            continue
        key = (child.pk, entry.date, session)
        if key in seen:
            refuse(i, entry, "session", f"{child.display_name} has two marks for the {Session(session).label.lower()} "
                                        f"of {on_screen(entry.date)} in this batch.")
            continue
        seen[key] = i
        why = (entry.reason or reason or "").strip()
        if len(why) > REASON_MAX:
            refuse(i, entry, "reason", f"Keep the reason to {REASON_MAX} characters or fewer.")
            continue
        good.append((entry, session, code, why))
    return problems, good


@transaction.atomic
def marks_record_bulk(
    *, actor: Actor, entries: Sequence[MarkEntry], reason: str = "", refresh: bool = True, audit_summary: str = "",
    return_marks: bool = True,
) -> MarksResult:
    """Record a batch of marks, all or nothing: MarksRefused (with a problem per entry) writes nothing.

    A mark that already exists with the same code is left alone; with another code it changes, with a reason (the
    entry's or the batch's), and the previous code is kept as a revision. An import passes return_marks=False:
    new marks are then written as plain rows, without a model instance each (a year's import is 500,000 rows)."""
    if not actor.is_member:
        raise PermissionDenied("You do not have permission to do this.")
    if not entries:
        raise RuleViolation("There are no marks to record.", rule="empty", field="marks")
    setting_ids = {e.child.setting_id for e in entries if e.child.organisation_id == actor.organisation_id}
    settings = {s.pk: s for s in Setting.objects.filter(organisation_id=actor.organisation_id, id__in=setting_ids)}
    days = _Days(settings)
    problems, good = _check(actor, entries, reason, settings, days)
    existing: dict[tuple[int, dt.date, str], AttendanceMark] = {}
    if good:
        dates = [e.date for e, *_ in good]
        qs = AttendanceMark.objects.select_related("code").filter(
            organisation_id=actor.organisation_id, child_id__in={e.child.pk for e, *_ in good},
            date__gte=min(dates), date__lte=max(dates),
        )
        if len(set(dates)) == 1:
            qs = qs.filter(date=dates[0])
        existing = {(m.child_id, m.date, m.session): m for m in qs}
    now = clock.now()
    to_create: list[AttendanceMark] = []
    new_rows: list[tuple] = []
    to_update: list[AttendanceMark] = []
    revisions: list[MarkRevision] = []
    touched_families: set[int] = set()
    result = MarksResult()
    index_of = {id(e): i for i, e in enumerate(entries)}
    for entry, session, code, why in good:
        child = entry.child
        mark = existing.get((child.pk, entry.date, session))
        if mark is None:
            if code.category == Category.UNAUTHORISED:
                touched_families.add(child.family_id)
            if not return_marks:
                new_rows.append((child.organisation_id, child.pk, child.setting_id, entry.date, session, code.pk, why))
                continue
            mark = AttendanceMark(
                organisation_id=child.organisation_id, child=child, setting_id=child.setting_id, date=entry.date,
                session=session, code=code, recorded_by=actor.user, recorded_at=now, reason=why,
            )
            to_create.append(mark)
        elif mark.code_id == code.pk:
            result.unchanged += 1
        else:
            if len(why) < 3:
                problems.append(Problem(index_of[id(entry)], entry.line, "reason",
                                        f"{child.display_name} already has {mark.code.code} for this session: "
                                        "say why it changes."))
                continue
            revisions.append(MarkRevision(
                organisation_id=mark.organisation_id, mark=mark, previous_code_id=mark.code_id, new_code=code,
                previous_recorded_by_id=mark.recorded_by_id, previous_recorded_at=mark.recorded_at,
                changed_by=actor.user, changed_at=now, reason=why,
            ))
            if Category.UNAUTHORISED in (code.category, mark.code.category):
                touched_families.add(child.family_id)
            mark.code, mark.recorded_by, mark.recorded_at, mark.reason = code, actor.user, now, why
            to_update.append(mark)
        result.marks.append(mark)
    if problems:
        problems.sort(key=lambda p: p.index)
        raise MarksRefused(problems)
    AttendanceMark.objects.bulk_create(to_create, batch_size=2000)
    _insert_rows(new_rows, actor.user.pk, now)
    if to_update:
        AttendanceMark.objects.bulk_update(to_update, ["code", "recorded_by", "recorded_at", "reason"], batch_size=1000)
        MarkRevision.objects.bulk_create(revisions, batch_size=1000)
    result.created, result.changed = len(to_create) + len(new_rows), len(to_update)
    if result.written:
        audit_record(
            organisation_id=actor.organisation_id, actor=actor.user, event_type="attendance.recorded",
            summary=audit_summary or f"{result.created} marks recorded, {result.changed} changed",
            data={"created": result.created, "changed": result.changed},
        )
    if refresh and touched_families:
        today = clock.today(next(iter(settings.values())).time_zone)
        obligations_refresh(organisation_id=actor.organisation_id, family_ids=touched_families, as_of=today, actor=actor)
        result.families_refreshed = touched_families
    return result


def _insert_rows(rows: list[tuple], user_id: int | None, now: dt.datetime) -> None:
    """New marks as plain rows (organisation, child, setting, date, session, code, reason), in batches."""
    if not rows:
        return
    ops = connection.ops
    meta = AttendanceMark._meta
    columns = [meta.get_field(f).column for f in
               ("organisation", "child", "setting", "date", "session", "code", "reason", "recorded_by", "recorded_at")]
    names = ", ".join(ops.quote_name(c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {ops.quote_name(meta.db_table)} ({names}) VALUES ({placeholders})"  # noqa: S608 - names from the model
    at = ops.adapt_datetimefield_value(now)
    dates: dict[dt.date, object] = {}
    with connection.cursor() as cur:
        for start in range(0, len(rows), 5000):
            batch = []
            for org_id, child_id, setting_id, day, session, code_id, reason in rows[start:start + 5000]:
                if day not in dates:
                    dates[day] = ops.adapt_datefield_value(day)
                batch.append((org_id, child_id, setting_id, dates[day], session, code_id, reason, user_id, at))
            cur.executemany(sql, batch)


def mark_record(
    *, actor: Actor, child: Child, date: dt.date, session: str, code: str, reason: str = "",
) -> AttendanceMark:
    """Record (or correct, with a reason) one child's mark for one session."""
    try:
        result = marks_record_bulk(actor=actor, entries=[MarkEntry(child, date, session, code, reason)])
    except MarksRefused as exc:
        problem = exc.problems[0]
        raise RuleViolation(problem.message, rule="mark", field=problem.field) from exc
    return result.marks[0]


@transaction.atomic
def attendance_settings_save(
    *, actor: Actor, persistent_at_or_below, severe_at_or_below, replace_n_within_school_days: int,
) -> AttendanceSettings:
    """Leaders set the organisation's thresholds (persistent above severe, both percentages)."""
    from keyworker.accounts import capabilities as caps

    actor.require(caps.MANAGE_SETUP)
    if not (0 < severe_at_or_below < persistent_at_or_below <= 100):
        raise RuleViolation("The severe absence threshold must be below the persistent one, both between 0 and 100%.",
                            rule="thresholds", field="severe_at_or_below")
    if not (1 <= replace_n_within_school_days <= 20):
        raise RuleViolation("Enter between 1 and 20 school days.", rule="replace_days", field="replace_n_within_school_days")
    obj, _ = AttendanceSettings.objects.update_or_create(
        organisation_id=actor.organisation_id,
        defaults={"persistent_at_or_below": persistent_at_or_below, "severe_at_or_below": severe_at_or_below,
                  "replace_n_within_school_days": replace_n_within_school_days},
    )
    audit_record(organisation_id=actor.organisation_id, actor=actor.user, event_type="attendance.settings", obj=obj,
                 summary="Attendance thresholds changed")
    return obj
