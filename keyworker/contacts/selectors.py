"""Reads of contact logs, always scoped to the acting user's families.

Restricted (safeguarding) contacts are listed like any other, so that everyone who may see the family knows a
record exists; only the safeguarding team of the contact's setting may read one (`readable_by`).
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.accounts.capabilities import SAFEGUARDING_TEAM
from keyworker.accounts.models import Scope, StaffMember
from keyworker.accounts.policies import setting_ids_with
from keyworker.accounts.selectors import role_holders
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.organisations.models import Group
from keyworker.people.models import Carer, Child, Family
from keyworker.people.selectors import families_visible_to
from keyworker.standards.models import Obligation, ObligationState

from .models import ContactLog

# The safeguarding lead named on a restricted record: the designated lead of the setting first, then a deputy.
LEAD_ROLE_ORDER = {"safeguarding_lead": 0, "safeguarding_deputy": 1}


def contacts_visible_to(actor: Actor) -> QuerySet[ContactLog]:
    """Contacts with the families the actor may see (organisation-wide: the organisation's, with no subquery)."""
    if not actor.is_member:
        return ContactLog.objects.none()
    qs = ContactLog.objects.filter(organisation_id=actor.organisation_id)
    if actor.has_organisation_scope:
        return qs
    return qs.filter(family_id__in=families_visible_to(actor).values("id"))


def contacts_for_list(actor: Actor) -> QuerySet[ContactLog]:
    """As contacts_visible_to, shaped for the newest-first lists: organisation-wide, contact_org_recent_idx is read in
    order and stopped after a page; a class team or a caseload names its few families as a list of ids (one more
    query), so each family's contacts come from contact_family_recent_idx instead of a scan of the organisation's."""
    if not actor.is_member or actor.has_organisation_scope or actor.settings_with_scope:
        return contacts_visible_to(actor)
    families = list(families_visible_to(actor).values_list("id", flat=True))
    return ContactLog.objects.filter(organisation_id=actor.organisation_id, family_id__in=families)


def with_details(qs: QuerySet[ContactLog]) -> QuerySet[ContactLog]:
    """Family, author, carer and setting joined; the children (with their class) in one more query."""
    return qs.select_related("family", "author__user", "carer", "setting", "voided_by").prefetch_related(
        Prefetch("children", queryset=Child.objects.select_related("group").order_by("legal_first_name", "id"))
    )


# Safeguarding: who is on the team, who may read, whom to talk to ------------------------------------------


def readable_by(actor: Actor, contact: ContactLog) -> bool:
    """Whether the actor may read the contact's content: anyone who sees it, unless it is restricted."""
    return not contact.is_restricted or (
        actor.is_member and actor.organisation_id == contact.organisation_id and actor.can(SAFEGUARDING_TEAM, contact.setting_id)
    )


def safeguarding_leads(organisation_id: int, setting_ids: Iterable[int]) -> dict[int, str]:
    """The name to talk to about a restricted record, per setting, in one query: the setting's designated
    safeguarding lead, else a deputy, else anyone on its team (organisation-wide members last)."""
    setting_ids = set(setting_ids)
    if not setting_ids:
        return {}
    ranked: dict[int, tuple[tuple, str]] = {}
    for r in role_holders(organisation_id, capability=SAFEGUARDING_TEAM, setting_ids=setting_ids):
        wide = r.role.scope == Scope.ORGANISATION
        for setting_id in setting_ids if wide else [r.setting_id]:
            if setting_id not in setting_ids:
                continue
            rank = (LEAD_ROLE_ORDER.get(r.role.code, 2), wide, r.staff.user.full_name, r.staff_id)
            if setting_id not in ranked or rank < ranked[setting_id][0]:
                ranked[setting_id] = (rank, r.staff.user.full_name)
    return {setting_id: name for setting_id, (_rank, name) in ranked.items()}


def mark_readable(actor: Actor, contacts: list[ContactLog], *, always: bool = False) -> list[ContactLog]:
    """Set `readable` on each contact, and `talk_to` (the safeguarding lead's name) on restricted ones: one query when
    one is restricted, or with `always` whenever there are contacts (a list's queries then do not depend on its rows)."""
    restricted = [c for c in contacts if c.is_restricted]
    wanted = contacts if always else restricted
    leads = safeguarding_leads(wanted[0].organisation_id, {c.setting_id for c in wanted}) if wanted else {}
    for c in contacts:
        c.readable = readable_by(actor, c)
        c.talk_to = leads.get(c.setting_id, "") if c.is_restricted else ""
    return contacts


def access_contact(actor: Actor, contact_id: int) -> ContactLog:
    contact = with_details(contacts_visible_to(actor)).filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No such contact")
    return contact


def contacts_filter(
    qs: QuerySet[ContactLog], *, tone: str = "", channel: str = "", family_id: int | None = None,
    date_from: dt.date | None = None, date_to: dt.date | None = None, include_voided: bool = True,
    staff_id: int | None = None, group_id: int | None = None, actor: Actor | None = None,
) -> QuerySet[ContactLog]:
    """Filter the contacts; `staff_id` keeps those the staff member recorded or of the families they key-work,
    `group_id` those of families with a child in the class. Given the actor, a tone or channel filter leaves out
    restricted contacts they may not read: being listed under a tone would tell what the record says."""
    if (tone or channel) and actor is not None:
        team = setting_ids_with(actor, SAFEGUARDING_TEAM)
        if team is not None:
            qs = qs.filter(Q(flagged_at__isnull=True) | Q(setting_id__in=team))
    if tone:
        qs = qs.filter(tone=tone)
    if channel:
        qs = qs.filter(channel=channel)
    if family_id:
        qs = qs.filter(family_id=family_id)
    if staff_id:
        key_worked = KeyWorkerAllocation.objects.filter(staff_id=staff_id, ends_at__isnull=True).values("family_id")
        qs = qs.filter(Q(author_id=staff_id) | Q(family_id__in=key_worked))
    if group_id:
        qs = qs.filter(family_id__in=Child.objects.filter(group_id=group_id).values("family_id"))
    if date_from:
        qs = qs.filter(happened_on__gte=date_from)
    if date_to:
        qs = qs.filter(happened_on__lte=date_to)
    if not include_voided:
        qs = qs.filter(voided_at__isnull=True)
    return qs


def staff_for_filter(actor: Actor, staff_id: int) -> StaffMember:
    """A staff member of the actor's organisation to filter by; any other id does not exist (404)."""
    staff = StaffMember.objects.select_related("user").filter(pk=staff_id, organisation_id=actor.organisation_id).first()
    if staff is None or not actor.is_member:
        raise Http404("No such staff member")
    return staff


def group_for_filter(actor: Actor, group_id: int) -> Group:
    """A class or room of a setting the actor works in; any other id does not exist (404)."""
    if not actor.is_member:
        raise Http404("No such class")
    group = Group.objects.select_related("setting").filter(
        pk=group_id, organisation_id=actor.organisation_id, setting__in=actor.settings().values("id")
    ).first()
    if group is None:
        raise Http404("No such class")
    return group


def recent_contacts(actor: Actor, family: Family, limit: int = 5) -> list[ContactLog]:
    """The family's last few contacts that still count (not voided), in one query (two with a restricted one)."""
    return mark_readable(actor, list(
        contacts_visible_to(actor).filter(family_id=family.pk, voided_at__isnull=True)
        .select_related("author__user", "carer")[:limit]
    ))


def contactable_carers(family: Family) -> tuple[list[Carer], list[Carer]]:
    """The family's carers who may be contacted, and those who may not (with their restriction), in one query."""
    carers = list(Carer.objects.filter(family_id=family.pk).order_by("contact_order", "id"))
    return [c for c in carers if c.may_be_contacted], [c for c in carers if not c.may_be_contacted]


def weekly_contact_met(family: Family, on: dt.date) -> bool:
    """Whether the family's contact obligation for the period holding `on` is met, in one query."""
    return Obligation.objects.filter(
        family_id=family.pk, standard__evidence="contact_log", state=ObligationState.MET,
        period_start__lte=on, period_end__gte=on,
    ).exists()


# Absences a contact may follow up ------------------------------------------------------------------------------

ABSENCE_DAYS = 28  # how far back the contact form offers a child's unexplained absences


def recent_absences(family: Family, children: list[Child], today: dt.date, wanted: str = "") -> list[tuple[str, Child, dt.date]]:
    """The unexplained absences of the family's children in the last four weeks up to today, newest first, as
    (reference, child, day), and the one `wanted` (a reference from My week) if older: one query."""
    from .absences import unexplained_absences
    from .models import absence_ref, parse_absence_ref

    by_id = {c.pk: c for c in children}
    if not by_id:
        return []
    start = today - dt.timedelta(days=ABSENCE_DAYS)
    parsed = parse_absence_ref(wanted)
    if parsed and parsed[0] in by_id and parsed[1] <= today:
        start = min(start, parsed[1])
    found = unexplained_absences(family.organisation_id, list(by_id), start, today)
    rows = sorted(
        ((child_id, day) for child_id, _, day in found
         if day >= today - dt.timedelta(days=ABSENCE_DAYS) or (child_id, day) == (parsed or (None, None))[:2]),
        key=lambda r: (-r[1].toordinal(), r[0]),
    )
    return [(absence_ref(child_id, day), by_id[child_id], day) for child_id, day in rows]
