"""Writes for celebrations: record, share with the family (a celebration contact), void; and the positivity rule.

Recording a celebration refreshes its family's obligations (SCH-1 turns met at once). Sharing it with the family
records one contact log with the tone "celebration" through the contacts service, linked from the celebration,
so it counts as positive contact and as weekly contact, and is never counted twice.
"""

import datetime as dt

from django.db import transaction

from keyworker.accounts.access import Actor
from keyworker.accounts.capabilities import MANAGE_SETUP
from keyworker.contacts.models import Direction, Tone
from keyworker.contacts.services import contact_record, contact_void
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.people.models import Child, Family
from keyworker.people.selectors import families_visible_to
from keyworker.standards.obligations import obligations_refresh

from . import policies
from .models import SHARED_CHANNEL, Celebration, CelebrationKind, PositivityRule, PositivityWindow, SharedHow

TITLE_MAX = 150
NOTE_MAX = 2000
REASON_MAX = 300
BACKDATE_DAYS = 366
POINTS_MAX = 1000


def _scope(actor: Actor, family_id: int, organisation_id: int, *, what: str = "Child", field: str | None = "child") -> None:
    """Outside the actor's families a child or celebration does not exist."""
    if not actor.is_member or organisation_id != actor.organisation_id or not (
        families_visible_to(actor).filter(pk=family_id).exists()
    ):
        raise RuleViolation(f"{what} not found.", rule="scope", field=field)


def _check_date(day: dt.date | None, today: dt.date, *, field: str, what: str) -> dt.date:
    if not isinstance(day, dt.date):
        raise RuleViolation(f"Enter the date {what}, for example 18/11/2026.", rule="date", field=field)
    if day > today:
        raise RuleViolation(f"The date {what} cannot be in the future: enter today's date or an earlier one.",
                            rule="future_date", field=field)
    if day < today - dt.timedelta(days=BACKDATE_DAYS):
        raise RuleViolation("A celebration can be back-dated by up to a year.", rule="old_date", field=field)
    return day


def _clean(*, child: Child, kind: str, title: str, note: str, points: int | None, celebrated_on: dt.date | None, today: dt.date) -> dict:
    if kind not in CelebrationKind.values:
        raise RuleViolation("Choose what kind of celebration it is.", rule="kind", field="kind")
    title = " ".join((title or "").split())
    if not title:
        raise RuleViolation("Say what it is for, for example “Read a whole page aloud to the class”.", rule="title_required",
                            field="title")
    if len(title) > TITLE_MAX:
        raise RuleViolation(f"Keep what it is for to {TITLE_MAX} characters or fewer; add more in the note.", rule="title_long",
                            field="title")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise RuleViolation(f"Keep the note to {NOTE_MAX} characters or fewer.", rule="note_long", field="note")
    if kind == CelebrationKind.DOJO_POINTS:
        if not isinstance(points, int) or isinstance(points, bool) or points < 1:
            raise RuleViolation("Enter how many Dojo Points, for example 5.", rule="points_required", field="points")
        if points > POINTS_MAX:
            raise RuleViolation(f"Enter {POINTS_MAX} points or fewer.", rule="points_high", field="points")
    elif points is not None:
        raise RuleViolation("Points are only for Dojo Points: choose Dojo Points or leave the number empty.", rule="points_kind",
                            field="points")
    celebrated_on = _check_date(celebrated_on, today, field="celebrated_on", what="of the celebration")
    if child.enrolled_on and celebrated_on < child.enrolled_on:
        raise RuleViolation(f"{child.display_name} joined on {on_screen(child.enrolled_on)}: choose a date after that.",
                            rule="before_enrolment", field="celebrated_on")
    if child.left_on and celebrated_on > child.left_on:
        raise RuleViolation(f"{child.display_name} left on {on_screen(child.left_on)}: choose a date before that.",
                            rule="after_leaving", field="celebrated_on")
    return {"kind": kind, "title": title, "note": note, "points": points if kind == CelebrationKind.DOJO_POINTS else None,
            "celebrated_on": celebrated_on}


def _refresh(celebration: Celebration, actor: Actor) -> None:
    obligations_refresh(organisation_id=celebration.organisation_id, family_ids={celebration.family_id},
                        as_of=clock.today(celebration.setting.time_zone), actor=actor)


def contact_write_up(celebration: Celebration, how: str) -> str:
    """The contact's write-up, in words (always a sentence of five words or more)."""
    what = celebration.kind_label
    return (f"Shared a celebration with the family ({SharedHow(how).label.lower()}): {what} for "
            f"{celebration.child.display_name}, {celebration.title}.")


def _share(celebration: Celebration, *, actor: Actor, shared_on: dt.date | None, how: str, today: dt.date) -> None:
    """Mark shared and record its celebration contact (once: a celebration already linked to a contact records none)."""
    if how not in SharedHow.values:
        raise RuleViolation("Choose how it was shared with the family.", rule="shared_how", field="shared_how")
    shared_on = _check_date(shared_on, today, field="shared_on", what="it was shared")
    if shared_on < celebration.celebrated_on:
        raise RuleViolation("It cannot be shared before the date of the celebration.", rule="shared_before", field="shared_on")
    celebration.shared_on, celebration.shared_how, celebration.shared_by = shared_on, how, actor.staff
    if celebration.contact_id is None:
        celebration.contact = contact_record(
            actor=actor, family=celebration.family, happened_on=shared_on, channel=SHARED_CHANNEL[how], tone=Tone.CELEBRATION,
            write_up=contact_write_up(celebration, how), direction=Direction.FROM_SCHOOL, children=[celebration.child],
            setting=celebration.setting,
        )


@transaction.atomic
def celebration_record(
    *, actor: Actor, child: Child, kind: str, title: str, celebrated_on: dt.date | None, note: str = "",
    points: int | None = None, family: Family | None = None, shared_on: dt.date | None = None, shared_how: str = "",
) -> Celebration:
    """Record a celebration of a child the actor may see; shared with the family at once when `shared_how` is given."""
    if not isinstance(child, Child):
        raise RuleViolation("Choose the child to celebrate.", rule="child", field="child")
    _scope(actor, child.family_id, child.organisation_id)
    if family is not None and family.pk != child.family_id:
        raise RuleViolation("Choose a child of this family.", rule="child_family", field="child")
    setting = child.setting
    today = clock.today(setting.time_zone)
    values = _clean(child=child, kind=kind, title=title, note=note, points=points, celebrated_on=celebrated_on, today=today)
    if shared_how and shared_on is None:
        shared_on = today
    celebration = Celebration(organisation_id=child.organisation_id, child=child, family_id=child.family_id, setting=setting,
                              recorded_by=actor.staff, created_at=clock.now(), **values)
    celebration.child = child
    if shared_how or shared_on is not None:
        _share(celebration, actor=actor, shared_on=shared_on, how=shared_how, today=today)
    celebration.save()
    audit_record(organisation_id=celebration.organisation_id, actor=actor.user, event_type="celebration.recorded", obj=celebration,
                 summary=f"{celebration.kind_label} for {child.display_name} recorded",
                 data={"kind": kind, "shared_how": celebration.shared_how, "contact": celebration.contact_id})
    _refresh(celebration, actor)
    return celebration


@transaction.atomic
def celebration_share(*, actor: Actor, celebration: Celebration, how: str, shared_on: dt.date | None = None) -> Celebration:
    """Mark a celebration as shared with the family; records its celebration contact unless one is already linked."""
    if not actor.is_member or celebration.organisation_id != actor.organisation_id:
        raise RuleViolation("Celebration not found.", rule="tenancy")
    _scope(actor, celebration.family_id, celebration.organisation_id, what="Celebration", field=None)
    locked = Celebration.objects.select_for_update(of=("self",)).select_related("setting", "family", "child").get(pk=celebration.pk)
    if locked.voided_at is not None:
        raise RuleViolation("This celebration was voided, so it cannot be shared.", rule="voided")
    if locked.shared_on is not None:
        raise RuleViolation(f"Already shared with the family on {on_screen(locked.shared_on)}.", rule="already_shared")
    today = clock.today(locked.setting.time_zone)
    _share(locked, actor=actor, shared_on=shared_on or today, how=how, today=today)
    locked.save(update_fields=["shared_on", "shared_how", "shared_by", "contact"])
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="celebration.shared", obj=locked,
                 summary=f"{locked.kind_label} for {locked.child.display_name} shared with the family",
                 data={"shared_how": how, "contact": locked.contact_id})
    _refresh(locked, actor)
    return locked


@transaction.atomic
def celebration_void(*, actor: Actor, celebration: Celebration, reason: str, void_contact: bool = False) -> Celebration:
    """A leader voids a celebration with a reason: it stays in the record and no longer counts. Its contact log stays
    unless `void_contact` (the family was told, so that contact usually did happen)."""
    if not actor.is_member or celebration.organisation_id != actor.organisation_id:
        raise RuleViolation("Celebration not found.", rule="tenancy")
    policies.require_void(actor, celebration)
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise RuleViolation("Enter why this celebration is voided, for example “Recorded for the wrong child”.",
                            rule="reason_required", field="reason")
    if len(reason) > REASON_MAX:
        raise RuleViolation(f"Keep the reason to {REASON_MAX} characters or fewer.", rule="reason_length", field="reason")
    locked = Celebration.objects.select_for_update(of=("self",)).select_related("setting", "family", "child", "contact").get(pk=celebration.pk)
    if locked.voided_at is not None:
        raise RuleViolation("This celebration has already been voided.", rule="already_voided")
    locked.voided_at, locked.voided_by, locked.void_reason = clock.now(), actor.user, reason
    locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="celebration.voided", obj=locked,
                 summary=f"{locked.kind_label} for {locked.child.display_name} voided", data={"reason": reason})
    if void_contact and locked.contact is not None and locked.contact.voided_at is None:
        contact_void(actor=actor, contact=locked.contact, reason=f"Its celebration was voided: {reason}"[:REASON_MAX])
    _refresh(locked, actor)
    return locked


@transaction.atomic
def positivity_rule_save(
    *, actor: Actor, threshold_percent: int, min_contacts: int, window: str, window_days: int,
) -> PositivityRule:
    """Leaders with the setup capability set the organisation's reading of "predominantly positive" (audited)."""
    if not actor.is_member:
        raise RuleViolation("Organisation not found.", rule="tenancy")
    actor.require(MANAGE_SETUP)
    checks = (
        ("threshold_percent", threshold_percent, 0, 100, "Enter a percentage from 0 to 100, for example 50."),
        ("min_contacts", min_contacts, 1, 50, "Enter a number of contacts from 1 to 50, for example 3."),
        ("window_days", window_days, 7, 365, "Enter a number of days from 7 to 365, for example 42."),
    )
    for field, value, low, high, message in checks:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise RuleViolation(message, rule=field, field=field)
    if window not in PositivityWindow.values:
        raise RuleViolation("Choose the window: this half term or the last N days.", rule="window", field="window")
    rule = PositivityRule.objects.select_for_update().filter(organisation_id=actor.organisation_id).first()
    before = None
    if rule is None:
        rule = PositivityRule(organisation_id=actor.organisation_id)
    else:
        before = {"threshold_percent": rule.threshold_percent, "min_contacts": rule.min_contacts, "window": rule.window,
                  "window_days": rule.window_days}
    after = {"threshold_percent": threshold_percent, "min_contacts": min_contacts, "window": window, "window_days": window_days}
    for name, value in after.items():
        setattr(rule, name, value)
    rule.updated_at, rule.updated_by = clock.now(), actor.user
    rule.save()
    audit_record(organisation_id=rule.organisation_id, actor=actor.user, event_type="positivity_rule.saved", obj=rule,
                 summary=f"Positivity rule set: more than {threshold_percent}% positive, at least {min_contacts} contacts",
                 data={"before": before, "after": after})
    return rule
