"""Writes of the manager's introductions (CC-M1): the manager (or whoever the setting names) records that they
introduced themselves to a new child and family; the family's obligation is met in the same transaction."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.people.models import Child
from keyworker.standards.obligations import obligations_refresh

from .checklists_services import FieldErrors, day_problem, visible_child
from .introductions_selectors import can_record
from .models_checklists import NOTE_MAX, Introduction, IntroductionHow


@transaction.atomic
def introduction_record(*, actor: Actor, child: Child, introduced_on: dt.date | None, how: str,
                        note: str = "") -> Introduction:
    child = visible_child(actor, child)
    if not can_record(actor, child.setting_id):
        raise PermissionDenied("The setting's manager records their introduction to new families.")
    today = clock.today(child.setting.time_zone)
    errors: dict[str, str] = {}
    if problem := day_problem(introduced_on, child, today, "The day of the introduction"):
        errors["introduced_on"] = problem
    if how not in IntroductionHow.values:
        errors["how"] = f"Choose how: {', '.join(IntroductionHow.labels).lower()}."
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = f"Keep the note to {NOTE_MAX} characters or fewer."
    done = Introduction.objects.filter(child=child).select_related("introduced_by__user").first()
    if done is not None:
        errors["child"] = (f"{done.introduced_by.user.full_name} introduced themselves to {child.display_name}'s family "
                           f"on {on_screen(done.introduced_on)} already.")
    if errors:
        raise FieldErrors(errors)
    try:
        with transaction.atomic():
            intro = Introduction.objects.create(
                organisation_id=child.organisation_id, child=child, family_id=child.family_id,
                setting_id=child.setting_id, introduced_on=introduced_on, how=how, note=note,
                introduced_by=actor.staff, recorded_at=clock.now())
    except IntegrityError:
        raise FieldErrors({"child": f"The introduction to {child.display_name}'s family is recorded already."}) from None
    audit_record(organisation_id=child.organisation_id, actor=actor.user, event_type="introduction.recorded", obj=intro,
                 summary=f"{actor.user.full_name} introduced themselves to {child} and family ({intro.get_how_display()})")
    obligations_refresh(organisation_id=child.organisation_id, family_ids={child.family_id}, as_of=today, actor=actor)
    return intro
