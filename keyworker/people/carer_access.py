"""What a carer signed in to the portal may see: the one rule, used by every portal page, feed and API route.

A carer's account (`User.is_carer`) is linked to one `Carer` row per family they belong to, in any setting
or organisation (`Carer.user`). Through each link the carer sees that family's children who are on roll.

- A carer under a "no contact" restriction gets no invitation and no access: the link gives nothing.
- A carer with parental responsibility and no restriction sees every portal section (`FULL`).
- A carer without parental responsibility, or under a court order or an "information only" restriction, sees
  only what the organisation allows (`Organisation.portal_restricted_access`): `LIMITED` by default (who the key
  worker is, appointments they are invited to, good news and messages; never forms, data checks or reviews,
  which are decisions), or only who the key worker is, or nothing.

Everything outside this answers 404, exactly as if it did not exist.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from keyworker.core.clock import today
from keyworker.organisations.models import PortalRestrictedAccess

from .models import Carer, Child, ContactRestriction, Family

# The sections of the portal. A page, feed or API route names the one it belongs to.
KEY_WORKER = "key_worker"  # who the key worker is and how to reach them
APPOINTMENTS = "appointments"  # meetings they are invited to, RSVP, calendar feed
GOOD_NEWS = "good_news"  # celebrations shared with the family
MESSAGES = "messages"  # two-way messages with the key worker
DATA_CHECK = "data_check"  # confirm or correct the family's data (SCH-2)
FORMS = "forms"  # enrolment forms, preferred contact method (CC-P1)
REVIEWS = "reviews"  # annual reviews, "All about my family", the pupil booklet (SCH-6, SCH-7)
BOOKINGS = "bookings"  # parents' evening slots
TARGETS = "targets"  # My Learning Targets shared with the family, notes from home (SCH-8)
HOMEWORK = "homework"  # homework set for the child, returned or not, feedback (SCH-8)

FULL = frozenset({KEY_WORKER, APPOINTMENTS, GOOD_NEWS, MESSAGES, DATA_CHECK, FORMS, REVIEWS, BOOKINGS, TARGETS, HOMEWORK})
LIMITED = frozenset({KEY_WORKER, APPOINTMENTS, GOOD_NEWS, MESSAGES})
KEY_WORKER_ONLY = frozenset({KEY_WORKER})

# What the organisation's choice opens to a carer with limited access.
RESTRICTED_SECTIONS = {
    PortalRestrictedAccess.LIMITED: LIMITED,
    PortalRestrictedAccess.KEY_WORKER: KEY_WORKER_ONLY,
    PortalRestrictedAccess.NOTHING: frozenset(),
}

SECTION_LABELS = {
    KEY_WORKER: "Who the key worker is",
    APPOINTMENTS: "Appointments they are invited to",
    GOOD_NEWS: "Good news",
    MESSAGES: "Messages with the key worker",
    DATA_CHECK: "Checking the family's data",
    FORMS: "Forms (enrolment, contact preferences)",
    REVIEWS: "Reviews and the pupil booklet",
    BOOKINGS: "Booking parents' evening slots",
    TARGETS: "Learning targets and notes from home",
    HOMEWORK: "Homework and feedback",
}


def has_full_access(carer: Carer) -> bool:
    """Parental responsibility and no restriction: every section."""
    return carer.parental_responsibility and carer.contact_restriction == ContactRestriction.NONE


def sections_for(carer: Carer) -> frozenset[str]:
    """The portal sections this carer link opens (reads `carer.organisation`: select it with the carer)."""
    if carer.contact_restriction == ContactRestriction.NO_CONTACT:
        return frozenset()
    if has_full_access(carer):
        return FULL
    return RESTRICTED_SECTIONS.get(carer.organisation.portal_restricted_access, LIMITED)


def opens_portal(carer: Carer) -> bool:
    """Does this link open any section at all (a carer whose links open nothing gets no sign-in link)?"""
    return bool(sections_for(carer))


def may_be_invited(carer: Carer) -> bool:
    """A carer under "no contact" is never invited; one without an e-mail address cannot be."""
    return bool(carer.email) and carer.contact_restriction != ContactRestriction.NO_CONTACT


def carer_links(user) -> QuerySet[Carer]:
    """The carer rows this signed-in carer acts through (none for staff, for no-contact links or inactive users)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_carer", False) or not user.is_active:
        return Carer.objects.none()
    return Carer.objects.filter(user=user).exclude(contact_restriction=ContactRestriction.NO_CONTACT)


def links_with(user, section: str) -> list[Carer]:
    """The carer links that open `section` (one query)."""
    return [c for c in carer_links(user).select_related("family", "organisation") if section in sections_for(c)]


def families_for(user, section: str) -> QuerySet[Family]:
    """Families the carer may see in this section."""
    return Family.objects.filter(pk__in=[c.family_id for c in links_with(user, section)])


def children_for(user, section: str, as_of: datetime.date | None = None, links=None) -> QuerySet[Child]:
    """Children on roll (on `as_of`, default today) in the families the carer may see in this section (`links`: the
    carer's links already fetched, e.g. `CarerAccess.links`, to save the query)."""
    day = as_of or today()
    chosen = [c for c in links if section in sections_for(c)] if links is not None else links_with(user, section)
    family_ids = [c.family_id for c in chosen]
    return (
        Child.objects.filter(family_id__in=family_ids, enrolled_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .select_related("setting", "family", "group")
    )


@dataclass(frozen=True)
class CarerAccess:
    """The signed-in carer, resolved once per request: their links and what each opens."""

    user: object
    links: tuple[Carer, ...]

    @property
    def family_ids(self) -> frozenset[int]:
        return frozenset(c.family_id for c in self.links)

    def may(self, section: str, family_id: int) -> bool:
        return any(c.family_id == family_id and section in sections_for(c) for c in self.links)

    def family_ids_with(self, section: str) -> frozenset[int]:
        return frozenset(c.family_id for c in self.links if section in sections_for(c))

    @property
    def sections(self) -> frozenset[str]:
        """Every section open through at least one link (the portal's navigation)."""
        return frozenset().union(*(sections_for(c) for c in self.links)) if self.links else frozenset()

    def link_for(self, family_id: int) -> Carer | None:
        return next((c for c in self.links if c.family_id == family_id), None)

    def require(self, section: str, family_id: int) -> None:
        """404 (never 403) for a family or section outside the carer's access."""
        if not self.may(section, family_id):
            raise Http404


def access_for(user) -> CarerAccess:
    return CarerAccess(user=user, links=tuple(carer_links(user).select_related("family", "organisation")))


# Personal care plans (CC-K3): read the current plan and comment on it. A carer with limited access does not see it:
# it holds health needs and the child's own words, shared with those who hold parental responsibility.
CARE_PLAN = "care_plan"
FULL = FULL | {CARE_PLAN}
SECTION_LABELS[CARE_PLAN] = "The personal care plan"
# Learning journals (CC-K4): the child's observations shared with the family, comments and "wow moments" from home.
# Carers with parental responsibility and no restriction.
JOURNAL = "journal"
FULL = FULL | {JOURNAL}
SECTION_LABELS[JOURNAL] = "The learning journal"
# Year 6 transitions (SCH-10): the visit dates and the write-ups shared with the family. Open to carers with limited
# access too: like the appointments they see, it tells them where their child goes and when, and asks no decision.
TRANSITIONS = "transitions"
FULL = FULL | {TRANSITIONS}
LIMITED = LIMITED | {TRANSITIONS}
RESTRICTED_SECTIONS[PortalRestrictedAccess.LIMITED] = LIMITED
SECTION_LABELS[TRANSITIONS] = "Year 6 transition visits"
