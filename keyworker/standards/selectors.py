"""Reads of obligations and compliance figures, scoped to the acting user, in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.accounts.policies import is_leader, led_setting_ids
from keyworker.organisations.calendar import Period, TermCalendar
from keyworker.organisations.models import HalfTerm, Setting
from keyworker.people.models import Carer
from keyworker.people.selectors import families_visible_to

from .compliance import (
    Figures,
    Share,  # noqa: F401 - read from here by the pages
    applies_to,
    clause_order,  # noqa: F401 - read from here by the pages
    figure_counts,
    half_term_of,
    half_term_windows,
    in_period,
    standard_order,
)
from .models import (
    OPEN_STATES,
    EngineRun,
    Obligation,
    ObligationEvent,
    ObligationState,
    PolicyVersion,
    Standard,
    StandardRevision,
    Subject,
)

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
    leads = [sid for sid in actor.setting_ids if is_leader(actor, sid)]
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
    # The family's preferred contact method whatever the standard's subject (a child's duty is met with the family too).
    family_contact: str = ""
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
        row = WeekRow(o, state_display(o.state), family_contact=preferred.get(o.family_id, ""))
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


def half_term_starts(organisation_id: int, as_of: dt.date) -> dict[int, dt.date]:
    """For each setting of the organisation, the start of the half term holding as_of (in a holiday, the last one
    before): one query, a row per setting."""
    return dict(
        HalfTerm.objects.filter(organisation_id=organisation_id, starts_on__lte=as_of)
        .values("setting_id").annotate(start=Max("starts_on")).values_list("setting_id", "start").order_by()
    )


def missed_this_half_term(actor: Actor, as_of: dt.date, *, mine: bool,
                          starts: dict[int, dt.date] | None = None) -> QuerySet[Obligation]:
    """Missed obligations (their period closed without what meets them) due in the half term of as_of, each in its
    own setting's calendar: the key worker's own (`mine`), or those of the settings the actor leads. Scoped to what
    the actor may see. `starts`: half_term_starts() when the caller has it already."""
    qs = obligations_visible_to(actor).filter(state=ObligationState.MISSED, due_on__lte=as_of)
    if mine:
        qs = qs.filter(responsible_staff=actor.staff)
    else:
        leads = led_setting_ids(actor)
        if leads is not None:
            qs = qs.filter(setting_id__in=leads)
    if starts is None:
        starts = half_term_starts(actor.organisation_id, as_of)
    # Each setting's own half term as a range of due dates (settings sharing a calendar share one term), so the
    # index on (organisation, state, due_on) reads this half term's rows only, not every missed obligation of the
    # organisation's history with a look-up of its half term each.
    settings_from: dict[dt.date, list[int]] = {}
    for setting_id, start in starts.items():
        settings_from.setdefault(start, []).append(setting_id)
    if not settings_from:
        return qs.none()
    in_half_term = Q()
    for start, setting_ids in sorted(settings_from.items()):
        in_half_term |= Q(setting_id__in=sorted(setting_ids), due_on__gte=start)
    return qs.filter(in_half_term)


@dataclass(frozen=True)
class MissedSummary:
    mine: int | None      # the key worker's own (None: not a key worker)
    settings: int | None  # across the settings the actor leads (None: leads none)

    @property
    def any(self) -> bool:
        return self.mine is not None or self.settings is not None


def missed_summary(actor: Actor, as_of: dt.date) -> MissedSummary:
    """The "N missed this half term" figures for My week: one query each, and one for the half terms."""
    if not actor.staff:
        return MissedSummary(None, None)
    if not (actor.is_key_worker or actor.is_leader):
        return MissedSummary(None, None)
    starts = half_term_starts(actor.organisation_id, as_of)
    mine = missed_this_half_term(actor, as_of, mine=True, starts=starts).count() if actor.is_key_worker else None
    settings = missed_this_half_term(actor, as_of, mine=False, starts=starts).count() if actor.is_leader else None
    return MissedSummary(mine, settings)


# Compliance: every figure is compliance.Figures, counted by compliance.figure_counts ----------------------------


@dataclass
class HeatmapRow:
    staff: StaffMember | None  # None: the families without a key worker (and the setting's own duties)
    cells: list[tuple[Standard, Figures]]
    total: Figures


@dataclass
class Heatmap:
    setting: Setting
    half_term: Period | None
    as_of: dt.date
    standards: list[Standard]
    rows: list[HeatmapRow]
    # Per clause, the setting's figure (every row added up), in the order of `standards`.
    clause_totals: list[tuple[Standard, Figures]] = field(default_factory=list)
    # Per clause, obligations of earlier periods still open on as_of: not in this half term's figure, still to do.
    earlier_open: list[tuple[Standard, int]] = field(default_factory=list)
    half_terms: list[Period] = field(default_factory=list)  # the school year's half terms started by as_of
    only_staff: StaffMember | None = None  # set when the reader sees only their own row (a key worker)
    # Per clause, the setting's figure for the school year so far (from its first half term to as_of).
    year_totals: list[tuple[Standard, Figures]] = field(default_factory=list)
    year_start: dt.date | None = None

    @property
    def clauses(self) -> list[tuple[Standard, Figures, Figures, int]]:
        """Each clause: this half term's figure, the school year's so far, and what earlier periods left open."""
        year = {s.pk: f for s, f in self.year_totals}
        earlier = {s.pk: n for s, n in self.earlier_open}
        return [(s, f, year.get(s.pk, Figures()), earlier.get(s.pk, 0)) for s, f in self.clause_totals]


def _scoped(actor: Actor, only_staff: StaffMember | None) -> QuerySet[Obligation]:
    qs = obligations_visible_to(actor)
    return qs.filter(responsible_staff=only_staff) if only_staff is not None else qs


def setting_standards(organisation_id: int, setting: Setting, with_figures: set[int] = frozenset()) -> list[Standard]:
    """The clauses a setting lists, in clause order: those of its kind switched on in a version in force, and any of
    its kind with figures; never one of another kind of setting."""
    standards = [
        s for s in Standard.objects.filter(
            Q(enabled=True, policy_version__in_force=True) | Q(id__in=with_figures), organisation_id=organisation_id
        )
        if applies_to(s, setting)
    ]
    return sorted(standards, key=standard_order)


def team_compliance(actor: Actor, setting: Setting, as_of: dt.date, *, only_staff: StaffMember | None = None) -> Heatmap:
    """Key workers × clauses in the half term of as_of (with the holiday after it), as Figures per cell, from one
    aggregate query; one more counts what earlier periods left open, one more each clause's school year so far.
    `only_staff`: that key worker's row alone."""
    cal = TermCalendar.for_setting(setting)
    half_term = half_term_of(cal, as_of)
    if half_term is None:
        return Heatmap(setting, None, as_of, [], [], only_staff=only_staff)
    year_start = cal.school_year_start(as_of) or dt.date.min
    year = [h for h in half_term_windows(cal) if year_start <= h.starts_on <= as_of]
    scoped = _scoped(actor, only_staff).filter(setting=setting)
    figures = list(
        scoped.filter(in_period(half_term.starts_on, half_term.ends_on, as_of))
        .values("responsible_staff_id", "standard_id")
        .annotate(**figure_counts(Q()))
        .order_by()
    )
    earlier = dict(
        scoped.filter(due_on__lt=half_term.starts_on, state__in=OPEN_STATES)
        .values_list("standard_id").annotate(n=Count("id")).order_by()
    )
    year_from = year[0].starts_on if year else half_term.starts_on
    year_figures = {
        r["standard_id"]: Figures.from_row(r)
        for r in scoped.filter(in_period(year_from, as_of, as_of)).values("standard_id")
        .annotate(**figure_counts(Q())).order_by()
    }
    with_figures = {f["standard_id"] for f in figures} | set(earlier) | set(year_figures)
    standards = setting_standards(actor.organisation_id, setting, with_figures)
    shown = {s.pk for s in standards}
    staff_ids = {f["responsible_staff_id"] for f in figures} - {None}
    if only_staff is not None:
        staff_ids = {only_staff.pk}
    staff = sorted(
        StaffMember.objects.filter(organisation_id=actor.organisation_id, id__in=staff_ids).select_related("user"),
        key=lambda s: s.user.full_name,
    )
    grid = {(f["responsible_staff_id"], f["standard_id"]): Figures.from_row(f) for f in figures
            if f["standard_id"] in shown}
    rows = []
    for person in [*staff, None]:
        sid = person.pk if person else None
        if person is None and not any(k[0] is None for k in grid):
            continue
        cells = [(s, grid.get((sid, s.pk), Figures())) for s in standards]
        rows.append(HeatmapRow(person, cells, sum((c for _, c in cells), Figures())))
    totals = [(s, sum((grid.get((r.staff.pk if r.staff else None, s.pk), Figures()) for r in rows), Figures()))
              for s in standards]
    return Heatmap(setting, half_term, as_of, standards, rows, totals,
                   [(s, earlier[s.pk]) for s in standards if earlier.get(s.pk)],
                   year, only_staff, [(s, year_figures.get(s.pk, Figures())) for s in standards], year_from)


ALL_STAFF = "all"


def compliance_drilldown(
    actor: Actor, setting: Setting, half_term: Period, as_of: dt.date, *, staff_id: int | None | str,
    standard_id: int, earlier: bool = False, only_staff: StaffMember | None = None,
) -> list[Obligation]:
    """The obligations behind one heatmap cell (staff_id None: families without a key worker; "all": the clause's
    total); `earlier`: those of earlier periods still open on as_of instead."""
    qs = _scoped(actor, only_staff).filter(setting=setting, standard_id=standard_id)
    if earlier:
        qs = qs.filter(due_on__lt=half_term.starts_on, state__in=OPEN_STATES)
    else:
        qs = qs.filter(in_period(half_term.starts_on, half_term.ends_on, as_of))
    qs = qs.select_related("family", "child", "standard", "setting").order_by("family__name", "due_on", "id")
    if staff_id is None:
        qs = qs.filter(responsible_staff__isnull=True)
    elif staff_id != ALL_STAFF:
        qs = qs.filter(responsible_staff_id=staff_id)
    out = list(qs)
    for o in out:
        o.display = outcome_display(o)
    return out


def outcome_display(o: Obligation) -> dict[str, str]:
    """How an obligation counts in the figures: met on time, met late, missed, waived, or still open (its state)."""
    if o.state == ObligationState.MET:
        late = o.met_late or (o.met_on is not None and o.met_on > o.due_on)
        return {"word": "Met late", "icon": "✓", "tone": "warn"} if late else state_display(o.state)
    if o.state == ObligationState.MISSED:
        return {"word": "Missed", "icon": "✗", "tone": "bad"}
    return state_display(o.state)


@dataclass(frozen=True)
class HalfTermColumn:
    name: str
    starts_on: dt.date


@dataclass
class ClauseSeries:
    standard: Standard
    shares: list[Figures]


@dataclass
class OrgCompliance:
    as_of: dt.date
    half_terms: list[HalfTermColumn]
    series: list[ClauseSeries]


def org_compliance(actor: Actor, settings: list[Setting], as_of: dt.date) -> OrgCompliance:
    """For each clause, its Figures in each half term (with the holiday after it) of the school year so far, across
    the given settings.

    Half terms are matched across settings by name ("Autumn 1"); each setting counts its own dates, and only the
    clauses of its kind. The figures come from one aggregate query: a set of filtered counts per half term, grouped by
    standard.
    """
    if not settings:
        return OrgCompliance(as_of, [], [])
    halves = list(
        HalfTerm.objects.filter(organisation_id=actor.organisation_id, setting__in=settings)
        .select_related("term")
        .order_by("setting_id", "starts_on")
    )
    # Each half term's window runs to the day before the setting's next half term.
    windows_of: list[tuple[HalfTerm, dt.date]] = []
    for i, h in enumerate(halves):
        nxt = halves[i + 1] if i + 1 < len(halves) and halves[i + 1].setting_id == h.setting_id else None
        windows_of.append((h, max(h.ends_on, nxt.starts_on - dt.timedelta(days=1)) if nxt else h.ends_on))
    started = [(h, end) for h, end in windows_of if h.starts_on <= as_of]
    # Each setting's school year so far: the year of its latest half term started by as_of.
    latest_year = {h.setting_id: h.term.school_year for h, _ in sorted(started, key=lambda p: p[0].starts_on)}
    this_year = [(h, end) for h, end in started if h.term.school_year == latest_year[h.setting_id]]
    standards = [s for s in Standard.objects.filter(organisation_id=actor.organisation_id)]
    kinds = {st.pk: [s.pk for s in standards if applies_to(s, st)] for st in settings}
    columns: dict[str, HalfTermColumn] = {}
    windows: dict[str, Q] = {}
    for h, end in this_year:
        columns.setdefault(h.name, HalfTermColumn(h.name, h.starts_on))
        window = Q(setting_id=h.setting_id, standard_id__in=kinds[h.setting_id]) & in_period(h.starts_on, end, as_of)
        windows[h.name] = windows[h.name] | window if h.name in windows else window
    ordered = sorted(columns.values(), key=lambda c: c.starts_on)
    if not ordered:
        return OrgCompliance(as_of, [], [])
    annotations = {}
    for i, col in enumerate(ordered):
        annotations.update(figure_counts(windows[col.name], prefix=f"h{i}_"))
    figures = {
        r["standard_id"]: r
        for r in _scoped(actor, None)
        .filter(setting__in=settings)
        .values("standard_id")
        .annotate(**annotations)
        .order_by()
    }
    with_figures = sorted((s for s in standards if s.pk in figures and figures[s.pk] and any(
        figures[s.pk][f"h{i}_due"] for i in range(len(ordered)))), key=standard_order)
    series = [ClauseSeries(s, [Figures.from_row(figures[s.pk], f"h{i}_") for i in range(len(ordered))])
              for s in with_figures]
    return OrgCompliance(as_of, ordered, series)


@dataclass
class EngineProgress:
    """Obligations of a policy's latest changes still being worked out: how far the organisation's run has got."""

    running: bool
    done: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def engine_progress(policy) -> EngineProgress | None:
    """None when the policy's version and changes are applied; else whether a whole-organisation run is under way
    and how many families it has done (at most three queries)."""
    waiting = (PolicyVersion.objects.filter(policy=policy, in_force=True, applied_at__isnull=True).exists()
               or StandardRevision.objects.filter(standard__policy_version__policy=policy, applied_at__isnull=True).exists())
    if not waiting:
        return None
    run = EngineRun.objects.filter(organisation_id=policy.organisation_id, finished_at__isnull=True).first()
    if run is None:
        return EngineProgress(running=False)
    return EngineProgress(running=True, done=run.families_done, total=run.families_total)
