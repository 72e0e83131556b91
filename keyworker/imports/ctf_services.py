"""Importing a Common Transfer File: a preview, field by field, of what will be created and changed; then all or nothing.

Pupils are matched to the organisation's children by UPN, then by former UPN. A new pupil becomes a child in a new
family (pupils of the file at the same address are one family, siblings) with the file's contacts as carers; a
known pupil's record is updated through the people app's services, so every change is in the child's history
(audit for details and carers, a change row per key aspect). A field the file leaves empty never blanks what is
held (a partial CTF sends only some). A court order on a contact becomes the carer's contact restriction.
Attendance summaries go to the attendance app's own import. The preview lists what the product does not keep.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_entry, audit_record, audit_record_many
from keyworker.core.bulk import rows_update
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import Setting
from keyworker.people import services as people
from keyworker.people.models import Carer, Child, ContactRestriction, Family, KeyAspects, Relationship

from .ctf_reading import (
    LANGUAGES,
    SEN_PROVISIONS,
    CtfContact,
    CtfFile,
    CtfPupil,
    ctf_as_json,
    ctf_from_json,
    read_ctf,
)
from .ctf_sections import ctf_attendance
from .models import ChildTransferDetails, CtfImport, CtfImportStatus
from .policies import require_run_imports

CHILD_LABELS = {
    "legal_first_name": "Legal first name", "legal_last_name": "Legal last name", "preferred_name": "Preferred name",
    "date_of_birth": "Date of birth", "upn": "UPN", "year_group": "Year group", "has_ehcp": "EHCP",
}
ASPECT_LABELS = {"first_language": "First language", "religion": "Religion"}
DETAIL_LABELS = {
    "former_upn": "Former UPN", "middle_names": "Middle names", "preferred_last_name": "Preferred surname",
    "gender": "Gender", "medical_flag": "Medical flag", "languages": "Languages", "sen_history": "SEN history",
    "sen_needs": "SEN needs", "school_history": "School history", "phones": "Pupil's phones",
}
CARER_LABELS = {
    "title": "Title", "first_name": "First name", "last_name": "Last name", "relationship": "Relationship",
    "parental_responsibility": "Parental responsibility", "phone": "Phone", "email": "E-mail", "address": "Address",
    "contact_order": "Contact order", "contact_restriction": "Contact restriction",
    "restriction_notes": "Restriction notes",
}
DETAIL_FIELDS = tuple(DETAIL_LABELS)
# Looked up once: a choices class builds its values and labels again at every use (7,500 contacts in a big file).
RELATIONSHIP_LABELS = {value: str(label) for value, label in Relationship.choices}
RESTRICTION_LABELS = {value: str(label) for value, label in ContactRestriction.choices}


@dataclass
class CtfPlanPupil:
    pupil: CtfPupil
    child: Child | None = None
    family_key: str = ""
    child_fields: dict[str, Any] = field(default_factory=dict)
    aspects: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    family_address: str | None = None
    carers: list[tuple[Carer | None, dict[str, Any]]] = field(default_factory=list)
    changes: list[dict[str, str]] = field(default_factory=list)     # {"what", "field", "before", "after"}
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    created: bool = False       # set when the import has made the child
    joins: Family | None = None  # a new pupil whose contact is a carer of this family already: a sibling
    joins_text: str = ""

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.pupil.errors)

    @property
    def action(self) -> str:
        if self.has_errors:
            return "error"
        if self.child is None or self.created:
            return "create"
        return "update" if self.changes else "unchanged"


@dataclass
class CtfPlan:
    ctf: CtfFile
    setting: Setting
    pupils: list[CtfPlanPupil]
    attendance_data: bytes = b""
    attendance_pupils: int = 0
    attendance_checked: dict[str, list[str]] = field(default_factory=dict)  # the attendance app's problems by UPN

    @property
    def has_errors(self) -> bool:
        return any(p.has_errors for p in self.pupils)

    def counts(self) -> dict[str, int]:
        counts = {"pupils": len(self.pupils), "create": 0, "update": 0, "unchanged": 0, "error": 0, "warnings": 0}
        for p in self.pupils:
            counts[p.action] += 1
            counts["warnings"] += bool(p.warnings or p.pupil.warnings)
        # Siblings new to the file share one family: a carer named for both is added once.
        counts["carers_new"] = len({
            (p.family_key if p.child is None or p.created else f"child:{p.child.pk}", _carer_key(v["first_name"], v["last_name"]))
            for p in self.pupils for c, v in p.carers if c is None})
        counts["attendance"] = self.attendance_pupils
        return counts

    def not_kept(self) -> list[dict[str, Any]]:
        tally: dict[str, int] = defaultdict(int)
        for p in self.pupils:
            for label in p.pupil.not_kept:
                tally[label] += 1
        return [{"what": k, "pupils": v} for k, v in sorted(tally.items())]

    def report(self) -> dict[str, Any]:
        """The preview as stored and shown: one entry per pupil, in file order."""
        return {
            "version": self.ctf.version, "qualifier": self.ctf.qualifier or "full",
            "source_school": self.ctf.source_school, "setting": self.setting.name, "counts": self.counts(),
            "not_kept": self.not_kept(),
            "pupils": [{
                "position": p.pupil.position, "name": p.pupil.name, "upn": p.pupil.upn, "action": p.action,
                "child_id": p.child.pk if p.child else None, "changes": p.changes, "joins": p.joins_text,
                "warnings": p.pupil.warnings + p.warnings, "errors": p.pupil.errors + p.errors,
            } for p in self.pupils],
        }


def _show(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(_show_item(v) for v in value)
    return str(value)


def _show_item(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    if "provision" in item:
        return (f"{SEN_PROVISIONS.get(item['provision'], item['provision'])} from {item.get('start') or '?'}"
                + (f" to {item['end']}" if item.get("end") else ""))
    if "rank" in item:
        return f"{item.get('rank')}. {item.get('type')}"
    if "entry" in item:
        return f"{item.get('name') or item.get('urn')} from {item.get('entry') or '?'}" + (
            f" to {item['leaving']}" if item.get("leaving") else "")
    if "code" in item:
        kind = {"F": "first", "H": "home", "M": "main"}.get(item.get("type", ""), item.get("type", ""))
        return f"{LANGUAGES.get(item['code'], item['code'])} ({kind})"
    if "number" in item:
        return f"{item['number']} ({item.get('type', '')})"
    return " ".join(str(v) for v in item.values() if v)


def _pupil_values(p: CtfPupil) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """What the file says of the child, its key aspects and its transfer details; empty values left out."""
    child = {
        "legal_first_name": p.first_name, "legal_last_name": p.last_name, "date_of_birth": p.date_of_birth,
        "upn": p.upn[:13], "year_group": p.year_group[:20],
        "preferred_name": p.preferred_first_name if p.preferred_first_name != p.first_name else "",
    }
    child = {k: v for k, v in child.items() if v not in ("", None) or (k == "preferred_name" and p.preferred_first_name)}
    if p.sen_history:
        child["has_ehcp"] = p.has_ehcp
    aspects = {k: v for k, v in (("first_language", p.first_language[:60]), ("religion", p.religion[:60])) if v}
    details = {
        "former_upn": p.former_upn[:13], "middle_names": p.middle_names, "gender": p.gender,
        "preferred_last_name": p.preferred_last_name if p.preferred_last_name != p.last_name else "",
        "medical_flag": p.medical_flag, "languages": p.languages, "sen_history": p.sen_history,
        "sen_needs": p.sen_needs, "school_history": p.school_history,
        "phones": [{"type": ph.kind, "number": ph.number} for ph in p.phones],
    }
    details = {k: v for k, v in details.items() if v not in ("", None, [])}
    return child, aspects, details


def _carer_values(c: CtfContact, source: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": c.title, "first_name": c.first_name[:80], "last_name": c.last_name[:80],
        "relationship": c.relationship, "parental_responsibility": c.parental_responsibility, "phone": c.phone[:40],
        "email": c.email, "address": c.address, "contact_order": min(c.order, 32767),
    }
    if c.restriction:  # our own export's restriction, exactly as the leaving school held it
        values["contact_restriction"] = c.restriction
        values["restriction_notes"] = (c.restriction_notes or f"A {ContactRestriction(c.restriction).label.lower()} "
                                       f"restriction is recorded in the common transfer file"
                                       f"{' from ' + source if source else ''}.")[:300]
    elif c.court_order:
        values["contact_restriction"] = ContactRestriction.COURT_ORDER
        values["restriction_notes"] = (f"A court order is recorded in the common transfer file"
                                       f"{' from ' + source if source else ''}: check its terms before any contact.")[:300]
    return {k: v for k, v in values.items() if v not in ("", None) or k in ("email", "address", "phone")}


def _carer_show(name: str, value: Any) -> str:
    if name == "relationship" and value in RELATIONSHIP_LABELS:
        return RELATIONSHIP_LABELS[value]
    if name == "contact_restriction" and value in RESTRICTION_LABELS:
        return RESTRICTION_LABELS[value]
    return _show(value)


def _carer_key(first: str, last: str) -> tuple[str, str]:
    return first.strip().lower(), last.strip().lower()


def ctf_plan(*, actor: Actor, setting: Setting, ctf: CtfFile,
             attendance_checked: dict[str, list[str]] | None = None) -> CtfPlan:
    """What importing the file into the setting would do, pupil by pupil; writes nothing. A fixed number of queries.
    `attendance_checked`: the attendance app's check of this file's attendance, kept from an earlier plan of it (the
    check reads only the file), so that it is not made again."""
    require_run_imports(actor, setting.pk)
    org = actor.organisation_id
    upns = {u for p in ctf.pupils for u in (p.upn, p.former_upn) if u}
    known = {c.upn.upper(): c for c in Child.objects.filter(organisation_id=org, upn__in=upns).select_related("family")}
    by_former = {d.former_upn.upper(): d.child for d in ChildTransferDetails.objects.filter(
        organisation_id=org, former_upn__in=upns).select_related("child__family")}
    plans: list[CtfPlanPupil] = []
    seen: dict[int, int] = {}
    new_upns: set[str] = set()
    for p in ctf.pupils:
        plan = CtfPlanPupil(pupil=p)
        plan.child = known.get(p.upn) or (known.get(p.former_upn) if p.former_upn else None) or by_former.get(p.upn)
        if plan.child is not None:
            if plan.child.pk in seen:
                plan.errors.append(f"Pupil {seen[plan.child.pk]} of the file is the same child (by UPN): "
                                   "a pupil may be in the file once.")
            seen[plan.child.pk] = p.position
            if plan.child.setting_id != setting.pk:
                plan.warnings.append(f"Already on roll at another setting of yours ({plan.child.setting_id}): "
                                     "updated there.")
        elif p.date_of_birth is None and not p.errors:
            plan.errors.append("No date of birth (DOB): a new child needs one (a partial file may leave it out "
                               "only for a pupil already here).")
        elif p.upn and p.upn in new_upns:
            plan.errors.append(f"UPN {p.upn} is in the file twice.")
        elif p.upn:
            new_upns.add(p.upn)
        plans.append(plan)
    child_ids = [p.child.pk for p in plans if p.child]
    family_ids = {p.child.family_id for p in plans if p.child}
    aspects = {a.child_id: a for a in KeyAspects.objects.filter(organisation_id=org, child_id__in=child_ids)}
    details = {d.child_id: d for d in ChildTransferDetails.objects.filter(organisation_id=org, child_id__in=child_ids)}
    _match_families(org, ctf, [p for p in plans if p.child is None and not p.errors and not p.pupil.errors])
    family_ids |= {p.joins.pk for p in plans if p.joins is not None}
    carers: dict[int, dict[tuple[str, str], Carer]] = defaultdict(dict)
    for carer in Carer.objects.filter(organisation_id=org, family_id__in=family_ids):
        carers[carer.family_id][_carer_key(carer.first_name, carer.last_name)] = carer
    attendance_ok, attendance_checked = _attendance_problems(ctf, plans, attendance_checked)
    for plan in plans:
        _plan_pupil(plan, ctf, aspects, details, carers)
    result = CtfPlan(ctf=ctf, setting=setting, pupils=plans, attendance_checked=attendance_checked)
    result.attendance_data, result.attendance_pupils = _attendance_document(ctf, attendance_ok)
    return result


def _digits(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "0" + digits[2:] if digits.startswith("44") else digits


def _address_key(address: str) -> str:
    return " ".join(address.lower().replace(",", " ").split())


def _match_families(org: int, ctf: CtfFile, plans: list[CtfPlanPupil]) -> None:
    """A new pupil joins a family already here when one of the pupil's contacts is one of its carers: the same
    e-mail address, or the same surname with the same phone number or the same address. A name alone never
    matches (two Sarah Khans are two people), and a pupil whose contacts point at two families joins neither. Two
    queries, whatever the number of pupils."""
    if not plans:
        return
    emails = {c.email.lower() for p in plans for c in p.pupil.contacts if c.email}
    surnames = {c.last_name.strip().lower() for p in plans for c in p.pupil.contacts if c.last_name.strip()}
    if not emails and not surnames:
        return
    found = (Carer.objects.filter(organisation_id=org).annotate(email_l=Lower("email"), surname_l=Lower("last_name"))
             .filter(Q(email_l__in=emails) | Q(surname_l__in=surnames)).select_related("family"))
    by_email: dict[str, set[int]] = defaultdict(set)
    by_phone: dict[tuple[str, str], set[int]] = defaultdict(set)
    by_address: dict[tuple[str, str], set[int]] = defaultdict(set)
    families: dict[int, Family] = {}
    for carer in found:
        families[carer.family_id] = carer.family
        surname = carer.last_name.strip().lower()
        if carer.email and carer.email.lower() in emails:
            by_email[carer.email.lower()].add(carer.family_id)
        if len(_digits(carer.phone)) >= 10:  # a whole number, not a fragment or an extension
            by_phone[(surname, _digits(carer.phone))].add(carer.family_id)
        for address in {carer.address, carer.family.address}:
            if _address_key(address):
                by_address[(surname, _address_key(address))].add(carer.family_id)
    matched: dict[int, set[int]] = {}
    for plan in plans:
        ids: set[int] = set()
        for c in plan.pupil.contacts:
            surname = c.last_name.strip().lower()
            ids |= by_email.get(c.email.lower(), set()) if c.email else set()
            for phone in {_digits(ph.number) for ph in c.phones} | {_digits(ph.number) for ph in plan.pupil.phones}:
                if surname and len(phone) >= 10:
                    ids |= by_phone.get((surname, phone), set())
            address = _address_key(c.address or plan.pupil.address)
            if surname and address:
                ids |= by_address.get((surname, address), set())
        if len(ids) == 1:
            matched[plan.pupil.position] = ids
        elif len(ids) > 1:
            names = sorted(families[i].name for i in ids)
            plan.warnings.append(f"The contacts match carers of {len(ids)} families ({', '.join(names)}): added as a "
                                 "new family. Move the child if they belong to one of them.")
    if not matched:
        return
    siblings: dict[int, list[str]] = defaultdict(list)
    for child in Child.objects.filter(organisation_id=org, family_id__in={i for ids in matched.values() for i in ids},
                                      left_on__isnull=True).only("family_id", "legal_first_name", "preferred_name",
                                                                 "legal_last_name"):
        siblings[child.family_id].append(child.display_name)
    for plan in plans:
        if plan.pupil.position in matched:
            family = families[next(iter(matched[plan.pupil.position]))]
            plan.joins = family
            names = siblings.get(family.pk, [])
            plan.joins_text = f"the {family.name.removeprefix('The ').removesuffix(' family')} family" + (
                f" (sibling of {_and(names)})" if names else "")


def _and(names: list[str]) -> str:
    names = sorted(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _change(plan: CtfPlanPupil, what: str, label: str, before: Any, after: Any) -> None:
    plan.changes.append({"what": what, "field": label, "before": _show(before), "after": _show(after)})


def _plan_pupil(plan: CtfPlanPupil, ctf: CtfFile, aspects: dict, details: dict, carers: dict) -> None:
    p = plan.pupil
    if p.errors:
        return
    child_values, aspect_values, detail_values = _pupil_values(p)
    child, new = plan.child, plan.child is None
    held_aspects = aspects.get(child.pk) if child else None
    held_details = details.get(child.pk) if child else None
    plan.child_fields = {k: v for k, v in child_values.items() if new or getattr(child, k) != v}
    plan.aspects = {k: v for k, v in aspect_values.items() if new or getattr(held_aspects, k, "") != v}
    plan.details = {k: v for k, v in detail_values.items() if new or getattr(held_details, k, None) != v}
    for k, v in plan.child_fields.items():
        _change(plan, "Child", CHILD_LABELS[k], None if new else getattr(child, k), v)
    for k, v in plan.aspects.items():
        _change(plan, "Key aspects", ASPECT_LABELS[k], getattr(held_aspects, k, ""), v)
    for k, v in plan.details.items():
        _change(plan, "Transfer details", DETAIL_LABELS[k], getattr(held_details, k, None), v)
    if plan.joins is not None:  # a sibling of children here: the family's address is theirs, not changed
        _change(plan, "Family", "Joins", "", f"Joins {plan.joins_text}")
        plan.family_key = f"family:{plan.joins.pk}"
    elif p.address and (new or child.family.address != p.address):
        plan.family_address = p.address
        _change(plan, "Family", "Address", "" if new else child.family.address, p.address)
    if plan.joins is None:
        plan.family_key = f"address:{p.address.lower()}" if p.address else f"pupil:{p.position}"
    family_id = child.family_id if child else (plan.joins.pk if plan.joins else None)
    held = carers.get(family_id, {}) if family_id else {}
    for contact in p.contacts:
        values = _carer_values(contact, ctf.source_school)
        name = " ".join(x for x in (contact.first_name, contact.last_name) if x)
        if not contact.first_name and not contact.last_name:
            plan.warnings.append(f"Contact {contact.order} has no name: not added.")
            continue
        carer = held.get(_carer_key(contact.first_name, contact.last_name))
        if carer is None:
            plan.carers.append((None, values))
            if plan.joins is not None and (contact.court_order or contact.restriction):
                plan.warnings.append(_restriction_warning(name, contact))
            _change(plan, "New carer", name, "", "; ".join(
                f"{CARER_LABELS[k]}: {_carer_show(k, v)}" for k, v in values.items() if v not in ("", None)))
            continue
        if carer.contact_restriction and "contact_restriction" not in values:
            values.pop("restriction_notes", None)  # a restriction held is never lifted by a file
        update = {k: v for k, v in values.items() if getattr(carer, k) != v and (v not in ("", None))}
        if update:
            plan.carers.append((carer, update))
            for k, v in update.items():
                plan.changes.append({"what": f"Carer {name}", "field": CARER_LABELS[k],
                                     "before": _carer_show(k, getattr(carer, k)), "after": _carer_show(k, v)})
        if contact.court_order or contact.restriction:
            plan.warnings.append(_restriction_warning(name, contact))
    if new and plan.joins is None:
        for contact in p.contacts:
            if contact.court_order or contact.restriction:
                plan.warnings.append(_restriction_warning(f"{contact.first_name} {contact.last_name}", contact))


def _restriction_warning(name: str, contact: CtfContact) -> str:
    if contact.restriction and contact.restriction != ContactRestriction.COURT_ORDER:
        return f"{name}: {ContactRestriction(contact.restriction).label.lower()} is recorded; contact restricted."
    return f"{name}: a court order is recorded; contact restricted."


def _attendance_problems(ctf: CtfFile, plans: list[CtfPlanPupil], checked: dict[str, list[str]] | None,
                         ) -> tuple[list[CtfPupil], dict[str, list[str]]]:
    """The pupils whose attendance figures the attendance app will take (the others are warned about), and the
    attendance app's problems by UPN (`checked` when given)."""
    ok: list[CtfPupil] = []
    with_figures = [p for p in ctf.pupils if p.attendance]
    section = ctf_attendance()
    if not with_figures:
        return ok, {}
    plan_of = {plan.pupil.position: plan for plan in plans}
    if section is None:
        for p in with_figures:
            plan_of[p.position].pupil.not_kept.add("Attendance")
        return ok, {}
    if checked is None:
        document, _ = _attendance_document(ctf, with_figures)
        checked = dict(section.check(document)) if document else {}
    by_upn = checked
    for p in with_figures:
        plan = plan_of[p.position]
        problems = by_upn.get(p.upn)
        if not p.upn:
            plan.warnings.append("Attendance figures not kept: the pupil has no UPN to match them by.")
        elif problems is None or problems:
            plan.warnings.append(f"Attendance figures not kept: {'; '.join(problems or ['unreadable'])}")
        else:
            ok.append(p)
    return ok, by_upn


def _attendance_document(ctf: CtfFile, pupils: list[CtfPupil]) -> tuple[bytes, int]:
    """A CTF holding only these pupils' UPNs and Attendance, for the attendance app's import. Written as text: each
    Attendance is already our own serialisation of an element defusedxml read, and every value is escaped."""
    chosen = [p for p in pupils if p.upn and p.attendance]
    seen: set[str] = set()
    if not chosen:
        return b"", 0
    parts = [f"<?xml version='1.0' encoding='utf-8'?>\n<CTfile><Header><CTFversion>{escape(ctf.version)}</CTFversion>"
             f"<SourceSchool><SchoolName>{escape(ctf.source_school)}</SchoolName></SourceSchool></Header>"
             "<CTFpupilData>".encode()]
    for p in chosen:
        if p.upn in seen:
            continue
        seen.add(p.upn)
        parts.append(f"<Pupil><UPN>{escape(p.upn)}</UPN><Forename>{escape(p.first_name)}</Forename><Surname>"
                     f"{escape(p.last_name)}</Surname>".encode())
        parts.append(p.attendance)
        parts.append(b"</Pupil>")
    parts.append(b"</CTFpupilData></CTfile>")
    return b"".join(parts), len(seen)


@dataclass
class CtfOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    carers: int = 0
    attendance_years: int = 0


def ctf_apply(*, actor: Actor, plan: CtfPlan, name: str) -> CtfOutcome:
    """Write the plan, all or nothing (the caller holds the transaction)."""
    if plan.has_errors:
        raise RuleViolation("Some pupils have errors: nothing was imported. Mend the file and upload it again.",
                            rule="ctf_errors", field="file")
    org, setting = actor.organisation_id, plan.setting
    today = clock.today(setting.time_zone)
    outcome = CtfOutcome()
    new = [p for p in plan.pupils if p.child is None]
    families: dict[str, Family] = {}
    for p in new:  # a pupil joining a family here goes into it; the others into a new family per address
        if p.family_key not in families:
            families[p.family_key] = p.joins or Family(organisation_id=org, name=f"{p.pupil.last_name} family"[:150],
                                                       address=p.family_address or "")
    Family.objects.bulk_create([f for f in families.values() if f.pk is None], batch_size=500)
    children, family_carers = [], defaultdict(dict)
    joined_carers: dict[int, tuple[Carer, dict[str, Any]]] = {}
    for p in new:
        family = families[p.family_key]
        p.child = Child(organisation_id=org, family=family, setting=setting, enrolled_on=today, **p.child_fields)
        p.created = True
        children.append(p.child)
        for carer, values in p.carers:
            if carer is None:
                family_carers[family.pk].setdefault(_carer_key(values["first_name"], values["last_name"]), values)
            else:  # a carer of the family the pupil joins, with what the file says of them now
                joined_carers.setdefault(carer.pk, (carer, {}))[1].update(values)
    Child.objects.bulk_create(children, batch_size=500)
    Carer.objects.bulk_create([Carer(organisation_id=org, family_id=fid, **values)
                               for fid, by_name in family_carers.items() for values in by_name.values()], batch_size=500)
    people.carers_update_many(actor=actor, updates=list(joined_carers.values()))
    KeyAspects.objects.bulk_create([KeyAspects(organisation_id=org, child=p.child, **p.aspects) for p in new],
                                   batch_size=500)
    ChildTransferDetails.objects.bulk_create([ChildTransferDetails(organisation_id=org, child=p.child, **p.details)
                                              for p in new], batch_size=500)
    outcome.created = len(new)
    outcome.carers = sum(len(v) for v in family_carers.values())
    new_ids = {id(p) for p in new}
    known = [p for p in plan.pupils if id(p) not in new_ids]
    changed = [p for p in known if p.changes]
    _apply_updates(actor, changed)
    outcome.unchanged = len(known) - len(changed)
    outcome.updated = len(changed)
    outcome.carers += sum(1 for p in changed for c, _ in p.carers if c is None)
    section = ctf_attendance()
    if plan.attendance_data and section is not None:
        outcome.attendance_years = section.write(actor, name, plan.attendance_data)
    audit_record(organisation_id=org, actor=actor.user, event_type="imports.ctf_imported",
                 summary=f"Common transfer file {name[:100]}: {outcome.created} new, {outcome.updated} updated",
                 data={"created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged,
                       "source_school": plan.ctf.source_school[:100]})
    return outcome


def _apply_updates(actor: Actor, pupils: list[CtfPlanPupil]) -> None:
    """Write the changes to children already here, all at once: the people app's services for many records keep
    each change in the child's history (audit, key aspect change rows) in a fixed number of queries."""
    people.children_update_many(actor=actor, updates=[(p.child, p.child_fields) for p in pupils if p.child_fields])
    families: dict[int, tuple[Family, dict[str, Any]]] = {}
    for p in pupils:
        if p.family_address is not None:  # siblings in one file: the later pupil's address wins, as before
            families[p.child.family_id] = (p.child.family, {"address": p.family_address})
    people.families_update_many(actor=actor, updates=list(families.values()))
    people.key_aspects_update_many(actor=actor, updates=[(p.child, p.aspects) for p in pupils if p.aspects])
    _details_update_many(actor, [p for p in pupils if p.details])
    new_carers: dict[tuple[int, tuple[str, str]], tuple[Family, dict[str, Any]]] = {}
    changed: dict[int, tuple[Carer, dict[str, Any]]] = {}
    for p in pupils:
        for carer, values in p.carers:
            if carer is None:  # siblings name the same new carer: added to their family once
                key = (p.child.family_id, _carer_key(values["first_name"], values["last_name"]))
                new_carers.setdefault(key, (p.child.family, values))
            else:
                changed.setdefault(carer.pk, (carer, {}))[1].update(values)
    people.carers_create_many(actor=actor, rows=list(new_carers.values()))
    people.carers_update_many(actor=actor, updates=list(changed.values()))


def _details_update_many(actor: Actor, pupils: list[CtfPlanPupil]) -> None:
    if not pupils:
        return
    held = {d.child_id: d for d in ChildTransferDetails.objects.filter(child_id__in=[p.child.pk for p in pupils])}
    missing = [ChildTransferDetails(child=p.child, organisation_id=p.child.organisation_id)
               for p in pupils if p.child.pk not in held]
    for d in ChildTransferDetails.objects.bulk_create(missing, batch_size=500):
        held[d.child_id] = d
    entries, fields, now = [], {"updated_at"}, clock.now()
    for p in pupils:
        details = held[p.child.pk]
        details.updated_at = now
        before = {k: getattr(details, k) for k in p.details}
        for k, v in p.details.items():
            setattr(details, k, v)
        fields.update(p.details)
        entries.append(audit_entry(organisation_id=p.child.organisation_id, actor=actor.user,
                                   event_type="child.transfer_details_updated", obj=p.child,
                                   summary=f"Transfer details of {p.child} changed by a common transfer file",
                                   data={"before": before, "after": p.details}))
    rows_update(ChildTransferDetails, [held[p.child.pk] for p in pupils], sorted(fields))
    audit_record_many(entries)


def ctf_import_file(*, actor: Actor, setting: Setting, name: str, data: bytes,
                    dry_run: bool = False) -> tuple[CtfPlan, CtfOutcome | None]:
    """Read, plan and (unless a dry run, or a pupil has an error) import, all or nothing: for the command line."""
    plan = ctf_plan(actor=actor, setting=setting, ctf=read_ctf(data))
    if dry_run or plan.has_errors:
        return plan, None
    with transaction.atomic():
        return plan, ctf_apply(actor=actor, plan=plan, name=name)


def ctf_upload(*, actor: Actor, setting: Setting, name: str, data: bytes) -> CtfImport:
    """Read the file and store its preview. A file that is not a readable CTF raises RuleViolation: nothing kept."""
    require_run_imports(actor, setting.pk)
    ctf = read_ctf(data)
    parsed = ctf_as_json(ctf)  # before planning, which notes on the pupils what it finds
    plan = ctf_plan(actor=actor, setting=setting, ctf=ctf)
    parsed["attendance_checked"] = plan.attendance_checked
    return CtfImport.objects.create(
        organisation_id=actor.organisation_id, setting=setting, uploaded_by=actor.user, original_name=name[:255],
        data=data, parsed={} if plan.has_errors else parsed, source_school=ctf.source_school[:200],
        pupil_count=len(ctf.pupils), preview=plan.report(),
        status=CtfImportStatus.FAILED if plan.has_errors else CtfImportStatus.CHECKED,
    )


@transaction.atomic
def ctf_confirm(*, actor: Actor, upload: CtfImport) -> CtfImport:
    """Import an uploaded file as previewed, all or nothing: the file as read for the preview, planned again against
    the children as they are now (they may have changed since)."""
    require_run_imports(actor, upload.setting_id)
    upload = CtfImport.objects.select_for_update().defer("data", "preview").get(pk=upload.pk)
    if upload.status != CtfImportStatus.CHECKED:
        raise RuleViolation("This file has already been imported, or has errors.", rule="ctf_status")
    ctf = ctf_from_json(upload.parsed)
    if ctf is None:  # uploaded before the file was kept as read
        ctf, checked = read_ctf(bytes(upload.data)), None
    else:
        checked = upload.parsed.get("attendance_checked")
    plan = ctf_plan(actor=actor, setting=upload.setting, ctf=ctf, attendance_checked=checked)
    report = plan.report()
    outcome = ctf_apply(actor=actor, plan=plan, name=upload.original_name)
    for entry, pupil in zip(report["pupils"], plan.pupils, strict=True):
        entry["child_id"] = pupil.child.pk if pupil.child else None
    upload.preview = report | {"outcome": outcome.__dict__}
    upload.status, upload.data, upload.parsed, upload.finished_at = CtfImportStatus.DONE, b"", {}, clock.now()
    upload.save(update_fields=["preview", "status", "data", "parsed", "finished_at"])
    return upload
