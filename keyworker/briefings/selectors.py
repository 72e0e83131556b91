"""Reads of briefings, classes and their key aspects changes, always scoped to the acting user."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.accounts.models import Scope
from keyworker.core import clock
from keyworker.organisations.models import Group
from keyworker.people.models import KeyAspectChange
from keyworker.people.selectors import children_visible_to, families_visible_to

from .models import Briefing, BriefingChange, BriefingRecipient, ClassLastLooked

RECENT_DAYS = 30
MAX_ID = 2**63 - 1


def briefings_visible_to(actor: Actor) -> QuerySet[Briefing]:
    """Briefings about the children the actor may see."""
    if not actor.is_member:
        return Briefing.objects.none()
    return Briefing.objects.filter(organisation_id=actor.organisation_id,
                                   child__family_id__in=families_visible_to(actor).values("id"))


def with_changes(qs: QuerySet[Briefing]) -> QuerySet[Briefing]:
    """Child, class and author joined; the change rows in one more query, whatever the number of briefings."""
    return qs.select_related("child", "group", "changed_by").prefetch_related(
        Prefetch("items", queryset=BriefingChange.objects.select_related("change").order_by("id"))
    )


def access_briefing(actor: Actor, briefing_id: int) -> Briefing:
    briefing = with_changes(briefings_visible_to(actor)).filter(pk=briefing_id).first()
    if briefing is None:
        raise Http404("No such briefing")
    return briefing


def my_briefings(actor: Actor) -> QuerySet[BriefingRecipient]:
    """The briefings sent to the actor (one row each, with when they read it), about children still in scope."""
    if not actor.is_member:
        return BriefingRecipient.objects.none()
    return BriefingRecipient.objects.filter(
        organisation_id=actor.organisation_id, staff=actor.staff,
        briefing__child__family_id__in=families_visible_to(actor).values("id"),
    )


def with_details(qs: QuerySet[BriefingRecipient]) -> QuerySet[BriefingRecipient]:
    return qs.select_related("briefing__child__group", "briefing__changed_by").prefetch_related(
        Prefetch("briefing__items", queryset=BriefingChange.objects.select_related("change").order_by("id"))
    )


def pending(qs: QuerySet[BriefingRecipient]) -> QuerySet[BriefingRecipient]:
    return qs.filter(acknowledged_at__isnull=True).order_by("briefing__created_at", "id")


def access_my_briefing(actor: Actor, briefing_id: int) -> BriefingRecipient:
    """The actor's own row of a briefing sent to them; a briefing not sent to them does not exist for this (404)."""
    if not 1 <= briefing_id <= MAX_ID:  # beyond any id: not found (the database would refuse the number)
        raise Http404("No such briefing")
    row = my_briefings(actor).filter(briefing_id=briefing_id).first()
    if row is None:
        raise Http404("No such briefing")
    return row


def pending_per_child(actor: Actor) -> Counter:
    """How many briefings wait for the actor, per child, in one query."""
    rows = pending(my_briefings(actor)).order_by().values("briefing__child_id").annotate(n=Count("id"))
    return Counter({r["briefing__child_id"]: r["n"] for r in rows})


# Classes --------------------------------------------------------------------------------------------------


def groups_visible_to(actor: Actor) -> QuerySet[Group]:
    """Classes the actor works with: all of the organisation's for organisation-wide roles, a setting's for
    setting-wide roles, otherwise the classes whose team they are on."""
    if not actor.is_member:
        return Group.objects.none()
    qs = Group.objects.filter(organisation_id=actor.organisation_id)
    if actor.has_organisation_scope:
        return qs
    group_scoped = {r.setting_id for r in actor.roles if r.role.scope == Scope.OWN_GROUP}
    visible = Q(setting_id__in=actor.settings_with_scope)
    if group_scoped:
        visible |= Q(pk__in=actor.group_ids, setting_id__in=group_scoped)
    return qs.filter(visible)


def access_group(actor: Actor, group_id: int) -> Group:
    group = groups_visible_to(actor).select_related("setting").filter(pk=group_id).first()
    if group is None:
        raise Http404("No such class")
    return group


def classes_with_news(actor: Actor) -> list[Group]:
    """The actor's classes, each with `last_looked_at` and `new_changes` (since then, or the last 30 days), in one query."""
    last = ClassLastLooked.objects.filter(staff=actor.staff, group_id=OuterRef("pk")).values("looked_at")[:1]
    default_since = clock.now() - dt.timedelta(days=RECENT_DAYS)
    visible_children = children_visible_to(actor).values("id")
    news = (
        KeyAspectChange.objects.filter(child__group_id=OuterRef("pk"), child_id__in=visible_children,
                                       changed_at__gt=Coalesce(OuterRef("last_looked_at"), Value(default_since, output_field=DateTimeField())))
        .order_by().values("child__group_id").annotate(n=Count("id")).values("n")[:1]
    )
    return list(
        groups_visible_to(actor).select_related("setting")
        .annotate(last_looked_at=Subquery(last)).annotate(new_changes=Coalesce(Subquery(news), 0))
        .order_by("setting__name", "name", "id")
    )


def last_looked(actor: Actor, group: Group) -> dt.datetime | None:
    return ClassLastLooked.objects.filter(staff=actor.staff, group=group).values_list("looked_at", flat=True).first()


def class_changes(actor: Actor, group: Group, since: dt.datetime) -> QuerySet[KeyAspectChange]:
    """Key aspects changes of the class's children (those the actor may see) after `since`, newest first."""
    return (
        KeyAspectChange.objects.filter(organisation_id=actor.organisation_id, child__group=group, changed_at__gt=since,
                                       child_id__in=children_visible_to(actor).values("id"))
        .select_related("child", "changed_by").order_by("-changed_at", "-id")
    )


@dataclass
class Progress:
    briefings: list[Briefing]
    waiting: list[BriefingRecipient]        # every pending acknowledgement, oldest briefing first
    by_staff: list[tuple[str, int, int]]    # (name, pending, oldest age in days), most pending first


def class_progress(actor: Actor, group: Group, as_of: dt.date) -> Progress:
    """Who has not yet acknowledged which briefing of the class's children, and how old each is; three queries."""
    briefings = list(
        with_changes(briefings_visible_to(actor).filter(child__group=group))
        .filter(recipients__acknowledged_at__isnull=True).distinct().order_by("created_at", "id")[:200]
    )
    by_id = {b.pk: b for b in briefings}
    waiting = list(
        BriefingRecipient.objects.filter(briefing_id__in=by_id, acknowledged_at__isnull=True)
        .select_related("staff__user").order_by("briefing_id", "staff__user__full_name", "id")
    )
    staff: dict[int, list] = {}
    for w in waiting:
        w.briefing = by_id[w.briefing_id]
        w.age_days = (as_of - clock_local_date(w.briefing.created_at)).days
        entry = staff.setdefault(w.staff_id, [w.staff.user.full_name, 0, 0])
        entry[1] += 1
        entry[2] = max(entry[2], w.age_days)
    for b in briefings:
        b.waiting = [w for w in waiting if w.briefing_id == b.pk]
        b.age_days = (as_of - clock_local_date(b.created_at)).days
    return Progress(briefings, waiting, sorted((tuple(v) for v in staff.values()), key=lambda t: (-t[1], -t[2], t[0])))


def clock_local_date(at: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(at).date()
