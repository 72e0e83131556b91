"""Importing the attendance summary of a Common Transfer File (CTF): Attendance/YearData of each pupil.

A CTF comes with a pupil who joins from another school; its YearData elements give, per school year and school,
the sessions possible, attended, authorised and unauthorised there. They are kept per child as
AttendanceYearSummary rows (the previous school's figures) and shown on the child's attendance page.

All or nothing: every pupil is checked (a UPN the organisation knows, whole numbers that add up) and the report
says, pupil by pupil, what is wrong; nothing is written unless every pupil is good. A file imported again replaces
the figures it gave before (one row per child, year and school).
"""

import io
import xml.etree.ElementTree as ET  # noqa: S405 - only for the Element type and ParseError; parsing is defusedxml's
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.core.exceptions import PermissionDenied
from django.db import transaction

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation
from keyworker.core.uploads import UploadLimits, too_large_message, upload_limits
from keyworker.people.models import Child

from .models import AttendanceYearSummary

MAX_SESSIONS = 1000  # a school year has about 380 sessions; a CTF figure above this is a mistake


@dataclass(frozen=True)
class YearFigures:
    year: int
    school_name: str
    school_urn: str
    school_la_estab: str
    possible: int
    attended: int
    authorised: int
    unauthorised: int


@dataclass
class PupilData:
    position: int           # the pupil's place in the file, from 1
    upn: str
    name: str
    years: list[YearFigures] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PupilProblem:
    position: int
    upn: str
    name: str
    message: str


@dataclass
class CtfReport:
    pupils: int = 0
    years: int = 0
    created: int = 0
    updated: int = 0
    source_school: str = ""
    problems: list[PupilProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _unreadable(message: str) -> RuleViolation:
    return RuleViolation(message, rule="unreadable", field="file")


def _text(element: ET.Element | None, tag: str) -> str:
    found = element.find(tag) if element is not None else None
    return " ".join((found.text or "").split()) if found is not None else ""


def _whole(value: str, label: str, problems: list[str], year: str) -> int | None:
    cleaned = value.replace(" ", "")
    if not cleaned:
        problems.append(f"{year}: no {label}.")
        return None
    if not cleaned.isdigit():
        problems.append(f"{year}: {label} “{value[:12]}” is not a whole number.")
        return None
    number = int(cleaned)
    if number > MAX_SESSIONS:
        problems.append(f"{year}: {label} {number} is more than a school year has.")
        return None
    return number


def parse_ctf(data: bytes, *, limits: UploadLimits | None = None) -> tuple[str, list[PupilData]]:
    """The source school's name and each pupil's YearData; RuleViolation if the file is not a CTF.

    Parsed by defusedxml with no DTD allowed, whatever the encoding (UTF-8, UTF-16 with a byte order mark, or as the
    file declares): a file with a DOCTYPE or entity is refused before anything in it is expanded. Pupils are read
    one at a time and their elements dropped, so memory follows one pupil, not the file.
    """
    limits = limits or upload_limits()
    if not data or not data.strip():
        raise _unreadable("The file is empty.")
    if len(data) > limits.max_bytes:
        raise _unreadable(too_large_message(limits))
    source = ""
    pupils: list[PupilData] = []
    path: list[str] = []
    try:
        for event, element in iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True,
                                        forbid_entities=True, forbid_external=True):
            if event == "start":
                path.append(element.tag)
                if len(path) == 1 and element.tag != "CTfile":
                    raise _unreadable("This is not a Common Transfer File (its root element should be CTfile).")
                continue
            depth = len(path)  # the element's place is known by its depth: no path joined for every element
            path.pop()
            if depth == 3 and element.tag == "SourceSchool" and path[1] == "Header":
                source = _text(element, "SchoolName")
                element.clear()
            elif depth == 3 and element.tag == "Pupil" and path[1] == "CTFpupilData":
                if len(pupils) >= limits.max_rows:
                    raise _unreadable(f"The file has more than {limits.max_rows:,} pupils. Split it into smaller files.")
                pupils.append(_pupil(len(pupils) + 1, element, limits))
                element.clear()  # the pupil is read: its elements are not kept
            elif len(path) == 1:
                element.clear()  # a section of the file that is not needed any more
    except DefusedXmlException as exc:
        raise _unreadable("This file declares a DTD or XML entities, which a Common Transfer File never does: "
                          "it was not imported.") from exc
    except ET.ParseError as exc:
        raise _unreadable(f"This is not a readable XML file ({exc}). Upload the CTF as the MIS exported it.") from exc
    if not pupils:
        raise _unreadable("The file has no pupils (CTFpupilData/Pupil).")
    return source, pupils


def _pupil(position: int, pupil: ET.Element, limits: UploadLimits) -> PupilData:
    upn = _text(pupil, "UPN").replace(" ", "").upper()
    name = " ".join(p for p in (_text(pupil, "Forename"), _text(pupil, "Surname")) if p)
    if len(upn) > limits.max_cell_chars or len(name) > limits.max_cell_chars:
        raise _unreadable(f"Pupil {position} has a UPN or name longer than {limits.max_cell_chars:,} characters.")
    data_ = PupilData(position=position, upn=upn, name=name[:200])
    for year_data in pupil.iterfind("Attendance/YearData"):
        label = _text(year_data, "Year")
        problems: list[str] = []
        year = int(label) if label.isdigit() and 1990 <= int(label) <= 2100 else None
        if year is None:
            problems.append(f"Year “{label[:12]}” is not a school year such as 2019." if label else "A YearData has no Year.")
            label = label[:12] or "?"
        else:
            label = f"{year}/{(year + 1) % 100:02d}"
        numbers = [_whole(_text(year_data, tag), words, problems, label) for tag, words in (
            ("SessionsPossible", "sessions possible"), ("SessionsAttended", "sessions attended"),
            ("SessionsAuthorised", "authorised absences"), ("SessionsUnauthorised", "unauthorised absences"))]
        if not problems:
            possible, attended, authorised, unauthorised = numbers
            if attended + authorised + unauthorised > possible:
                problems.append(f"{label}: {attended} attended, {authorised} authorised and {unauthorised} "
                                f"unauthorised add up to more than the {possible} sessions possible.")
        if problems:
            data_.problems.extend(problems)
            continue
        la, estab = _text(year_data, "LEA"), _text(year_data, "Estab")
        data_.years.append(YearFigures(
            year=year, school_name=_text(year_data, "SchoolName")[:200], school_urn=_text(year_data, "URN")[:12],
            school_la_estab=f"{la}/{estab}"[:12] if la or estab else "",
            possible=possible, attended=attended, authorised=authorised, unauthorised=unauthorised,
        ))
    return data_


def require_ctf_importer(actor: Actor) -> None:
    if not actor.is_member or not actor.can(caps.RUN_IMPORTS):
        raise PermissionDenied("Only the office and leaders can import transfer files.")


@transaction.atomic
def ctf_attendance_import(*, actor: Actor, name: str, data: bytes) -> CtfReport:
    """Keep each pupil's YearData as the child's yearly summaries, or nothing: the report lists each pupil's problem."""
    require_ctf_importer(actor)
    source, pupils = parse_ctf(data)
    report = CtfReport(pupils=len(pupils), source_school=source)
    upns = {p.upn for p in pupils if p.upn}
    children = {c.upn.upper(): c for c in Child.objects.filter(organisation_id=actor.organisation_id, upn__in=upns)}
    seen: set[str] = set()
    for pupil in pupils:
        def problem(message: str, pupil: PupilData = pupil) -> None:
            report.problems.append(PupilProblem(pupil.position, pupil.upn, pupil.name, message))

        if not pupil.upn:
            problem("No UPN: the pupil cannot be matched to a child.")
        elif pupil.upn not in children:
            problem(f"No child with UPN {pupil.upn[:13]} here: add the child first (the children import reads CTFs).")
        elif pupil.upn in seen:
            problem("This UPN is in the file twice.")
        seen.add(pupil.upn)
        for message in pupil.problems:
            problem(message)
    if report.problems:
        return report
    existing = {
        (s.child_id, s.year, s.school_urn, s.school_la_estab): s
        for s in AttendanceYearSummary.objects.filter(organisation_id=actor.organisation_id,
                                                      child_id__in=[c.pk for c in children.values()])
    }
    now = clock.now()
    to_create, to_update = [], []
    for pupil in pupils:
        child = children[pupil.upn]
        for y in pupil.years:
            values = {"school_name": y.school_name, "sessions_possible": y.possible, "sessions_attended": y.attended,
                      "sessions_authorised": y.authorised, "sessions_unauthorised": y.unauthorised,
                      "source_file": name[:200], "imported_by": actor.user, "imported_at": now}
            summary = existing.get((child.pk, y.year, y.school_urn, y.school_la_estab))
            if summary is None:
                summary = AttendanceYearSummary(organisation_id=actor.organisation_id, child=child, year=y.year,
                                                school_urn=y.school_urn, school_la_estab=y.school_la_estab, **values)
                existing[(child.pk, y.year, y.school_urn, y.school_la_estab)] = summary
                to_create.append(summary)
            else:
                for key, value in values.items():
                    setattr(summary, key, value)
                if summary.pk:
                    to_update.append(summary)
            report.years += 1
    AttendanceYearSummary.objects.bulk_create(to_create, batch_size=1000)
    AttendanceYearSummary.objects.bulk_update(to_update, ["school_name", "sessions_possible", "sessions_attended",
                                                          "sessions_authorised", "sessions_unauthorised", "source_file",
                                                          "imported_by", "imported_at"], batch_size=1000)
    report.created, report.updated = len(to_create), len(to_update)
    audit_record(organisation_id=actor.organisation_id, actor=actor.user, event_type="attendance.ctf_imported",
                 summary=f"Attendance of {len(pupils)} pupil{'s' if len(pupils) != 1 else ''} imported from a transfer file"
                         f"{' from ' + source[:100] if source else ''}",
                 data={"pupils": len(pupils), "years": report.years})
    return report


def summaries_for_child(child: Child) -> list[AttendanceYearSummary]:
    """The child's yearly summaries from transfer files, newest year first (one query)."""
    return list(AttendanceYearSummary.objects.filter(organisation_id=child.organisation_id, child=child)
                .order_by("-year", "school_name"))


def ctf_section_check(data: bytes) -> list[tuple[str, list[str]]]:
    """For the whole-file CTF import: each pupil's UPN and the problems of their YearData."""
    _, pupils = parse_ctf(data)
    return [(p.upn, p.problems) for p in pupils]


def ctf_section_write(actor: Actor, name: str, data: bytes) -> int:
    """For the whole-file CTF import: the summaries written, or RuleViolation (nothing written) naming the first problem."""
    report = ctf_attendance_import(actor=actor, name=name, data=data)
    if not report.ok:
        first = report.problems[0]
        raise RuleViolation(f"Attendance of {first.name or first.upn}: {first.message} Nothing was imported.",
                            rule="ctf_attendance", field="file")
    return report.years


def ctf_section_for_child(child: Child) -> list[dict]:
    """For a leaver's CTF: the yearly summaries kept from earlier transfer files."""
    return [{"year": s.year, "school_name": s.school_name, "school_urn": s.school_urn,
             "school_la_estab": s.school_la_estab, "possible": s.sessions_possible, "attended": s.sessions_attended,
             "authorised": s.sessions_authorised, "unauthorised": s.sessions_unauthorised}
            for s in summaries_for_child(child)]
