"""Who may do what with meetings: one place for the pages, services and API."""

from django.core.exceptions import PermissionDenied

from keyworker.accounts.access import Actor
from keyworker.accounts.policies import is_leader

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
