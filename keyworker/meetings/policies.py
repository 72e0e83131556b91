"""Who may do what with meetings: one place for the pages, services and API."""

from django.core.exceptions import PermissionDenied

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.accounts.policies import is_leader

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
