"""Challenging absences (SCH-5): the standards engine's event (an unexplained absence) and evidence (a follow-up
contact with the family), "N" marks the office must replace within 5 school days, and the key worker's panel."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import F
from django.db.models.functions import TruncDate
from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.caseload.selectors import caseload_family_ids
from keyworker.contacts.absences import register_absence_finder
from keyworker.contacts.models import ContactLog, absence_ref, parse_absence_ref
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Setting
from keyworker.standards.evidence import (
    EventRow,
    EventSource,
    EvidenceAction,
    EvidenceRow,
    EvidenceSource,
    SourceRead,
    register_events,
    register_evidence,
)

from .codes import NOT_YET_KNOWN
from .models import AttendanceMark, Category

UNEXPLAINED_ABSENCE = "unexplained_absence"
ATTENDANCE_FOLLOW_UP = "attendance_follow_up"


def unexplained_absences(organisation_id: int, start: dt.date, end: dt.date,
                         families: set[int] | None = None) -> list[EventRow]:
    """A row per child per day with an unauthorised mark (N, O, G or U in England), in one query; with `families`,
    only their children's (the update after one record reads one family's absences, not the organisation's)."""
    qs = AttendanceMark.objects.filter(
        organisation_id=organisation_id, date__gte=start, date__lte=end, code__category=Category.UNAUTHORISED
    )
    if families is not None:
        qs = qs.filter(child__family_id__in=families)
    rows = qs.values_list("child__family_id", "child_id", "date").distinct().order_by("date", "child_id")
    return SourceRead(rows, lambda rows: [EventRow(family_id, child_id, day, absence_ref(child_id, day))
                                          for family_id, child_id, day in rows])


def follow_up_contacts(
    organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None
) -> Iterable[EvidenceRow]:
    """Contacts (not voided) on a day in [start, end] that follow up a child's unexplained absence, one row each
    naming that absence (`about`, the event's reference), dated on or after it: one query.

    Only a record about the absence answers it: a contact about something else (a science lesson) challenges no
    absence, and one about a child's absence does not answer a sibling's."""
    qs = ContactLog.objects.filter(
        organisation_id=organisation_id, happened_on__gte=start, happened_on__lte=end, voided_at__isnull=True,
        absence_child__isnull=False, absence_on__isnull=False, absence_on__lte=F("happened_on"),
    )
    if families is not None:
        qs = qs.filter(family_id__in=families)
    rows = qs.annotate(recorded=TruncDate("created_at")).values_list(
        "id", "family_id", "absence_child_id", "happened_on", "absence_on", "recorded").order_by()
    return SourceRead(rows, lambda rows: [
        EvidenceRow(family_id, child_id, day, f"contact:{pk}", recorded_on=recorded if recorded and recorded > day else None,
                    about=absence_ref(child_id, absent_on))
        for pk, family_id, child_id, day, absent_on, recorded in rows
    ])


def follow_up_url(obligation) -> str:
    """The contact form for the family, with the absence the obligation is about chosen (and so its child)."""
    if not obligation.family_id:
        return ""
    query = {"family": obligation.family_id}
    ref = obligation.subject_key.partition("@")[2]
    if parse_absence_ref(ref):
        query["absence"] = ref
    return f"{reverse('contacts:new')}?{urlencode(query)}"


FOLLOW_UP_ACTION = EvidenceAction(
    "Record the follow-up", follow_up_url,
    "A contact with the family about that child and that absence, dated on or after it.",
)


def absences_found(organisation_id: int, child_ids, start: dt.date, end: dt.date) -> list[tuple[int, int, dt.date]]:
    """Unexplained absences for the contacts app's follow-ups: (child, family, day), oldest first, one query."""
    qs = AttendanceMark.objects.filter(
        organisation_id=organisation_id, date__gte=start, date__lte=end, code__category=Category.UNAUTHORISED
    )
    if child_ids is not None:
        qs = qs.filter(child_id__in=list(child_ids))
    return list(qs.values_list("child_id", "child__family_id", "date").distinct().order_by("date", "child_id"))


def register() -> None:
    register_absence_finder(absences_found)
    register_events(EventSource(UNEXPLAINED_ABSENCE, "An unexplained absence", unexplained_absences, by_family=True))
    register_evidence(EvidenceSource(ATTENDANCE_FOLLOW_UP, "An attendance follow-up", follow_up_contacts, by_family=True,
                                     action=FOLLOW_UP_ACTION, answers_events=True))


# "N" to replace ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outstanding:
    mark: AttendanceMark
    replace_by: dt.date
    overdue: bool


def outstanding_not_known(actor: Actor, as_of: dt.date, replace_days: int, setting_ids: set[int] | None = None) -> list[Outstanding]:
    """Marks still "N" (reason not yet known) up to `as_of`, with the day they should be replaced by, oldest first.

    Two queries plus three per setting (its calendar)."""
    if not actor.is_member:
        return []
    qs = (
        AttendanceMark.objects.filter(organisation_id=actor.organisation_id, code__code=NOT_YET_KNOWN, date__lte=as_of)
        .select_related("child__group", "child__family", "code", "setting").order_by("date", "session", "child__legal_last_name", "id")
    )
    if setting_ids is not None:
        qs = qs.filter(setting_id__in=setting_ids)
    marks = list(qs[:1000])
    settings = {m.setting_id: m.setting for m in marks}
    calendars = {pk: TermCalendar.for_setting(s) for pk, s in settings.items()}
    out = []
    for m in marks:
        by = calendars[m.setting_id].add_school_days(m.date, replace_days)
        out.append(Outstanding(m, by, as_of > by))
    return out


# My week: absences to challenge today --------------------------------------------------------------------------


@dataclass(frozen=True)
class ToChallenge:
    mark: AttendanceMark
    followed_up: bool

    @property
    def follow_up_url(self) -> str:
        """The contact form with this absence chosen."""
        return f"{reverse('contacts:new')}?{urlencode({'family': self.mark.child.family_id, 'absence': absence_ref(self.mark.child_id, self.mark.date)})}"


def absences_to_challenge(actor: Actor, as_of: dt.date) -> list[ToChallenge]:
    """Today's unexplained absences of the key worker's children, each with whether a contact about that absence has
    been recorded: two queries."""
    if not actor.is_member or actor.staff is None:
        return []
    families = caseload_family_ids(actor)
    if not families:
        return []
    marks = list(
        AttendanceMark.objects.filter(
            organisation_id=actor.organisation_id, date=as_of, code__category=Category.UNAUTHORISED,
            child__family_id__in=families,
        ).select_related("child__group", "code").order_by("child__legal_last_name", "child_id", "session")
    )
    if not marks:
        return []
    followed_up = set(
        ContactLog.objects.filter(
            organisation_id=actor.organisation_id, family_id__in={m.child.family_id for m in marks}, absence_on=as_of,
            absence_child_id__in={m.child_id for m in marks}, voided_at__isnull=True,
        ).values_list("absence_child_id", flat=True)
    )
    return [ToChallenge(m, m.child_id in followed_up) for m in marks]


def week_panel(actor: Actor, as_of: dt.date) -> list[ToChallenge] | None:
    if not actor.is_member or not actor.is_key_worker:
        return None
    return absences_to_challenge(actor, as_of) or None


def setting_for(mark: AttendanceMark) -> Setting:
    return mark.setting
