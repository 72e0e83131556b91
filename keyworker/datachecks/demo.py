"""Demo records of the datachecks app for the demo school: this half term's checks partly done, varied per class,
a few corrections waiting for the admin office (a carer's new phone number among them), and a few applied."""

import datetime as dt
import random
import zoneinfo
from collections import defaultdict

from django.db import transaction

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import StaffMember
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import HalfTerm, Organisation, Setting
from keyworker.people.models import Carer, Child, ContactRestriction, KeyAspects

from . import fields
from .models import (
    CheckState,
    ConfirmationMethod,
    Correction,
    CorrectionTarget,
    DataCheck,
    DataCheckEvent,
    EventKind,
)
from .services import correction_apply

# Share of each class's children a carer has checked so far, and of those the admin office has confirmed: classes
# differ (a class whose TA checks at the gate each morning is ahead; one with a new teacher behind).
CLASS_PACE = [(0.95, 0.9), (0.8, 0.7), (0.65, 0.5), (0.5, 0.6), (0.35, 0.4), (0.2, 0.5), (0.75, 0.3), (0.55, 0.8),
              (0.4, 0.25), (0.85, 0.85), (0.3, 0.0), (0.6, 0.6)]
NOTES = ["Mum checked it at the gate.", "Went through it on the phone.", "Dad checked it at parents' evening.", ""]
# Corrections waiting: (field, new value or a function of the carer, note)
WAITING = [
    ("phone", "07700 900481", "New mobile number; the old one is switched off."),
    ("email", None, "New e-mail address."),
    ("preferred_contact_method", "email", "Would rather have e-mails than calls during work."),
    ("address", "14 Orchard Way\nBrookfield\nBF2 7QT", "Moved house in October."),
]
APPLIED = [("allergies", "Mild hay fever; takes an antihistamine in June."), ("medical_needs", "Asthma: blue inhaler in the class bag.")]


def _school_days(cal: TermCalendar, start: dt.date, end: dt.date) -> list[dt.date]:
    return cal.school_days_between(start, end) if start <= end else []


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None, seed: int = 2022) -> int:
    """Write this half term's checks per school setting, then recompute the obligations (SCH-2). Returns the number
    of checks written."""
    from keyworker.standards import engine

    today = today or clock.today()
    rng = random.Random(seed)
    written = 0
    admin = (
        StaffMember.objects.filter(organisation=organisation, staff_roles__role__code="admin_office", is_active=True)
        .select_related("user").order_by("id").first()
    )
    for setting in Setting.objects.filter(organisation=organisation, kind="school").order_by("id"):
        written += _setting_history(organisation, setting, admin, today, rng)
    engine.recompute(organisation_id=organisation.pk, as_of=today, rebuild=True)
    return written


def _setting_history(org: Organisation, setting: Setting, admin: StaffMember | None, today: dt.date, rng: random.Random) -> int:
    cal = TermCalendar.for_setting(setting)
    half = cal.half_term_for(today)
    ht = HalfTerm.objects.filter(setting=setting, starts_on__lte=today).order_by("-starts_on").first()
    if ht is None or half is None and ht.ends_on < today - dt.timedelta(days=21):
        return 0
    days = _school_days(cal, ht.starts_on, min(ht.ends_on, today))
    if not days:
        return 0
    zone = zoneinfo.ZoneInfo(setting.time_zone or "Europe/London")
    children = list(
        Child.objects.filter(setting=setting, left_on__isnull=True, enrolled_on__lte=ht.starts_on)
        .select_related("group").order_by("group__name", "legal_last_name", "legal_first_name", "id")
    )
    aspects = {a.child_id: a for a in KeyAspects.objects.filter(child__in=children)}
    carers: dict[int, list[Carer]] = defaultdict(list)
    for c in Carer.objects.filter(organisation=org, family_id__in={ch.family_id for ch in children}).order_by("contact_order", "id"):
        carers[c.family_id].append(c)
    key_workers = {
        (a.family_id, a.setting_id): a.staff for a in
        KeyWorkerAllocation.objects.filter(setting=setting, ends_at__isnull=True).select_related("staff__user")
    }
    group_names = sorted({ch.group.name for ch in children if ch.group_id})
    pace = {name: CLASS_PACE[i % len(CLASS_PACE)] for i, name in enumerate(group_names)}

    checks: list[DataCheck] = []
    events: list[DataCheckEvent] = []
    waiting: list[tuple[DataCheck, Child, Carer]] = []
    for child in children:
        carer_share, admin_share = pace.get(child.group.name if child.group_id else "", (0.5, 0.5))
        family_carers = carers.get(child.family_id, [])
        contactable = [c for c in family_carers if c.contact_restriction != ContactRestriction.NO_CONTACT]
        confirmed = bool(contactable) and rng.random() < carer_share
        completed = confirmed and rng.random() < admin_share
        check = DataCheck(organisation=org, child=child, family_id=child.family_id, setting=setting, half_term=ht,
                          created_at=dt.datetime.combine(ht.starts_on, dt.time(9), tzinfo=zone))
        if not confirmed:
            continue  # no check yet: the child shows as waiting for a carer
        carer = contactable[0] if rng.random() < 0.8 else rng.choice(contactable)
        day = rng.choice(days[:-1] or days) if completed else rng.choice(days)
        recorder = key_workers.get((child.family_id, setting.pk))
        at = dt.datetime.combine(day, dt.time(8, 40), tzinfo=zone) + dt.timedelta(minutes=rng.randint(0, 420))
        at = min(at, clock.now())  # today's, if the day is not over, were just recorded
        items = fields.all_items(child, aspects.get(child.pk), family_carers)
        check.snapshot = fields.snapshot(items)
        check.carer, check.carer_name = carer, carer.full_name
        check.carer_method = ConfirmationMethod.IN_PERSON if rng.random() < 0.6 else ConfirmationMethod.PHONE
        check.carer_confirmed_on, check.carer_confirmed_at, check.carer_recorded_by = day, at, recorder
        check.carer_all_correct, check.carer_note, check.state = True, rng.choice(NOTES), CheckState.AWAITING_ADMIN
        by = recorder.user if recorder else None
        how = check.get_carer_method_display().lower()
        events.append(DataCheckEvent(organisation=org, data_check=check, kind=EventKind.CARER_CONFIRMED, at=at, actor=by,
                                     summary=f"{carer.full_name} checked the data {how}: all correct."))
        if completed and admin is not None:
            later = [d for d in days if day < d <= min(day + dt.timedelta(days=7), today)] or [day]
            done_on = rng.choice(later)
            done_at = min(max(at + dt.timedelta(hours=1), dt.datetime.combine(done_on, dt.time(15, 30), tzinfo=zone)), clock.now())
            check.admin_confirmed_at, check.admin_confirmed_by, check.state = done_at, admin, CheckState.COMPLETE
            check.completed_on = done_at.astimezone(zone).date()
            events.append(DataCheckEvent(organisation=org, data_check=check, kind=EventKind.ADMIN_CONFIRMED, at=done_at,
                                         actor=admin.user, summary="Admin office confirmed the data."))
            events.append(DataCheckEvent(organisation=org, data_check=check, kind=EventKind.COMPLETED, at=done_at,
                                         actor=admin.user, summary=f"Data check for {ht.name} complete."))
        elif not completed:
            waiting.append((check, child, carer))
        checks.append(check)
    DataCheck.objects.bulk_create(checks, batch_size=500)
    for e in events:
        e.data_check_id = e.data_check.pk
    DataCheckEvent.objects.bulk_create(events, batch_size=1000)

    # A few checks where something was different: corrections for the admin office, the first a new phone number.
    corrections: list[Correction] = []
    chosen = waiting[: len(WAITING) + len(APPLIED)]
    for n, (check, child, carer) in enumerate(chosen):
        if n < len(WAITING):
            name, value, note = WAITING[n]
            item = next(i for i in fields.carer_items(carer) if i.field == name)
            if value is None:
                value = f"{carer.first_name}.{carer.last_name}.home@example.org".lower().replace("'", "").replace(" ", "")
        else:
            name, value = APPLIED[n - len(WAITING)]
            note = "Told us at the gate."
            item = next(i for i in fields.child_items(child, aspects.get(child.pk)) if i.field == name)
        stored, _ = fields.parse(item, value, child=child)
        if fields.shown(item.field, stored) == item.value:
            continue
        check.carer_all_correct = False
        check.save(update_fields=["carer_all_correct"])
        corrections.append(Correction(
            organisation=org, data_check=check, child=child, family_id=child.family_id, target=item.target,
            carer=item.carer if item.target == CorrectionTarget.CARER else None, field=item.field, label=item.label[:200],
            current_value=item.value, proposed_value=stored, note=note, proposed_by=check.carer_recorded_by,
            proposed_at=check.carer_confirmed_at,
        ))
        DataCheckEvent.objects.create(
            organisation=org, data_check=check, kind=EventKind.CORRECTION_PROPOSED, at=check.carer_confirmed_at,
            actor=check.carer_recorded_by.user if check.carer_recorded_by else None,
            summary=f"{item.label}: “{item.value or 'nothing recorded'}” → “{fields.shown(item.field, stored) or 'nothing recorded'}”",
        )
    Correction.objects.bulk_create(corrections)
    # The key aspects ones the admin office has already applied, through the people services (briefings follow them).
    if admin is not None:
        actor = actor_for(admin.user, org.pk)
        for c in corrections:
            if c.target == CorrectionTarget.KEY_ASPECTS:
                correction_apply(actor=actor, correction=c)
    return len(checks)


def _portal_account(carer: Carer):
    """A portal account for a demo carer (as an accepted invitation leaves it)."""
    from keyworker.accounts.models import User

    if carer.user_id:
        return carer.user
    user = User.objects.filter(email=carer.email.lower()).first()
    if user is None:
        user = User.objects.create_user(email=carer.email, password=None, full_name=f"{carer.first_name} {carer.last_name}")
        user.is_carer = True
        user.save(update_fields=["is_carer"])
    Carer.objects.filter(pk=carer.pk).update(user=user)
    carer.user = user
    return user


@transaction.atomic
def portal_demo_history(*, organisation: Organisation, today: dt.date | None = None) -> int:
    """One school family whose carer checked the family's details in the carers' portal and gave a new phone number:
    the correction waits in the admin office's queue. Returns the number of corrections written (0 in a holiday)."""
    from .carer_side import datacheck_portal_confirm, family_check

    for setting in Setting.objects.filter(organisation=organisation, kind="school").order_by("id"):
        day = today or clock.today(setting.time_zone)
        if not HalfTerm.objects.filter(setting=setting, starts_on__lte=day, ends_on__gte=day).exists():
            continue
        carers = (Carer.objects.filter(organisation=organisation, family__children__setting=setting, parental_responsibility=True,
                                       contact_restriction=ContactRestriction.NONE).exclude(email="")
                  .select_related("family").order_by("family_id", "contact_order", "id").distinct())
        for carer in carers[:60]:
            fc = family_check(carer, day)
            if not fc.due or any(p.check is not None for p in fc.children):
                continue
            _portal_account(carer)
            datacheck_portal_confirm(link=carer, changes={f"carer.{carer.pk}.phone": "07700 900735"}, as_of=day)
            return 1
    return 0
