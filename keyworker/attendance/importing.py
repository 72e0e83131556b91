"""Importing marks from an MIS export (CSV or .xlsx): child (UPN or MIS id), date, session, code, optional reason.

All or nothing: every row is checked and the report says, row by row, what is wrong; nothing is written unless
every row is good. The work is set-based, so that a school's year (1,500 children, about 570,000 rows) imports in
seconds: the rows are read and checked in memory against lookups loaded in a few queries (children by UPN and MIS
id, register codes, the calendar's school days, the marks already recorded for the range), then written at once:
on PostgreSQL with COPY into a temporary table and one INSERT ... SELECT (new marks) and one UPDATE with its
revisions (changed marks); elsewhere with bulk inserts in large batches.

A CSV file is read here (up to KEYWORKER_UPLOAD_MAX_MARK_ROWS rows, a year's register for a large school); an .xlsx workbook by the
shared reader of the children import (encodings, separators and title rows are handled the same way).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.core.uploads import UploadLimits, upload_limits
from keyworker.imports import reading
from keyworker.imports.mapping import normalise
from keyworker.imports.reading import Table, cell_text, read_table
from keyworker.imports.values import BadValue, parse_date
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Setting
from keyworker.people.models import Child
from keyworker.standards.obligations import obligations_refresh

from .models import AttendanceCode, AttendanceMark, Category, MarkRevision, Session
from .policies import can_record_for
from .services import REASON_MAX, normalise_code, normalise_session

COLUMNS = {
    "child": ("upn", "unique pupil number", "mis id", "mis reference", "pupil id", "child", "pupil", "admission number",
              "adno", "child identifier", "identifier"),
    "date": ("date", "session date", "attendance date", "day"),
    "session": ("session", "am pm", "ampm", "am or pm", "period"),
    "code": ("code", "mark", "attendance code", "register code"),
    "reason": ("reason", "comment", "comments", "note", "notes"),
}
REQUIRED = ("child", "date", "session", "code")
LABELS = {"child": "Child (UPN or MIS id)", "date": "Date", "session": "Session", "code": "Code", "reason": "Reason"}
# Older SQLite allows 999 parameters in a statement: above this many children, the marks of the range are read for
# the whole organisation and those of other children skipped.
MAX_IN_IDS = 900
# The report lists this many problems at most (a file with a wrong column could otherwise list 500,000).
MAX_PROBLEMS = 500


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    more_problems: int = 0  # problems found beyond those listed

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.more_problems


def find_columns(headers: list[str]) -> dict[str, int]:
    """Which column holds each field, by its heading; RuleViolation names the missing ones."""
    found: dict[str, int] = {}
    names = [normalise(h) for h in headers]
    for key, synonyms in COLUMNS.items():
        for i, name in enumerate(names):
            if name in synonyms and i not in found.values():
                found[key] = i
                break
    missing = [LABELS[k] for k in REQUIRED if k not in found]
    if missing:
        raise RuleViolation(
            "The file needs columns headed " + ", ".join(missing) + " (found: " + ", ".join(h for h in headers if h)[:200] + ").",
            rule="columns", field="file",
        )
    return found


def require_importer(actor: Actor) -> None:
    if not actor.is_member or not actor.can(caps.RUN_IMPORTS):
        raise PermissionDenied("Only the office and leaders can import attendance.")


def marks_limits() -> UploadLimits:
    """The upload limits, with the marks import's own row limit: a year's register for a large school in one file."""
    rows = django_settings.KEYWORKER_UPLOAD_MAX_MARK_ROWS
    # A mark is a narrow row (child, date, session, code, reason): room for ten cells a row.
    return upload_limits(max_rows=rows, max_cells=max(django_settings.KEYWORKER_UPLOAD_MAX_CELLS, rows * 10))


def read_marks_table(name: str, data: bytes) -> Table:
    """The file's table: a CSV file of up to KEYWORKER_UPLOAD_MAX_MARK_ROWS rows read here, a workbook by the shared
    reader (whose rows are limited as for any import)."""
    reading.check_extension(name)
    limits = marks_limits()
    if reading.is_workbook(name, data):
        return read_table(name, data)
    reading.check_size(data, limits)
    table = Table(headers=[])
    header_seen = False
    rows, lines = table.rows, table.lines
    # The shared reader checks the encoding, rows, columns, line and cell lengths as it goes.
    for n, row in reading.csv_rows(data, limits):
        if header_seen:
            if "".join(row).strip():
                rows.append(row)
                lines.append(n)
        elif n > reading.TITLE_ROWS or sum(1 for c in row if c.strip()) >= 2:
            # The first row with two or more filled cells is the header (exports may start with a title row).
            while row and not row[-1].strip():
                row = row[:-1]
            table.headers = [" ".join(c.replace("\ufeff", "").split()) for c in row]
            header_seen = True
    if not header_seen:
        raise reading.unreadable("The file is empty.")
    if not rows:
        raise reading.unreadable("The file has column headings but no rows of data.")
    return table


class _Problems:
    def __init__(self, report: ImportReport):
        self.report = report

    def add(self, line: int, key: str, message: str) -> None:
        if len(self.report.problems) < MAX_PROBLEMS:
            self.report.problems.append(RowProblem(line, LABELS.get(key, key), message))
        else:
            self.report.more_problems += 1


@dataclass
class _Checked:
    """The good rows: new marks (child id, setting id, date, session, code id, reason) and changes (mark id, code id,
    reason)."""

    new: list[tuple[int, int, dt.date, str, int, str]] = field(default_factory=list)
    changes: list[tuple[int, int, str]] = field(default_factory=list)
    unchanged: int = 0
    families: set[int] = field(default_factory=set)
    time_zone: str = "Europe/London"


def _children(actor: Actor, idents: list[str]) -> tuple[dict[str, Child], dict[str, Child]]:
    wanted = {i for i in idents if i}
    children = Child.objects.filter(organisation_id=actor.organisation_id).filter(
        Q(upn__in={i.upper() for i in wanted}) | Q(mis_reference__in=wanted)
    ).only("id", "organisation_id", "family_id", "setting_id", "group_id", "enrolled_on", "left_on", "upn", "mis_reference",
           "legal_first_name", "legal_last_name", "preferred_name")
    by_upn, by_mis = {}, {}
    for c in children:
        if c.upn:
            by_upn[c.upn.upper()] = c
        if c.mis_reference:
            by_mis[c.mis_reference] = c
    return by_upn, by_mis


def _check_rows(actor: Actor, table: Table, reason: str, problems: _Problems) -> _Checked:
    """Every row checked in memory; the lookups are loaded first, in a fixed number of queries."""
    cols = find_columns(table.headers)
    ci, di, si, ki, ri = cols["child"], cols["date"], cols["session"], cols["code"], cols.get("reason")
    rows = table.rows
    idents = [cell_text(r[ci]) if ci < len(r) else "" for r in rows]
    by_upn, by_mis = _children(actor, idents)
    setting_ids = {c.setting_id for c in (*by_upn.values(), *by_mis.values())}
    settings = {s.pk: s for s in Setting.objects.filter(organisation_id=actor.organisation_id, id__in=setting_ids)}
    calendars = {pk: TermCalendar.for_setting(s) for pk, s in settings.items()}
    today = {pk: clock.today(s.time_zone) for pk, s in settings.items()}
    codes = {(c.jurisdiction, c.code): c for c in AttendanceCode.objects.filter(
        jurisdiction__in={s.jurisdiction for s in settings.values()})}
    category = {c.pk: c.category for c in codes.values()}
    code_text = {c.pk: c.code for c in codes.values()}

    school_day: dict[tuple[int, dt.date], bool] = {}
    dates: dict[object, dt.date | None] = {}
    code_of: dict[tuple[int, object], AttendanceCode | None] = {}
    # Per identifier as written in the file: the child and what every row of theirs is checked against.
    who: dict[str, tuple | None] = {}
    seen: set[tuple[int, dt.date, str]] = set()
    good: list[tuple[int, tuple, dt.date, str, AttendanceCode, str]] = []
    default_reason = (reason or "").strip()

    for row, line, ident in zip(rows, table.lines, idents, strict=True):
        try:
            found = who[ident]
        except KeyError:
            child = (by_upn.get(ident.upper()) or by_mis.get(ident)) if ident else None
            found = who[ident] = None if child is None else (
                child, child.id, settings[child.setting_id], child.enrolled_on, child.left_on,
                can_record_for(actor, child),
            )
        if found is None:
            if not ident:
                problems.add(line, "child", "No UPN or MIS id.")
            else:
                problems.add(line, "child", f"No child with UPN or MIS id “{ident[:20]}”.")
            continue
        child, child_id, setting, enrolled_on, left_on, ok = found
        if not ok:
            problems.add(line, "child", f"You cannot record marks for {child.display_name}: they are not in your class.")
            continue
        raw_date = row[di] if di < len(row) else None
        try:
            day = dates[raw_date]
        except KeyError:
            try:
                day = parse_date(raw_date)
            except BadValue:
                day = None
            dates[raw_date] = day = day if isinstance(day, dt.date) else None
        except TypeError:  # an unhashable cell cannot come from a file; be safe
            day = None
        if day is None:
            shown = cell_text(raw_date)[:20]
            problems.add(line, "date", f"“{shown}” is not a date, e.g. 18/11/2026." if shown else "No date.")
            continue
        raw_session = row[si] if si < len(row) else ""
        session = normalise_session(raw_session if isinstance(raw_session, str) else cell_text(raw_session))
        if session is None:
            problems.add(line, "session", "Enter the session as AM or PM.")
            continue
        setting_id = setting.pk
        raw_code = row[ki] if ki < len(row) else ""
        try:
            code = code_of[(setting_id, raw_code)]
        except KeyError:
            got = codes.get((setting.jurisdiction, normalise_code(cell_text(raw_code))))
            code = code_of[(setting_id, raw_code)] = got if got is not None and got.in_use else None
        if code is None:
            shown = cell_text(raw_code)[:10]
            problems.add(line, "code", f"“{shown}” is not a register code." if shown else "Choose a register code.")
            continue
        sd = school_day.get((setting_id, day))
        if sd is None:
            sd = school_day[(setting_id, day)] = (
                "future" if day > today[setting_id] else calendars[setting_id].is_school_day(day))
        if sd is not True:
            if sd == "future":
                problems.add(line, "date", f"{on_screen(day)} is in the future: marks are recorded on the day or after.")
            else:
                problems.add(line, "date", f"{on_screen(day)} is not a school day at {setting.name} "
                                           f"({calendars[setting_id].describe(day)}).")
            continue
        if day < enrolled_on or (left_on is not None and day > left_on):
            problems.add(line, "date", f"{child.display_name} was not on roll on {on_screen(day)}.")
            continue
        mark_key = (child_id, day, session)
        if mark_key in seen:
            problems.add(line, "session", f"{child.display_name} has two marks for the {Session(session).label.lower()} "
                                          f"of {on_screen(day)} in this file.")
            continue
        seen.add(mark_key)
        why = (cell_text(row[ri]) if ri is not None and ri < len(row) else "") or default_reason
        if len(why) > REASON_MAX:
            problems.add(line, "reason", f"Keep the reason to {REASON_MAX} characters or fewer.")
            continue
        good.append((line, found, day, session, code, why))

    checked = _Checked(time_zone=next((s.time_zone for s in settings.values()), "Europe/London"))
    if not good or problems.report.problems:
        return checked
    # The marks already recorded for these children over the file's dates, in one query.
    first, last = min(g[2] for g in good), max(g[2] for g in good)
    child_ids = {g[1][1] for g in good}
    marks = AttendanceMark.objects.filter(organisation_id=actor.organisation_id, date__gte=first, date__lte=last)
    if len(child_ids) <= MAX_IN_IDS or connection.vendor == "postgresql":
        marks = marks.filter(child_id__in=child_ids)
    existing = {
        (child_id, day, session): (pk, code_id)
        for pk, child_id, day, session, code_id in marks.values_list(
            "id", "child_id", "date", "session", "code_id").iterator(chunk_size=20_000)
        if child_id in child_ids
    }
    if existing:
        category.update(AttendanceCode.objects.filter(
            id__in={c for _, c in existing.values()} - set(category)).values_list("id", "category"))
        code_text.update(AttendanceCode.objects.filter(
            id__in={c for _, c in existing.values()} - set(code_text)).values_list("id", "code"))
    unauthorised = Category.UNAUTHORISED
    for line, (child, child_id, setting, *_), day, session, code, why in good:
        found = existing.get((child_id, day, session))
        if found is None:
            if code.category == unauthorised:
                checked.families.add(child.family_id)
            checked.new.append((child_id, setting.pk, day, session, code.pk, why))
        elif found[1] == code.pk:
            checked.unchanged += 1
        elif len(why) < 3:
            problems.add(line, "reason", f"{child.display_name} already has {code_text[found[1]]} for this session: "
                                         "say why it changes.")
        else:
            if unauthorised in (code.category, category.get(found[1])):
                checked.families.add(child.family_id)
            checked.changes.append((found[0], code.pk, why))
    return checked


def _write_postgres(actor: Actor, checked: _Checked, now: dt.datetime) -> None:
    """COPY into temporary tables, then one INSERT ... SELECT for the new marks and one UPDATE for the changes."""
    import psycopg

    mark_table = AttendanceMark._meta.db_table
    revision_table = MarkRevision._meta.db_table
    user_id = actor.user.pk
    with connection.cursor() as cur:
        raw = cur.cursor
        if checked.new:
            # Straight into the register: the rows were checked against the marks already there; a mark recorded
            # meanwhile breaks the unique constraint, and the whole import is refused.
            at = now.isoformat()
            try:
                with transaction.atomic(), raw.copy(
                    f"COPY {mark_table} (organisation_id, child_id, setting_id, date, session, code_id, recorded_by_id, "
                    "recorded_at, reason) FROM STDIN"
                ) as copy:
                    org_id = actor.organisation_id
                    write = copy.write_row
                    for child_id, setting_id, day, session, code_id, why in checked.new:
                        write((org_id, child_id, setting_id, day, session, code_id, user_id, at, why))
            except (IntegrityError, psycopg.IntegrityError) as exc:
                raise RuleViolation("Some of these marks were recorded by someone else while the file was imported. "
                                    "Import the file again.", rule="concurrent", field="file") from exc
        if checked.changes:
            cur.execute("CREATE TEMPORARY TABLE attendance_import_change (mark_id bigint PRIMARY KEY, code_id bigint, "
                        "reason varchar(300)) ON COMMIT DROP")
            with raw.copy("COPY attendance_import_change (mark_id, code_id, reason) FROM STDIN") as copy:
                for row in checked.changes:
                    copy.write_row(row)
            cur.execute(
                f"INSERT INTO {revision_table} (organisation_id, mark_id, previous_code_id, new_code_id, "  # noqa: S608
                "previous_recorded_by_id, previous_recorded_at, changed_by_id, changed_at, reason) "
                "SELECT m.organisation_id, m.id, m.code_id, t.code_id, m.recorded_by_id, m.recorded_at, %s, %s, t.reason "
                f"FROM attendance_import_change t JOIN {mark_table} m ON m.id = t.mark_id WHERE m.organisation_id = %s",
                [user_id, now, actor.organisation_id],
            )
            cur.execute(
                f"UPDATE {mark_table} m SET code_id = t.code_id, recorded_by_id = %s, recorded_at = %s, "  # noqa: S608
                "reason = t.reason FROM attendance_import_change t WHERE m.id = t.mark_id AND m.organisation_id = %s",
                [user_id, now, actor.organisation_id],
            )
            changed = cur.rowcount
            cur.execute("DROP TABLE attendance_import_change")
            if changed != len(checked.changes):
                raise RuleViolation("Some of these marks were deleted while the file was imported. Import the file again.",
                                    rule="concurrent", field="file")


def _write_portable(actor: Actor, checked: _Checked, now: dt.datetime) -> None:
    """Inserts in large batches (SQLite and other databases); a mark recorded meanwhile breaks the unique constraint
    and the whole import is refused."""
    user = actor.user
    org_id = actor.organisation_id
    batch = 5000
    # New marks as plain rows with executemany: ten times faster than a model instance each through bulk_create.
    ops = connection.ops
    meta = AttendanceMark._meta
    columns = ", ".join(ops.quote_name(meta.get_field(f).column) for f in (
        "organisation", "child", "setting", "date", "session", "code", "recorded_by", "recorded_at", "reason"))
    sql = f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * 9)})"  # noqa: S608
    at = ops.adapt_datetimefield_value(now)
    day_value: dict[dt.date, object] = {}
    try:
        with transaction.atomic(), connection.cursor() as cur:
            for start in range(0, len(checked.new), batch):
                rows = []
                for child_id, setting_id, day, session, code_id, why in checked.new[start:start + batch]:
                    if day not in day_value:
                        day_value[day] = ops.adapt_datefield_value(day)
                    rows.append((org_id, child_id, setting_id, day_value[day], session, code_id, user.pk, at, why))
                cur.executemany(sql, rows)
    except IntegrityError as exc:
        raise RuleViolation("Some of these marks were recorded by someone else while the file was imported. "
                            "Import the file again.", rule="concurrent", field="file") from exc
    for start in range(0, len(checked.changes), batch):
        part = checked.changes[start:start + batch]
        marks = AttendanceMark.objects.in_bulk([mark_id for mark_id, *_ in part])
        revisions, updated = [], []
        for mark_id, code_id, why in part:
            mark = marks[mark_id]
            revisions.append(MarkRevision(
                organisation_id=mark.organisation_id, mark=mark, previous_code_id=mark.code_id, new_code_id=code_id,
                previous_recorded_by_id=mark.recorded_by_id, previous_recorded_at=mark.recorded_at,
                changed_by=user, changed_at=now, reason=why,
            ))
            mark.code_id, mark.recorded_by, mark.recorded_at, mark.reason = code_id, user, now, why
            updated.append(mark)
        MarkRevision.objects.bulk_create(revisions)
        AttendanceMark.objects.bulk_update(updated, ["code", "recorded_by", "recorded_at", "reason"], batch_size=1000)


@transaction.atomic
def marks_import(*, actor: Actor, name: str, data: bytes, reason: str = "Imported from the MIS") -> ImportReport:
    """Read the file and record every row, or nothing: the report lists each row's problem."""
    require_importer(actor)
    table = read_marks_table(name, data)
    report = ImportReport(rows=len(table.rows))
    problems = _Problems(report)
    checked = _check_rows(actor, table, reason, problems)
    if report.problems:
        report.problems.sort(key=lambda p: p.line)
        return report
    now = clock.now()
    if connection.vendor == "postgresql":
        _write_postgres(actor, checked, now)
    else:
        _write_portable(actor, checked, now)
    report.created, report.changed, report.unchanged = len(checked.new), len(checked.changes), checked.unchanged
    if report.created or report.changed:
        audit_record(
            organisation_id=actor.organisation_id, actor=actor.user, event_type="attendance.recorded",
            summary=f"{report.created + report.changed} attendance marks imported from {name[:100]}",
            data={"created": report.created, "changed": report.changed},
        )
    if checked.families:
        obligations_refresh(organisation_id=actor.organisation_id, family_ids=checked.families,
                            as_of=clock.today(checked.time_zone), actor=actor)
    return report
