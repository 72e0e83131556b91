"""Reads of the carers' portal, always through the signed-in carer's access (keyworker.people.carer_access)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404

from keyworker.accounts.models import StaffMember
from keyworker.caseload.selectors import current_allocations
from keyworker.core.extensions import CARER_HOME_KINDS, CarerHomeItem, carer_home_sources
from keyworker.people import carer_access
from keyworker.people.carer_access import CarerAccess
from keyworker.people.models import Carer, Child

from .models import PortalInvitation


@dataclass(frozen=True)
class KeyWorkerCard:
    child: Child
    role: str             # "key worker", "key person" or "key contact": the setting's kind chooses it
    name: str = ""        # empty: none allocated yet
    initials: str = ""
    email: str = ""
    setting_name: str = ""
    setting_phone: str = ""
    organisation_name: str = ""
    staff_id: int | None = None
    photo_version: str = ""  # empty: no photo given
    may_message: bool = False  # the carer's access opens messages for this child's family


def _initials(name: str) -> str:
    parts = [p for p in name.split() if p[:1].isalpha()]
    return "".join(p[0] for p in (parts[:1] + parts[-1:] if len(parts) > 1 else parts)).upper()


def key_worker_cards(access: CarerAccess, as_of: dt.date) -> list[KeyWorkerCard]:
    """Per child the carer may see, their key worker and how to reach them: two queries whatever the number."""
    family_ids = access.family_ids_with(carer_access.KEY_WORKER)
    if not family_ids:
        return []
    children = list(
        carer_access.children_for(access.user, carer_access.KEY_WORKER, as_of=as_of, links=access.links)
        .select_related("setting", "organisation").order_by("date_of_birth", "id")
    )
    allocations = {
        (a.family_id, a.setting_id): a
        for a in current_allocations().filter(family_id__in=family_ids).select_related("staff__user")
    }
    cards = []
    for child in children:
        allocation = allocations.get((child.family_id, child.setting_id))
        name = allocation.staff.user.full_name if allocation else ""
        cards.append(KeyWorkerCard(
            child=child, role=child.setting.key_worker_label, name=name, initials=_initials(name),
            email=allocation.staff.user.email if allocation else "", setting_name=child.setting.name,
            setting_phone=child.setting.phone, organisation_name=child.organisation.name,
            staff_id=allocation.staff_id if allocation else None,
            photo_version=allocation.staff.photo_version if allocation else "",
            may_message=access.may(carer_access.MESSAGES, child.family_id),
        ))
    return cards


def key_worker_photo(access: CarerAccess, staff_id: int) -> StaffMember:
    """The staff member, with a photo, who is now the key worker of a family whose key worker the carer may see;
    anyone else is 404."""
    allocation = (current_allocations().filter(family_id__in=access.family_ids_with(carer_access.KEY_WORKER),
                                               staff_id=staff_id).exclude(staff__photo="")
                  .select_related("staff").first())
    if allocation is None:
        raise Http404("No such photo")
    return allocation.staff


def home_items(access: CarerAccess, as_of: dt.date, now: dt.datetime) -> dict[str, list[CarerHomeItem]]:
    """What every registered source shows the carer, by kind (coming, good news, to do)."""
    items: dict[str, list[CarerHomeItem]] = {kind: [] for kind in CARER_HOME_KINDS}
    for source in carer_home_sources():
        items.setdefault(source.kind, []).extend(source.fetch(access, as_of, now))
    return items


@dataclass(frozen=True)
class PortalState:
    label: str            # "Not invited", "Invited on …", "Last signed in …"
    invited_at: dt.datetime | None = None
    last_signed_in: dt.datetime | None = None


def portal_states(carers: list[Carer]) -> dict[int, PortalState]:
    """Each carer's portal state for the family page: one query (their accounts and latest invitations)."""
    ids = [c.pk for c in carers]
    latest: dict[int, PortalInvitation] = {}
    for invitation in PortalInvitation.objects.filter(carer_id__in=ids).select_related("user").order_by("carer_id", "-invited_at", "-id"):
        latest.setdefault(invitation.carer_id, invitation)
    states = {}
    for carer in carers:
        invitation = latest.get(carer.pk)
        user = invitation.user if invitation else None
        if user is not None and user.last_login and user.pk == carer.user_id:
            states[carer.pk] = PortalState("Last signed in", invitation.invited_at, user.last_login)
        elif invitation is not None:
            states[carer.pk] = PortalState("Invited", invitation.invited_at)
        else:
            states[carer.pk] = PortalState("Not invited")
    return states
