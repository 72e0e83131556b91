"""A leaving pupil's Common Transfer File: the transferable data the product holds, in the CTF 19 structure.

Only what a CTF carries: the child's details, key aspects the CTF has a place for (first language, religion), SEN
history and needs, address and phones, carers in contact order (a court order or no-contact restriction as CourtOrder
Y; any restriction and its notes in the contact's SuppInfo), attendance summaries and school history. Never
safeguarding records, protection status, notes or key aspects a CTF has no element for. Read back by this product's CTF import with nothing lost of the fields it holds.
"""

import datetime as dt
import xml.etree.ElementTree as ET  # noqa: S405 - only to build a document; nothing is parsed with it

from django.core.exceptions import PermissionDenied
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.people.models import Carer, Child, ContactRestriction, KeyAspects, Relationship

from .ctf_reading import LANGUAGE_CODES, RELIGION_CODES, YEARS
from .ctf_sections import ctf_attendance
from .models import ChildTransferDetails
from .policies import can_export_ctf

SUPPLIER = "Keyworker"
VERSION = "19.0"

RELATIONSHIP_CODES = {
    Relationship.MOTHER: "PAM", Relationship.FATHER: "PAF", Relationship.GRANDPARENT: "GRP",
    Relationship.GUARDIAN: "CAF", Relationship.SIBLING: "SIB", Relationship.OTHER_RELATIVE: "REL",
    Relationship.OTHER: "OTH",
}
YEAR_CODES = {name: code for code, name in YEARS.items() if code not in ("E2",)}


def export_child(actor: Actor, child_id: int) -> Child:
    """The child if the actor may export their CTF: another organisation's child does not exist (404)."""
    if not actor.is_member:
        raise Http404
    child = Child.objects.filter(organisation_id=actor.organisation_id, pk=child_id).select_related(
        "family", "setting").first()
    if child is None:
        raise Http404("No such child")
    if not can_export_ctf(actor, child.setting_id):
        raise PermissionDenied("Only the office and leaders can export a common transfer file.")
    return child


def _add(parent: ET.Element, tag: str, text: object = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = text if isinstance(text, str) else str(text)
    return element


def _add_if(parent: ET.Element, tag: str, text: str) -> None:
    if text:
        _add(parent, tag, text)


def _address(parent: ET.Element, text: str) -> None:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    address = _add(parent, "Address")
    block = _add(address, "AddressLines")
    for n, line in enumerate(lines, start=1):
        _add(block, f"AddressLine{n}", line)


def _phones(parent: ET.Element, phones: list[dict[str, str]]) -> None:
    if phones:
        block = _add(parent, "Phones")
        for phone in phones:
            item = _add(block, "Phone")
            _add(item, "TelephoneType", phone.get("type") or "H")
            _add(item, "PhoneNo", phone["number"])


def _relationship(carer: Carer) -> str:
    female = carer.title.lower().rstrip(".") in ("mrs", "ms", "miss")
    if carer.relationship == Relationship.STEP_PARENT:
        return "STM" if female else "STF"
    if carer.relationship == Relationship.FOSTER_CARER:
        return "FOM" if female else "FOF"
    return RELATIONSHIP_CODES.get(carer.relationship, "OTH")


def _languages(details: ChildTransferDetails | None, aspects: KeyAspects | None) -> list[dict[str, str]]:
    languages = [dict(lang) for lang in (details.languages if details else [])]
    first = aspects.first_language if aspects else ""
    if first:
        code = LANGUAGE_CODES.get(first, first)
        firsts = [lang for lang in languages if lang["type"] == "F"]
        if firsts:
            firsts[0]["code"] = code
        else:
            languages.insert(0, {"type": "F", "code": code})
    return languages


def _sen_history(child: Child, details: ChildTransferDetails | None, as_of: dt.date) -> list[dict[str, str]]:
    history = [dict(s) for s in (details.sen_history if details else [])]
    current = [s for s in history if not s.get("end")]
    provision = max(current, key=lambda s: s.get("start", ""))["provision"] if current else ""
    if child.has_ehcp != (provision in ("E", "S")) and (history or child.has_ehcp):
        for s in current:
            s["end"] = as_of.isoformat()
        history.insert(0, {"start": as_of.isoformat(), "end": "", "provision": "E" if child.has_ehcp else "K"})
    return history


def ctf_document(child: Child, *, as_of: dt.date, dest_urn: str = "") -> bytes:
    """The child's CTF as UTF-8 XML (a fixed number of queries)."""
    setting = child.setting
    details = ChildTransferDetails.objects.filter(child=child).first()
    aspects = KeyAspects.objects.filter(child=child).first()
    carers = list(Carer.objects.filter(family_id=child.family_id).order_by("contact_order", "id"))
    section = ctf_attendance()
    years = section.for_child(child) if section else []

    root = ET.Element("CTfile")
    header = _add(root, "Header")
    _add(header, "DocumentName", "Common Transfer File")
    _add(header, "CTFversion", VERSION)
    _add(header, "DateTime", clock.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    _add(header, "DocumentQualifier", "full")
    _add(header, "SupplierID", SUPPLIER)
    source = _add(header, "SourceSchool")
    _add_if(source, "URN", setting.urn)
    _add(source, "SchoolName", setting.name)
    _add(source, "AcademicYear", str(as_of.year if as_of.month >= 9 else as_of.year - 1))
    dest = _add(header, "DestSchool")
    _add_if(dest, "URN", dest_urn)

    pupil = _add(_add(root, "CTFpupilData"), "Pupil")
    _add_if(pupil, "UPN", child.upn)
    _add(pupil, "Surname", child.legal_last_name)
    _add(pupil, "Forename", child.legal_first_name)
    _add(pupil, "DOB", child.date_of_birth.isoformat())
    _add_if(pupil, "Gender", details.gender if details else "")
    basic = _add(pupil, "BasicDetails")
    _add_if(basic, "FormerUPN", details.former_upn if details else "")
    _add(basic, "PreferredSurname", (details.preferred_last_name if details else "") or child.legal_last_name)
    _add(basic, "PreferredForename", child.preferred_name or child.legal_first_name)
    _add_if(basic, "MiddleNames", details.middle_names if details else "")
    year = child.year_group.strip()
    _add_if(basic, "NCyearActual", YEAR_CODES.get(year, year.removeprefix("Year ").strip()))
    languages = _languages(details, aspects)
    if languages:
        block = _add(basic, "Languages")
        for lang in languages:
            item = _add(block, "Type")
            _add(item, "LanguageType", lang["type"])
            _add(item, "Language", lang["code"])
    if details and details.medical_flag is not None:
        _add(basic, "MedicalFlag", "true" if details.medical_flag else "false")
    history = _sen_history(child, details, as_of)
    needs = details.sen_needs if details else []
    if history or needs:
        sen = _add(pupil, "SENhistory")
        for entry in history:
            item = _add(sen, "SEN")
            _add_if(item, "StartDate", entry.get("start", ""))
            _add(item, "SENprovision", entry.get("provision", ""))
            _add_if(item, "EndDate", entry.get("end", ""))
        if needs:
            block = _add(sen, "SENneeds")
            for need in needs:
                item = _add(block, "SENneed")
                _add_if(item, "NeedStartDate", need.get("start", ""))
                _add_if(item, "SENtypeRank", need.get("rank", ""))
                _add(item, "SENtype", need.get("type", ""))
    if child.family.address.strip():
        _address(pupil, child.family.address)
    _phones(pupil, details.phones if details else [])
    if carers:
        block = _add(pupil, "Contacts")
        for carer in carers:
            contact = _add(block, "Contact")
            _add(contact, "Order", carer.contact_order)
            _add_if(contact, "Title", carer.title)
            _add(contact, "Surname", carer.last_name)
            _add(contact, "Forename", carer.first_name)
            _add(contact, "Relationship", _relationship(carer))
            _add(contact, "Responsibility", "true" if carer.parental_responsibility else "false")
            if carer.address.strip():
                _address(contact, carer.address)
            else:
                _add(_add(contact, "Address"), "AddressAsPupil", "true")
            _phones(contact, [{"type": "H", "number": carer.phone}] if carer.phone else [])
            _add_if(contact, "Email", carer.email)
            # Any MIS reads CourtOrder: a no-contact restriction is flagged there too, so the next school checks
            # before contact; this product's import reads the restriction itself, and its notes, from SuppInfo.
            court = carer.contact_restriction in (ContactRestriction.COURT_ORDER, ContactRestriction.NO_CONTACT)
            supp = _add(contact, "SuppInfo")
            _add(supp, "SuppID", SUPPLIER)
            _add(supp, "CourtOrder", "Y" if court else "N")
            if carer.contact_restriction:
                _add(supp, "ContactRestriction", carer.contact_restriction)
                _add_if(supp, "RestrictionNotes", carer.restriction_notes)
    if years:
        block = _add(pupil, "Attendance")
        for y in years:
            item = _add(block, "YearData")
            _add(item, "Year", y["year"])
            la, _, estab = y["school_la_estab"].partition("/")
            _add_if(item, "LEA", la)
            _add_if(item, "Estab", estab)
            _add_if(item, "URN", y["school_urn"])
            _add_if(item, "SchoolName", y["school_name"])
            _add(item, "SessionsPossible", y["possible"])
            _add(item, "SessionsAuthorised", y["authorised"])
            _add(item, "SessionsAttended", y["attended"])
            _add(item, "SessionsUnauthorised", y["unauthorised"])
    schools = [dict(s) for s in (details.school_history if details else [])]
    schools.insert(0, {"name": setting.name, "urn": setting.urn, "entry": child.enrolled_on.isoformat(),
                       "leaving": child.left_on.isoformat() if child.left_on else ""})
    block = _add(pupil, "SchoolHistory")
    for school in schools:
        item = _add(block, "School")
        for key, tag in (("la", "LEA"), ("estab", "Estab"), ("urn", "URN"), ("name", "SchoolName"),
                         ("entry", "EntryDate"), ("leaving", "LeavingDate"), ("reason", "LeavingReason")):
            _add_if(item, tag, school.get(key, ""))
    if aspects and aspects.religion:
        supp = _add(pupil, "SuppInfo")
        _add(supp, "SuppID", SUPPLIER)
        _add(supp, "Religion", RELIGION_CODES.get(aspects.religion, aspects.religion))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def ctf_export(*, actor: Actor, child: Child, as_of: dt.date | None = None) -> tuple[str, bytes]:
    """The file name and the child's CTF; logged (who took which child's data, when)."""
    if child.organisation_id != actor.organisation_id or not can_export_ctf(actor, child.setting_id):
        raise PermissionDenied("Only the office and leaders can export a common transfer file.")
    as_of = as_of or clock.today(child.setting.time_zone)
    data = ctf_document(child, as_of=as_of)
    audit_record(organisation_id=child.organisation_id, actor=actor.user, event_type="imports.ctf_exported",
                 obj=child, summary=f"Common transfer file of {child} exported")
    name = f"CTF_{child.upn or child.pk}_{as_of:%Y%m%d}.xml"
    return name, data
