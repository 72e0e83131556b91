"""What domain apps add to the cross-domain pages (My week, the family timeline), without the pages importing them.

An app registers its panels and timeline sources in its AppConfig.ready(); the pages (dashboard) read them here.

- My week panels: a domain app registers a panel (briefings to acknowledge, families to celebrate, data checks
  to do). Each panel answers for one actor and date in a fixed number of queries, or None when it has nothing
  to show; My week renders the panels in order after the obligations. My week builds them while the actor reads
  shared (`Actor.reads_shared`): what several panels need is read once for all of them, so a panel asks for it
  through the shared reads (the key worker's caseload and its children: `caseload.selectors.current_caseload`,
  `caseload_family_ids`, `caseload_children`; a setting's term calendar: `organisations.calendar.calendar_for`)
  rather than querying it again.
- Family timeline sources: each app says what it contributes to a family's timeline (contacts, celebrations,
  key aspects changes, obligations met, data checks). A source returns its newest `limit` entries, newest first,
  in a fixed number of queries; the timeline merges them and pages (page n asks each source for n pages' worth).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Actor = Any  # the acting user (keyworker.accounts.access.Actor): core knows no app above it

# The kinds of setting a panel belongs to: a school's duties (attendance registers, data checks) never show to a
# childcare practitioner, and a childcare one never to a school's staff.
SCHOOL_KINDS = frozenset({"school"})
CHILDCARE_KINDS = frozenset({"early_years", "out_of_school_care"})


@dataclass(frozen=True)
class WeekPanel:
    code: str
    order: int
    template: str                                   # rendered with {"panel": <what build returned>, "as_of": date}
    build: Callable[[Actor, dt.date], object | None]
    # The kinds of setting it shows for (empty: every kind); My week shows it when the actor works in one of them.
    setting_kinds: frozenset[str] = frozenset()


_PANELS: dict[str, WeekPanel] = {}


def register_week_panel(panel: WeekPanel) -> None:
    _PANELS[panel.code] = panel


def unregister_week_panel(code: str) -> None:
    _PANELS.pop(code, None)


def week_panels(setting_kinds: set[str] | frozenset[str] | None = None) -> list[WeekPanel]:
    """The panels in order; with `setting_kinds` (the kinds of the settings the actor works in), only those that
    belong to one of them."""
    panels = _PANELS.values()
    if setting_kinds is not None:
        panels = [p for p in panels if not p.setting_kinds or p.setting_kinds & set(setting_kinds)]
    return sorted(panels, key=lambda p: (p.order, p.code))


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime                 # when it happened (aware); entries are ordered by it, newest first
    kind: str                       # the source's code, e.g. "contact"
    label: str                      # what it is, in the users' words: "Phone call", "Star of the week"
    summary: str                    # one line; never restricted content
    url: str = ""                   # its own page, if the reader may open it
    tone: str = "neutral"           # good / warn / bad / info / neutral: the tag colour
    by: str = ""                    # who recorded it
    children: tuple[str, ...] = ()  # the children it is about
    restricted: bool = False        # a restricted record: shown as existing, never its content
    key: tuple = field(default=())  # a tie-breaker for entries at the same moment


@dataclass(frozen=True)
class TimelineSource:
    code: str
    label: str                      # the filter's name: "Contacts", "Celebrations"
    fetch: Callable[[Actor, object, int], list[TimelineEntry]]   # (actor, family, limit) -> newest first


_SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(source: TimelineSource) -> None:
    _SOURCES[source.code] = source


def unregister_timeline_source(code: str) -> None:
    _SOURCES.pop(code, None)


def timeline_sources() -> list[TimelineSource]:
    return sorted(_SOURCES.values(), key=lambda s: s.label)


# The carers' portal home: what is coming, good news, things to do (in that order). Each domain app registers a
# source; the portal (a face) asks each for the signed-in carer's items, in a fixed number of queries per source.
CarerAccess = Any  # keyworker.people.carer_access.CarerAccess: core knows no app above it

COMING = "coming"    # appointments, reviews, transition dates: soonest first
GOOD_NEWS = "good_news"  # celebrations shared with the family: newest first
TO_DO = "to_do"      # data check, forms, RSVPs, "All about my family": most urgent first
CARER_HOME_KINDS = (COMING, GOOD_NEWS, TO_DO)


@dataclass(frozen=True)
class CarerHomeItem:
    kind: str                       # COMING, GOOD_NEWS or TO_DO
    title: str                      # in the family's words: "Annual review for Amara", "Confirm your details"
    when: dt.datetime | dt.date | None = None  # when it happens (coming), happened (news) or is due (to do)
    detail: str = ""                # one more line: the place, who shared it, what is asked
    url: str = ""                   # the portal page that shows or does it
    child: str = ""                 # the child it is about, by their preferred name
    family_id: int | None = None


@dataclass(frozen=True)
class CarerHomeSource:
    code: str
    kind: str
    # (access, as_of date, now datetime) -> items; reads only through access (its families and sections)
    fetch: Callable[[CarerAccess, dt.date, dt.datetime], list[CarerHomeItem]]


_CARER_HOME: dict[str, CarerHomeSource] = {}


def register_carer_home_source(source: CarerHomeSource) -> None:
    _CARER_HOME[source.code] = source


def unregister_carer_home_source(code: str) -> None:
    _CARER_HOME.pop(code, None)


def carer_home_sources(kind: str | None = None) -> list[CarerHomeSource]:
    return [s for code, s in sorted(_CARER_HOME.items()) if kind is None or s.kind == kind]


# The carers' calendar feed: besides their appointments, events other apps keep (transition visits). The feed (built
# by the meetings app) asks each source for the signed-in carer's events; neither app imports the other. Each row is
# a dict with the feed's keys: uid (unchanging), sequence (raised on each change), title, starts_at, ends_at (aware),
# place, video_link, status ("cancelled" or anything else), created_at, updated_at, setting__name, setting__time_zone.
@dataclass(frozen=True)
class CarerCalendarSource:
    code: str
    fetch: Callable[[Any, dt.datetime], list[dict]]   # (carer user, now) -> rows, in a fixed number of queries


_CARER_CALENDAR: dict[str, CarerCalendarSource] = {}


def register_carer_calendar_source(source: CarerCalendarSource) -> None:
    _CARER_CALENDAR[source.code] = source


def unregister_carer_calendar_source(code: str) -> None:
    _CARER_CALENDAR.pop(code, None)


def carer_calendar_sources() -> list[CarerCalendarSource]:
    return [s for _, s in sorted(_CARER_CALENDAR.items())]
