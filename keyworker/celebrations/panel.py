"""My week: "Families to celebrate", the key worker's families whose recent contact is mostly concern, with ideas
drawn from the records, and the key worker's own positivity share. A fixed number of queries: at most five of its own,
besides the caseload, its children and the term calendars that My week reads once for every panel."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Max
from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.caseload.selectors import caseload_children, current_caseload
from keyworker.core.dates import on_screen
from keyworker.core.extensions import WeekPanel, register_week_panel
from keyworker.organisations.calendar import calendar_for
from keyworker.people.models import Child, Family

from .models import Celebration, CelebrationKind, PositivityRule, PositivityWindow
from .positivity import (
    EMPTY,
    FamilyPositivity,
    PositivityPeriod,
    ToneCounts,
    counts_by_author,
    families_positivity,
    periods_for,
    rule_for,
)

CELEBRATE_PANEL = "celebrate"
ENGLISH = {"", "english", "english (uk)"}


@dataclass(frozen=True)
class Suggestion:
    text: str
    url: str


@dataclass
class FamilyToCelebrate:
    family: Family
    positivity: FamilyPositivity
    children: list[Child]
    suggestions: list[Suggestion]
    record_url: str


@dataclass
class CelebratePanel:
    families: list[FamilyToCelebrate]
    own: ToneCounts
    period: PositivityPeriod
    rule: PositivityRule
    family_count: int
    own_predominantly_positive: bool = field(default=False)


def record_url(*, child: Child | None = None, family_id: int | None = None, kind: str = "", next_url: str = "") -> str:
    query: dict[str, object] = {"child": child.pk} if child is not None else {"family": family_id}
    if kind:
        query["kind"] = kind
    if next_url:
        query["next"] = next_url
    return f"{reverse('celebrations:new')}?{urlencode(query)}"


def _name(child: Child) -> str:
    return child.preferred_name or child.legal_first_name


def suggestions_for(
    children: list[Child], kinds_in_period: dict[int, set[str]], last_celebrated: dict[int, dt.date], period: PositivityPeriod,
    next_url: str,
) -> list[Suggestion]:
    """Ideas from the records: nothing celebrated this period, Star of the week or Dojo Points not yet given, key aspects
    (a behaviour plan, a first language other than English); attendance and learning targets as general ideas."""
    out: list[Suggestion] = []
    for child in children:
        name, kinds = _name(child), kinds_in_period.get(child.pk, set())
        if not kinds:
            last = last_celebrated.get(child.pk)
            since = f"the last was on {on_screen(last)}" if last else "none in the last year"
            out.append(Suggestion(f"Nothing celebrated for {name} in {period.label}; {since}. A Well Done postcard home for "
                                  "something small done well?", record_url(child=child, kind=CelebrationKind.WELL_DONE_POSTCARD,
                                                                             next_url=next_url)))
        if CelebrationKind.STAR_OF_THE_WEEK not in kinds:
            out.append(Suggestion(f"Nominate {name} for Star of the week, and tell the family why.",
                                  record_url(child=child, kind=CelebrationKind.STAR_OF_THE_WEEK, next_url=next_url)))
        elif CelebrationKind.DOJO_POINTS not in kinds:
            out.append(Suggestion(f"Send {name} Dojo Points for effort and share them with the family.",
                                  record_url(child=child, kind=CelebrationKind.DOJO_POINTS, next_url=next_url)))
        aspects = getattr(child, "key_aspects", None)
        if aspects is not None and aspects.behaviour_plan.strip():
            out.append(Suggestion(f"{name} has a behaviour plan: celebrate a good day or a step forward on it.",
                                  record_url(child=child, kind=CelebrationKind.ACHIEVEMENT, next_url=next_url)))
        if aspects is not None and aspects.first_language.strip().lower() not in ENGLISH:
            out.append(Suggestion(f"{name}'s first language is {aspects.first_language}: share the celebration face to face or "
                                  "in a message the family can read.", record_url(child=child, next_url=next_url)))
    first = children[0] if children else None
    if first is not None:
        out.append(Suggestion(f"Better attendance or punctuality for {_name(first)}? Record an attendance milestone.",
                              record_url(child=first, kind=CelebrationKind.ATTENDANCE_MILESTONE, next_url=next_url)))
        out.append(Suggestion(f"Progress on a learning target or homework is worth a postcard home for {_name(first)}.",
                              record_url(child=first, kind=CelebrationKind.ACHIEVEMENT, next_url=next_url)))
    return out


def build(actor: Actor, as_of: dt.date) -> CelebratePanel | None:
    if not actor.is_member or actor.staff is None:
        return None
    allocations = current_caseload(actor)  # shared with My week's other panels
    if not allocations:
        return None
    rule = rule_for(actor.organisation_id)
    settings = {a.setting_id: a.setting for a in allocations}
    # The half terms from the settings' calendars, which My week's other panels read too.
    half_terms = ({sid: calendar_for(s, actor).half_term_for(as_of) for sid, s in settings.items()}
                  if rule.window == PositivityWindow.HALF_TERM else None)
    periods = periods_for(rule, settings, as_of, half_terms=half_terms)
    family_periods: dict[int, PositivityPeriod] = {}
    families: dict[int, Family] = {}
    for a in allocations:
        family_periods.setdefault(a.family_id, periods[a.setting_id])
        families.setdefault(a.family_id, a.family)
    # The key worker's own share over the window of the setting where most of their families are.
    main_setting = Counter(a.setting_id for a in allocations).most_common(1)[0][0]
    period = periods[main_setting]
    positivity = families_positivity(actor.organisation_id, family_periods, rule, as_of)
    own = counts_by_author(actor.organisation_id, {actor.staff.pk}, period).get(actor.staff.pk, EMPTY)
    flagged = [fid for fid in families if positivity[fid].flagged]
    rows: list[FamilyToCelebrate] = []
    if flagged:
        children: dict[int, list[Child]] = defaultdict(list)
        wanted = set(flagged)
        for child in sorted(caseload_children(actor), key=lambda c: (c.date_of_birth, c.pk)):
            if child.family_id in wanted and child.left_on is None:
                children[child.family_id].append(child)
        earliest = min(family_periods[fid].start for fid in flagged)
        kinds_in_period: dict[int, set[str]] = defaultdict(set)
        last_celebrated: dict[int, dt.date] = {}
        year_ago = as_of - dt.timedelta(days=366)
        for child_id, family_id, kind, last in (
            Celebration.objects.filter(family_id__in=flagged, voided_at__isnull=True, celebrated_on__gte=year_ago,
                                       celebrated_on__lte=as_of)
            .order_by().values_list("child_id", "family_id", "kind").annotate(last=Max("celebrated_on"))
        ):
            if last >= family_periods[family_id].start and last >= earliest:
                kinds_in_period[child_id].add(kind)
            if child_id not in last_celebrated or last > last_celebrated[child_id]:
                last_celebrated[child_id] = last
        week = reverse("week:my_week")
        for fid in flagged:
            kids = children.get(fid, [])
            rows.append(FamilyToCelebrate(
                family=families[fid], positivity=positivity[fid], children=kids,
                suggestions=suggestions_for(kids, kinds_in_period, last_celebrated, family_periods[fid], week),
                record_url=record_url(child=kids[0], next_url=week) if len(kids) == 1 else record_url(family_id=fid, next_url=week),
            ))
    return CelebratePanel(families=rows, own=own, period=period, rule=rule, family_count=len(families),
                          own_predominantly_positive=own.predominantly_positive(rule.threshold_percent))


def register() -> None:
    register_week_panel(WeekPanel(CELEBRATE_PANEL, 20, "celebrations/_week_panel.html", build))
