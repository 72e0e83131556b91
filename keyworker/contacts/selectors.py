"""Reads of contact logs, always scoped to the acting user's families."""

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.people.models import Carer, Child, Family
from keyworker.people.selectors import families_visible_to
from keyworker.standards.models import Obligation, ObligationState

from .models import ContactLog


def contacts_visible_to(actor: Actor) -> QuerySet[ContactLog]:
    if not actor.is_member:
        return ContactLog.objects.none()
    return ContactLog.objects.filter(organisation_id=actor.organisation_id, family_id__in=families_visible_to(actor).values("id"))


def with_details(qs: QuerySet[ContactLog]) -> QuerySet[ContactLog]:
    """Family, author, carer and setting joined; the children in one more query, whatever the number of contacts."""
    return qs.select_related("family", "author__user", "carer", "setting", "voided_by").prefetch_related(
        Prefetch("children", queryset=Child.objects.order_by("legal_first_name", "id"))
    )


def access_contact(actor: Actor, contact_id: int) -> ContactLog:
    contact = with_details(contacts_visible_to(actor)).filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No such contact")
    return contact


def contacts_filter(
    qs: QuerySet[ContactLog], *, tone: str = "", channel: str = "", family_id: int | None = None,
    date_from: dt.date | None = None, date_to: dt.date | None = None, include_voided: bool = True,
) -> QuerySet[ContactLog]:
    if tone:
        qs = qs.filter(tone=tone)
    if channel:
        qs = qs.filter(channel=channel)
    if family_id:
        qs = qs.filter(family_id=family_id)
    if date_from:
        qs = qs.filter(happened_on__gte=date_from)
    if date_to:
        qs = qs.filter(happened_on__lte=date_to)
    if not include_voided:
        qs = qs.filter(voided_at__isnull=True)
    return qs


def recent_contacts(actor: Actor, family: Family, limit: int = 5) -> list[ContactLog]:
    """The family's last few contacts that still count (not voided), in one query."""
    return list(
        contacts_visible_to(actor).filter(family_id=family.pk, voided_at__isnull=True)
        .select_related("author__user", "carer")[:limit]
    )


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
