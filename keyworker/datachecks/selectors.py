"""Reads of data checks and corrections, always scoped to the acting user's families; progress per class."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.caseload.selectors import caseload_children, current_caseload, on_roll_between
from keyworker.organisations.models import Group, HalfTerm, Setting
from keyworker.people.models import Carer, Child, KeyAspects
from keyworker.people.selectors import children_visible_to, families_visible_to

from . import fields
from .models import CheckState, Correction, CorrectionState, DataCheck, DataCheckEvent


def checks_visible_to(actor: Actor) -> QuerySet[DataCheck]:
    if not actor.is_member:
        return DataCheck.objects.none()
    return DataCheck.objects.filter(organisation_id=actor.organisation_id, family_id__in=families_visible_to(actor).values("id"))


def corrections_visible_to(actor: Actor) -> QuerySet[Correction]:
    if not actor.is_member:
        return Correction.objects.none()
    return Correction.objects.filter(organisation_id=actor.organisation_id, family_id__in=families_visible_to(actor).values("id"))


def with_details(qs: QuerySet[DataCheck]) -> QuerySet[DataCheck]:
    return qs.select_related(
        "child__group", "child__setting", "family", "half_term", "carer", "carer_recorded_by__user", "admin_confirmed_by__user",
    )


def access_check(actor: Actor, check_id: int) -> DataCheck:
    check = with_details(checks_visible_to(actor)).filter(pk=check_id).first()
    if check is None:
        raise Http404("No such data check")
    return check


def access_correction(actor: Actor, correction_id: int) -> Correction:
    correction = (
        corrections_visible_to(actor).select_related("data_check__half_term", "child__setting", "carer", "family")
        .filter(pk=correction_id).first()
    )
    if correction is None:
        raise Http404("No such correction")
    return correction


def on_roll(qs: QuerySet[Child], as_of: dt.date) -> QuerySet[Child]:
    return qs.filter(enrolled_on__lte=as_of).filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of))


def half_terms_for(setting_ids, as_of: dt.date) -> dict[int, HalfTerm]:
    """Each setting's half term holding as_of or, in a holiday, the one just ended; one query."""
    out: dict[int, HalfTerm] = {}
    rows = HalfTerm.objects.filter(setting_id__in=setting_ids, starts_on__lte=as_of).order_by("setting_id", "-starts_on")
    for ht in rows.select_related("setting"):
        out.setdefault(ht.setting_id, ht)
    return out


def half_term_holding(setting: Setting, day: dt.date) -> HalfTerm | None:
    return HalfTerm.objects.filter(setting=setting, starts_on__lte=day, ends_on__gte=day).first()


def check_history(check: DataCheck) -> QuerySet[DataCheckEvent]:
    return check.events.select_related("actor").order_by("at", "id")


def carers_of(child: Child) -> list[Carer]:
    return list(Carer.objects.filter(family_id=child.family_id).order_by("contact_order", "id"))


def items_for(child: Child, carers: list[Carer]) -> list[fields.Item]:
    aspects = KeyAspects.objects.filter(child_id=child.pk).first()
    return fields.all_items(child, aspects, carers)


# Progress per class -------------------------------------------------------------------------------------------


@dataclass
class ClassProgress:
    group: Group | None
    setting: Setting
    half_term: HalfTerm | None
    children: int = 0
    carer_confirmed: int = 0
    complete: int = 0
    corrections_waiting: int = 0

    @property
    def awaiting_admin(self) -> int:
        return self.carer_confirmed - self.complete

    @property
    def not_started(self) -> int:
        return self.children - self.carer_confirmed

    def pct(self, n: int) -> int:
        return round(100 * n / self.children) if self.children else 0

    @property
    def complete_pct(self) -> int:
        return self.pct(self.complete)

    @property
    def awaiting_admin_pct(self) -> int:
        return self.pct(self.awaiting_admin)

    @property
    def carer_pct(self) -> int:
        return self.pct(self.carer_confirmed)

    @property
    def name(self) -> str:
        return self.group.name if self.group else f"No {self.setting.group_label}"


@dataclass
class Progress:
    as_of: dt.date
    rows: list[ClassProgress]
    half_terms: dict[int, HalfTerm]
    groups: list[Group]
    totals: ClassProgress | None = None
    children: list = field(default_factory=list)  # (child, check or None) of the chosen class


def groups_of(actor: Actor) -> list[Group]:
    """The classes or rooms of the settings the actor works in, in one query."""
    return list(Group.objects.filter(setting__in=actor.settings()).order_by("setting_id", "name", "id"))


def progress(actor: Actor, as_of: dt.date, group_id: int | None = None, groups: list[Group] | None = None) -> Progress:
    """Children, carer confirmations, completed checks and corrections waiting per class, for the half term of
    as_of in each setting: a fixed number of queries whatever the number of children or classes."""
    settings = list(actor.settings().order_by("name", "id"))
    by_id = {s.pk: s for s in settings}
    half_terms = half_terms_for(list(by_id), as_of)
    ht_ids = [ht.pk for ht in half_terms.values()]
    groups = groups_of(actor) if groups is None else groups
    children = on_roll(children_visible_to(actor).filter(setting_id__in=list(by_id)), as_of)
    if group_id is not None:
        children = children.filter(group_id=group_id)
    rows: dict[tuple[int, int | None], ClassProgress] = {}
    for g in groups:
        if group_id is None or g.pk == group_id:
            rows[(g.setting_id, g.pk)] = ClassProgress(g, by_id[g.setting_id], half_terms.get(g.setting_id))
    for r in children.values("setting_id", "group_id").annotate(n=Count("id")):
        key = (r["setting_id"], r["group_id"])
        if key not in rows:
            rows[key] = ClassProgress(None, by_id[r["setting_id"]], half_terms.get(r["setting_id"]))
        rows[key].children = r["n"]
    checks = DataCheck.objects.filter(organisation_id=actor.organisation_id, half_term_id__in=ht_ids, child__in=children)
    for r in checks.values("setting_id", "child__group_id").annotate(
        carer=Count("id", filter=Q(carer_confirmed_at__isnull=False)), done=Count("id", filter=Q(state=CheckState.COMPLETE)),
    ):
        row = rows.get((r["setting_id"], r["child__group_id"]))
        if row is not None:
            row.carer_confirmed, row.complete = r["carer"], r["done"]
    waiting = Correction.objects.filter(
        organisation_id=actor.organisation_id, state=CorrectionState.PROPOSED, data_check__half_term_id__in=ht_ids,
        child__in=children,
    )
    for r in waiting.values("data_check__setting_id", "child__group_id").annotate(n=Count("id")):
        row = rows.get((r["data_check__setting_id"], r["child__group_id"]))
        if row is not None:
            row.corrections_waiting = r["n"]
    out = [r for r in rows.values() if r.children or r.group is not None]
    totals = None
    if out:
        totals = ClassProgress(None, out[0].setting, None, sum(r.children for r in out), sum(r.carer_confirmed for r in out),
                               sum(r.complete for r in out), sum(r.corrections_waiting for r in out))
    result = Progress(as_of, out, half_terms, groups, totals)
    if group_id is not None:
        kids = list(
            children.select_related("family").prefetch_related(
                Prefetch("data_checks", queryset=DataCheck.objects.filter(half_term_id__in=ht_ids), to_attr="these_checks")
            ).order_by("legal_last_name", "legal_first_name", "id")
        )
        result.children = [(c, c.these_checks[0] if c.these_checks else None) for c in kids]
    return result


# A key worker's children ----------------------------------------------------------------------------------------


@dataclass
class ChildCheck:
    child: Child
    half_term: HalfTerm | None
    check: DataCheck | None

    @property
    def needs_carer(self) -> bool:
        return self.half_term is not None and (self.check is None or not self.check.carer_confirmed)


def my_children(actor: Actor, as_of: dt.date) -> list[ChildCheck]:
    """The children of the families allocated to the actor, each with its check for the half term of as_of;
    four queries whatever the number of children: the caseload and its children (read once for every panel of My
    week), the half terms, the checks."""
    if not actor.is_member:
        return []
    # The caseload and its children as My week reads them once for every panel (the key worker's own families are
    # always in their scope).
    mine = current_caseload(actor)
    setting_ids = {a.setting_id for a in mine}
    kids = [c for c in caseload_children(actor) if c.setting_id in setting_ids and on_roll_between(c, as_of, as_of)]
    if not kids:
        return []
    half_terms = half_terms_for({c.setting_id for c in kids}, as_of)
    current = {ht.pk for ht in half_terms.values() if ht.ends_on >= as_of}
    checks: dict[int, DataCheck] = {}
    for check in DataCheck.objects.filter(child__in=[c.pk for c in kids], half_term_id__in=current):
        checks[check.child_id] = check
    out = []
    for c in kids:
        ht = half_terms.get(c.setting_id)
        ht = ht if ht is not None and ht.pk in current else None
        out.append(ChildCheck(c, ht, checks.get(c.pk)))
    return out


def waiting_corrections(actor: Actor) -> QuerySet[Correction]:
    return (
        corrections_visible_to(actor).filter(state=CorrectionState.PROPOSED)
        .select_related("child__group", "family", "carer", "proposed_by__user", "proposed_by_carer", "data_check__half_term")
        .order_by("proposed_at", "id")
    )


def decided_corrections(actor: Actor, limit: int = 20) -> list[Correction]:
    return list(
        corrections_visible_to(actor).exclude(state=CorrectionState.PROPOSED)
        .select_related("child", "decided_by__user").order_by("-decided_at", "-id")[:limit]
    )


def events_by_check(check_ids) -> dict[int, list[DataCheckEvent]]:
    out: dict[int, list[DataCheckEvent]] = defaultdict(list)
    for e in DataCheckEvent.objects.filter(data_check_id__in=check_ids).select_related("actor").order_by("at", "id"):
        out[e.data_check_id].append(e)
    return out
