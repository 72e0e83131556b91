"""Who may see, arrange and record appointments: one place for the pages, services and API.

Any member of staff who sees a family may arrange a meeting with it (or a session in a setting they work in). The
organiser, the staff invited and the leaders of the setting change it, cancel it and record who came; leaders see
every appointment of the settings they lead.
"""

from django.core.exceptions import PermissionDenied

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.accounts.policies import is_leader

from .models import Appointment


def can_arrange(actor: Actor, setting_id: int | None = None) -> bool:
    """A member who sees families (in the setting) arranges meetings with them."""
    return actor.is_member and actor.can(caps.VIEW_FAMILIES, setting_id)


def sees_setting(actor: Actor, setting_id: int | None = None) -> bool:
    """Leaders see all of the setting's appointments, not only their own."""
    return is_leader(actor, setting_id)


def can_manage(actor: Actor, appointment: Appointment, invited_staff_ids: set[int] | None = None) -> bool:
    """The organiser, staff invited to it and the setting's leaders change, cancel and record it."""
    if not actor.is_member or appointment.organisation_id != actor.organisation_id:
        return False
    if appointment.created_by_id == actor.user.pk or is_leader(actor, appointment.setting_id):
        return True
    if invited_staff_ids is None:
        invited_staff_ids = set(appointment.invitees.filter(staff__isnull=False).values_list("staff_id", flat=True))
    return actor.staff.pk in invited_staff_ids


# --- Reminders before appointments (SCH-6) and calendars ---------------------------------------------------------

def may_tick_off_reminder(actor, reminder) -> bool:
    """The key worker whose task it is, or a leader of the appointment's setting, ticks off a reminder."""
    if not getattr(actor, "is_member", False) or actor.organisation_id != reminder.organisation_id:
        return False
    return reminder.key_worker_id == actor.staff.pk or is_leader(actor, reminder.appointment.setting_id)


def may_have_calendar(actor) -> bool:
    """Every member of staff has a private calendar address of the appointments they are invited to or made."""
    return bool(getattr(actor, "is_member", False))


# Parents' evenings ------------------------------------------------------------------------------------------------
# A leader of the setting opens, edits, closes and cancels an evening; the admin office (who manage the setting's
# families) books, moves and cancels slots for families without the portal; every member of staff of the setting
# sees the evening and their own timetable; the member of staff (or a leader) records who came.


def can_run_evenings(actor: Actor, setting_id: int | None = None) -> bool:
    return actor.is_member and is_leader(actor, setting_id)


def require_run_evenings(actor: Actor, setting_id: int | None = None) -> None:
    if not can_run_evenings(actor, setting_id):
        raise PermissionDenied("Only a leader of the setting opens and changes parents' evenings.")


def can_book_for_families(actor: Actor, setting_id: int | None = None) -> bool:
    """The admin office and leaders book, move and cancel slots for families."""
    return actor.is_member and (actor.can(caps.MANAGE_PEOPLE, setting_id) or is_leader(actor, setting_id))


def require_book_for_families(actor: Actor, setting_id: int | None = None) -> None:
    if not can_book_for_families(actor, setting_id):
        raise PermissionDenied("Only the admin office books slots for families.")


def can_record_attendance(actor: Actor, slot) -> bool:
    return actor.is_member and (slot.staff_id == actor.staff.pk or is_leader(actor, slot.evening.setting_id))


def require_record_attendance(actor: Actor, slot) -> None:
    if not can_record_attendance(actor, slot):
        raise PermissionDenied("Only the member of staff who held the appointment, or a leader, records who came.")


# EHCP annual reviews ---------------------------------------------------------------------------------------------------
# Leaders of the setting (the SENCo among them) open reviews and book their meetings; they and the family's current key
# worker record the steps, write down "All about my family" with the family and share the pupil booklet. Anyone who
# may see the family may read its review.


def can_organise_reviews(actor: Actor, setting_id: int | None = None) -> bool:
    return actor.is_member and is_leader(actor, setting_id)


def require_organise_reviews(actor: Actor, setting_id: int | None = None) -> None:
    if not can_organise_reviews(actor, setting_id):
        raise PermissionDenied("Only a leader of the setting opens annual reviews and books their meetings.")


def is_key_worker_of(actor: Actor, review) -> bool:
    from keyworker.caseload.selectors import current_allocations

    return actor.is_member and current_allocations().filter(
        staff=actor.staff, family_id=review.family_id, setting_id=review.setting_id
    ).exists()


def can_work_on_review(actor: Actor, review) -> bool:
    return can_organise_reviews(actor, review.setting_id) or is_key_worker_of(actor, review)


def require_work_on_review(actor: Actor, review) -> None:
    if actor.organisation_id != review.organisation_id:
        from django.http import Http404

        raise Http404("No such review")
    if not can_work_on_review(actor, review):
        raise PermissionDenied("Only the family's key worker or a leader of the setting records the review's steps.")
