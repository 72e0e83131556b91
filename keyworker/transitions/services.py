"""Writes for transition plans (SCH-10): the plan, its visits, the dates shared with the family, and each visit's
write-up, shared with the family. Every write is atomic and audited; after each, the family's obligations are
recomputed (the engine reads the records through evidence.py)."""

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen as display_date
from keyworker.core.errors import RuleViolation
from keyworker.notifications.services import notification_send
from keyworker.people.carer_access import TRANSITIONS, sections_for
from keyworker.people.models import Carer, Child
from keyworker.standards.obligations import obligations_refresh

from . import policies
from .models import TEXT_MAX, TransitionDatesShare, TransitionPlan, TransitionVisit
from .selectors import SCHOOL, plans_visible_to, visits_visible_to

WRITE_UP_MIN = 10
PLAN_FIELDS = ("destination_school", "destination_contact", "destination_phone", "destination_email", "family_notes")
LIMITS = {"destination_school": 200, "destination_contact": 200, "destination_phone": 40, "destination_email": 254,
          "family_notes": TEXT_MAX}


class FieldErrors(RuleViolation):
    """Several answers refused at once: a message for each."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())), rule="fields", field=next(iter(errors)))
        self.errors = errors

    def as_dict(self) -> dict[str, list[str]]:
        return {k: [v] for k, v in self.errors.items()}


def _tz(setting) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(setting.time_zone or "Europe/London")


def _plan_data(data: dict) -> dict:
    clean = {name: (data.get(name) or "").strip() for name in PLAN_FIELDS}
    errors = {}
    if not clean["destination_school"]:
        errors["destination_school"] = "Name the school the pupil is moving to."
    for name, limit in LIMITS.items():
        if len(clean[name]) > limit:
            errors[name] = f"Keep it to {limit} characters or fewer."
    if clean["destination_email"] and "destination_email" not in errors:
        try:
            validate_email(clean["destination_email"])
        except ValidationError:
            errors["destination_email"] = "Enter an e-mail address like name@school.example."
    if errors:
        raise FieldErrors(errors)
    return clean


def _refresh(actor: Actor, family_id: int, organisation_id: int, setting) -> None:
    obligations_refresh(organisation_id=organisation_id, family_ids={family_id}, as_of=clock.today(setting.time_zone),
                        actor=actor)


@transaction.atomic
def transition_plan_create(*, actor: Actor, child: Child | None, data: dict) -> TransitionPlan:
    """A plan for a pupil of the actor's school. A pupil not in a leaving year is allowed (the pages warn)."""
    if child is None or child.organisation_id != actor.organisation_id or child.setting.kind != SCHOOL:
        raise RuleViolation("Choose a pupil of your school.", rule="child", field="child")
    policies.require_edit(actor, child.setting_id)
    clean = _plan_data(data)
    if TransitionPlan.objects.filter(child=child).exists():
        raise RuleViolation(f"{child.display_name} has a transition plan already: change that one.", rule="exists",
                            field="child")
    now = clock.now()
    plan = TransitionPlan.objects.create(organisation_id=child.organisation_id, child=child, family_id=child.family_id,
                                         setting_id=child.setting_id, created_at=now, updated_at=now,
                                         created_by=actor.staff, **clean)
    audit_record(organisation_id=plan.organisation_id, actor=actor.user, event_type="transition.plan_created", obj=plan,
                 summary=f"Transition plan for {child} to {plan.destination_school}")
    return plan


def _locked_plan(actor: Actor, plan: TransitionPlan) -> TransitionPlan:
    if not plans_visible_to(actor).filter(pk=plan.pk).exists():
        raise Http404("No such transition plan")
    policies.require_edit(actor, plan.setting_id)
    return TransitionPlan.objects.select_for_update(of=("self",)).select_related("setting", "child").get(pk=plan.pk)


@transaction.atomic
def transition_plan_update(*, actor: Actor, plan: TransitionPlan, data: dict) -> TransitionPlan:
    clean = _plan_data({**{n: getattr(plan, n) for n in PLAN_FIELDS}, **data})
    locked = _locked_plan(actor, plan)
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.updated_at = clock.now()
    locked.save()
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="transition.plan_updated", obj=locked,
                 summary=f"Transition plan for {locked.child} changed")
    return locked


def _visit_checks(*, starts_at, ends_at, place: str, staff_ids, organisation_id: int, now: dt.datetime) -> list[StaffMember]:
    errors = {}
    if starts_at is None:
        errors["starts_at"] = "Enter when the visit starts."
    elif starts_at < now:
        errors["starts_at"] = "A visit you are planning cannot be in the past: choose a date and time from now on."
    if ends_at is None:
        errors["ends_at"] = "Enter when the visit ends."
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "The visit must end after it starts."
    elif starts_at is not None and ends_at - starts_at > dt.timedelta(hours=24):
        errors["ends_at"] = "A visit lasts a day at most: add each day as a visit of its own."
    if len(place or "") > 200:
        errors["place"] = "Keep it to 200 characters or fewer."
    ids = {int(i) for i in staff_ids or ()}
    staff = list(StaffMember.objects.filter(organisation_id=organisation_id, is_active=True, pk__in=ids)
                 .select_related("user"))
    if len(staff) != len(ids):
        errors["staff"] = "Choose staff of your school."
    if errors:
        raise FieldErrors(errors)
    return staff


@transaction.atomic
def transition_visit_add(*, actor: Actor, plan: TransitionPlan, starts_at: dt.datetime | None,
                         ends_at: dt.datetime | None, place: str = "", staff_ids=()) -> TransitionVisit:
    """A visit to the destination school, planned ahead (never in the past), with the staff going."""
    now = clock.now()
    staff = _visit_checks(starts_at=starts_at, ends_at=ends_at, place=place, staff_ids=staff_ids,
                          organisation_id=plan.organisation_id, now=now)
    locked = _locked_plan(actor, plan)
    visit = TransitionVisit.objects.create(organisation_id=locked.organisation_id, plan=locked, family_id=locked.family_id,
                                           child_id=locked.child_id, starts_at=starts_at, ends_at=ends_at,
                                           place=(place or "").strip(), created_at=now, updated_at=now)
    visit.staff.set(staff)
    audit_record(organisation_id=visit.organisation_id, actor=actor.user, event_type="transition.visit_added", obj=visit,
                 summary=f"Transition visit for {locked.child} on {display_date(starts_at.astimezone(_tz(locked.setting)).date())}")
    _refresh(actor, locked.family_id, locked.organisation_id, locked.setting)
    return visit


def dates_text(visits: list[TransitionVisit], setting) -> str:
    tz = _tz(setting)
    lines = []
    for v in visits:
        start, end = v.starts_at.astimezone(tz), v.ends_at.astimezone(tz)
        lines.append(f"{display_date(start.date())}, {start:%H:%M} to {end:%H:%M}" + (f", {v.place}" if v.place else ""))
    return "\n".join(lines)


@transaction.atomic
def transition_dates_share(*, actor: Actor, plan: TransitionPlan) -> TransitionDatesShare:
    """Tell the family the visit dates (SCH-10): they show in the carers' portal from now, and carers who use the
    portal are told by e-mail after the change is saved."""
    locked = _locked_plan(actor, plan)
    now = clock.now()
    visits = list(locked.visits.order_by("starts_at", "id"))
    if not any(v.starts_at >= now for v in visits):
        raise RuleViolation("Add the coming visits first: there are no dates to share.", rule="no_visits")
    share = TransitionDatesShare.objects.create(
        organisation_id=locked.organisation_id, plan=locked, family_id=locked.family_id, child_id=locked.child_id,
        shared_at=now, shared_on=clock.today(locked.setting.time_zone), shared_by=actor.staff,
        dates=dates_text(visits, locked.setting),
    )
    audit_record(organisation_id=share.organisation_id, actor=actor.user, event_type="transition.dates_shared", obj=locked,
                 summary=f"Transition visit dates for {locked.child} shared with the family")
    _tell_family(locked, kind="transition_dates", now=now, key=f"transition-dates:{share.pk}",
                 subject=f"Visit dates for {locked.child.preferred_name or locked.child.legal_first_name}'s new school",
                 body=f"The dates of the visits to {locked.destination_school} are in the carers' portal.")
    _refresh(actor, locked.family_id, locked.organisation_id, locked.setting)
    return share


def _tell_family(plan: TransitionPlan, *, kind: str, now: dt.datetime, key: str, subject: str, body: str) -> None:
    carers = Carer.objects.filter(family_id=plan.family_id, user__isnull=False, user__is_active=True).select_related(
        "user", "organisation")
    link = reverse("portal:transition", args=[plan.pk])
    for carer in carers:
        if TRANSITIONS in sections_for(carer):
            notification_send(recipient=carer.user, organisation_id=plan.organisation_id, kind=kind, subject=subject,
                              body=body, link=link, dedupe_key=f"{key}:{carer.pk}", now=now)


def _locked_visit(actor: Actor, visit: TransitionVisit) -> TransitionVisit:
    if not visits_visible_to(actor).filter(pk=visit.pk).exists():
        raise Http404("No such visit")
    locked = TransitionVisit.objects.select_for_update(of=("self",)).select_related("plan__setting", "plan__child").get(
        pk=visit.pk)
    policies.require_edit(actor, locked.plan.setting_id)
    return locked


@transaction.atomic
def transition_write_up_save(*, actor: Actor, visit: TransitionVisit, text: str) -> TransitionVisit:
    """How the visit went, in the key worker's words: only once the visit has started."""
    text = (text or "").strip()
    if len(text) < WRITE_UP_MIN:
        raise RuleViolation("Write a sentence or two on how the visit went.", rule="too_short", field="write_up")
    if len(text) > TEXT_MAX:
        raise RuleViolation(f"Keep it to {TEXT_MAX} characters or fewer.", rule="too_long", field="write_up")
    locked = _locked_visit(actor, visit)
    now = clock.now()
    if locked.starts_at > now:
        raise RuleViolation("This visit has not happened yet: write it up afterwards.", rule="not_yet", field="write_up")
    locked.write_up, locked.written_at, locked.written_by, locked.updated_at = text, now, actor.staff, now
    locked.save()
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="transition.write_up_saved",
                 obj=locked, summary=f"Write-up of the transition visit of {locked.plan.child}")
    return locked


@transaction.atomic
def transition_write_up_share(*, actor: Actor, visit: TransitionVisit) -> TransitionVisit:
    """Share the write-up with the family (SCH-10, after each visit): it shows in the carers' portal."""
    locked = _locked_visit(actor, visit)
    if not locked.write_up.strip():
        raise RuleViolation("Write how the visit went before sharing it.", rule="no_write_up", field="write_up")
    if locked.shared_at is not None:
        return locked
    now = clock.now()
    locked.shared_at, locked.shared_on, locked.shared_by = now, clock.today(locked.plan.setting.time_zone), actor.staff
    locked.save()
    plan = locked.plan
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="transition.write_up_shared",
                 obj=locked, summary=f"Write-up of the transition visit of {plan.child} shared with the family")
    _tell_family(plan, kind="transition_write_up", now=now, key=f"transition-write-up:{locked.pk}",
                 subject=f"How {plan.child.preferred_name or plan.child.legal_first_name}'s visit went",
                 body=f"How the visit to {plan.destination_school} went is in the carers' portal.")
    _refresh(actor, locked.family_id, locked.organisation_id, plan.setting)
    return locked


@transaction.atomic
def transition_write_up_save_and_share(*, actor: Actor, visit: TransitionVisit, text: str) -> TransitionVisit:
    return transition_write_up_share(actor=actor, visit=transition_write_up_save(actor=actor, visit=visit, text=text))
