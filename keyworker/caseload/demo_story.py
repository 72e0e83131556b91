"""The demo's carer story, chosen once and on purpose: the demo key worker (the one whose sign-in the demo prints) has a
family whose child's EHCP annual review is 12 days ahead (keyworker.meetings.reviews_demo); that family's carer is the
carer the demo prints, parent@example.org (keyworker.portal.demo), who prefers e-mail, while the family's other carer
with full access (if any) prefers the phone, so the review's reminder, three days before it, is an e-mail in
demo-emails/ and a "Remind … by phone" task on the key worker's My week. The demo's own reminders at build time
(keyworker.meetings.reminders_demo) are on two other families of the same key worker. It lives with the caseload (the
demo key worker's allocations) so that the apps' demo modules below the demo package may use it."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.models import Organisation, SettingKind
from keyworker.people.models import Carer, Child, ContactMethod, ContactRestriction

KEY_WORKER_EMAIL = "louise.quinn@brookfieldpark.sch.uk"  # the school's printed key worker (keyworker.demo.builder)
DEMO_CARER_EMAIL = "parent@example.org"


def key_worker_allocations(organisation: Organisation) -> QuerySet[KeyWorkerAllocation]:
    """The current allocations of the demo key worker (another organisation: its first teaching assistant or
    practitioner who is a key worker), in allocation order."""
    current = KeyWorkerAllocation.objects.filter(organisation=organisation, ends_at__isnull=True)
    mine = current.filter(staff__user__email=KEY_WORKER_EMAIL)
    if not mine.exists():
        first = (current.filter(staff__staff_roles__role__code__in=["teaching_assistant", "practitioner"])
                 .order_by("id").first())
        mine = current.filter(staff_id=first.staff_id) if first else current.none()
    return mine.order_by("id")


def full_access_carers(family_id: int) -> list[Carer]:
    """The family's carers who open every section of the portal (parental responsibility, no restriction)."""
    return list(Carer.objects.filter(family_id=family_id, parental_responsibility=True,
                                     contact_restriction=ContactRestriction.NONE).order_by("contact_order", "id"))


def _ehcp_pupils(family_id: int, today: dt.date) -> QuerySet[Child]:
    return Child.objects.filter(family_id=family_id, has_ehcp=True, left_on__isnull=True, enrolled_on__lte=today,
                                setting__kind=SettingKind.SCHOOL).order_by("id")


def story_family_id(organisation: Organisation, today: dt.date | None = None) -> int | None:
    """The family of the story: the demo key worker's first family (in allocation order) with a pupil with an EHCP and
    two carers with full access (one for the portal, one who prefers the phone); failing that, with one."""
    today = today or clock.today()
    families = [a.family_id for a in key_worker_allocations(organisation) if _ehcp_pupils(a.family_id, today).exists()]
    for wanted in (2, 1):
        for family_id in families:
            if len(full_access_carers(family_id)) >= wanted:
                return family_id
    return None


def story_child(organisation: Organisation, today: dt.date | None = None) -> Child | None:
    """The pupil whose annual review is 12 days ahead: the story family's first pupil with an EHCP."""
    today = today or clock.today()
    family_id = story_family_id(organisation, today)
    return _ehcp_pupils(family_id, today).select_related("setting").first() if family_id else None


def story_carer_prepare(organisation: Organisation, today: dt.date | None = None) -> Carer | None:
    """Make the story family's first carer with full access the demo carer (DEMO_CARER_EMAIL, prefers e-mail) and the
    next one prefer the phone; returns the demo carer."""
    family_id = story_family_id(organisation, today)
    if family_id is None:
        return None
    carers = full_access_carers(family_id)
    demo_carer = carers[0]
    Carer.objects.filter(pk=demo_carer.pk).update(email=DEMO_CARER_EMAIL, preferred_contact_method=ContactMethod.EMAIL)
    for other in carers[1:2]:
        Carer.objects.filter(pk=other.pk).update(preferred_contact_method=ContactMethod.PHONE)
    demo_carer.refresh_from_db()
    return demo_carer
