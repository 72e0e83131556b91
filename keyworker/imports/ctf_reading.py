"""Reading a whole Common Transfer File (CTF 19 and later, full or partial): pupils, contacts, SEN, school history.

Parsed by defusedxml with no DTD, entity or external reference allowed, so an XML bomb or an external entity is
refused before anything in it is expanded. Real files are messy (leading spaces, unnormalised phone numbers, bad
UPN check letters, SuppInfo in two places): the reader tidies what it can and says so in each pupil's warnings;
what would stop a pupil being kept (no name, no date of birth) is an error on that pupil, never a silent drop.
Elements the product does not hold are counted per pupil, for the preview's "not kept" list.
"""

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET  # noqa: S405 - only for the Element type and ParseError; parsing is defusedxml's
from dataclasses import dataclass, field, fields
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from keyworker.core.errors import RuleViolation
from keyworker.core.uploads import UploadLimits, too_large_message, upload_limits
from keyworker.people.models import ContactRestriction, Relationship
from keyworker.people.upn import upn_problem

MIN_VERSION = 19

# CBDS relationship codes (D00033) and what the product calls them.
RESTRICTIONS = frozenset(v for v in ContactRestriction.values if v)
RELATIONSHIPS = {
    "PAM": Relationship.MOTHER, "PAF": Relationship.FATHER, "STM": Relationship.STEP_PARENT,
    "STF": Relationship.STEP_PARENT, "FOM": Relationship.FOSTER_CARER, "FOF": Relationship.FOSTER_CARER,
    "CAM": Relationship.GUARDIAN, "CAF": Relationship.GUARDIAN, "GRM": Relationship.GRANDPARENT,
    "GRF": Relationship.GRANDPARENT, "GRP": Relationship.GRANDPARENT, "SIB": Relationship.SIBLING,
    "REL": Relationship.OTHER_RELATIVE, "OTH": Relationship.OTHER, "CHM": Relationship.OTHER,
    "DOC": Relationship.OTHER, "SWR": Relationship.OTHER, "HTC": Relationship.OTHER, "RLG": Relationship.OTHER,
}

# The DfE language codes (D00009) met most often, for the key aspects' first language; others are kept as the code.
LANGUAGES = {
    "ENG": "English", "ENB": "English", "POL": "Polish", "PNJ": "Panjabi", "URD": "Urdu", "BNG": "Bengali",
    "GUJ": "Gujarati", "ARA": "Arabic", "SOM": "Somali", "ROM": "Romanian", "POR": "Portuguese", "SPA": "Spanish",
    "FRN": "French", "TUR": "Turkish", "LIT": "Lithuanian", "TAM": "Tamil", "CHI": "Chinese", "ITA": "Italian",
    "GER": "German", "WEL": "Welsh", "RUS": "Russian", "BUL": "Bulgarian", "HUN": "Hungarian", "PAS": "Pashto",
    "PER": "Persian/Farsi", "KUR": "Kurdish", "ALB": "Albanian", "TGL": "Tagalog/Filipino", "YOR": "Yoruba",
    "SHO": "Shona", "TIG": "Tigrinya", "AKA": "Akan/Twi-Fante", "NNB": "Not yet obtained", "REF": "Refused",
}
LANGUAGE_CODES = {name: code for code, name in LANGUAGES.items() if code not in ("ENB",)}

RELIGIONS = {
    "CH": "Christian", "NO": "No religion", "MU": "Muslim", "HI": "Hindu", "SI": "Sikh", "JE": "Jewish",
    "BU": "Buddhist", "OT": "Other religion", "RE": "Refused", "NK": "Not known",
}
RELIGION_CODES = {name: code for code, name in RELIGIONS.items()}

YEARS = {"N1": "Nursery 1", "N2": "Nursery 2", "R": "Reception", "E1": "Early years", "E2": "Early years"}

# Elements read into the product, by path under Pupil (a leaf or a section read whole). The rest is "not kept".
KEPT = (
    "UPN", "Surname", "Forename", "DOB", "Gender", "BasicDetails/FormerUPN", "BasicDetails/PreferredSurname",
    "BasicDetails/PreferredForename", "BasicDetails/MiddleNames", "BasicDetails/NCyearActual",
    "BasicDetails/Languages", "BasicDetails/MedicalFlag", "BasicDetails/SuppInfo/Religion",
    "BasicDetails/SuppInfo/Language", "BasicDetails/SuppInfo/SuppID", "SuppInfo/Religion", "SuppInfo/Language",
    "SuppInfo/SuppID", "SENhistory", "Address", "Phones", "Contacts", "Attendance", "SchoolHistory",
)

KEPT_SET = frozenset(KEPT)

# What a section not kept is called in the preview.
NOT_KEPT_LABELS = {
    "BasicDetails/Ethnicity": "Ethnicity", "BasicDetails/EthnicitySource": "Ethnicity",
    "BasicDetails/Disabilities": "Disabilities", "BasicDetails/EnrolStatus": "Enrolment status",
    "BasicDetails/FSMhistory": "Free school meals history", "BasicDetails/NAWdetails": "Wales: NAW details",
    "BasicDetails/InCare": "Looked after details", "BasicDetails/SuppInfo": "MIS supplementary details",
    "BasicDetails/UniformAllowance": "Uniform allowance", "BasicDetails/ServiceChild": "Service child",
    "StageAssessments": "Assessment results", "Assessments": "Assessment results",
    "SuppInfo": "MIS supplementary details", "FSMhistory": "Free school meals history",
    "UCI": "Unique candidate identifier", "UniqueLearnerNumber": "Unique learner number", "Email": "Pupil's e-mail",
    "NAWdetails": "Wales: NAW details", "LookedAfter": "Looked after details",
}

# The form of `ctf_as_json`: raised when it changes, so a file kept in an older form is read again instead.
JSON_FORMAT = 1

SEN_PROVISIONS = {"N": "No special educational need", "K": "SEN support", "E": "EHC plan", "S": "Statement",
                  "A": "School Action", "P": "School Action Plus"}


@dataclass
class CtfPhone:
    kind: str       # H home, W work, M mobile, …
    number: str


@dataclass
class CtfContact:
    order: int
    title: str
    first_name: str
    last_name: str
    gender: str
    relationship_code: str
    relationship: str
    parental_responsibility: bool
    court_order: bool
    email: str
    phones: list[CtfPhone]
    address: str            # empty when the contact lives with the pupil
    # A restriction written by this product's export in the contact's SuppInfo (no contact, court order,
    # information only) with its notes; other MIS send only CourtOrder.
    restriction: str = ""
    restriction_notes: str = ""

    @property
    def phone(self) -> str:
        return self.phones[0].number if self.phones else ""


@dataclass
class CtfPupil:
    position: int
    upn: str = ""
    former_upn: str = ""
    last_name: str = ""
    first_name: str = ""
    preferred_first_name: str = ""
    preferred_last_name: str = ""
    middle_names: str = ""
    date_of_birth: dt.date | None = None
    gender: str = ""
    year_group: str = ""
    languages: list[dict[str, str]] = field(default_factory=list)   # [{"type": "F", "code": "ENG"}]
    religion: str = ""
    medical_flag: bool | None = None
    sen_history: list[dict[str, str]] = field(default_factory=list)  # [{"start", "end", "provision"}] newest first
    sen_needs: list[dict[str, str]] = field(default_factory=list)    # [{"start", "rank", "type"}] by rank
    address: str = ""
    phones: list[CtfPhone] = field(default_factory=list)
    contacts: list[CtfContact] = field(default_factory=list)
    school_history: list[dict[str, str]] = field(default_factory=list)
    attendance: bytes = b""   # the Attendance element as it came, for the attendance app's reader
    not_kept: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or f"Pupil {self.position}"

    @property
    def first_language(self) -> str:
        chosen = next((lang for lang in self.languages if lang["type"] == "F"), None)
        chosen = chosen or (self.languages[0] if self.languages else None)
        return LANGUAGES.get(chosen["code"], chosen["code"]) if chosen else ""

    @property
    def sen_provision(self) -> str:
        """The current SEN provision code: the newest entry without an end date."""
        current = [s for s in self.sen_history if not s.get("end")]
        return max(current, key=lambda s: s.get("start", ""))["provision"] if current else ""

    @property
    def has_ehcp(self) -> bool:
        return self.sen_provision in ("E", "S")


@dataclass
class CtfFile:
    version: str = ""
    qualifier: str = ""
    source_school: str = ""
    source_urn: str = ""
    source_la_estab: str = ""
    pupils: list[CtfPupil] = field(default_factory=list)


def ctf_as_json(ctf: CtfFile) -> dict[str, Any]:
    """The file as read, in JSON types: kept with an upload so that importing it does not read the XML again."""
    def pupil(p: CtfPupil) -> dict[str, Any]:
        out = {f.name: getattr(p, f.name) for f in fields(CtfPupil)}
        out["date_of_birth"] = p.date_of_birth.isoformat() if p.date_of_birth else None
        out["phones"] = [[ph.kind, ph.number] for ph in p.phones]
        out["contacts"] = [{f.name: getattr(c, f.name) for f in fields(CtfContact)}
                           | {"phones": [[ph.kind, ph.number] for ph in c.phones]} for c in p.contacts]
        out["attendance"] = p.attendance.decode("utf-8")
        out["not_kept"] = sorted(p.not_kept)
        return out

    return {"format": JSON_FORMAT, "version": ctf.version, "qualifier": ctf.qualifier,
            "source_school": ctf.source_school, "source_urn": ctf.source_urn, "source_la_estab": ctf.source_la_estab,
            "pupils": [pupil(p) for p in ctf.pupils]}


def ctf_from_json(kept: dict[str, Any]) -> CtfFile | None:
    """The file as `ctf_as_json` kept it, or None when it was kept in another form (read the XML again)."""
    if not isinstance(kept, dict) or kept.get("format") != JSON_FORMAT:
        return None
    pupils = []
    for p in kept["pupils"]:
        contacts = [CtfContact(**(c | {"phones": [CtfPhone(*ph) for ph in c["phones"]]})) for c in p["contacts"]]
        pupils.append(CtfPupil(**(p | {
            "date_of_birth": dt.date.fromisoformat(p["date_of_birth"]) if p["date_of_birth"] else None,
            "phones": [CtfPhone(*ph) for ph in p["phones"]], "contacts": contacts,
            "attendance": p["attendance"].encode("utf-8"), "not_kept": set(p["not_kept"]),
            "warnings": list(p["warnings"]), "errors": list(p["errors"])})))
    return CtfFile(version=kept["version"], qualifier=kept["qualifier"], source_school=kept["source_school"],
                   source_urn=kept["source_urn"], source_la_estab=kept["source_la_estab"], pupils=pupils)


def unreadable(message: str) -> RuleViolation:
    return RuleViolation(message, rule="unreadable", field="file")


def clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _text(element: ET.Element | None, path: str, limit: int = 200) -> str:
    found = element.find(path) if element is not None else None
    return clean(found.text)[:limit] if found is not None else ""


def _flag(value: str) -> bool | None:
    value = value.strip().lower()
    if value in ("true", "1", "y", "yes"):
        return True
    if value in ("false", "0", "n", "no"):
        return False
    return None


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _declared_encoding(data: bytes) -> str:
    match = re.match(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", data[:200])
    return match.group(1).decode("ascii").lower() if match else "utf-8"


def _check_encoding(data: bytes) -> None:
    """A file saved as Windows-1252 but declared (or taken) as UTF-8: say so, with the line, not 'invalid token'."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _declared_encoding(data).replace("_", "-") not in ("utf-8", "utf8"):
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise unreadable(
            f"The file says it is UTF-8 but line {line} is not (it was probably saved as Windows-1252 or Latin-1). "
            "Export the CTF again from the MIS, or save it as UTF-8.") from exc


def read_ctf(data: bytes, *, limits: UploadLimits | None = None) -> CtfFile:
    """Every pupil of the file; RuleViolation (field "file") when the file cannot be read as a CTF at all."""
    limits = limits or upload_limits()
    if not data or not data.strip():
        raise unreadable("The file is empty.")
    if len(data) > limits.max_bytes:
        raise unreadable(too_large_message(limits))
    _check_encoding(data)
    ctf = CtfFile()
    path: list[str] = []
    try:
        for event, element in iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True,
                                        forbid_entities=True, forbid_external=True):
            if event == "start":
                path.append(element.tag)
                if len(path) == 1 and element.tag != "CTfile":
                    raise unreadable("This is not a Common Transfer File (its root element should be CTfile).")
                continue
            depth = len(path)  # the element's place is known by its depth: no path joined for every element
            path.pop()
            if depth == 2 and element.tag == "Header":
                _header(ctf, element)
                element.clear()
            elif depth == 3 and element.tag == "Pupil" and path[1] == "CTFpupilData":
                if len(ctf.pupils) >= limits.max_rows:
                    raise unreadable(f"The file has more than {limits.max_rows:,} pupils. Split it into smaller files.")
                ctf.pupils.append(read_pupil(len(ctf.pupils) + 1, element))
                element.clear()
    except DefusedXmlException as exc:
        raise unreadable("This file declares a DTD or XML entities, which a Common Transfer File never does: "
                         "it was not imported.") from exc
    except ET.ParseError as exc:
        raise unreadable(f"This is not a readable XML file ({exc}). Upload the CTF as the MIS exported it.") from exc
    if not ctf.version:
        raise unreadable("This is not a Common Transfer File: its Header has no CTFversion.")
    if not ctf.pupils:
        raise unreadable("The file has no pupils (CTFpupilData/Pupil).")
    return ctf


def _header(ctf: CtfFile, header: ET.Element) -> None:
    ctf.version = _text(header, "CTFversion", 10)
    ctf.qualifier = _text(header, "DocumentQualifier", 20).lower()
    ctf.source_school = _text(header, "SourceSchool/SchoolName")
    ctf.source_urn = _text(header, "SourceSchool/URN", 12)
    la, estab = _text(header, "SourceSchool/LEA", 5), _text(header, "SourceSchool/Estab", 6)
    ctf.source_la_estab = f"{la}/{estab}" if la or estab else ""
    major = ctf.version.split(".")[0]
    if not major.isdigit():
        raise unreadable(f"The CTF version “{ctf.version}” is not a number such as 19.0.")
    if int(major) < MIN_VERSION:
        raise unreadable(f"This is a version {ctf.version} CTF; version {MIN_VERSION} or later is needed. "
                         "Ask the sending school to export it again.")
    if ctf.qualifier and ctf.qualifier not in ("full", "partial"):
        raise unreadable(f"The DocumentQualifier “{ctf.qualifier}” should be full or partial.")


def _address(element: ET.Element | None) -> str:
    if element is None:
        return ""
    lines = []
    bs = element.find("BS7666Address")
    if bs is not None:
        saon, paon, street = _text(bs, "SAON"), _text(bs, "PAON"), _text(bs, "Street")
        if paon[:1].isdigit() and len(paon) <= 8 and street:  # a house number goes before its street
            paon, street = "", f"{paon} {street}"
        lines += [saon, paon, street, _text(bs, "Locality"), _text(bs, "PostTown") or _text(bs, "Town")]
    for line in element.iterfind("AddressLines/*"):
        lines.append(clean(line.text)[:200])
    lines += [_text(element, "County"), _text(element, "PostCode", 10)]
    return "\n".join(line for line in lines if line)


def _phones(element: ET.Element | None) -> list[CtfPhone]:
    phones = []
    for phone in element.iterfind("Phones/Phone") if element is not None else ():
        number = _text(phone, "PhoneNo", 40)
        if number:
            phones.append(CtfPhone(_text(phone, "TelephoneType", 2) or "H", number))
    return phones


def _not_kept(pupil: ET.Element) -> set[str]:
    """The labels of the pupil's elements that nothing reads: kept sections are skipped whole, not walked."""
    labels = set()
    stack = [(child, child.tag) for child in pupil]
    while stack:
        element, where = stack.pop()
        if where in KEPT_SET:
            continue
        if len(element):
            stack.extend((child, f"{where}/{child.tag}") for child in element)
            continue
        parts = where.split("/")
        prefixes = ("/".join(parts[:n]) for n in range(len(parts), 0, -1))
        labels.add(next((NOT_KEPT_LABELS[x] for x in prefixes if x in NOT_KEPT_LABELS), parts[0]))
    return labels


def read_pupil(position: int, element: ET.Element) -> CtfPupil:
    """One Pupil element, tidied: warnings for what was mended or doubtful, errors for what stops it being kept."""
    p = CtfPupil(position=position)
    p.upn = _text(element, "UPN", 20).replace(" ", "").upper()
    p.last_name, p.first_name = _text(element, "Surname", 80), _text(element, "Forename", 80)
    p.preferred_first_name = _text(element, "BasicDetails/PreferredForename", 80)
    p.preferred_last_name = _text(element, "BasicDetails/PreferredSurname", 80)
    p.middle_names = _text(element, "BasicDetails/MiddleNames", 80)
    p.former_upn = _text(element, "BasicDetails/FormerUPN", 20).replace(" ", "").upper()
    p.gender = _text(element, "Gender", 1).upper()
    dob = _text(element, "DOB", 20)
    p.date_of_birth = _date(dob)
    year = _text(element, "BasicDetails/NCyearActual", 4).upper()
    p.year_group = YEARS.get(year, f"Year {int(year)}" if year.isdigit() and int(year) <= 14 else year)
    for lang in element.iterfind("BasicDetails/Languages/Type"):
        code = _text(lang, "Language", 60)
        code = code.upper() if len(code) <= 4 else code
        if code:
            p.languages.append({"type": _text(lang, "LanguageType", 1).upper() or "F", "code": code})
    religion = _text(element, "SuppInfo/Religion", 60) or _text(element, "BasicDetails/SuppInfo/Religion", 60)
    p.religion = RELIGIONS.get(religion.upper(), religion)
    medical = _text(element, "BasicDetails/MedicalFlag", 10)
    p.medical_flag = _flag(medical) if medical else None
    for sen in element.iterfind("SENhistory/SEN"):
        p.sen_history.append({"start": _text(sen, "StartDate", 10), "end": _text(sen, "EndDate", 10),
                              "provision": _text(sen, "SENprovision", 2).upper()})
    p.sen_history.sort(key=lambda s: s["start"], reverse=True)
    for need in element.iterfind("SENhistory/SENneeds/SENneed"):
        p.sen_needs.append({"start": _text(need, "NeedStartDate", 10), "rank": _text(need, "SENtypeRank", 2),
                            "type": _text(need, "SENtype", 6).upper()})
    p.sen_needs.sort(key=lambda n: (int(n["rank"]) if n["rank"].isdigit() else 99, n["type"]))
    p.address = _address(element.find("Address"))
    p.phones = _phones(element)
    for n, contact in enumerate(element.iterfind("Contacts/Contact"), start=1):
        p.contacts.append(_contact(p, n, contact))
    p.contacts.sort(key=lambda c: c.order)
    for school in element.iterfind("SchoolHistory/School"):
        p.school_history.append({k: _text(school, tag, 100) for k, tag in (
            ("name", "SchoolName"), ("urn", "URN"), ("la", "LEA"), ("estab", "Estab"), ("entry", "EntryDate"),
            ("leaving", "LeavingDate"), ("reason", "LeavingReason"))})
    attendance = element.find("Attendance")
    if attendance is not None and attendance.find("YearData") is not None:
        p.attendance = ET.tostring(attendance, encoding="utf-8")
    p.not_kept = _not_kept(element)

    if not p.last_name or not p.first_name:
        p.errors.append("No forename or surname: a child needs both.")
    if dob and p.date_of_birth is None:
        p.errors.append(f"The date of birth “{dob}” is not a date such as 2015-09-01.")
    if not p.upn:
        p.warnings.append("No UPN: the pupil is added as a new child, and can only be matched by name later.")
    elif problem := upn_problem(p.upn):
        p.warnings.append(f"UPN {p.upn}: {problem}")
    if p.former_upn and (problem := upn_problem(p.former_upn)):
        p.warnings.append(f"Former UPN {p.former_upn}: {problem}")
    if year and not p.year_group:
        p.warnings.append(f"Year group “{year}” is not one we know: left empty.")
    return p


def _contact(pupil: CtfPupil, n: int, element: ET.Element) -> CtfContact:
    order_text = _text(element, "Order", 4)
    order = int(order_text) if order_text.isdigit() else 90 + n
    if not order_text.isdigit():
        pupil.warnings.append(f"Contact {n} has no order: put after the others.")
    code = _text(element, "Relationship", 4).upper()
    relationship = RELATIONSHIPS.get(code)
    name = " ".join(x for x in (_text(element, "Forename", 80), _text(element, "Surname", 80)) if x) or f"Contact {n}"
    if relationship is None:
        relationship = Relationship.OTHER
        if code:
            pupil.warnings.append(f"{name}: relationship “{code}” is not one we know: kept as Other.")
    responsibility = _flag(_text(element, "Responsibility", 10))
    court = _text(element, "SuppInfo/CourtOrder", 10) or _text(element, "CourtOrder", 10)
    restriction = _text(element, "SuppInfo/ContactRestriction", 20).lower()
    if restriction and restriction not in RESTRICTIONS:
        pupil.warnings.append(f"{name}: contact restriction “{restriction}” is not one we know: court order kept only.")
        restriction = ""
    address = element.find("Address")
    as_pupil = address is not None and _flag(_text(address, "AddressAsPupil", 10)) is True
    email = _text(element, "Email", 254)
    if email and ("@" not in email or " " in email):
        pupil.warnings.append(f"{name}: e-mail “{email[:60]}” is not an e-mail address: left out.")
        email = ""
    return CtfContact(
        order=order, title=_text(element, "Title", 20), first_name=_text(element, "Forename", 80),
        last_name=_text(element, "Surname", 80), gender=_text(element, "Gender", 1).upper(), relationship_code=code,
        relationship=relationship, parental_responsibility=bool(responsibility), court_order=_flag(court) is True,
        email=email, phones=_phones(element), address="" if as_pupil else _address(address),
        restriction=restriction, restriction_notes=_text(element, "SuppInfo/RestrictionNotes", 300),
    )
