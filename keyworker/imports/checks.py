"""Checking every row of an import before anything is written: a report per row and the plan of what to create.

Set-based: the setting's classes, the organisation's children, families, roles and staff are loaded once, in a
fixed number of queries, whatever the number of rows.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from keyworker.accounts.models import Role, StaffMember, User
from keyworker.core import clock
from keyworker.core.dates import date_problem
from keyworker.core.names import clean_name
from keyworker.organisations.models import Group, Setting
from keyworker.people.models import Child, ContactMethod, ContactRestriction, Family, Relationship
from keyworker.people.upn import upn_problem

from .mapping import CARER_SLOTS, normalise
from .models import ImportKind
from .reading import Cell, Table, cell_text
from .values import (
    BadValue,
    parse_contact_method,
    parse_date,
    parse_ehcp,
    parse_relationship,
    parse_restriction,
    parse_yes_no,
    phone_key,
    split_full_name,
)

Progress = Callable[[int, int], None]
PREVIEW_ROWS = 10
_CHUNK = 500  # IN lists stay well under SQLite's limit on query parameters
_PR_BY_DEFAULT = {Relationship.MOTHER, Relationship.FATHER, Relationship.GUARDIAN}


@dataclass
class RowProblem:
    line: int
    name: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "name": self.name, "errors": self.errors, "warnings": self.warnings,
                "skipped": self.skipped}


@dataclass(slots=True)
class CarerRow:
    title: str
    first_name: str
    last_name: str
    relationship: str
    parental_responsibility: bool
    phone: str
    email: str
    preferred_contact_method: str
    first_language: str
    contact_restriction: str
    restriction_notes: str


@dataclass(slots=True)
class ChildRow:
    index: int
    line: int
    legal_first_name: str
    legal_last_name: str
    preferred_name: str
    date_of_birth: dt.date | None
    upn: str
    mis_reference: str
    group_id: int | None
    group_name: str
    year_group: str
    enrolled_on: dt.date | None
    has_ehcp: bool
    household: str
    address: str
    aspects: dict[str, str]
    carers: list[CarerRow]
    skipped: bool = False


@dataclass
class PlannedFamily:
    name: str
    mis_reference: str
    address: str
    existing_id: int | None
    carers: list[CarerRow] = field(default_factory=list)
    children: list[ChildRow] = field(default_factory=list)


@dataclass(slots=True)
class StaffRow:
    index: int
    line: int
    full_name: str
    email: str
    job_title: str
    staff_code: str
    role_ids: list[int]
    group_ids: list[int]
    role_names: list[str]
    group_names: list[str]
    user_id: int | None
    skipped: bool = False


@dataclass
class Check:
    """The outcome of checking a file: problems per row, counts, a preview, and what an import would create."""

    kind: str
    row_count: int
    problems: dict[int, RowProblem] = field(default_factory=dict)
    families: list[PlannedFamily] = field(default_factory=list)
    staff: list[StaffRow] = field(default_factory=list)
    preview_columns: list[str] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rows: list[ChildRow] = field(default_factory=list)  # every child row as read, those already on roll too

    @property
    def error_rows(self) -> int:
        return sum(1 for p in self.problems.values() if p.errors)

    @property
    def error_count(self) -> int:
        return sum(len(p.errors) for p in self.problems.values())

    @property
    def warning_count(self) -> int:
        return sum(len(p.warnings) for p in self.problems.values())

    @property
    def skipped_count(self) -> int:
        return sum(1 for p in self.problems.values() if p.skipped)

    @property
    def has_errors(self) -> bool:
        return any(p.errors for p in self.problems.values())

    def problem_list(self) -> list[RowProblem]:
        return [self.problems[i] for i in sorted(self.problems)]

    def report(self) -> dict[str, Any]:
        counts = dict(self.counts, rows=self.row_count, errors=self.error_count, error_rows=self.error_rows,
                      warnings=self.warning_count, skipped=self.skipped_count)
        return {
            "counts": counts,
            "problems": [p.as_dict() for p in self.problem_list()],
            "preview_columns": self.preview_columns,
            "preview": self.preview,
        }


class _Rows:
    """Problems of the row being checked, kept only when there are some."""

    def __init__(self, check: Check):
        self.check = check

    def problem(self, index: int, line: int, name: str) -> RowProblem:
        p = self.check.problems.get(index)
        if p is None:
            p = self.check.problems[index] = RowProblem(line=line, name=name)
        return p


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i:i + _CHUNK]


def _group_key(name: str) -> str:
    return " ".join(name.casefold().split())


class _Groups:
    """The setting's classes or rooms by name, matched without regard to case, spacing or a "Class"/"Room" prefix."""

    def __init__(self, setting: Setting):
        self.setting = setting
        self.by_key: dict[str, Group] = {}
        self.names: list[str] = []
        for g in Group.objects.filter(setting=setting).order_by("name"):
            self.by_key.setdefault(_group_key(g.name), g)
            self.names.append(g.name)

    def find(self, name: str) -> Group | None:
        key = _group_key(name)
        group = self.by_key.get(key)
        if group is None:
            stripped = re.sub(r"^(class|room|form|reg group)\s+", "", key)
            group = self.by_key.get(stripped)
        return group

    def unknown(self, name: str) -> str:
        label = self.setting.group_label
        plural = "classes" if label == "class" else "rooms"
        if not self.names:
            return f"{self.setting} has no {plural} yet, so “{name}” cannot be found: add the {plural} under Setup first."
        shown = ", ".join(self.names[:12]) + ("…" if len(self.names) > 12 else "")
        return f"“{name}” is not a {label} at {self.setting}. The {plural} there are: {shown}."


def _name(label: str, text: str, errors: list[str]) -> str:
    """A name cleaned as every form and the API clean it (NFC, no hidden characters); refused with a message."""
    try:
        return clean_name(text)
    except ValidationError as exc:
        errors.append(f"{label}: {' '.join(exc.messages)}")
        return text


def _too_long(label: str, text: str, limit: int) -> str | None:
    if len(text) > limit:
        return f"{label} is too long ({len(text)} characters; at most {limit})."
    return None


def _valid_email(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


def _fmt(day: dt.date | None) -> str:
    """Dates in tables the British way, 3/3/2026."""
    return f"{day.day}/{day.month}/{day.year}" if day else ""


def _cells(row: list[Cell], mapping: dict[str, int]) -> dict[str, Cell]:
    n = len(row)
    return {key: row[col] if col < n else None for key, col in mapping.items()}


# ---------------------------------------------------------------------------------------------------------------------
# Children, families and carers


def check_children(
    *, table: Table, mapping: dict[str, int], setting: Setting, today: dt.date | None = None,
    on_progress: Progress | None = None,
) -> Check:
    """Check every row; when there is no error, `families` is what the import creates."""
    today = today or clock.today(setting.time_zone)
    pivot = today.year % 100
    check = Check(kind=ImportKind.CHILDREN, row_count=len(table.rows))
    rows = _Rows(check)
    groups = _Groups(setting)
    org_id = setting.organisation_id

    # What the organisation already has, in three queries.
    on_roll_by_upn: dict[str, str] = {}
    on_roll_by_identity: dict[tuple[str, str, dt.date], tuple[str, str]] = {}
    for upn, first, last, preferred, dob in Child.objects.filter(organisation_id=org_id).values_list(
        "upn", "legal_first_name", "legal_last_name", "preferred_name", "date_of_birth"
    ):
        shown = f"{preferred or first} {last}"
        if upn:
            on_roll_by_upn[upn.upper()] = shown
        on_roll_by_identity.setdefault((first.casefold(), last.casefold(), dob), (shown, upn or ""))
    families_by_ref: dict[str, tuple[int, str]] = {}
    for ref, fid, fname in (
        Family.objects.filter(organisation_id=org_id).exclude(mis_reference="").order_by("id")
        .values_list("mis_reference", "id", "name")
    ):
        families_by_ref.setdefault(ref.strip().casefold(), (fid, fname))

    class_mapped = "group" in mapping
    relationship_mapped = {n: f"carer{n}_relationship" in mapping for n in CARER_SLOTS}
    carers_mapped = any(key.startswith("carer") for key in mapping)
    parsed: list[ChildRow] = []
    total = len(table.rows)
    for index, row in enumerate(table.rows):
        if on_progress and index % 500 == 0:
            on_progress(index, total)
        line = table.lines[index]
        cells = _cells(row, mapping)

        def text(key: str, cells: dict[str, Cell] = cells) -> str:
            return cell_text(cells.get(key))

        errors: list[str] = []
        warnings: list[str] = []
        first = _name("First name", text("legal_first_name"), errors)
        last = _name("Surname", text("legal_last_name"), errors)
        if not first:
            errors.append("First name is missing.")
        if not last:
            errors.append("Surname is missing.")
        preferred = _name("Preferred name", text("preferred_name"), errors)
        for label, value, limit in (("First name", first, 80), ("Surname", last, 80), ("Preferred name", preferred, 80),
                                    ("MIS reference", text("mis_reference"), 50), ("Year group", text("year_group"), 20),
                                    ("First language", text("first_language"), 60), ("Religion", text("religion"), 60)):
            if (msg := _too_long(label, value, limit)) is not None:
                errors.append(msg)

        dob = None
        try:
            dob = parse_date(cells.get("date_of_birth"), pivot=pivot)
        except BadValue as exc:
            errors.append(f"Date of birth: {exc}.")
        else:
            if dob is None:
                errors.append("Date of birth is missing.")
            elif dob > today:
                errors.append(f"Date of birth {_fmt(dob)} is in the future.")
            elif problem := date_problem(dob, today=today):
                errors.append(f"Date of birth {_fmt(dob)}: {problem}")
        enrolled = None
        try:
            enrolled = parse_date(cells.get("enrolled_on"), pivot=pivot)
        except BadValue as exc:
            errors.append(f"Admission date: {exc}.")
        else:
            if problem := date_problem(enrolled, today=today):
                errors.append(f"Admission date {_fmt(enrolled)}: {problem}")
            if enrolled and dob and enrolled < dob <= today:
                errors.append(f"Admission date {_fmt(enrolled)} is before the date of birth {_fmt(dob)}.")

        upn = re.sub(r"\s+", "", text("upn")).upper()
        if len(upn) > 13:
            errors.append(f"UPN “{upn}” is too long: a UPN has 13 characters.")
        elif upn and (problem := upn_problem(upn)):
            warnings.append(f"UPN {upn}: {problem}")

        group: Group | None = None
        group_name = text("group")
        if group_name:
            group = groups.find(group_name)
            if group is None:
                errors.append(groups.unknown(group_name))
        elif class_mapped:
            warnings.append(f"No {setting.group_label} given: the child is added without one.")

        has_ehcp = False
        try:
            has_ehcp = parse_ehcp(text("has_ehcp"))
        except BadValue as exc:
            errors.append(f"EHCP: {exc}.")

        carers = []
        for n in CARER_SLOTS:
            carer = _carer(n, text, last, text("first_language"), errors, warnings, relationship_mapped[n])
            if carer is not None:
                carers.append(carer)
        if not carers and carers_mapped:
            warnings.append("No parent or carer given: add one on the family's page.")

        household = text("household")
        child = ChildRow(
            index=index, line=line, legal_first_name=first, legal_last_name=last, preferred_name=preferred,
            date_of_birth=dob, upn=upn, mis_reference=text("mis_reference"), group_id=group.pk if group else None,
            group_name=group.name if group else group_name, year_group=text("year_group") or (group.year_group if group else ""),
            enrolled_on=enrolled, has_ehcp=has_ehcp, household=household, address=text("address"),
            aspects={k: text(k) for k in ("first_language", "religion", "medical_needs", "allergies")},
            carers=carers,
        )
        # Already on roll: by UPN, or by name and date of birth; reported, and never imported twice.
        already = on_roll_by_upn.get(upn) if upn else None
        if already is None and dob and first and last:
            match = on_roll_by_identity.get((first.casefold(), last.casefold(), dob))
            if match is not None:
                shown, their_upn = match
                if upn and their_upn and their_upn.upper() != upn:
                    warnings.append(f"{shown}, with the same name and date of birth, is already on roll with UPN "
                                    f"{their_upn}: check this is a different child.")
                else:
                    already = shown
        if already is not None:
            warnings.append(f"Already on roll as {already}: skipped.")
            child.skipped = True
        if errors or warnings:
            p = rows.problem(index, line, f"{first} {last}".strip() or "(no name)")
            p.errors.extend(errors)
            p.warnings.extend(warnings)
            p.skipped = child.skipped
        parsed.append(child)

    _duplicates_in_file(parsed, rows)
    check.rows = parsed
    check.families = _families(parsed, families_by_ref, rows)
    new_families = [f for f in check.families if f.existing_id is None]
    check.counts = {
        "children": sum(len(f.children) for f in check.families),
        "families": len(new_families),
        "existing_families": sum(1 for f in check.families if f.existing_id is not None),
        "carers": sum(len(f.carers) for f in new_families),
    }
    _children_preview(check, parsed)
    if on_progress:
        on_progress(total, total)
    return check


def _carer(
    n: int, text: Callable[[str], str], child_surname: str, child_language: str, errors: list[str],
    warnings: list[str], relationship_mapped: bool,
) -> CarerRow | None:
    p = f"carer{n}_"
    who = f"Contact {n}"
    title, first, last, full = text(p + "title"), text(p + "first_name"), text(p + "last_name"), text(p + "full_name")
    phone, email = text(p + "phone"), text(p + "email").lower()
    if phone and not any(ch.isdigit() for ch in phone):
        phone = ""  # "n/a", "none", "-": no number given
    if not (first or last or full or phone or email):
        return None
    if full and not (first or last):
        full_title, first, last = split_full_name(full)
        title = title or full_title
    title, first, last = (_name(f"{who} {label}", value, errors)
                          for label, value in (("title", title), ("first name", first), ("surname", last)))
    if not last and child_surname and (first or title):
        last = child_surname
        warnings.append(f"{who} has no surname: the child's surname {child_surname} is used.")
    if not (first or last):
        errors.append(f"{who} has a phone number or e-mail address but no name.")
    elif not first:
        warnings.append(f"{who} has no first name.")
    for label, value, limit in (("title", title, 20), ("first name", first, 80), ("surname", last, 80),
                                ("phone", phone, 40), ("e-mail", email, 254), ("language", text(p + "language"), 60),
                                ("restriction details", text(p + "restriction_notes"), 300)):
        if (msg := _too_long(f"{who} {label}", value, limit)) is not None:
            errors.append(msg)
    if email and not _valid_email(email):
        errors.append(f"{who} e-mail “{email}” is not a valid e-mail address.")
    if phone and sum(ch.isdigit() for ch in phone) < 6:
        warnings.append(f"{who} phone “{phone}” looks too short to be a phone number.")

    relationship = Relationship.OTHER
    try:
        given = parse_relationship(text(p + "relationship"), title=title)
    except BadValue as exc:
        errors.append(f"{who} relationship: {exc}.")
    else:
        if given is None:
            if relationship_mapped:
                warnings.append(f"{who} relationship is not given: recorded as Other.")
        else:
            relationship = given
    try:
        pr = parse_yes_no(text(p + "parental_responsibility"))
    except BadValue as exc:
        errors.append(f"{who} parental responsibility: {exc}.")
        pr = False
    if pr is None:
        pr = relationship in _PR_BY_DEFAULT

    method = None
    try:
        method = parse_contact_method(text(p + "preferred_method"))
    except BadValue as exc:
        errors.append(f"{who} preferred contact method: {exc}.")
    if method is None:
        method = ContactMethod.PHONE if phone or not email else ContactMethod.EMAIL
    elif method == ContactMethod.EMAIL and not email:
        warnings.append(f"{who} prefers e-mail but has no e-mail address.")
    elif method == ContactMethod.PHONE and not phone:
        warnings.append(f"{who} prefers phone calls but has no phone number.")

    restriction = ContactRestriction.NONE
    notes = text(p + "restriction_notes")
    try:
        restriction = parse_restriction(text(p + "restriction"))
    except BadValue as exc:
        errors.append(f"{who} court order or restriction: {exc}.")
    if restriction and not notes:
        warnings.append(f"{who} has a court order or restriction: add what it says on the family's page.")

    return CarerRow(
        title=title, first_name=first, last_name=last, relationship=relationship, parental_responsibility=pr,
        phone=phone, email=email, preferred_contact_method=method,
        # Without the carer's own, the child's first language is the better guess than the model's English.
        first_language=text(p + "language") or child_language or "English", contact_restriction=restriction,
        restriction_notes=notes,
    )


def _duplicates_in_file(parsed: list[ChildRow], rows: _Rows) -> None:
    by_upn: dict[str, list[ChildRow]] = defaultdict(list)
    by_identity: dict[tuple[str, str, dt.date], list[ChildRow]] = defaultdict(list)
    for c in parsed:
        if c.upn:
            by_upn[c.upn].append(c)
        elif c.date_of_birth and c.legal_first_name and c.legal_last_name:
            by_identity[(c.legal_first_name.casefold(), c.legal_last_name.casefold(), c.date_of_birth)].append(c)
    for upn, same in by_upn.items():
        if len(same) > 1:
            for c in same:
                others = ", ".join(str(o.line) for o in same if o is not c)
                rows.problem(c.index, c.line, f"{c.legal_first_name} {c.legal_last_name}".strip()).errors.append(
                    f"UPN {upn} is also on line {others}: a UPN belongs to one pupil."
                )
    for same in by_identity.values():
        if len(same) > 1:
            for c in same:
                others = ", ".join(str(o.line) for o in same if o is not c)
                rows.problem(c.index, c.line, f"{c.legal_first_name} {c.legal_last_name}").errors.append(
                    f"The same child (name and date of birth, no UPN) is also on line {others}."
                )


def _family_key(c: ChildRow) -> tuple[str, ...]:
    """Siblings share the household reference; without one, the first carer's e-mail or phone and the surname."""
    if c.household:
        return ("household", " ".join(c.household.casefold().split()))
    if c.carers:
        carer = c.carers[0]
        contact = carer.email or phone_key(carer.phone)
        if contact:
            return ("contact", contact, c.legal_last_name.casefold())
    return ("row", str(c.index))


def _families(
    parsed: list[ChildRow], families_by_ref: dict[str, tuple[int, str]], rows: _Rows,
) -> list[PlannedFamily]:
    planned: dict[tuple[str, ...], PlannedFamily] = {}
    for c in parsed:
        if c.skipped:
            continue
        key = _family_key(c)
        family = planned.get(key)
        if family is None:
            # A household reference longer than the column (a whole address block) still groups siblings.
            ref = c.household if len(c.household) <= 50 else ""
            existing = families_by_ref.get(ref.strip().casefold()) if ref else None
            if existing is not None:
                family = PlannedFamily(name=existing[1], mis_reference=ref, address="", existing_id=existing[0])
            else:
                surname = c.legal_last_name or "New"
                family = PlannedFamily(name=f"The {surname} family", mis_reference=ref, address=c.address,
                                       existing_id=None)
            planned[key] = family
        family.children.append(c)
        if family.existing_id is not None and c.carers:
            rows.problem(c.index, c.line, f"{c.legal_first_name} {c.legal_last_name}").warnings.append(
                f"Joins {family.name}, already here: its carers stay as they are (the contacts in the file are not "
                "added)."
            )
        if not family.address and c.address and family.existing_id is None:
            family.address = c.address
        if family.existing_id is None:
            seen = {(x.first_name.casefold(), x.last_name.casefold()) for x in family.carers}
            for carer in c.carers:
                k = (carer.first_name.casefold(), carer.last_name.casefold())
                if k not in seen and (carer.first_name or carer.last_name):
                    family.carers.append(carer)
                    seen.add(k)
    return list(planned.values())


def _children_preview(check: Check, parsed: list[ChildRow]) -> None:
    family_of: dict[int, PlannedFamily] = {}
    for f in check.families:
        for c in f.children:
            family_of[c.index] = f
    check.preview_columns = ["Line", "Child", "Date of birth", "Class or room", "Year", "UPN", "Family", "Carers"]
    for c in parsed[:PREVIEW_ROWS]:
        f = family_of.get(c.index)
        if c.skipped:
            family_text = "Already on roll: skipped"
        elif f is None:
            family_text = ""
        elif f.existing_id is not None:
            family_text = f"{f.name} (already here)"
        else:
            family_text = f.name
        name = f"{c.legal_first_name} {c.legal_last_name}".strip()
        if c.preferred_name and c.preferred_name != c.legal_first_name:
            name += f" (known as {c.preferred_name})"
        check.preview.append([
            str(c.line), name, _fmt(c.date_of_birth), c.group_name, c.year_group, c.upn, family_text,
            "; ".join(f"{' '.join(x for x in (k.first_name, k.last_name) if x)} ({Relationship(k.relationship).label})"
                      for k in c.carers),
        ])


# ---------------------------------------------------------------------------------------------------------------------
# Staff


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;|\n]+", text) if part.strip()]


def check_staff(
    *, table: Table, mapping: dict[str, int], setting: Setting, on_progress: Progress | None = None,
) -> Check:
    check = Check(kind=ImportKind.STAFF, row_count=len(table.rows))
    rows = _Rows(check)
    groups = _Groups(setting)
    org_id = setting.organisation_id
    roles: dict[str, Role] = {}
    role_list = list(Role.objects.filter(organisation_id=org_id).order_by("name"))
    for r in role_list:
        roles.setdefault(normalise(r.code), r)
        roles.setdefault(normalise(r.name), r)
    role_hint = ", ".join(r.code for r in role_list)

    emails = []
    total = len(table.rows)
    for row in table.rows:
        e = cell_text(_cells(row, {"email": mapping["email"]}).get("email")) if "email" in mapping else ""
        if e:
            emails.append(e.lower())
    users_by_email: dict[str, int] = {}
    staff_by_email: dict[str, str] = {}
    unique_emails = sorted(set(emails))
    for chunk in _chunks(unique_emails):
        users_by_email.update(User.objects.filter(email__in=chunk).values_list("email", "id"))
        staff_by_email.update(
            StaffMember.objects.filter(organisation_id=org_id, user__email__in=chunk).values_list("user__email", "user__full_name")
        )

    parsed: list[StaffRow] = []
    for index, row in enumerate(table.rows):
        if on_progress and index % 500 == 0:
            on_progress(index, total)
        line = table.lines[index]
        cells = _cells(row, mapping)

        def text(key: str, cells: dict[str, Cell] = cells) -> str:
            return cell_text(cells.get(key))

        errors: list[str] = []
        warnings: list[str] = []
        name = text("full_name") or " ".join(x for x in (text("first_name"), text("last_name")) if x)
        name = " ".join(_name("Name", name, errors).split())
        if not name:
            errors.append("Name is missing.")
        email = text("email").lower()
        if not email:
            errors.append("E-mail is missing.")
        elif not _valid_email(email):
            errors.append(f"E-mail “{email}” is not a valid e-mail address.")
        for label, value, limit in (("Name", name, 150), ("E-mail", email, 254), ("Job title", text("job_title"), 100),
                                    ("Staff code", text("staff_code"), 30)):
            if (msg := _too_long(label, value, limit)) is not None:
                errors.append(msg)

        role_ids: list[int] = []
        role_names: list[str] = []
        for word in _split_list(text("roles")):
            role = roles.get(normalise(word))
            if role is None:
                errors.append(f"Role “{word}” is not a role in this organisation. The roles are: {role_hint}.")
                continue
            if role.pk not in role_ids:
                role_ids.append(role.pk)
                role_names.append(role.name)
            if setting.is_school and not role.for_schools:
                warnings.append(f"{role.name} is a childcare role, and {setting} is a school.")
            if not setting.is_school and not role.for_childcare:
                warnings.append(f"{role.name} is a school role, and {setting} is not a school.")
        if not role_ids and not any(e.startswith("Role ") for e in errors):
            warnings.append("No role given: they see nothing until you give them a role.")
        group_ids: list[int] = []
        group_names: list[str] = []
        for word in _split_list(text("groups")):
            group = groups.find(word)
            if group is None:
                errors.append(groups.unknown(word))
            elif group.pk not in group_ids:
                group_ids.append(group.pk)
                group_names.append(group.name)

        staff = StaffRow(
            index=index, line=line, full_name=name, email=email, job_title=text("job_title"),
            staff_code=text("staff_code"), role_ids=role_ids, group_ids=group_ids, role_names=role_names,
            group_names=group_names, user_id=users_by_email.get(email),
        )
        if email in staff_by_email:
            warnings.append(f"Already a staff member here as {staff_by_email[email]}: skipped.")
            staff.skipped = True
        elif staff.user_id is not None:
            warnings.append("Already signs in to Keyworker: they are invited, and join with these roles when they accept.")
        if errors or warnings:
            p = rows.problem(index, line, name or email or "(no name)")
            p.errors.extend(errors)
            p.warnings.extend(warnings)
            p.skipped = staff.skipped
        parsed.append(staff)

    by_email: dict[str, list[StaffRow]] = defaultdict(list)
    for s in parsed:
        if s.email:
            by_email[s.email].append(s)
    for email, same in by_email.items():
        if len(same) > 1:
            for s in same:
                others = ", ".join(str(o.line) for o in same if o is not s)
                rows.problem(s.index, s.line, s.full_name or email).errors.append(
                    f"E-mail {email} is also on line {others}: each person signs in with their own address."
                )
    check.staff = [s for s in parsed if not s.skipped]
    check.counts = {
        "staff": len(check.staff),
        "new_users": sum(1 for s in check.staff if s.user_id is None),
    }
    check.preview_columns = ["Line", "Name", "E-mail", "Job title", "Staff code", "Roles", "Classes or rooms"]
    check.preview = [
        [str(s.line), s.full_name, s.email, s.job_title, s.staff_code, ", ".join(s.role_names), ", ".join(s.group_names)]
        for s in parsed[:PREVIEW_ROWS]
    ]
    if on_progress:
        on_progress(total, total)
    return check


def check_table(
    *, kind: str, table: Table, mapping: dict[str, int], setting: Setting, on_progress: Progress | None = None,
) -> Check:
    if kind == ImportKind.STAFF:
        return check_staff(table=table, mapping=mapping, setting=setting, on_progress=on_progress)
    return check_children(table=table, mapping=mapping, setting=setting, on_progress=on_progress)
