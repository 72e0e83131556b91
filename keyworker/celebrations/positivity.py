"""Positivity (SCH-1): the share of contacts that are positive or celebrations, per family, key worker and class.

Everything here is set-based: the counts for all of a key worker's families, or a whole setting, come from one
aggregate query with a conditional COUNT per tone, whatever the number of families. Voided contacts never count, nor
a carer's own message through the portal (no author): positivity weighs what the setting says to families.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from keyworker.contacts.models import ContactLog, Tone
from keyworker.core.dates import on_screen
from keyworker.organisations.calendar import Period
from keyworker.organisations.models import HalfTerm

from .models import PositivityRule, PositivityWindow

OUT_OF_TERM_DAYS = 42  # outside a half term, "this half term" reads as the last six weeks
LAST_N = 3              # the last three contacts all concerns flag a family whatever the share


@dataclass(frozen=True)
class PositivityPeriod:
    start: dt.date
    end: dt.date
    label: str          # "this half term (Autumn 2, from 2 November)"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class ToneCounts:
    celebration: int = 0
    positive: int = 0
    neutral: int = 0
    concern: int = 0

    @property
    def total(self) -> int:
        return self.celebration + self.positive + self.neutral + self.concern

    @property
    def positive_total(self) -> int:
        """Positive and celebration contacts together: what SCH-1 asks to predominate."""
        return self.celebration + self.positive

    @property
    def share(self) -> int | None:
        """The positive share as a whole percentage (rounded down, so 49.9% never reads as 50%); None with no contacts."""
        if not self.total:
            return None
        return self.positive_total * 100 // self.total

    def predominantly_positive(self, threshold_percent: int) -> bool:
        """More than the threshold, in exact integer arithmetic: exactly 50% is not "predominantly"."""
        return self.total > 0 and self.positive_total * 100 > threshold_percent * self.total

    def __add__(self, other: "ToneCounts") -> "ToneCounts":
        return ToneCounts(self.celebration + other.celebration, self.positive + other.positive,
                          self.neutral + other.neutral, self.concern + other.concern)


EMPTY = ToneCounts()


@dataclass(frozen=True)
class FamilyPositivity:
    family_id: int
    counts: ToneCounts
    last_tones: tuple[str, ...]        # newest first, up to LAST_N
    flagged: bool
    reason: str

    @property
    def mostly_concerns(self) -> bool:
        """More than half of the window's contacts, or the last three, about concerns (else few were positive)."""
        last = len(self.last_tones) >= LAST_N and all(t == Tone.CONCERN for t in self.last_tones[:LAST_N])
        return last or self.counts.concern * 2 > self.counts.total > 0


def rule_for(organisation_id: int) -> PositivityRule:
    """The organisation's rule, or the default one (more than 50%, 3 contacts, this half term): one query."""
    return PositivityRule.objects.filter(organisation_id=organisation_id).first() or PositivityRule.default_for(organisation_id)


def current_half_terms(setting_ids: Iterable[int], as_of: dt.date) -> dict[int, Period]:
    """The half term each setting's calendar has on `as_of` (absent in the holidays): one query for all settings."""
    ids = set(setting_ids)
    if not ids:
        return {}
    rows = HalfTerm.objects.filter(setting_id__in=ids, starts_on__lte=as_of, ends_on__gte=as_of).order_by("setting_id", "starts_on")
    return {h.setting_id: Period(h.name, h.starts_on, h.ends_on) for h in rows}


def _day_month(day: dt.date) -> str:
    return f"{on_screen(day)}"


def period_for(rule: PositivityRule, half_term: Period | None, as_of: dt.date) -> PositivityPeriod:
    if rule.window == PositivityWindow.DAYS:
        days = rule.window_days
        return PositivityPeriod(as_of - dt.timedelta(days=days - 1), as_of, f"the last {days} days")
    if half_term is not None:
        return PositivityPeriod(half_term.starts_on, as_of, f"this half term ({half_term.name}, from {_day_month(half_term.starts_on)})")
    start = as_of - dt.timedelta(days=OUT_OF_TERM_DAYS - 1)
    return PositivityPeriod(start, as_of, f"the last {OUT_OF_TERM_DAYS} days (not in a half term)")


def periods_for(rule: PositivityRule, setting_ids: Iterable[int], as_of: dt.date,
                half_terms: dict[int, Period | None] | None = None) -> dict[int, PositivityPeriod]:
    """The window of each setting: one query for a half-term rule (none when the caller gives each setting's half term
    on as_of, from calendars it has), none for a number of days."""
    ids = set(setting_ids)
    if rule.window != PositivityWindow.HALF_TERM:
        half_terms = {}
    elif half_terms is None:
        half_terms = current_half_terms(ids, as_of)
    return {sid: period_for(rule, half_terms.get(sid), as_of) for sid in ids}


def _tone_counts() -> dict:
    return {tone: Count("id", filter=Q(tone=tone)) for tone in Tone.values}


def _distinct_tone_counts() -> dict:
    # Through a join to children a contact appears once per child: count each contact once.
    return {tone: Count("id", filter=Q(tone=tone), distinct=True) for tone in Tone.values}


def _as_counts(row: dict) -> ToneCounts:
    return ToneCounts(**{tone: row.get(tone) or 0 for tone in Tone.values})


def _window_q(family_periods: dict[int, PositivityPeriod]) -> Q:
    """One OR branch per distinct window (a handful: one per setting), each with its families."""
    by_period: dict[PositivityPeriod, list[int]] = defaultdict(list)
    for family_id, period in family_periods.items():
        by_period[period].append(family_id)
    q = Q(pk__in=[])
    for period, family_ids in by_period.items():
        q |= Q(family_id__in=family_ids, happened_on__gte=period.start, happened_on__lte=period.end)
    return q


def counts_by_family(organisation_id: int, family_periods: dict[int, PositivityPeriod]) -> dict[int, ToneCounts]:
    """Contacts by tone for each family over its window: one aggregate query."""
    if not family_periods:
        return {}
    rows = (
        ContactLog.objects.filter(_window_q(family_periods), organisation_id=organisation_id, voided_at__isnull=True,
                                  author__isnull=False)
        .order_by().values("family_id").annotate(**_tone_counts())
    )
    return {row["family_id"]: _as_counts(row) for row in rows}


def last_tones(organisation_id: int, family_ids: Iterable[int], as_of: dt.date, n: int = LAST_N) -> dict[int, tuple[str, ...]]:
    """The tones of each family's last `n` contacts up to `as_of`, newest first: one query (ROW_NUMBER per family)."""
    ids = set(family_ids)
    if not ids:
        return {}
    ranked = (
        ContactLog.objects.filter(organisation_id=organisation_id, family_id__in=ids, voided_at__isnull=True, happened_on__lte=as_of,
                                  author__isnull=False)
        .annotate(rank=Window(RowNumber(), partition_by=[F("family_id")],
                              order_by=[F("happened_on").desc(), F("created_at").desc(), F("id").desc()]))
        .filter(rank__lte=n).order_by("family_id", "rank").values_list("family_id", "tone")
    )
    out: dict[int, list[str]] = defaultdict(list)
    for family_id, tone in ranked:
        out[family_id].append(tone)
    return {k: tuple(v) for k, v in out.items()}


def counts_by_author(
    organisation_id: int, staff_ids: Iterable[int], period: PositivityPeriod, setting_id: int | None = None,
) -> dict[int, ToneCounts]:
    """Contacts each staff member recorded over the window, by tone: one aggregate query."""
    ids = set(staff_ids)
    if not ids:
        return {}
    qs = ContactLog.objects.filter(organisation_id=organisation_id, author_id__in=ids, voided_at__isnull=True,
                                   happened_on__gte=period.start, happened_on__lte=period.end)
    if setting_id is not None:
        qs = qs.filter(setting_id=setting_id)
    return {row["author_id"]: _as_counts(row) for row in qs.order_by().values("author_id").annotate(**_tone_counts())}


def counts_by_group(organisation_id: int, setting_id: int, period: PositivityPeriod) -> dict[int, ToneCounts]:
    """Contacts with the families of each class (a family counts in each class its current children are in): one query."""
    rows = (
        ContactLog.objects.filter(
            organisation_id=organisation_id, voided_at__isnull=True, happened_on__gte=period.start, happened_on__lte=period.end,
            author__isnull=False, family__children__setting_id=setting_id, family__children__left_on__isnull=True,
            family__children__group_id__isnull=False,
        )
        .order_by().values("family__children__group_id").annotate(**_distinct_tone_counts())
    )
    return {row["family__children__group_id"]: _as_counts(row) for row in rows}


def assess(family_id: int, counts: ToneCounts, tones: tuple[str, ...], rule: PositivityRule, period: PositivityPeriod) -> FamilyPositivity:
    """Flag a family whose recent contact is mostly concern: the share at or under the threshold with at least the
    minimum number of contacts, or its last three contacts all concerns."""
    reason = ""
    if counts.total >= rule.min_contacts and not counts.predominantly_positive(rule.threshold_percent):
        reason = (f"{counts.positive_total} of {counts.total} contacts in {period.label} were positive or celebrations "
                  f"({counts.share}%); {counts.concern} about {'a concern' if counts.concern == 1 else 'concerns'}.")
    elif len(tones) >= LAST_N and all(t == Tone.CONCERN for t in tones[:LAST_N]):
        reason = f"The last {LAST_N} contacts were all about concerns."
    return FamilyPositivity(family_id, counts, tones, bool(reason), reason)


def families_positivity(
    organisation_id: int, family_periods: dict[int, PositivityPeriod], rule: PositivityRule, as_of: dt.date,
) -> dict[int, FamilyPositivity]:
    """Counts, last tones and the flag for many families: two queries."""
    counts = counts_by_family(organisation_id, family_periods)
    tones = last_tones(organisation_id, family_periods.keys(), as_of)
    return {
        fid: assess(fid, counts.get(fid, EMPTY), tones.get(fid, ()), rule, period)
        for fid, period in family_periods.items()
    }


@dataclass(frozen=True)
class OverviewRow:
    key: int
    name: str
    families: int
    flagged: int
    counts: ToneCounts
    predominantly_positive: bool

    def widths(self) -> tuple[int, int, int]:
        """Bar widths in percent: positive and celebration, neutral, concern (they add up to 100 when there are contacts)."""
        total = self.counts.total
        if not total:
            return 0, 0, 0
        parts = [self.counts.positive_total * 100 // total, self.counts.neutral * 100 // total, self.counts.concern * 100 // total]
        # Whole percentages round down; the largest part takes what is left, so the bar always fills to 100.
        parts[parts.index(max(parts))] += 100 - sum(parts)
        return parts[0], parts[1], parts[2]


@dataclass(frozen=True)
class FlaggedFamily:
    family_id: int
    name: str
    key_worker: str
    positivity: FamilyPositivity


@dataclass(frozen=True)
class SettingOverview:
    period: PositivityPeriod
    rule: PositivityRule
    total: ToneCounts
    key_workers: list[OverviewRow]
    groups: list[OverviewRow]
    flagged: list[FlaggedFamily]
    family_count: int


def setting_overview(setting, rule: PositivityRule, as_of: dt.date) -> SettingOverview:
    """Positivity per key worker and per class of one setting, with the flagged families: eight queries in all."""
    from keyworker.caseload.models import KeyWorkerAllocation
    from keyworker.organisations.models import Group
    from keyworker.people.models import Child

    org_id = setting.organisation_id
    period = periods_for(rule, {setting.pk}, as_of)[setting.pk]
    family_names: dict[int, str] = {}
    family_groups: dict[int, set[int]] = defaultdict(set)
    for family_id, name, group_id in (
        Child.objects.filter(setting_id=setting.pk, left_on__isnull=True).order_by().values_list("family_id", "family__name", "group_id")
    ):
        family_names[family_id] = name
        if group_id is not None:
            family_groups[family_id].add(group_id)
    key_worker_of: dict[int, int] = {}
    staff_names: dict[int, str] = {}
    for family_id, staff_id, staff_name in (
        KeyWorkerAllocation.objects.filter(setting_id=setting.pk, ends_at__isnull=True)
        .order_by().values_list("family_id", "staff_id", "staff__user__full_name")
    ):
        key_worker_of[family_id] = staff_id
        staff_names[staff_id] = staff_name
    positivity = families_positivity(org_id, {fid: period for fid in family_names}, rule, as_of)
    by_author = counts_by_author(org_id, staff_names.keys(), period, setting_id=setting.pk)
    by_group = counts_by_group(org_id, setting.pk, period)
    groups = list(Group.objects.filter(setting_id=setting.pk).order_by("name", "id").values_list("id", "name"))

    threshold = rule.threshold_percent
    kw_families: Counter = Counter(key_worker_of[f] for f in family_names if f in key_worker_of)
    kw_flagged: Counter = Counter(key_worker_of[f] for f in family_names if f in key_worker_of and positivity[f].flagged)
    key_workers = sorted(
        (OverviewRow(sid, name, kw_families[sid], kw_flagged[sid], by_author.get(sid, EMPTY),
                     by_author.get(sid, EMPTY).predominantly_positive(threshold)) for sid, name in staff_names.items()),
        key=lambda r: (r.name, r.key),
    )
    g_families: Counter = Counter(g for f in family_names for g in family_groups[f])
    g_flagged: Counter = Counter(g for f in family_names if positivity[f].flagged for g in family_groups[f])
    group_rows = [OverviewRow(gid, name, g_families[gid], g_flagged[gid], by_group.get(gid, EMPTY),
                              by_group.get(gid, EMPTY).predominantly_positive(threshold)) for gid, name in groups]
    flagged = sorted(
        (FlaggedFamily(fid, family_names[fid], staff_names.get(key_worker_of.get(fid, 0), ""), p)
         for fid, p in positivity.items() if p.flagged),
        key=lambda f: (f.positivity.counts.share if f.positivity.counts.share is not None else 0, f.name),
    )
    total = EMPTY
    for p in positivity.values():
        total = total + p.counts
    return SettingOverview(period, rule, total, key_workers, group_rows, flagged, len(family_names))
