"""Writes for data checks: the carer's confirmation (with differences), the admin office's, and its decisions on
corrections. Applied corrections go through the people services, so they are in the child's or carer's history.
Each confirmation refreshes the family's obligations (SCH-2) in the same transaction."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import Group, HalfTerm
from keyworker.people import services as people
from keyworker.people.models import Carer, Child, ContactRestriction
from keyworker.people.selectors import children_visible_to, families_visible_to
from keyworker.standards.obligations import obligations_refresh

from . import fields, policies
from .models import (
    STAFF_METHODS,
    CheckState,
    ConfirmationMethod,
    Correction,
    CorrectionState,
    CorrectionTarget,
    DataCheck,
    DataCheckEvent,
    EventKind,
)
from .selectors import carers_of, items_for

NOTE_MAX = 500
REASON_MAX = 300
MAX_DIFFERENCES = 20
BACKDATE_DAYS = 31
HISTORY_NOTE = "From the half-term data check"


@dataclass(frozen=True)
class Difference:
    field: str              # a field key, e.g. "carer.12.phone"
    proposed_value: str
    note: str = ""


def _in_scope(actor: Actor, child: Child) -> None:
    """Outside the actor's scope a child does not exist."""
    if not actor.is_member or child.organisation_id != actor.organisation_id or not (
        children_visible_to(actor).filter(pk=child.pk).exists()
    ):
        raise Http404("No such child")


def _event(check: DataCheck, kind: str, actor: Actor | None, summary: str, at: dt.datetime) -> None:
    DataCheckEvent.objects.create(organisation_id=check.organisation_id, data_check=check, kind=kind, at=at,
                                  actor=getattr(actor, "user", None), summary=summary[:300])


def _refresh(check: DataCheck, actor: Actor) -> None:
    obligations_refresh(organisation_id=check.organisation_id, family_ids={check.family_id},
                        as_of=clock.today(check.setting.time_zone), actor=actor)


@transaction.atomic
def datacheck_open(*, actor: Actor, child: Child, half_term: HalfTerm) -> DataCheck:
    """The child's check for the half term, made if it does not exist yet: asking twice gives the same check."""
    _in_scope(actor, child)
    if half_term.setting_id != child.setting_id:
        raise RuleViolation(f"{half_term} is not a half term of {child.setting}.", rule="half_term", field="half_term")
    existing = DataCheck.objects.filter(child=child, half_term=half_term).first()
    if existing is not None:
        return existing
    try:
        # A savepoint: two people opening the same check at once get the same row, not an error.
        with transaction.atomic():
            return DataCheck.objects.create(
                organisation_id=child.organisation_id, child=child, family_id=child.family_id, setting_id=child.setting_id,
                half_term=half_term, created_at=clock.now(),
            )
    except IntegrityError:
        return DataCheck.objects.get(child=child, half_term=half_term)


def _half_term_of(child: Child, day: dt.date) -> HalfTerm:
    ht = HalfTerm.objects.filter(setting_id=child.setting_id, starts_on__lte=day, ends_on__gte=day).first()
    if ht is None:
        raise RuleViolation(f"{day.day}/{day.month}/{day.year} is not in a half term of {child.setting}: a data check belongs "
                            "to a half term, so enter a date in term time.", rule="no_half_term", field="confirmed_on")
    return ht


def _clean_note(note: str, name: str = "note", limit: int = NOTE_MAX) -> str:
    note = (note or "").strip()
    if len(note) > limit:
        raise RuleViolation(f"Keep it to {limit} characters or fewer.", rule="too_long", field=name)
    return note


@transaction.atomic
def datacheck_carer_confirm(
    *, actor: Actor, child: Child, carer: Carer | None, method: str, confirmed_on: dt.date | None, all_correct: bool,
    differences: list[Difference] = (), note: str = "",
) -> DataCheck:
    """Record that a carer went through the child's data, in person or by phone: all correct, or these differences
    (each becomes a proposed correction for the admin office)."""
    _in_scope(actor, child)
    child = Child.objects.select_related("setting", "group", "family").get(pk=child.pk)
    if method not in STAFF_METHODS:
        if method == ConfirmationMethod.PORTAL:
            raise RuleViolation("Only carers confirm in the carers' portal: choose in person or by phone.", rule="method",
                                field="method")
        raise RuleViolation("Choose how the carer confirmed: in person or by phone.", rule="method", field="method")
    if carer is None:
        raise RuleViolation("Choose the carer who checked the data.", rule="carer_required", field="carer")
    if carer.family_id != child.family_id or carer.organisation_id != child.organisation_id:
        raise RuleViolation("Choose one of this child's carers.", rule="carer_family", field="carer")
    if carer.contact_restriction == ContactRestriction.NO_CONTACT:
        raise RuleViolation(f"{carer.full_name} has a no-contact restriction: choose another carer.", rule="no_contact",
                            field="carer")
    if not isinstance(confirmed_on, dt.date):
        raise RuleViolation("Enter the date the carer checked the data, for example 18/11/2026.", rule="date", field="confirmed_on")
    today = clock.today(child.setting.time_zone)
    if confirmed_on > today:
        raise RuleViolation("The date cannot be in the future: enter today's date or an earlier one.", rule="future_date",
                            field="confirmed_on")
    if confirmed_on < today - dt.timedelta(days=BACKDATE_DAYS):
        raise RuleViolation(f"A confirmation can be recorded up to {BACKDATE_DAYS} days late.", rule="old_date", field="confirmed_on")
    note = _clean_note(note)
    differences = list(differences or ())
    if all_correct and differences:
        raise RuleViolation("You chose “All correct” and also listed differences: choose “Something is different”, or "
                            "remove the differences.", rule="all_correct_with_differences", field="all_correct")
    if not all_correct and not differences:
        raise RuleViolation("Say what is different: choose what it is and enter what it should be.", rule="differences_required",
                            field="differences")
    if len(differences) > MAX_DIFFERENCES:
        raise RuleViolation(f"Up to {MAX_DIFFERENCES} differences at a time.", rule="too_many", field="differences")
    half_term = _half_term_of(child, confirmed_on)
    carers = carers_of(child)
    items = items_for(child, carers)
    by_key = {i.key: i for i in items}
    groups = list(Group.objects.filter(setting_id=child.setting_id).order_by("name"))
    parsed: list[tuple[fields.Item, str, str]] = []
    seen: set[str] = set()
    for n, d in enumerate(differences):
        item = by_key.get(d.field)
        if item is None:
            raise RuleViolation("Choose what is different from the list.", rule="field", field=f"differences.{n}.field")
        if d.field in seen:
            raise RuleViolation(f"{item.label} is listed twice: keep one.", rule="duplicate_field", field=f"differences.{n}.field")
        seen.add(d.field)
        try:
            stored, _ = fields.parse(item, d.proposed_value, child=child, groups=groups)
        except RuleViolation as exc:
            raise RuleViolation(exc.message, rule=exc.rule, field=f"differences.{n}.proposed_value") from None
        if fields.shown(item.field, stored) == item.value:
            raise RuleViolation(f"That is what we hold already for {item.label.lower()}: enter what it should be.",
                                rule="same_value", field=f"differences.{n}.proposed_value")
        parsed.append((item, stored, _clean_note(d.note, f"differences.{n}.note")))

    check = datacheck_open(actor=actor, child=child, half_term=half_term)
    check = DataCheck.objects.select_for_update(of=("self",)).select_related("setting").get(pk=check.pk)
    if check.carer_confirmed_at is not None:
        raise RuleViolation(f"A carer's confirmation is already recorded for {half_term}: {check.carer_name} on "
                            f"{on_screen(check.carer_confirmed_on)}.", rule="already_confirmed")
    now = clock.now()
    check.snapshot = fields.snapshot(items)
    check.carer, check.carer_name, check.carer_method = carer, carer.full_name, method
    check.carer_confirmed_on, check.carer_confirmed_at, check.carer_recorded_by = confirmed_on, now, actor.staff
    check.carer_all_correct, check.carer_note = all_correct, note
    check.state = CheckState.AWAITING_ADMIN
    check.save()
    how = dict(ConfirmationMethod.choices)[method].lower()
    _event(check, EventKind.CARER_CONFIRMED, actor,
           f"{carer.full_name} checked the data {how}: " + ("all correct." if all_correct else f"{len(parsed)} difference(s)."), now)
    Correction.objects.bulk_create([
        Correction(
            organisation_id=check.organisation_id, data_check=check, child=child, family_id=child.family_id, target=item.target,
            carer=item.carer, field=item.field, label=item.label[:200], current_value=item.value, proposed_value=stored,
            note=d_note, proposed_by=actor.staff, proposed_at=now,
        )
        for item, stored, d_note in parsed
    ])
    for item, stored, _ in parsed:
        _event(check, EventKind.CORRECTION_PROPOSED, actor,
               f"{item.label}: “{item.value or 'nothing recorded'}” → “{fields.shown(item.field, stored) or 'nothing recorded'}”", now)
    audit_record(organisation_id=check.organisation_id, actor=actor.user, event_type="datacheck.carer_confirmed", obj=check,
                 summary=f"Data check of {child} for {half_term}: carer's confirmation by {carer.full_name}",
                 data={"method": method, "differences": len(parsed)})
    _refresh(check, actor)
    return check


def _admin(actor: Actor, check: DataCheck) -> None:
    if not actor.is_member or check.organisation_id != actor.organisation_id or not (
        families_visible_to(actor).filter(pk=check.family_id).exists()
    ):
        raise Http404("No such data check")
    policies.require_correct(actor, check.setting_id)


@transaction.atomic
def datacheck_admin_confirm(*, actor: Actor, check: DataCheck, note: str = "") -> DataCheck:
    """The admin office confirms the data after the carer's confirmation and its decisions on every correction;
    the check is then complete, and counts for SCH-2 on this day."""
    _admin(actor, check)
    note = _clean_note(note)
    locked = DataCheck.objects.select_for_update(of=("self",)).select_related("setting", "child", "half_term").get(pk=check.pk)
    if locked.state == CheckState.COMPLETE:
        raise RuleViolation("The admin office has already confirmed this check.", rule="already_confirmed")
    if locked.carer_confirmed_at is None:
        raise RuleViolation("A carer confirms the data first: record the carer's confirmation, then confirm.",
                            rule="carer_first")
    waiting = locked.corrections.filter(state=CorrectionState.PROPOSED).count()
    if waiting:
        raise RuleViolation(f"Apply or reject the {waiting} correction{'s' if waiting != 1 else ''} waiting first.",
                            rule="corrections_waiting")
    now = clock.now()
    locked.admin_confirmed_at, locked.admin_confirmed_by, locked.admin_note = now, actor.staff, note
    locked.state = CheckState.COMPLETE
    locked.completed_on = clock.today(locked.setting.time_zone)
    locked.save()
    _event(locked, EventKind.ADMIN_CONFIRMED, actor, f"Admin office confirmed the data{': ' + note if note else '.'}", now)
    _event(locked, EventKind.COMPLETED, actor, f"Data check for {locked.half_term} complete.", now)
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="datacheck.completed", obj=locked,
                 summary=f"Data check of {locked.child} for {locked.half_term} complete")
    _refresh(locked, actor)
    return locked


def _lock_correction(actor: Actor, correction: Correction) -> Correction:
    check = DataCheck.objects.filter(pk=correction.data_check_id).first()
    if check is None:
        raise Http404("No such correction")
    _admin(actor, check)
    locked = Correction.objects.select_for_update(of=("self",)).select_related("child__setting", "carer", "data_check").get(pk=correction.pk)
    if locked.state != CorrectionState.PROPOSED:
        raise RuleViolation(f"This correction was already {locked.get_state_display().lower()}.", rule="already_decided")
    return locked


@transaction.atomic
def correction_apply(*, actor: Actor, correction: Correction) -> Correction:
    """Make the change through the people services (so it is in the record's history, by the admin office user)."""
    locked = _lock_correction(actor, correction)
    child = locked.child
    if locked.target == CorrectionTarget.CARER:
        if locked.carer is None:
            raise RuleViolation("This carer is no longer on record: reject the correction.", rule="carer_gone")
        item = next(i for i in fields.carer_items(locked.carer) if i.field == locked.field)
    else:
        from keyworker.people.models import KeyAspects

        item = next(i for i in fields.child_items(child, KeyAspects.objects.filter(child=child).first())
                    if i.field == locked.field and i.target == locked.target)
    # Read again: the record may have changed since the carer's confirmation; a stale class name is refused here.
    _, value = fields.parse(item, locked.proposed_value, child=child)
    before = item.value
    if locked.target == CorrectionTarget.CARER:
        people.carer_update(actor=actor, carer=locked.carer, **{locked.field: value})
        obj = locked.carer
    elif locked.target == CorrectionTarget.KEY_ASPECTS:
        people.key_aspects_update(actor=actor, child=child, changes={locked.field: value})
        obj = child
    else:
        people.child_update(actor=actor, child=child, **{locked.field: value})
        obj = child
    now = clock.now()
    locked.state, locked.decided_by, locked.decided_at = CorrectionState.APPLIED, actor.staff, now
    locked.save(update_fields=["state", "decided_by", "decided_at"])
    after = locked.proposed_shown
    _event(locked.data_check, EventKind.CORRECTION_APPLIED, actor, f"{locked.label}: “{before or 'nothing recorded'}” → “{after or 'nothing recorded'}”", now)
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="datacheck.correction_applied", obj=obj,
                 summary=f"{HISTORY_NOTE}: {locked.label} changed", data={
                     "field": locked.field, "before": before, "after": after, "note": HISTORY_NOTE, "correction": locked.pk,
                 })
    return locked


@transaction.atomic
def correction_reject(*, actor: Actor, correction: Correction, reason: str) -> Correction:
    """Leave the record as it is, saying why (e.g. the school holds the legal name from the birth certificate)."""
    locked = _lock_correction(actor, correction)
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise RuleViolation("Enter why the correction is rejected, for example “Legal name must match the birth certificate”.",
                            rule="reason_required", field="reason")
    if len(reason) > REASON_MAX:
        raise RuleViolation(f"Keep the reason to {REASON_MAX} characters or fewer.", rule="reason_length", field="reason")
    now = clock.now()
    locked.state, locked.decided_by, locked.decided_at, locked.reason = CorrectionState.REJECTED, actor.staff, now, reason
    locked.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    _event(locked.data_check, EventKind.CORRECTION_REJECTED, actor, f"{locked.label}: not changed. {reason}", now)
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="datacheck.correction_rejected", obj=locked,
                 summary=f"{HISTORY_NOTE}: {locked.label} not changed", data={"reason": reason})
    return locked
