"""The evidence pack: per-clause compliance figures for one setting and period, as an inspector reads them."""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.core import clock
from keyworker.organisations.calendar import Period, TermCalendar
from keyworker.organisations.models import Setting
from keyworker.people.selectors import families_in_setting

from .compliance import (
    DEFINITION,
    Figures,
    Share,
    applies_to,
    figure_counts,
    half_term_of,
    half_term_windows,
    in_period,
    standard_order,
)
from .models import Cadence, ObligationState, Policy, PolicyVersion, Standard, Subject
from .responsibility import current_allocations
from .selectors import obligations_visible_to

S = ObligationState
# The longest period one pack covers: two school years.
MAX_DAYS = 2 * 366
RECURRING = (Cadence.WEEKLY_TERM_TIME, Cadence.HALF_TERMLY, Cadence.TERMLY, Cadence.EVERY_N_MONTHS)
_UNITS = {
    Cadence.WEEKLY_TERM_TIME: ("week", "weeks"),
    Cadence.HALF_TERMLY: ("half term", "half terms"),
    Cadence.TERMLY: ("term", "terms"),
    Cadence.EVERY_N_MONTHS: ("month", "months"),
}


@dataclass
class ClauseFigures:
    standard: Standard
    figures: Figures
    escalated: int = 0  # of the still open
    not_yet_due: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)
    median_gap_days: float | None = None
    families_with_gaps: int = 0
    summary_text: str = ""

    @property
    def share(self) -> Share:
        return self.figures.share

    @property
    def met_on_time(self) -> int:
        return self.figures.met_on_time

    @property
    def met_late(self) -> int:
        return self.figures.met_late

    @property
    def missed(self) -> int:
        return self.figures.missed

    @property
    def waived(self) -> int:
        return self.figures.waived

    @property
    def still_open(self) -> int:
        return self.figures.still_open

    @property
    def recurring_family(self) -> bool:
        return self.standard.subject == Subject.FAMILY and self.standard.cadence in RECURRING

    @property
    def unit(self) -> str:
        """What one obligation stands for: "family-weeks", "child-half terms", or "obligations" for one-offs."""
        words = _UNITS.get(self.standard.cadence)
        if words is None:
            return "obligations"
        n = self.standard.cadence_n
        plural = words[1] if n == 1 else f"periods of {n} {words[1]}"
        who = "family" if self.standard.subject == Subject.FAMILY else "child"
        return f"{who}-{plural}"

    def rows(self) -> list[tuple[str, str]]:
        """The figures as (label, value) rows, shared by the page and the PDF."""
        f = self.figures
        pct = str(f.share)
        still_open = f"{f.still_open} ({self.escalated} escalated)" if self.escalated else str(f.still_open)
        out = [
            ("Due", str(f.due)),
            ("Met on time", str(f.met_on_time)),
            ("Met late", str(f.met_late)),
            ("Missed", str(f.missed)),
            ("Waived, with a reason", str(f.waived)),
            ("Still open", still_open),
            ("Share met: (met on time + met late) ÷ (due − waived)",
             f"{pct} ({f.share.level['word']})" if f.counted else pct),
            ("Not yet due (not counted)", str(self.not_yet_due)),
        ]
        if self.recurring_family:
            gap = (f"{_number(self.median_gap_days)} days (over {self.families_with_gaps} "
                   f"famil{'y' if self.families_with_gaps == 1 else 'ies'})") if self.median_gap_days is not None \
                else "Not enough met records yet"
            out.append(("Median days between met records per family", gap))
        return out

    def summary(self, period_words: str) -> str:
        """One sentence, e.g. "Weekly contact: 94 % of family-weeks this half term; median days between contacts 6"."""
        if not self.share.due:
            text = f"{self.standard.title}: nothing fell due {period_words}"
        else:
            text = (f"{self.standard.title}: {self.share.percent} % of {self.unit} met {period_words} "
                    f"({self.share.met} of {self.share.due})")
        if self.median_gap_days is not None:
            text += f"; median days between successive met records for the same family {_number(self.median_gap_days)}"
        return text


@dataclass
class PolicySection:
    policy: Policy
    version: PolicyVersion
    versions: int
    responsible_staff: list[str]
    clauses: list[ClauseFigures]

    def rows(self) -> list[tuple[str, str]]:
        """The policy's details required by CC-D1, as (label, value) rows."""
        return [
            ("Title", self.policy.title),
            ("Version", f"{self.version.number} (of {self.versions} in its history)"),
            ("Responsible officer", self.policy.responsible_officer or "Not recorded"),
            ("Responsible staff", ", ".join(self.responsible_staff) or "None named"),
            ("Author", self.policy.author or "Not recorded"),
            ("Effective from", long_date(self.version.effective_from)),
            ("Review date", long_date(self.version.review_on)),
        ]


@dataclass
class Coverage:
    allocated: int
    families: int

    @property
    def share(self) -> Share:
        return Share(self.allocated, self.families)


@dataclass
class EvidencePack:
    definition = DEFINITION
    organisation_name: str
    setting: Setting
    start: dt.date
    end: dt.date
    as_of: dt.date
    half_term: Period | None  # the half term the period is exactly, if it is one
    sections: list[PolicySection]
    coverage: Coverage
    generated_at: dt.datetime

    @property
    def period_words(self) -> str:
        return _period_words(self.half_term)

    @property
    def where(self) -> str:
        """The organisation and the setting, the name once when the setting bears the organisation's name."""
        if self.setting.name.casefold() == self.organisation_name.casefold():
            return self.setting.name
        return f"{self.organisation_name}, {self.setting.name}"

    @property
    def clause_prefix(self) -> str:
        """The source policy the pack's clauses come from ("SCH" or "CC"), by its clauses; "" with none."""
        for section in self.sections:
            for c in section.clauses:
                return c.standard.clause.split("-", 1)[0]
        return ""

    @property
    def coverage_clause(self) -> str:
        """The clause that asks for a key worker for every family, in this setting's own policy (SCH-A1 or CC-A1)."""
        return f"{self.clause_prefix}-A1" if self.clause_prefix else ""

    @property
    def document_clause(self) -> str:
        """The clause about the policy document itself (CC-D1), cited only in a pack of the childcare policy."""
        return "CC-D1" if self.clause_prefix == "CC" else ""

    @property
    def period_label(self) -> str:
        dates = f"{short_date(self.start)} to {short_date(self.end)}"
        return f"{self.half_term.name} ({dates})" if self.half_term else dates


def long_date(day: dt.date) -> str:
    """A date the British way: "Tue 3 March 2026"."""
    return f"{day:%a} {day.day} {day:%B %Y}"


def short_date(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def _period_words(half_term: Period | None) -> str:
    return "this half term" if half_term is not None else "in the period"


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


def default_period(cal: TermCalendar, today: dt.date) -> tuple[dt.date, dt.date]:
    """The half term holding today (or the last one before it), with the holiday after it, as the compliance pages
    count it; without a calendar, the last six weeks."""
    half = half_term_of(cal, today)
    if half is not None:
        return half.starts_on, half.ends_on
    return today - dt.timedelta(weeks=6), today


def current_versions(organisation_id: int) -> list[PolicyVersion]:
    """The latest version of each of the organisation's policies, with the policy and its responsible staff."""
    latest: dict[int, PolicyVersion] = {}
    counts: dict[int, int] = defaultdict(int)
    qs = (
        PolicyVersion.objects.filter(organisation_id=organisation_id)
        .select_related("policy")
        .prefetch_related(Prefetch("policy__responsible_staff", queryset=StaffMember.objects.select_related("user")))
        .order_by("policy__title", "policy_id", "-number")
    )
    for v in qs:
        counts[v.policy_id] += 1
        latest.setdefault(v.policy_id, v)
    for v in latest.values():
        v.version_count = counts[v.policy_id]
    return list(latest.values())


def _gaps(met: list[tuple[int, int, dt.date]]) -> dict[int, tuple[float | None, int]]:
    """Per standard: the median of the days between successive met records of the same family, and how many families."""
    dates: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for standard_id, family_id, day in met:
        dates[(standard_id, family_id)].append(day)
    pooled: dict[int, list[int]] = defaultdict(list)
    families: dict[int, int] = defaultdict(int)
    for (standard_id, _), days in dates.items():
        days = sorted(set(days))
        if len(days) < 2:
            continue
        families[standard_id] += 1
        pooled[standard_id] += [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    return {sid: (statistics.median(g), families[sid]) for sid, g in pooled.items()}


def evidence_pack(actor: Actor, setting: Setting, start: dt.date, end: dt.date, cal: TermCalendar | None = None) -> EvidencePack:
    """Every figure of the pack in a fixed number of queries, whatever the number of families or obligations.

    Counts are SQL aggregates grouped by standard; the met dates for the medians come from one more query.
    """
    today = clock.today(setting.time_zone)
    as_of = min(end, today)
    cal = cal or TermCalendar.for_setting(setting)
    half_term = next((h for h in [*half_term_windows(cal), *cal.half_terms] if (h.starts_on, h.ends_on) == (start, end)),
                     None)
    versions = current_versions(actor.organisation_id)
    # The clauses of this kind of setting only (a childcare setting never lists a school clause), in clause order.
    all_standards = list(Standard.objects.filter(organisation_id=actor.organisation_id,
                                                 policy_version__in=[v.pk for v in versions]))
    standards = sorted((s for s in all_standards if applies_to(s, setting)), key=standard_order)
    in_period_qs = (
        obligations_visible_to(actor)
        .filter(setting=setting, due_on__range=(start, end), standard_id__in=[s.pk for s in standards])
    )
    counts = in_period(start, end, as_of)
    figures = {
        r["standard_id"]: r
        for r in in_period_qs.values("standard_id").annotate(
            **figure_counts(counts),
            escalated=Count("id", filter=counts & Q(state=S.ESCALATED)),
            not_yet_due=Count("id", filter=Q(due_on__gt=as_of)),
        ).order_by()
    }
    reasons: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for r in (in_period_qs.filter(counts, state=S.WAIVED).values("standard_id", "waived_reason").annotate(n=Count("id"))
              .order_by("standard_id", "-n", "waived_reason")):
        reasons[r["standard_id"]].append((r["waived_reason"] or "No reason given", r["n"]))
    recurring = [s.pk for s in standards if s.subject == Subject.FAMILY and s.cadence in RECURRING]
    gaps = _gaps(list(
        in_period_qs.filter(standard_id__in=recurring, state=S.MET, met_on__isnull=False)
        .values_list("standard_id", "family_id", "met_on").order_by()
    )) if recurring else {}

    by_version: dict[int, list[ClauseFigures]] = defaultdict(list)
    for s in standards:
        f = figures.get(s.pk)
        if f is None and not s.enabled:
            continue
        f = f or {}
        c = ClauseFigures(s, Figures.from_row(f), escalated=f.get("escalated", 0), not_yet_due=f.get("not_yet_due", 0),
                          reasons=reasons.get(s.pk, []))
        c.median_gap_days, c.families_with_gaps = gaps.get(s.pk, (None, 0))
        by_version[s.policy_version_id].append(c)
    period_words = _period_words(half_term)
    for clauses in by_version.values():
        for c in clauses:
            c.summary_text = c.summary(period_words)
    # Only the policies whose standards are for this kind of setting: a school's pack never shows the childcare
    # policy an organisation with both kinds adopted (a policy with no standards yet is still shown).
    with_standards = {s.policy_version_id for s in all_standards}
    applicable = {s.policy_version_id for s in standards}
    sections = [
        PolicySection(v.policy, v, v.version_count, [m.user.full_name for m in v.policy.responsible_staff.all()],
                      by_version.get(v.pk, []))
        for v in versions
        if v.pk in applicable or v.pk not in with_standards
    ]

    has_key_worker = Exists(current_allocations().filter(setting=setting, family=OuterRef("pk")))
    cover = families_in_setting(actor, setting).annotate(kw=has_key_worker).aggregate(
        families=Count("id"), allocated=Count("id", filter=Q(kw=True)),
    )
    return EvidencePack(
        organisation_name=actor.organisation.name, setting=setting, start=start, end=end, as_of=as_of,
        half_term=half_term, sections=sections, coverage=Coverage(cover["allocated"], cover["families"]),
        generated_at=clock.now(),
    )
