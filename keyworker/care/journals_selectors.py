"""Reads of learning journals, scoped to the acting staff member's children or to the signed-in carer's access: a
child's journal page by page, the picture of their learning per area and month, and where each child's journal
stands (the last observation, when the next is due) for a whole setting in a fixed number of queries."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import dateformat

from keyworker.accounts.access import Actor
from keyworker.enrolment.models import EnrolmentForm
from keyworker.people.carer_access import JOURNAL, CarerAccess
from keyworker.people.models import Child
from keyworker.people.selectors import children_visible_to

from .journals_frameworks import Framework, framework_for
from .models_journals import (
    JournalComment,
    NextStep,
    NextStepState,
    Observation,
    ObservationChild,
    ObservationPhoto,
    WowMoment,
    WowState,
)

# The settings whose children keep a learning journal (CC-K4 applies to early years).
JOURNAL_KINDS = frozenset({"early_years"})
# One observation every two weeks per child (CC-K4's default cadence); a journal is "due soon" 3 days before.
OBSERVATION_INTERVAL_DAYS = 14
DUE_SOON_DAYS = 3
PAGE_SIZE = 20
OPEN_STEPS_SHOWN = 10  # the newest planned next steps on the journal page; each observation shows its own
CHART_MONTHS = 6


def _on_roll(qs: QuerySet[Child], as_of: dt.date) -> QuerySet[Child]:
    return qs.filter(enrolled_on__lte=as_of).filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of))


def journal_children(actor: Actor, as_of: dt.date) -> QuerySet[Child]:
    """The children on roll in the actor's early years settings whom the actor may see."""
    if not actor.is_member:
        return Child.objects.none()
    return _on_roll(children_visible_to(actor).filter(setting__kind__in=JOURNAL_KINDS), as_of)


def access_child(actor: Actor, child_id: int) -> Child:
    child = None
    if actor.is_member:
        child = (children_visible_to(actor).filter(pk=child_id, setting__kind__in=JOURNAL_KINDS)
                 .select_related("setting", "family", "group").first())
    if child is None:
        raise Http404("No such child")
    return child


def observations_visible_to(actor: Actor) -> QuerySet[Observation]:
    """Observations with at least one child the actor may see."""
    if not actor.is_member:
        return Observation.objects.none()
    tagged = ObservationChild.objects.filter(organisation_id=actor.organisation_id,
                                             child__in=children_visible_to(actor).values("id"))
    return Observation.objects.filter(organisation_id=actor.organisation_id, pk__in=tagged.values("observation_id"))


def _observation_prefetches() -> list:
    return [
        Prefetch("tags", queryset=ObservationChild.objects.select_related("child").order_by("child__legal_first_name", "id")),
        Prefetch("photos", queryset=ObservationPhoto.objects.order_by("id")),
        Prefetch("next_steps", queryset=NextStep.objects.select_related("child", "followed_up_by").order_by("id")),
        Prefetch("comments", queryset=JournalComment.objects.order_by("created_at", "id")),
    ]


def access_observation(actor: Actor, observation_id: int) -> Observation:
    observation = (observations_visible_to(actor).filter(pk=observation_id)
                   .select_related("setting", "recorded_by__user", "hidden_by__user")
                   .prefetch_related(*_observation_prefetches()).first())
    if observation is None:
        raise Http404("No such observation")
    return observation


def access_next_step(actor: Actor, step_id: int) -> NextStep:
    step = (NextStep.objects.filter(pk=step_id, organisation_id=actor.organisation_id,
                                    child__in=children_visible_to(actor).values("id"))
            .select_related("observation", "child").first() if actor.is_member else None)
    if step is None:
        raise Http404("No such next step")
    return step


def access_wow_moment(actor: Actor, wow_id: int) -> WowMoment:
    wow = (WowMoment.objects.filter(pk=wow_id, organisation_id=actor.organisation_id,
                                    child__in=children_visible_to(actor).values("id"))
           .select_related("child", "setting").first() if actor.is_member else None)
    if wow is None:
        raise Http404("No such wow moment")
    return wow


def access_photo(actor: Actor, photo_id: int) -> ObservationPhoto:
    photo = ObservationPhoto.objects.filter(pk=photo_id, observation__in=observations_visible_to(actor)).select_related(
        "observation").first() if actor.is_member else None
    if photo is None:
        raise Http404("No such photo")
    return photo


def photo_consented(child_ids) -> set[int]:
    """The children whose family answered yes to photo consent on the enrolment form (keyworker.enrolment): the carer's
    own answer, recorded as soon as they save it; a later "no" withdraws it."""
    return set(EnrolmentForm.objects.filter(child_id__in=list(child_ids), photo_consent=True)
               .values_list("child_id", flat=True))


# A child's journal --------------------------------------------------------------------------------------------------


@dataclass
class JournalPage:
    child: Child
    framework: Framework
    page_obj: object
    observations: list[Observation]
    open_steps: list[NextStep]
    open_steps_count: int
    wow_moments: list[WowMoment]
    awaiting: list[WowMoment]
    consented: bool


def journal_page(child: Child, page: str | int | None, *, include_hidden: bool = True, shared_only: bool = False) -> JournalPage:
    """One page of the child's observations, newest first, with everything the page shows: a fixed number of queries
    whatever the number of observations, photos, next steps or comments."""
    tags = ObservationChild.objects.filter(child=child).order_by("-observed_on", "-observation_id")
    if not include_hidden:
        tags = tags.filter(hidden=False)
    if shared_only:
        tags = tags.filter(observation__shared_with_family=True)
    paginator = Paginator(tags.values_list("observation_id", flat=True), PAGE_SIZE)
    page_obj = paginator.get_page(page)
    ids = list(page_obj.object_list)
    by_id = {o.pk: o for o in Observation.objects.filter(pk__in=ids).select_related("recorded_by__user", "hidden_by__user")
             .prefetch_related(*_observation_prefetches())}
    observations = [by_id[i] for i in ids if i in by_id]
    planned = NextStep.objects.filter(child=child, state=NextStepState.PLANNED)
    steps = list(planned.select_related("observation").order_by("-planned_at", "-id")[:OPEN_STEPS_SHOWN])
    steps_count = planned.count()
    wows = list(WowMoment.objects.filter(child=child).exclude(state=WowState.DECLINED).order_by("-happened_on", "-id")[:50])
    return JournalPage(child, framework_for(child.setting.jurisdiction), page_obj, observations, steps, steps_count,
                       [w for w in wows if w.state == WowState.APPROVED], [w for w in wows if w.state == WowState.AWAITING],
                       bool(photo_consented([child.pk])))


# The picture of the child's learning over time -------------------------------------------------------------------


@dataclass
class ChartRow:
    code: str
    label: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class LearningChart:
    months: list[dt.date]  # the first day of each month shown
    rows: list[ChartRow]
    wellbeing_rows: list[ChartRow] = field(default_factory=list)
    wellbeing_label: str = ""

    @property
    def peak(self) -> int:
        return max([c for r in self.rows + self.wellbeing_rows for c in r.counts] or [0])

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    def newest_first(self) -> "LearningChart":
        """The same figures with the latest month first (the carers' portal: on a phone, this month shows first)."""
        def flip(rows: list[ChartRow]) -> list[ChartRow]:
            return [ChartRow(r.code, r.label, r.counts[::-1]) for r in rows]

        return LearningChart(self.months[::-1], flip(self.rows), flip(self.wellbeing_rows), self.wellbeing_label)


def _month_starts(as_of: dt.date, n: int) -> list[dt.date]:
    year, month = as_of.year, as_of.month
    out = []
    for _ in range(n):
        out.append(dt.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(out))


def learning_chart(child: Child, as_of: dt.date, *, months: int = CHART_MONTHS, shared_only: bool = False) -> LearningChart:
    """Observations per area of learning per month over the last `months` months: one query."""
    framework = framework_for(child.setting.jurisdiction)
    starts = _month_starts(as_of, months)
    index = {(d.year, d.month): i for i, d in enumerate(starts)}
    qs = Observation.objects.filter(tags__child=child, tags__hidden=False, observed_on__gte=starts[0], observed_on__lte=as_of)
    if shared_only:
        qs = qs.filter(shared_with_family=True)
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(starts))
    for day, areas in qs.values_list("observed_on", "areas"):
        i = index.get((day.year, day.month))
        if i is None:
            continue
        for code in areas or []:
            counts[code][i] += 1
    rows = [ChartRow(a.code, a.label, counts[a.code]) for a in framework.areas]
    wellbeing = [ChartRow(a.code, a.label, counts[a.code]) for a in framework.wellbeing]
    return LearningChart(starts, rows, wellbeing, framework.wellbeing_label)


# Where each child's journal stands ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalStatus:
    child: Child
    last_observed: dt.date | None
    next_due: dt.date
    as_of: dt.date

    @property
    def overdue(self) -> bool:
        return self.next_due < self.as_of

    @property
    def due_soon(self) -> bool:
        return not self.overdue and self.next_due <= self.as_of + dt.timedelta(days=DUE_SOON_DAYS)

    @property
    def up_to_date(self) -> bool:
        return not self.overdue

    @property
    def reason(self) -> str:
        if self.last_observed is None:
            return "No observation yet" if not self.overdue else f"No observation since starting on {self.child.enrolled_on:%-d/%-m/%Y}"
        days = (self.as_of - self.last_observed).days
        if self.overdue:
            return f"No observation for {days} days"
        return f"Last observation {days} day{'s' if days != 1 else ''} ago"


def journal_statuses(children: list[Child], as_of: dt.date) -> list[JournalStatus]:
    """The last observation (not hidden) of each child and when the next is due: one query."""
    last = dict(ObservationChild.objects.filter(child__in=[c.pk for c in children], hidden=False, observed_on__lte=as_of)
                .values("child_id").annotate(last=Max("observed_on")).values_list("child_id", "last"))
    interval = dt.timedelta(days=OBSERVATION_INTERVAL_DAYS)
    return [JournalStatus(c, last.get(c.pk), (last.get(c.pk) or c.enrolled_on) + interval, as_of) for c in children]


def journal_list(actor: Actor, as_of: dt.date) -> list[JournalStatus]:
    """Every child the actor may see in early years settings, with their journal's state: two queries."""
    children = list(journal_children(actor, as_of).select_related("setting", "group", "family")
                    .order_by("setting__name", "group__name", "legal_first_name", "legal_last_name", "id"))
    return journal_statuses(children, as_of)


def wow_moments_awaiting(actor: Actor) -> QuerySet[WowMoment]:
    if not actor.is_member:
        return WowMoment.objects.none()
    return WowMoment.objects.filter(organisation_id=actor.organisation_id, state=WowState.AWAITING,
                                    child__in=children_visible_to(actor).values("id"))


def journal_url(child_id: int) -> str:
    return reverse("care:journal", args=[child_id])


# The carers' side ---------------------------------------------------------------------------------------------------


def carer_children(access: CarerAccess, as_of: dt.date) -> list[Child]:
    family_ids = access.family_ids_with(JOURNAL)
    if not family_ids:
        return []
    return list(_on_roll(Child.objects.filter(family_id__in=family_ids, setting__kind__in=JOURNAL_KINDS), as_of)
                .select_related("setting", "family").order_by("date_of_birth", "id"))


def carer_child(access: CarerAccess, child_id: int, as_of: dt.date) -> Child:
    child = _on_roll(Child.objects.filter(pk=child_id, setting__kind__in=JOURNAL_KINDS), as_of).select_related(
        "setting", "family").first()
    if child is None or not access.may(JOURNAL, child.family_id):
        raise Http404("No such child")
    return child


def carer_observation(access: CarerAccess, child: Child, observation_id: int) -> Observation:
    """An observation of this child shared with the family and not hidden; otherwise 404."""
    observation = Observation.objects.filter(pk=observation_id, shared_with_family=True, hidden_at__isnull=True,
                                             tags__child=child).first()
    if observation is None:
        raise Http404("No such observation")
    return observation


def carer_photo(access: CarerAccess, photo_id: int, as_of: dt.date) -> ObservationPhoto:
    photo = (ObservationPhoto.objects.filter(pk=photo_id, observation__shared_with_family=True,
                                             observation__hidden_at__isnull=True)
             .select_related("observation").first())
    if photo is None:
        raise Http404("No such photo")
    family_ids = access.family_ids_with(JOURNAL)
    mine = _on_roll(Child.objects.filter(family_id__in=family_ids, setting__kind__in=JOURNAL_KINDS), as_of)
    if not ObservationChild.objects.filter(observation_id=photo.observation_id, child__in=mine.values("id")).exists():
        raise Http404("No such photo")
    return photo


def carer_wow_image(access: CarerAccess, wow_id: int) -> WowMoment:
    wow = WowMoment.objects.filter(pk=wow_id).exclude(image="").first()
    if wow is None or not access.may(JOURNAL, wow.family_id):
        raise Http404("No such photo")
    return wow


# The chart's drawing: one row per area, one column per month, a bar as long as the count (SVG attributes, no styles).

LABEL_W, COL_W, ROW_H, BAR_H, HEAD_H = 312, 72, 34, 20, 30
NARROW_LABEL_H = 18  # the narrow layout's line for an area's name, above its bars


@dataclass(frozen=True)
class ChartCell:
    x: int
    y: int
    width: int
    count: int
    text_x: int
    text_y: int  # the count's baseline


@dataclass(frozen=True)
class ChartLine:
    label: str
    y: int
    text_y: int
    cells: list[ChartCell]
    heading: bool = False


def chart_layout(chart: LearningChart, *, narrow: bool = False) -> dict:
    """Where each label, bar and count goes. `narrow` (a phone, the carers' portal): each area's name on a line of its
    own above its bars, so the months start at the left edge and the first of them shows without scrolling, with
    short month names ("Nov 2026") that fit their column."""
    peak = max(chart.peak, 1)
    label_w, label_h = (0, NARROW_LABEL_H) if narrow else (LABEL_W, 0)
    lines: list[ChartLine] = []
    y = HEAD_H
    groups = [("", chart.rows)] + ([(chart.wellbeing_label, chart.wellbeing_rows)] if chart.wellbeing_rows else [])
    for heading, rows in groups:
        if heading:
            lines.append(ChartLine(heading, y, y + ROW_H - 10, [], heading=True))
            y += ROW_H
        for row in rows:
            cells = []
            bar_y, count_y = y + label_h + (ROW_H - BAR_H) // 2, y + label_h + ROW_H // 2 + 6
            for i, count in enumerate(row.counts):
                x = label_w + i * COL_W
                width = round((COL_W - 34) * count / peak)
                cells.append(ChartCell(x, bar_y, width, count, x + width + 4, count_y))
            lines.append(ChartLine(row.label, y, y + label_h - 4 if narrow else count_y, cells))
            y += ROW_H + label_h
    months = [(label_w + i * COL_W, dateformat.format(m, "M Y" if narrow else "F Y")) for i, m in enumerate(chart.months)]
    return {"lines": lines, "months": months, "width": label_w + COL_W * len(chart.months), "height": y + 6,
            "month_y": HEAD_H - 10}
