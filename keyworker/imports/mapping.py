"""What an import can fill in (the target fields), and guessing which column of an MIS export holds each."""

import re
from dataclasses import dataclass

from keyworker.core.errors import RuleViolation

from .models import ImportKind


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    section: str
    synonyms: tuple[str, ...]
    required: bool = False
    hint: str = ""


def normalise(text: str) -> str:
    """Header text compared loosely: lower case, no brackets or punctuation, single spaces."""
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", str(text or "").lower())
    text = text.replace("e-mail", "email").replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


CHILD = "Child"
FAMILY = "Family"
ASPECTS = "Key aspects"

_CHILD_TARGETS = [
    Target("legal_first_name", "Legal first name", CHILD, (
        "legal forename", "forename", "first name", "legal first name", "firstname", "given name", "forenames",
        "pupil forename", "pupil first name", "child forename", "child first name", "student forename",
        "legal forenames",
    ), required=True),
    Target("legal_last_name", "Legal surname", CHILD, (
        "legal surname", "surname", "last name", "lastname", "family name", "pupil surname", "child surname",
        "student surname", "legal last name",
    ), required=True),
    Target("preferred_name", "Preferred first name", CHILD, (
        "preferred forename", "preferred name", "preferred first name", "known as", "chosen name",
    )),
    Target("date_of_birth", "Date of birth", CHILD, (
        "dob", "date of birth", "birth date", "birthdate", "d o b", "birthday",
    ), required=True, hint="dd/mm/yyyy, yyyy-mm-dd, dd-mm-yyyy, dd.mm.yyyy or an Excel date"),
    Target("upn", "UPN", CHILD, ("upn", "unique pupil number", "pupil upn")),
    Target("mis_reference", "MIS reference", CHILD, (
        "admission number", "adno", "adm no", "admission no", "pupil id", "mis id", "student id", "pupil reference",
        "mis reference", "child id", "external id", "id",
    )),
    Target("group", "Class or room", CHILD, (
        "reg group", "registration group", "class", "form", "form group", "tutor group", "room", "class name",
        "reg", "class room", "classroom", "group",
    ), hint="The names must match the classes or rooms of the setting"),
    Target("year_group", "Year group", CHILD, (
        "year", "nc year", "year group", "nc year actual", "national curriculum year", "curriculum year", "yr",
    )),
    Target("enrolled_on", "Admission date", CHILD, (
        "admission date", "date of admission", "start date", "enrolment date", "enrollment date", "entry date",
        "date of entry", "admitted", "date admitted", "enrolled on",
    ), hint="Without it, the date of the import is used"),
    Target("has_ehcp", "EHCP", CHILD, (
        "ehcp", "sen status", "ehc plan", "sen provision", "ehcp status", "send status", "sen", "has ehcp",
    ), hint="Yes or No; or the SEN status: E (EHC plan), K (SEN support), N"),
    Target("household", "Household reference", FAMILY, (
        "household", "family id", "address block", "household id", "household reference", "family reference",
        "family ref", "household ref", "family",
    ), hint="Children with the same reference are siblings. Without it, children are grouped by their first "
            "carer's e-mail or phone and their surname"),
    Target("address", "Home address", FAMILY, ("address", "home address", "full address", "pupil address")),
    Target("first_language", "First language", ASPECTS, (
        "first language", "home language", "language", "main language", "pupil first language",
    )),
    Target("religion", "Religion", ASPECTS, ("religion", "faith", "religion or belief")),
    Target("medical_needs", "Medical needs", ASPECTS, (
        "medical", "medical conditions", "medical needs", "medical notes", "medical information", "medical condition",
        "medical details",
    )),
    Target("allergies", "Allergies", ASPECTS, ("allergies", "allergy", "allergens", "allergy details")),
]

# (key suffix, label, synonyms after the "Contact 1" part)
_CARER_PARTS: list[tuple[str, str, tuple[str, ...], str]] = [
    ("title", "Title", ("title", "salutation"), ""),
    ("first_name", "First name", ("forename", "first name", "given name", "legal forename", "firstname"), ""),
    ("last_name", "Surname", ("surname", "last name", "family name", "lastname"), "Without it, the child's surname is used"),
    ("full_name", "Full name", ("name", "full name", "contact name", "parent name", "carer name"),
     "Used when the file has no separate first name and surname"),
    ("relationship", "Relationship", (
        "relationship", "relation", "relationship to pupil", "relationship to child", "rel", "relationship type",
    ), "Mum, Dad, Grandparent, Foster carer, Guardian…"),
    ("parental_responsibility", "Parental responsibility", (
        "parental responsibility", "has parental responsibility", "pr", "responsibility", "parental resp",
    ), "Yes or No. Without it, mothers, fathers and guardians have it"),
    ("phone", "Phone", (
        "mobile", "mobile phone", "mobile number", "telephone", "phone", "tel", "phone number", "telephone number",
        "contact number", "home phone", "home telephone", "work phone", "work telephone",
    ), ""),
    ("email", "E-mail", ("email", "email address", "emails"), ""),
    ("preferred_method", "Preferred contact method", (
        "preferred contact method", "preferred method", "contact method", "preferred contact", "contact preference",
        "preferred communication", "communication preference", "preferred contact type",
    ), "Phone, E-mail, ClassDojo or app, Face to face, Letter"),
    ("language", "Language", ("language", "first language", "home language", "preferred language"), ""),
    ("restriction", "Court order or restriction", (
        "court order", "restriction", "restrictions", "contact restriction", "court orders", "legal restriction",
    ), "Court order, No contact, Information only; or Yes/No"),
    ("restriction_notes", "Restriction details", (
        "restriction notes", "restriction details", "court order details", "court order notes",
    ), ""),
]

CARER_SLOTS = (1, 2)


def _carer_targets() -> list[Target]:
    targets = []
    for n in CARER_SLOTS:
        for part, label, synonyms, hint in _CARER_PARTS:
            targets.append(Target(f"carer{n}_{part}", f"Contact {n}: {label.lower()}", f"Contact {n}", synonyms, hint=hint))
    return targets


CHILD_TARGETS: list[Target] = _CHILD_TARGETS + _carer_targets()

STAFF_TARGETS: list[Target] = [
    Target("full_name", "Full name", "Staff member", ("name", "full name", "staff name", "staff member", "display name"),
           hint="Or map the first name and surname"),
    Target("first_name", "First name", "Staff member", ("forename", "first name", "given name", "legal forename", "preferred forename")),
    Target("last_name", "Surname", "Staff member", ("surname", "last name", "family name", "legal surname", "preferred surname")),
    Target("email", "E-mail", "Staff member", (
        "email", "email address", "work email", "school email", "work email address", "login email",
    ), required=True, hint="They sign in with it"),
    Target("job_title", "Job title", "Staff member", ("job title", "title of post", "post", "position", "role title", "job")),
    Target("staff_code", "Staff code", "Staff member", ("staff code", "staff id", "code", "initials", "staff reference", "payroll number")),
    Target("roles", "Roles", "Roles and classes", ("roles", "role codes", "role", "role code", "keyworker roles", "system roles"),
           hint="Role codes or names, separated by commas, e.g. teacher, safeguarding_lead"),
    Target("groups", "Classes or rooms", "Roles and classes", (
        "classes", "class", "rooms", "room", "reg group", "reg groups", "groups", "class team", "classes or rooms", "form",
    ), hint="Names separated by commas; they must match the classes or rooms of the setting"),
]


def targets_for(kind: str) -> list[Target]:
    return STAFF_TARGETS if kind == ImportKind.STAFF else CHILD_TARGETS


def target_labels(kind: str) -> dict[str, str]:
    return {t.key: t.label for t in targets_for(kind)}


_SLOT_WORDS = {"1": 1, "one": 1, "first": 1, "primary": 1, "main": 1, "2": 2, "two": 2, "second": 2, "secondary": 2}
_CARER_PREFIX = re.compile(
    r"^(?:(first|second|primary|secondary|main) (?:contact|parent|carer|guardian)"
    r"|(?:contact|parent|carer|guardian|priority contact|priority|pc|c) ?(1|2|one|two))\b ?(.*)$"
)


def _carer_slot(header: str) -> tuple[int, str] | None:
    """("Contact 1 Forename") -> (1, "forename"); None when the header is not about a contact."""
    m = _CARER_PREFIX.match(header)
    if not m:
        return None
    slot = _SLOT_WORDS[m.group(1) or m.group(2)]
    return slot, m.group(3).strip()


def guess_mapping(kind: str, headers: list[str]) -> dict[str, int]:
    """Target field -> column number, from the header names. Each column is guessed for one field at most."""
    normalised = [normalise(h) for h in headers]
    plain: dict[str, int] = {}
    carer: dict[tuple[int, str], int] = {}
    for i, h in enumerate(normalised):
        if not h:
            continue
        slot = _carer_slot(h) if kind == ImportKind.CHILDREN else None
        if slot is not None:
            carer.setdefault(slot, i)
        else:
            plain.setdefault(h, i)
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for target in targets_for(kind):
        is_carer = kind == ImportKind.CHILDREN and target.key.startswith("carer")
        for synonym in target.synonyms:
            if is_carer:
                n = int(target.key[5])
                col = carer.get((n, synonym))
            else:
                col = plain.get(synonym)
            if col is not None and col not in used:
                mapping[target.key] = col
                used.add(col)
                break
    return mapping


def mapping_with_overrides(kind: str, headers: list[str], base: dict[str, int], pairs: list[str]) -> dict[str, int]:
    """Apply "Column heading=field" pairs (the command line's --map) to a mapping; "=field" alone unmaps it."""
    keys = {t.key for t in targets_for(kind)}
    by_name: dict[str, int] = {}
    for i, h in enumerate(headers):
        by_name.setdefault(normalise(h), i)
    mapping = dict(base)
    explicit: set[str] = set()
    for pair in pairs:
        column, sep, field = pair.rpartition("=")
        field = field.strip()
        if not sep or field not in keys:
            raise RuleViolation(
                f"“{pair}”: write column=field, where field is one of: {', '.join(sorted(keys))}.", rule="mapping"
            )
        if not column.strip():
            mapping.pop(field, None)
            continue
        col = by_name.get(normalise(column))
        if col is None:
            raise RuleViolation(f"The file has no column “{column}”.", rule="mapping")
        # A column named on purpose no longer feeds the fields it was guessed for.
        for other, other_col in list(mapping.items()):
            if other_col == col and other not in explicit:
                del mapping[other]
        mapping[field] = col
        explicit.add(field)
    return mapping


def mapping_problems(kind: str, headers: list[str], mapping: dict[str, int]) -> list[str]:
    """What stops this mapping being used: unknown fields, columns the file lacks, required fields left out."""
    problems = []
    keys = {t.key for t in targets_for(kind)}
    for field, col in mapping.items():
        if field not in keys:
            problems.append(f"“{field}” is not something this import can fill in.")
        elif not isinstance(col, int) or not 0 <= col < len(headers):
            problems.append(f"The file has no column number {col} for {target_labels(kind)[field]}.")
    for t in targets_for(kind):
        if t.required and t.key not in mapping:
            problems.append(f"Choose the column that holds the {t.label.lower()}.")
    if kind == ImportKind.STAFF and "full_name" not in mapping and not {"first_name", "last_name"} <= mapping.keys():
        problems.append("Choose the column with the full name, or the columns with the first name and surname.")
    return problems


def column_label(headers: list[str], col: int) -> str:
    """"C: Forename": the spreadsheet column letter helps find it in the file."""
    letters, n = "", col + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    name = str(headers[col]).strip() if col < len(headers) else ""
    return f"{letters}: {name}" if name else f"Column {letters}"
