"""Importing marks from an MIS export (CSV or .xlsx): child (UPN or MIS id), date, session, code, optional reason.

All or nothing: every row is checked and the report says, row by row, what is wrong; nothing is written unless
every row is good. Reading the file reuses the children import's reader (encodings, separators, title rows).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.core.errors import RuleViolation
from keyworker.imports.mapping import normalise
from keyworker.imports.reading import Table, cell_text, read_table
from keyworker.imports.values import BadValue, parse_date
from keyworker.people.models import Child

from .services import MarkEntry, MarksRefused, marks_record_bulk

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

    @property
    def ok(self) -> bool:
        return not self.problems


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


def _cell(row: list, i: int | None):
    return row[i] if i is not None and i < len(row) else None


def entries_from_table(actor: Actor, table: Table) -> tuple[list[MarkEntry], list[RowProblem]]:
    """The entries of the table's rows, children found by UPN or MIS id in one query; problems for the rest."""
    cols = find_columns(table.headers)
    idents = [cell_text(_cell(row, cols["child"])) for row in table.rows]
    wanted = {i.upper() for i in idents if i}
    children = Child.objects.filter(organisation_id=actor.organisation_id).filter(
        Q(upn__in=wanted) | Q(mis_reference__in={i for i in idents if i})
    ).only("id", "organisation_id", "family_id", "setting_id", "group_id", "enrolled_on", "left_on", "upn", "mis_reference",
           "legal_first_name", "legal_last_name", "preferred_name")
    by_upn, by_mis = {}, {}
    for c in children:
        if c.upn:
            by_upn[c.upn.upper()] = c
        if c.mis_reference:
            by_mis[c.mis_reference] = c
    entries: list[MarkEntry] = []
    problems: list[RowProblem] = []
    for row, line, ident in zip(table.rows, table.lines, idents, strict=True):
        child = by_upn.get(ident.upper()) or by_mis.get(ident)
        if not ident:
            problems.append(RowProblem(line, LABELS["child"], "No UPN or MIS id."))
            continue
        if child is None:
            problems.append(RowProblem(line, LABELS["child"], f"No child with UPN or MIS id “{ident[:20]}”."))
            continue
        try:
            day = parse_date(_cell(row, cols["date"]))
        except BadValue:
            day = None
        if not isinstance(day, dt.date):
            shown = cell_text(_cell(row, cols["date"]))[:20]
            problems.append(RowProblem(line, LABELS["date"], f"“{shown}” is not a date, e.g. 18/11/2026." if shown else "No date."))
            continue
        entries.append(MarkEntry(
            child=child, date=day, session=cell_text(_cell(row, cols["session"])), code=cell_text(_cell(row, cols["code"])),
            reason=cell_text(_cell(row, cols.get("reason"))), line=line,
        ))
    return entries, problems


_FIELD_LABEL = {"child": LABELS["child"], "date": LABELS["date"], "session": LABELS["session"], "code": LABELS["code"],
                "reason": LABELS["reason"]}


def require_importer(actor: Actor) -> None:
    if not actor.is_member or not actor.can(caps.RUN_IMPORTS):
        raise PermissionDenied("Only the office and leaders can import attendance.")


@transaction.atomic
def marks_import(*, actor: Actor, name: str, data: bytes, reason: str = "Imported from the MIS") -> ImportReport:
    """Read the file and record every row, or nothing: the report lists each row's problem."""
    require_importer(actor)
    table = read_table(name, data)
    report = ImportReport(rows=len(table.rows))
    entries, problems = entries_from_table(actor, table)
    report.problems.extend(problems)
    if not entries:
        report.problems.sort(key=lambda p: p.line)
        return report
    sid = transaction.savepoint()
    try:
        result = marks_record_bulk(actor=actor, entries=entries, reason=reason, return_marks=False,
                                   audit_summary=f"{len(entries)} attendance marks imported from {name[:100]}")
    except MarksRefused as exc:
        transaction.savepoint_rollback(sid)
        report.problems.extend(RowProblem(p.line or 0, _FIELD_LABEL.get(p.field, p.field), p.message) for p in exc.problems)
    else:
        if report.problems:
            transaction.savepoint_rollback(sid)  # all or nothing: other rows had problems
        else:
            transaction.savepoint_commit(sid)
            report.created, report.changed, report.unchanged = result.created, result.changed, result.unchanged
    report.problems.sort(key=lambda p: p.line)
    return report
