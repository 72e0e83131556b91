"""Reads of obligations and compliance figures, scoped to the acting user, in a fixed number of queries."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.accounts.capabilities import MANAGE_ALLOCATIONS
from keyworker.accounts.models import StaffMember
from keyworker.organisations.calendar import Period, TermCalendar
from keyworker.organisations.models import HalfTerm, Setting
from keyworker.people.models import Carer
from keyworker.people.selectors import families_visible_to

from .models import OPEN_STATES, Obligation, ObligationEvent, ObligationState, Standard, Subject

# How each state shows on screen: a word, an icon and a colour (never colour alone).
STATE_DISPLAY: dict[str, tuple[str, str, str]] = {
    ObligationState.MET: ("Met", "✓", "ok"),
    ObligationState.DUE_SOON: ("Due soon", "◷", "warn"),
    ObligationState.OVERDUE: ("Overdue", "!", "bad"),
    ObligationState.ESCALATED: ("Escalated", "▲", "bad"),
    ObligationState.WAIVED: ("Waived", "–", "info"),
    ObligationState.UPCOMING: ("Upcoming", "○", "info"),
    ObligationState.MISSED: ("Missed", "✗", "bad"),
}

LATE_STATES = (ObligationState.OVERDUE, ObligationState.ESCALATED)


def state_display(state: str) -> dict[str, str]:
    word, icon, tone = STATE_DISPLAY.get(state, (state, "", "info"))
    return {"word": word, "icon": icon, "tone": tone}


def obligations_visible_to(actor: Actor) -> QuerySet[Obligation]:
    """Obligations of the families the actor may see, the actor's own duties (a key worker's or a setting's, with
    no family), and the settings' duties where the actor leads; nothing of another organisation."""
    if not actor.staff:
        return Obligation.objects.none()
    leads = [sid for sid in actor.setting_ids if actor.can(MANAGE_ALLOCATIONS, sid)]
    return Obligation.objects.filter(organisation_id=actor.organisation_id).filter(
        Q(family__in=families_visible_to(actor).values("id"))
        | Q(family__isnull=True) & (Q(responsible_staff=actor.staff) | Q(setting_id__in=leads))
    )


def access_obligation(actor: Actor, obligation_id: int) -> Obligation:
    """The obligation if the actor may see its family; otherwise it does not exist (404)."""
    obligation = (
        obligations_visible_to(actor)
        .select_related("standard__policy_version__policy", "family", "child", "setting", "responsible_staff__user")
        .filter(pk=obligation_id)
        .first()
    )
    if obligation is None:
        raise Http404("No such obligation")
    return obligation


def obligation_history(obligation: Obligation) -> QuerySet[ObligationEvent]:
    return obligation.events.select_related("actor").order_by("at", "id")


# My week ---------------------------------------------------------------------------------------------


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday to Sunday of the week holding `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


@dataclass
class WeekRow:
    obligation: Obligation
    state: dict[str, str]
    preferred_contact: str = ""
    last_met_on: dt.date | None = None
    # The action that records what meets it (from its evidence source): a label and the page, or none.
    action_label: str = ""
    action_url: str = ""


@dataclass
class MyWeek:
    week_start: dt.date
    week_end: dt.date
    holds_today: bool = True
    overdue: list[WeekRow] = field(default_factory=list)
    due_this_week: list[WeekRow] = field(default_factory=list)
    coming_up: list[WeekRow] = field(default_factory=list)
    done_this_week: list[WeekRow] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return len(self.overdue) + len(self.due_this_week) + len(self.coming_up)


def obligation_action(obligation: Obligation) -> tuple[str, str]:
    """The label and page of the action that meets an obligation still to do ("", "" when there is none): the one
    its evidence source registers, so a briefing offers "Mark as read" and an absence "Record the follow-up"."""
    from .evidence import evidence_source

    if obligation.state not in OPEN_STATES:
        return "", ""
    source = evidence_source(obligation.standard.evidence)
    if source is None or source.action is None:
        return "", ""
    url = source.action.url(obligation)
    return (source.action.label, url) if url else ("", "")


def obligation_meets(obligation: Obligation) -> str:
    """One line saying what meets the obligation, from its evidence source ("" when the source does not say)."""
    from .evidence import evidence_source

    source = evidence_source(obligation.standard.evidence)
    if source is None:
        return ""
    return source.action.meets if source.action and source.action.meets else source.label


def my_week(actor: Actor, as_of: dt.date, *, today: dt.date | None = None) -> MyWeek:
    """The acting key worker's obligations around the week of as_of, in three queries whatever the caseload.

    What is still to do, never what is settled: a missed obligation (its period closed) is in no list.
    - due this week: open, due within that Monday to Sunday;
    - coming up: open, due after that Sunday;
    - overdue: open and late (due before today), only when the week holds `today` (default: as_of);
    - done this week: met within the week.
    A past or future week is read as it stands today: a past week lists what it still owes, a future one what falls
    due in it; neither repeats today's overdue list.
    """
    week_start, week_end = week_of(as_of)
    today = as_of if today is None else today
    holds_today = week_start <= today <= week_end
    out = MyWeek(week_start, week_end, holds_today)
    if not actor.staff:
        return out
    still_open = Q(state__in=OPEN_STATES) if holds_today else Q(state__in=OPEN_STATES, due_on__gte=week_start)
    obligations = list(
        # Families' and children's obligations, and the key worker's own duties (no family: listed by standard).
        Obligation.objects.filter(organisation_id=actor.organisation_id, responsible_staff=actor.staff)
        .filter(still_open | Q(state=ObligationState.MET, met_on__range=(week_start, week_end)))
        .select_related("standard", "family", "child", "setting")
        .order_by("due_on", "family__name", "id")
    )
    family_ids = {o.family_id for o in obligations if o.family_id}
    # The first carer in contact order speaks for the family's preferred method.
    preferred: dict[int, str] = {}
    for carer in Carer.objects.filter(family_id__in=family_ids).order_by("family_id", "contact_order", "id"):
        preferred.setdefault(carer.family_id, carer.get_preferred_contact_method_display())
    last_met = {
        (r["family_id"], r["standard_id"]): r["last"]
        for r in Obligation.objects.filter(
            organisation_id=actor.organisation_id, family_id__in=family_ids, child__isnull=True,
            state=ObligationState.MET, met_on__lte=max(as_of, today),
        ).values("family_id", "standard_id").annotate(last=Max("met_on"))
    }
    for o in obligations:
        row = WeekRow(o, state_display(o.state))
        if o.standard.subject == Subject.FAMILY:
            row.preferred_contact = preferred.get(o.family_id, "")
            row.last_met_on = last_met.get((o.family_id, o.standard_id))
        row.action_label, row.action_url = obligation_action(o)
        if o.state == ObligationState.MET:
            out.done_this_week.append(row)
        elif holds_today and (o.state in LATE_STATES or o.due_on < week_start):
            out.overdue.append(row)
        elif o.due_on <= week_end:
            out.due_this_week.append(row)
        else:
            out.coming_up.append(row)
    return out


# Missed this half term -------------------------------------------------------------------------------


def _half_term_start(as_of: dt.date):
    """For each obligation's setting, the start of the half term holding as_of (in a holiday, the last one before)."""
    return Subquery(
        HalfTerm.objects.filter(setting_id=OuterRef("setting_id"), starts_on__lte=as_of).order_by("-starts_on").values("starts_on")[:1]
    )


def missed_this_half_term(actor: Actor, as_of: dt.date, *, mine: bool) -> QuerySet[Obligation]:
    """Missed obligations (their period closed without what meets them) due in the half term of as_of, each in its
    own setting's calendar: the key worker's own (`mine`), or those of the settings the actor leads. Scoped to what
    the actor may see."""
    qs = obligations_visible_to(actor).filter(state=ObligationState.MISSED, due_on__lte=as_of)
    if mine:
        qs = qs.filter(responsible_staff=actor.staff)
    else:
        leads = [sid for sid in actor.setting_ids if actor.can(MANAGE_ALLOCATIONS, sid)]
        if actor.has_organisation_scope and actor.can(MANAGE_ALLOCATIONS):
            leads = list(Setting.objects.filter(organisation_id=actor.organisation_id).values_list("id", flat=True))
        qs = qs.filter(setting_id__in=leads)
    return qs.annotate(half_term_start=_half_term_start(as_of)).filter(due_on__gte=F("half_term_start"))


@dataclass(frozen=True)
class MissedSummary:
    mine: int | None      # the key worker's own (None: not a key worker)
    settings: int | None  # across the settings the actor leads (None: leads none)

    @property
    def any(self) -> bool:
        return self.mine is not None or self.settings is not None


def missed_summary(actor: Actor, as_of: dt.date) -> MissedSummary:
    """The "N missed this half term" figures for My week: one query each."""
    if not actor.staff:
        return MissedSummary(None, None)
    mine = missed_this_half_term(actor, as_of, mine=True).count() if actor.is_key_worker else None
    settings = missed_this_half_term(actor, as_of, mine=False).count() if actor.is_leader else None
    return MissedSummary(mine, settings)


# Compliance ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    met: int
    due: int
    late: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.met / self.due) if self.due else None

    @property
    def level(self) -> dict[str, str]:
        """A word, an icon and a tone for the share: on track (90 % or more), slipping (70 % or more), behind."""
        p = self.percent
        if p is None:
            return {"word": "Nothing due", "icon": "–", "tone": "none"}
        if p >= 90:
            return {"word": "On track", "icon": "✓", "tone": "ok"}
        if p >= 70:
            return {"word": "Slipping", "icon": "◷", "tone": "warn"}
        return {"word": "Behind", "icon": "!", "tone": "bad"}


def clause_order(clause: str) -> tuple:
    """SCH-2 before SCH-10: the numbers in a clause compare as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", clause))


def counted(as_of: dt.date) -> Q:
    """What a compliance figure counts: obligations due by as_of, and any met early; waived ones are left out."""
    return (Q(due_on__lte=as_of) | Q(state=ObligationState.MET)) & ~Q(state=ObligationState.WAIVED)


def half_term_of(cal: TermCalendar, as_of: dt.date) -> Period | None:
    """The half term holding as_of or, in a holiday, the last one before it."""
    return cal.half_term_for(as_of) or next((h for h in reversed(cal.half_terms) if h.starts_on <= as_of), None)


@dataclass
class HeatmapRow:
    staff: StaffMember | None  # None: the families without a key worker
    cells: list[tuple[Standard, Share]]
    total: Share


@dataclass
class Heatmap:
    setting: Setting
    half_term: Period | None
    as_of: dt.date
    standards: list[Standard]
    rows: list[HeatmapRow]


def team_compliance(actor: Actor, setting: Setting, as_of: dt.date) -> Heatmap:
    """Key workers × standards in the half term of as_of: met / due per cell, aggregated in one query."""
    half_term = half_term_of(TermCalendar.for_setting(setting), as_of)
    if half_term is None:
        return Heatmap(setting, None, as_of, [], [])
    figures = list(
        obligations_visible_to(actor)
        .filter(setting=setting, due_on__range=(half_term.starts_on, half_term.ends_on))
        .filter(counted(as_of))
        .values("responsible_staff_id", "standard_id")
        .annotate(
            due=Count("id"),
            met=Count("id", filter=Q(state=ObligationState.MET)),
            late=Count("id", filter=Q(state__in=LATE_STATES)),
        )
        .order_by()
    )
    # Columns: every standard switched on for this kind of setting, and any other with figures this half term.
    with_figures = {f["standard_id"] for f in figures}
    standards = [
        s for s in Standard.objects.filter(Q(enabled=True, policy_version__in_force=True) | Q(id__in=with_figures), organisation_id=actor.organisation_id)
        if s.pk in with_figures or not s.setting_kinds or setting.kind in s.setting_kinds
    ]
    standards.sort(key=lambda s: (clause_order(s.clause), s.pk))
    staff_ids = {f["responsible_staff_id"] for f in figures} - {None}
    staff = sorted(
        StaffMember.objects.filter(organisation_id=actor.organisation_id, id__in=staff_ids).select_related("user"),
        key=lambda s: s.user.full_name,
    )
    grid = {(f["responsible_staff_id"], f["standard_id"]): Share(f["met"], f["due"], f["late"]) for f in figures}
    rows = []
    for person in [*staff, None]:
        sid = person.pk if person else None
        if person is None and not any(k[0] is None for k in grid):
            continue
        cells = [(s, grid.get((sid, s.pk), Share(0, 0))) for s in standards]
        total = Share(sum(c.met for _, c in cells), sum(c.due for _, c in cells), sum(c.late for _, c in cells))
        rows.append(HeatmapRow(person, cells, total))
    return Heatmap(setting, half_term, as_of, standards, rows)


def compliance_drilldown(
    actor: Actor, setting: Setting, half_term: Period, as_of: dt.date, *, staff_id: int | None, standard_id: int
) -> list[Obligation]:
    """The obligations behind one heatmap cell (staff_id None: families without a key worker)."""
    qs = (
        obligations_visible_to(actor)
        .filter(setting=setting, standard_id=standard_id, due_on__range=(half_term.starts_on, half_term.ends_on))
        .filter(counted(as_of))
        .select_related("family", "child", "standard")
        .order_by("family__name", "due_on", "id")
    )
    qs = qs.filter(responsible_staff__isnull=True) if staff_id is None else qs.filter(responsible_staff_id=staff_id)
    out = list(qs)
    for o in out:
        o.display = state_display(o.state)
    return out


@dataclass(frozen=True)
class HalfTermColumn:
    name: str
    starts_on: dt.date


@dataclass
class ClauseSeries:
    standard: Standard
    shares: list[Share]


@dataclass
class OrgCompliance:
    as_of: dt.date
    half_terms: list[HalfTermColumn]
    series: list[ClauseSeries]


def org_compliance(actor: Actor, settings: list[Setting], as_of: dt.date) -> OrgCompliance:
    """For each standard, the share met in each half term of the school year so far, across the given settings.

    Half terms are matched across settings by name ("Autumn 1"); each setting counts its own dates. The figures
    come from one aggregate query: a pair of filtered counts per half term, grouped by standard.
    """
    if not settings:
        return OrgCompliance(as_of, [], [])
    halves = list(
        HalfTerm.objects.filter(organisation_id=actor.organisation_id, setting__in=settings, starts_on__lte=as_of)
        .select_related("term")
        .order_by("starts_on")
    )
    # Each setting's school year so far: the year of its latest half term started by as_of.
    latest_year = {h.setting_id: h.term.school_year for h in halves}
    this_year = [h for h in halves if h.term.school_year == latest_year[h.setting_id]]
    columns: dict[str, HalfTermColumn] = {}
    windows: dict[str, Q] = {}
    for h in this_year:
        columns.setdefault(h.name, HalfTermColumn(h.name, h.starts_on))
        window = Q(setting_id=h.setting_id, due_on__range=(h.starts_on, h.ends_on))
        windows[h.name] = windows[h.name] | window if h.name in windows else window
    ordered = sorted(columns.values(), key=lambda c: c.starts_on)
    if not ordered:
        return OrgCompliance(as_of, [], [])
    annotations = {}
    for i, col in enumerate(ordered):
        annotations[f"due_{i}"] = Count("id", filter=windows[col.name])
        annotations[f"met_{i}"] = Count("id", filter=windows[col.name] & Q(state=ObligationState.MET))
    figures = {
        r["standard_id"]: r
        for r in obligations_visible_to(actor)
        .filter(setting__in=settings)
        .filter(counted(as_of))
        .values("standard_id")
        .annotate(**annotations)
        .order_by()
    }
    standards = sorted(
        Standard.objects.filter(organisation_id=actor.organisation_id, id__in=figures), key=lambda s: (clause_order(s.clause), s.pk)
    )
    series = [
        ClauseSeries(s, [Share(figures[s.pk][f"met_{i}"], figures[s.pk][f"due_{i}"]) for i in range(len(ordered))])
        for s in standards
    ]
    return OrgCompliance(as_of, ordered, series)
