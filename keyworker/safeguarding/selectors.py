"""Reads of safeguarding records. Only the safeguarding team of a child's setting reads concerns and chronologies;
for anyone else of the organisation a concern is a placeholder (it exists, and whom to talk to); outside it, nothing.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.accounts.capabilities import SAFEGUARDING_TEAM
from keyworker.accounts.models import StaffMember
from keyworker.accounts.policies import setting_ids_with
from keyworker.accounts.selectors import role_holders, safeguarding_team, setting_leaders
from keyworker.contacts.selectors import safeguarding_leads
from keyworker.organisations.calendar import TermCalendar, bank_holidays
from keyworker.organisations.models import Setting
from keyworker.people.models import Child

from .models import AccessRoute, Concern, ConcernAccess, ConcernChild, ConcernState, Entry, EntryKind
from .policies import is_team

__all__ = ["is_team", "safeguarding_team", "team_setting_ids"]

LEAD_ROLES = ("safeguarding_lead", "safeguarding_deputy")
TRANSFER_SCHOOL_DAYS = 5
DUE_SOON_DAYS = 7
LIST_LIMIT = 50
SEARCH_LIMIT = 50


def team_setting_ids(actor: Actor) -> frozenset[int] | None:
    """Settings where the actor is on the safeguarding team; None when it is every setting (an organisation-wide role)."""
    return setting_ids_with(actor, SAFEGUARDING_TEAM)


def _in_team_settings(actor: Actor, qs: QuerySet, setting_field: str = "setting_id") -> QuerySet:
    if not actor.is_member:
        return qs.none()
    team = team_setting_ids(actor)
    qs = qs.filter(organisation_id=actor.organisation_id)
    return qs if team is None else qs.filter(**{f"{setting_field}__in": team})


def concerns_for_team(actor: Actor) -> QuerySet[Concern]:
    """The concerns the actor reads: those of the settings where they are on the safeguarding team."""
    return _in_team_settings(actor, Concern.objects.all())


def with_details(qs: QuerySet[Concern]) -> QuerySet[Concern]:
    return qs.select_related("child__group", "setting", "raised_by__user", "contact")


def talk_to(organisation_id: int, setting_ids: Iterable[int]) -> dict[int, list[str]]:
    """Per setting, the names to talk to about a restricted record: its designated safeguarding lead(s) and deputies,
    else whoever is on its team; two queries at most."""
    setting_ids = set(setting_ids)
    if not setting_ids:
        return {}
    names: dict[int, list[str]] = {s: [] for s in setting_ids}
    rows = role_holders(organisation_id, codes=LEAD_ROLES, setting_ids=setting_ids, organisation_wide=False)
    for r in sorted(rows, key=lambda r: (LEAD_ROLES.index(r.role.code), r.staff.user.full_name)):
        if r.staff.user.full_name not in names[r.setting_id]:
            names[r.setting_id].append(r.staff.user.full_name)
    missing = [s for s, n in names.items() if not n]
    if missing:
        for setting_id, name in safeguarding_leads(organisation_id, missing).items():
            names[setting_id] = [name]
    return names


def talk_to_text(names: list[str]) -> str:
    if not names:
        return "Talk to the safeguarding lead."
    if len(names) == 1:
        return f"Talk to the safeguarding lead, {names[0]}."
    return f"Talk to the safeguarding team: {', '.join(names[:-1])} or {names[-1]}."


@dataclass
class Found:
    concern: Concern
    readable: bool
    talk_to: list[str] = field(default_factory=list)


def find_concern(actor: Actor, concern_id: int) -> Found:
    """A concern of the actor's organisation: readable for the team of its setting, a placeholder for others.
    Outside the organisation (or signed out) it does not exist."""
    if not actor.is_member:
        raise Http404("No such record")
    concern = with_details(Concern.objects.filter(pk=concern_id, organisation_id=actor.organisation_id)).first()
    if concern is None:
        raise Http404("No such record")
    if is_team(actor, concern.setting_id):
        return Found(concern, True)
    return Found(concern, False, talk_to(concern.organisation_id, [concern.setting_id]).get(concern.setting_id, []))


def child_in_organisation(actor: Actor, child_id: int) -> Child:
    if not actor.is_member:
        raise Http404("No such child")
    child = Child.objects.select_related("setting", "family", "group").filter(
        pk=child_id, organisation_id=actor.organisation_id).first()
    if child is None:
        raise Http404("No such child")
    return child


def children_for_reporter(actor: Actor) -> QuerySet[Child]:
    """Children a member of staff may raise a concern about: those on roll in the settings they work in."""
    if not actor.is_member:
        return Child.objects.none()
    return Child.objects.filter(organisation_id=actor.organisation_id, setting_id__in=actor.settings().values("id"))


PICKER_LIMIT = 20


def children_matching(actor: Actor, query: str, *, not_family_id: int | None = None) -> list[Child]:
    """The children on roll a member of staff may name in a concern whose names hold every word typed (first,
    last or preferred name), for the "other pupils involved" picker: at most PICKER_LIMIT, by surname."""
    words = query.split()[:5]
    if not words:
        return []
    qs = children_for_reporter(actor).filter(left_on__isnull=True).select_related("group")
    for word in words:
        qs = qs.filter(Q(legal_first_name__icontains=word) | Q(legal_last_name__icontains=word)
                       | Q(preferred_name__icontains=word))
    if not_family_id is not None:
        qs = qs.exclude(family_id=not_family_id)
    return list(qs.order_by("legal_last_name", "legal_first_name", "id")[:PICKER_LIMIT])


def concern_readers(concern: Concern) -> list[StaffMember]:
    return safeguarding_team(concern.organisation_id, concern.setting_id)


# Chronology ---------------------------------------------------------------------------------------------------


@dataclass
class Line:
    at: dt.datetime
    kind: str
    label: str
    concern: Concern | None = None
    entry: Entry | None = None


def chronology(child: Child) -> tuple[list[Concern], list[Entry], list[Line]]:
    """A child's concerns (those about them or involving them) and chronology entries, oldest first: two queries."""
    concerns = list(with_details(Concern.objects.filter(
        organisation_id=child.organisation_id, id__in=ConcernChild.objects.filter(child_id=child.pk).values("concern_id"),
    )).prefetch_related(Prefetch("links", queryset=ConcernChild.objects.select_related("child"))).order_by("happened_at", "id"))
    ids = [c.pk for c in concerns]
    entries = list(Entry.objects.filter(
        Q(child_id=child.pk) | Q(concern_id__in=ids, kind__in=[EntryKind.ADDENDUM, EntryKind.CLOSURE]),
        organisation_id=child.organisation_id,
    ).select_related("by__user", "assigned_to__user", "concern").order_by("at", "id"))
    lines = [Line(c.raised_at, "concern", f"Concern: {c.get_category_display()}", concern=c) for c in concerns]
    lines += [Line(e.at, e.kind, e.get_kind_display(), entry=e) for e in entries]
    lines.sort(key=lambda ln: (ln.at, 0 if ln.concern else 1, (ln.concern or ln.entry).pk))
    return concerns, entries, lines


def concern_entries(concern: Concern) -> list[Entry]:
    return list(concern.entries.select_related("by__user", "assigned_to__user").order_by("at", "id"))


# Dates --------------------------------------------------------------------------------------------------------


def add_working_days(day: dt.date, n: int, jurisdiction: str) -> dt.date:
    """`n` working days after `day`: weekdays that are not bank holidays (children's services work in school holidays)."""
    holidays = bank_holidays(jurisdiction)
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            n -= 1
    return day


def transfer_due_on(calendar: TermCalendar, left_on: dt.date) -> dt.date:
    """The child-protection file goes to the new school within 5 school days of the child leaving."""
    return calendar.add_school_days(left_on, TRANSFER_SCHOOL_DAYS)


# The team dashboard -------------------------------------------------------------------------------------------


@dataclass
class TransferDue:
    child: Child
    due_on: dt.date
    sent: Entry | None
    overdue: bool


@dataclass
class Dashboard:
    new_concerns: list[Concern]
    actions: list[Entry]
    referrals: list[Entry]
    children: list[Child]
    transfers: list[TransferDue]
    as_of: dt.date


def unread_concerns(actor: Actor) -> QuerySet[Concern]:
    read = ConcernAccess.objects.filter(concern_id=OuterRef("pk"), staff_id=actor.staff.pk, allowed=True,
                                        route__in=[AccessRoute.PAGE, AccessRoute.API, AccessRoute.EXPORT])
    return concerns_for_team(actor).filter(~Exists(read))


def dashboard(actor: Actor, as_of: dt.date) -> Dashboard:
    """What the team has to do, in a fixed number of queries (one more per setting with a child who left)."""
    new = list(with_details(unread_concerns(actor)).order_by("-raised_at", "-id")[:LIST_LIMIT])
    entries = _in_team_settings(actor, Entry.objects.all(), "child__setting_id").select_related(
        "child__group", "assigned_to__user", "by__user")
    actions = list(entries.filter(kind=EntryKind.ACTION, done_at__isnull=True,
                                  due_on__lte=as_of + dt.timedelta(days=DUE_SOON_DAYS)).order_by("due_on", "id")[:LIST_LIMIT])
    referrals = list(entries.filter(kind=EntryKind.REFERRAL, response_on__isnull=True).order_by("made_on", "id")[:LIST_LIMIT])
    children = _in_team_settings(actor, Child.objects.all())
    with_status = list(children.exclude(protection_status="").filter(left_on__isnull=True).select_related("group")
                       .order_by("legal_last_name", "legal_first_name", "id")[:200])
    transfers = _transfers(actor, children, as_of)
    return Dashboard(new, actions, referrals, with_status, transfers, as_of)


def _transfers(actor: Actor, children: QuerySet[Child], as_of: dt.date) -> list[TransferDue]:
    """Children who left with a concern or a protection status, whose file is not yet confirmed received."""
    has_record = Q(id__in=ConcernChild.objects.filter(organisation_id=actor.organisation_id).values("child_id")) | ~Q(protection_status="")
    received = Entry.objects.filter(child_id=OuterRef("pk"), kind=EntryKind.TRANSFER, receipt_on__isnull=False)
    leavers = list(children.filter(has_record, left_on__isnull=False, left_on__gte=as_of - dt.timedelta(days=366))
                   .filter(~Exists(received)).select_related("setting").order_by("left_on", "id")[:LIST_LIMIT])
    if not leavers:
        return []
    sent = {e.child_id: e for e in Entry.objects.filter(child_id__in=[c.pk for c in leavers], kind=EntryKind.TRANSFER).order_by("at")}
    calendars: dict[int, TermCalendar] = {}
    out = []
    for c in leavers:
        if c.setting_id not in calendars:
            calendars[c.setting_id] = TermCalendar.for_setting(c.setting)
        due = transfer_due_on(calendars[c.setting_id], c.left_on)
        e = sent.get(c.pk)
        out.append(TransferDue(c, due, e, e is None and due < as_of))
    return out


def access_log(actor: Actor) -> QuerySet[ConcernAccess]:
    """Reads and refused attempts on the concerns of the actor's team settings (and attempts on no concern in particular)."""
    qs = ConcernAccess.objects.filter(organisation_id=actor.organisation_id)
    team = team_setting_ids(actor)
    if team is not None:
        qs = qs.filter(Q(concern__setting_id__in=team) | Q(child__setting_id__in=team) | Q(concern__isnull=True, child__isnull=True))
    return qs.select_related("staff__user", "user", "concern__child", "child").order_by("-accessed_at", "-id")


def search(actor: Actor, q: str) -> list[Concern]:
    """Concerns whose words (what happened, who was present, the chronology entries about them) hold `q`."""
    words = Q(what_happened__icontains=q) | Q(present__icontains=q) | Q(
        id__in=Entry.objects.filter(organisation_id=actor.organisation_id, text__icontains=q).values("concern_id"))
    return list(with_details(concerns_for_team(actor).filter(words)).order_by("-raised_at", "-id")[:SEARCH_LIMIT])


def leaders(organisation_id: int, setting_id: int) -> list[StaffMember]:
    """Staff who lead the setting (or the organisation): who is told about an SCH-A2 flag."""
    return setting_leaders(organisation_id, setting_id)


def families_with_open_concerns(family_ids: list[int]) -> set[int]:
    """Which of these families have an open concern about one of their children, in one query."""
    return set(Concern.objects.filter(family_id__in=family_ids, state=ConcernState.OPEN).values_list("family_id", flat=True))


def open_concerns_for_family(family_id: int) -> QuerySet[Concern]:
    return Concern.objects.filter(family_id=family_id, state=ConcernState.OPEN)


def settings_of(actor: Actor) -> list[Setting]:
    return list(actor.settings().order_by("name", "id"))


def flagged_allocations(child: Child) -> list:
    """SCH-A2: the child's family's current allocations whose key worker must be replaced by a teacher."""
    from keyworker.caseload.models import KeyWorkerAllocation

    return list(KeyWorkerAllocation.objects.filter(family_id=child.family_id, ends_at__isnull=True,
                                                   needs_teacher_since__isnull=False).select_related("staff__user", "setting"))


def my_actions(actor: Actor) -> list[Entry]:
    """Open safeguarding actions given to the actor: what to do, for which child, by when (not the concern itself)."""
    if not actor.is_member:
        return []
    return list(Entry.objects.filter(organisation_id=actor.organisation_id, kind=EntryKind.ACTION, assigned_to_id=actor.staff.pk,
                                     done_at__isnull=True).select_related("child__group", "by__user").order_by("due_on", "id")[:LIST_LIMIT])
