"""The carer's own half-termly data check in the carers' portal (SCH-2): what a carer sees of the family's data,
and their confirmation or corrections.

What a carer sees (the organisation's rule for the portal):
- each child on roll: legal names, preferred name, date of birth, first language, religion, medical needs, allergies;
- their own record: names, relationship, phone, e-mail, address;
- the family's other carers who have no contact restriction: names, relationship, phone and e-mail (never their
  address, never a restricted carer at all).

A carer's confirmation is recorded on each child's check of the current half term exactly as a key worker records
one (method "portal"); every change they ask for is a proposed correction in the admin office's queue, never a
change to the record. The office then applies or rejects it and confirms, which completes the check (SCH-2).
"""

import datetime as dt
from dataclasses import dataclass, field, replace

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404

from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import HalfTerm
from keyworker.people.carer_access import DATA_CHECK, CarerAccess, sections_for
from keyworker.people.models import Carer, Child, ContactRestriction, KeyAspects
from keyworker.standards.obligations import obligations_refresh

from . import fields
from .models import (
    CheckState,
    ConfirmationMethod,
    Correction,
    CorrectionState,
    CorrectionTarget,
    DataCheck,
    DataCheckEvent,
    EventKind,
)

CHILD_SHOWN = ("legal_first_name", "legal_last_name", "preferred_name", "date_of_birth")
ASPECTS_SHOWN = ("first_language", "religion", "medical_needs", "allergies")
OWN_SHOWN = ("first_name", "last_name", "relationship", "phone", "email", "address")
OTHERS_SHOWN = ("first_name", "last_name", "relationship", "phone", "email")


class FieldErrors(RuleViolation):
    """Several fields refused at once: a message for each."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())), rule="fields", field=next(iter(errors)))
        self.errors = errors

    def as_dict(self) -> dict[str, list[str]]:
        return {k: [v] for k, v in self.errors.items()}


@dataclass
class ChildPart:
    child: Child
    half_term: HalfTerm | None
    check: DataCheck | None
    items: list[fields.Item]

    @property
    def open_for_carer(self) -> bool:
        """In a half term, and no carer's confirmation yet: the carer can confirm it now."""
        return self.half_term is not None and (self.check is None or not self.check.carer_confirmed)


@dataclass
class CarerPart:
    carer: Carer
    own: bool
    items: list[fields.Item]


@dataclass
class FamilyCheck:
    link: Carer
    children: list[ChildPart]
    carers: list[CarerPart]
    corrections: list[Correction] = field(default_factory=list)

    @property
    def due(self) -> bool:
        return any(p.open_for_carer for p in self.children)

    @property
    def in_term(self) -> bool:
        return any(p.half_term is not None for p in self.children)

    @property
    def confirmed(self) -> list[DataCheck]:
        return [p.check for p in self.children if p.check is not None and p.check.carer_confirmed]

    @property
    def items(self) -> list[fields.Item]:
        out = [i for p in self.children for i in p.items]
        return out + [i for c in self.carers for i in c.items]

    @property
    def waiting(self) -> list[Correction]:
        return [c for c in self.corrections if c.state == CorrectionState.PROPOSED]


def _on_roll(qs, day: dt.date):
    return qs.filter(enrolled_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gte=day))


def _half_terms_holding(setting_ids, day: dt.date) -> dict[int, HalfTerm]:
    rows = HalfTerm.objects.filter(setting_id__in=set(setting_ids), starts_on__lte=day, ends_on__gte=day)
    return {ht.setting_id: ht for ht in rows}


def visible_carers(link: Carer, carers: list[Carer]) -> list[CarerPart]:
    """The carer's own record and the other carers they may see (no restriction on them)."""
    out = []
    for c in carers:
        own = c.pk == link.pk
        if not own and c.contact_restriction != ContactRestriction.NONE:
            continue
        shown = OWN_SHOWN if own else OTHERS_SHOWN
        out.append(CarerPart(c, own, [i for i in fields.carer_items(c) if i.field in shown]))
    out.sort(key=lambda p: (not p.own, p.carer.contact_order, p.carer.pk))
    return out


def child_visible_items(child: Child, aspects: KeyAspects | None) -> list[fields.Item]:
    """The child's details the carer sees, each keyed by the child too ("child.<id>.date_of_birth"): a family's
    children share one page."""
    return [replace(i, key=f"{i.target}.{child.pk}.{i.field}") for i in fields.child_items(child, aspects)
            if (i.target == CorrectionTarget.CHILD and i.field in CHILD_SHOWN)
            or (i.target == CorrectionTarget.KEY_ASPECTS and i.field in ASPECTS_SHOWN)]


def _check_snapshot(items: list[fields.Item]) -> dict[str, str]:
    """As a check keeps it: a child's details by their usual key ("child.date_of_birth"), carers' by theirs."""
    return {(f"{i.target}.{i.field}" if i.carer is None else i.key): i.value for i in items}


def family_check(link: Carer, as_of: dt.date) -> FamilyCheck:
    """The family's data as this carer sees it, with this half term's checks and their corrections: six queries
    whatever the number of children and carers."""
    children = list(_on_roll(Child.objects.filter(family_id=link.family_id), as_of)
                    .select_related("setting", "group").order_by("date_of_birth", "id"))
    aspects = {a.child_id: a for a in KeyAspects.objects.filter(child__in=[c.pk for c in children])}
    carers = list(Carer.objects.filter(family_id=link.family_id).order_by("contact_order", "id"))
    half_terms = _half_terms_holding([c.setting_id for c in children], as_of)
    checks = {
        d.child_id: d for d in DataCheck.objects.filter(
            child__in=[c.pk for c in children], half_term_id__in=[ht.pk for ht in half_terms.values()])
    }
    corrections = list(Correction.objects.filter(data_check_id__in=[d.pk for d in checks.values()])
                       .select_related("child").order_by("proposed_at", "id")) if checks else []
    parts = [ChildPart(c, half_terms.get(c.setting_id), checks.get(c.pk), child_visible_items(c, aspects.get(c.pk)))
             for c in children]
    return FamilyCheck(link, parts, visible_carers(link, carers), corrections)


def families_due(access: CarerAccess, as_of: dt.date) -> list[Carer]:
    """The carer links whose family has a child whose data check this half term waits for a carer: three queries
    whatever the number of families."""
    links = {c.family_id: c for c in access.links if DATA_CHECK in sections_for(c)}
    if not links:
        return []
    children = list(_on_roll(Child.objects.filter(family_id__in=list(links)), as_of).values_list("id", "family_id", "setting_id"))
    half_terms = _half_terms_holding([s for _, _, s in children], as_of)
    confirmed = set(DataCheck.objects.filter(
        child__in=[c for c, _, _ in children], half_term_id__in=[ht.pk for ht in half_terms.values()],
        carer_confirmed_at__isnull=False,
    ).values_list("child_id", flat=True))
    due = {f for c, f, s in children if s in half_terms and c not in confirmed}
    return [links[f] for f in sorted(due)]


def _check_for(child: Child, half_term: HalfTerm) -> DataCheck:
    existing = DataCheck.objects.filter(child=child, half_term=half_term).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # two carers confirming at once get the same row
            return DataCheck.objects.create(
                organisation_id=child.organisation_id, child=child, family_id=child.family_id, setting_id=child.setting_id,
                half_term=half_term, created_at=clock.now(),
            )
    except IntegrityError:
        return DataCheck.objects.get(child=child, half_term=half_term)


def _parse_changes(fc: FamilyCheck, changes: dict[str, str]) -> list[tuple[fields.Item, str]]:
    by_key = {i.key: i for i in fc.items}
    errors: dict[str, str] = {}
    parsed = []
    for key, raw in changes.items():
        if not (raw or "").strip():
            continue  # left empty: that line is right
        item = by_key.get(key)
        if item is None:
            errors[key] = "This is not one of your family's details: reload the page and try again."
            continue
        owner = _child_id(item, fc)
        child = next((p.child for p in fc.children if p.child.pk == owner), fc.children[0].child)
        try:
            stored, _ = fields.parse(item, raw, child=child)
        except RuleViolation as exc:
            errors[key] = exc.message
            continue
        if fields.shown(item.field, stored) == item.value:
            errors[key] = "That is what we hold already: leave it empty if it is right."
            continue
        parsed.append((item, stored))
    if errors:
        raise FieldErrors(errors)
    return parsed


def _child_id(item: fields.Item, fc: FamilyCheck) -> int | None:
    for p in fc.children:
        if item in p.items:
            return p.child.pk
    return None


@transaction.atomic
def datacheck_portal_confirm(*, link: Carer, changes: dict[str, str] | None = None, as_of: dt.date | None = None) -> list[DataCheck]:
    """The carer confirms the family's data in the portal: everything right, or these changes (each a proposed
    correction for the admin office). Records the carer's confirmation on each child's check of the half term."""
    if DATA_CHECK not in sections_for(link):
        raise Http404("No such family")
    today = as_of or clock.today()
    fc = family_check(link, today)
    parts = [p for p in fc.children if p.open_for_carer]
    if not parts:
        if not fc.in_term:
            raise RuleViolation("There is no data check to do now: it opens at the start of each half term.", rule="no_half_term")
        raise RuleViolation("Your family's details are already confirmed for this half term.", rule="already_confirmed")
    parsed = _parse_changes(fc, changes or {})
    now = clock.now()
    snapshot = _check_snapshot([i for c in fc.carers for i in c.items])
    checks: dict[int, DataCheck] = {}
    for p in parts:
        check = _check_for(p.child, p.half_term)
        check = DataCheck.objects.select_for_update(of=("self",)).get(pk=check.pk)
        if check.carer_confirmed_at is not None:
            continue  # confirmed a moment ago, by another carer or a key worker
        checks[p.child.pk] = check
    if not checks:
        raise RuleViolation("Your family's details are already confirmed for this half term.", rule="already_confirmed")
    first = next(iter(checks.values()))
    rows: dict[int, list[Correction]] = {pk: [] for pk in checks}
    for item, stored in parsed:
        child_id = _child_id(item, fc)
        check = checks.get(child_id) if child_id is not None else first
        if check is None:
            continue  # that child's data was confirmed meanwhile: the office has it already
        rows[check.child_id].append(Correction(
            organisation_id=check.organisation_id, data_check=check, child_id=check.child_id, family_id=check.family_id,
            target=item.target, carer=item.carer, field=item.field, label=item.label[:200], current_value=item.value,
            proposed_value=stored, proposed_by_carer=link, proposed_at=now,
        ))
    for p in parts:
        check = checks.get(p.child.pk)
        if check is None:
            continue
        mine = rows[check.child_id]
        check.snapshot = {**_check_snapshot(p.items), **snapshot}
        check.carer, check.carer_name, check.carer_method = link, link.full_name, ConfirmationMethod.PORTAL
        check.carer_confirmed_on, check.carer_confirmed_at, check.carer_recorded_by = today, now, None
        check.carer_all_correct, check.carer_note = not mine, ""
        check.state = CheckState.AWAITING_ADMIN
        check.save()
        DataCheckEvent.objects.create(
            organisation_id=check.organisation_id, data_check=check, kind=EventKind.CARER_CONFIRMED, at=now, actor=link.user,
            summary=(f"{link.full_name} checked the data in the carers' portal: "
                     + ("all correct." if not mine else f"{len(mine)} difference(s)."))[:300],
        )
        Correction.objects.bulk_create(mine)
        DataCheckEvent.objects.bulk_create([
            DataCheckEvent(organisation_id=check.organisation_id, data_check=check, kind=EventKind.CORRECTION_PROPOSED, at=now,
                           actor=link.user, summary=f"{c.label}: “{c.current_value or 'nothing recorded'}” → "
                                                    f"“{c.proposed_shown or 'nothing recorded'}”"[:300])
            for c in mine
        ])
    audit_record(organisation_id=link.organisation_id, actor=link.user, event_type="datacheck.portal_confirmed", obj=link.family,
                 summary=f"{link.full_name} checked {link.family}'s data in the carers' portal",
                 data={"checks": [c.pk for c in checks.values()], "differences": len(parsed)})
    obligations_refresh(organisation_id=link.organisation_id, family_ids={link.family_id}, as_of=today)
    return list(checks.values())


@transaction.atomic
def datacheck_portal_correct(*, link: Carer, changes: dict[str, str], as_of: dt.date | None = None) -> list[Correction]:
    """After this half term's check is confirmed, the carer can still tell the office that something changed (a new
    phone number): each change is a proposed correction on the child's check of this half term, in the office's queue,
    never straight into the record. The confirmation itself stands: the office accepts or rejects each change."""
    if DATA_CHECK not in sections_for(link):
        raise Http404("No such family")
    today = as_of or clock.today()
    fc = family_check(link, today)
    if fc.due:
        raise RuleViolation("Check your family's details first: confirm them, or send your changes with the check.",
                            rule="check_due")
    parts = [p for p in fc.children if p.half_term is not None and p.check is not None]
    if not parts:
        raise RuleViolation("There is no data check this half term yet: it opens at the start of each half term.",
                            rule="no_half_term")
    parsed = _parse_changes(fc, changes)
    if not parsed:
        raise RuleViolation("Type what is different next to the detail that is wrong, then press “Send my changes”.",
                            rule="no_changes", field="changes")
    checks = {p.child.pk: p.check for p in parts}
    first = parts[0].check
    now = clock.now()
    rows = []
    for item, stored in parsed:
        child_id = _child_id(item, fc)
        check = checks.get(child_id, first) if child_id is not None else first
        rows.append(Correction(
            organisation_id=check.organisation_id, data_check=check, child_id=check.child_id, family_id=check.family_id,
            target=item.target, carer=item.carer, field=item.field, label=item.label[:200], current_value=item.value,
            proposed_value=stored, proposed_by_carer=link, proposed_at=now,
        ))
    Correction.objects.bulk_create(rows)
    DataCheckEvent.objects.bulk_create([
        DataCheckEvent(organisation_id=c.organisation_id, data_check=c.data_check, kind=EventKind.CORRECTION_PROPOSED, at=now,
                       actor=link.user, summary=f"{c.label}: “{c.current_value or 'nothing recorded'}” → "
                                                f"“{c.proposed_shown or 'nothing recorded'}”"[:300])
        for c in rows
    ])
    audit_record(organisation_id=link.organisation_id, actor=link.user, event_type="datacheck.portal_corrected", obj=link.family,
                 summary=f"{link.full_name} sent {len(rows)} change(s) to {link.family}'s data from the carers' portal",
                 data={"corrections": [c.pk for c in rows]})
    return rows

