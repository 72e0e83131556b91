"""How long each kind of record is kept, and destroying what is past it once a person approves.

Each app registers the kinds of record it holds that have a retention period (`RetentionKind`): its default in
years (the IRMS Information Management Toolkit for Schools where it names one), counted from an anchor (the
child's date of birth, the entry's date), and the records past it on a date. An organisation may lengthen a
period (`RetentionRule`), never shorten it. The worker tells the data protection officer when records are past
retention; nothing is destroyed until they approve, kind by kind, and the destruction is logged (what kind, how
many, the period, who approved, when) without keeping anything the records said.

An app may hold records of another app's kind past their period (`register_retention_hold`): a contact linked to a
child-protection concern is kept as long as the concern. Held records are neither listed nor destroyed, and the page
says how many are held and why.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, ProtectedError, Q, QuerySet

from .audit import audit_record
from .errors import RuleViolation
from .models import RetentionRule

MAX_YEARS = 100


@dataclass(frozen=True)
class RetentionKind:
    code: str
    label: str  # "Attendance marks"
    anchor: str  # "the date of the entry", "the child's date of birth"
    default_years: int
    source: str  # where the default comes from
    past: Callable[[int, dt.date], QuerySet]  # (organisation_id, cutoff) -> records whose anchor is before the cutoff
    # What is destroyed with the records though it does not point at them (so no cascade takes it): the records
    # -> querysets, each deleted in a fixed number of queries before the records (an EHCP review's meeting).
    with_records: Callable[[QuerySet], Iterable[QuerySet]] | None = None
    # The names, in the default storage, of the files the records hold (a photo): removed once the destruction is
    # committed, so a destroyed record leaves nothing it said behind.
    files: Callable[[QuerySet], Iterable[str]] | None = None


_KINDS: dict[str, RetentionKind] = {}


def register_retention_kind(kind: RetentionKind) -> None:
    _KINDS[kind.code] = kind


def unregister_retention_kind(code: str) -> None:
    _KINDS.pop(code, None)


def retention_kinds() -> list[RetentionKind]:
    return sorted(_KINDS.values(), key=lambda k: k.label)


# kind code -> why the records are held -> (organisation_id) -> a queryset of one column: the held records' ids
# (never NULL: "id NOT IN (…, NULL)" excludes every row).
_HOLDS: dict[str, dict[str, Callable[[int], QuerySet]]] = {}


def register_retention_hold(kind_code: str, holds: Callable[[int], QuerySet], *, reason: str) -> None:
    """Keep some records of a kind past its period for another app's sake, without the kind's app knowing it: `holds`
    answers the ids of the organisation's records held; `reason` says why, on the page ("linked to a concern…")."""
    _HOLDS.setdefault(kind_code, {})[reason] = holds


def unregister_retention_hold(kind_code: str, reason: str) -> None:
    _HOLDS.get(kind_code, {}).pop(reason, None)


def _held(kind_code: str, organisation_id: int) -> Q | None:
    """The kind's records held for the organisation, as a condition on their id (None: nothing holds this kind)."""
    holds = _HOLDS.get(kind_code)
    if not holds:
        return None
    condition = Q()
    for holds_ids in holds.values():
        condition |= Q(pk__in=holds_ids(organisation_id))
    return condition


def retention_holds(kind_code: str) -> list[str]:
    """Why records of this kind may be held (the reasons registered), for the page."""
    return sorted(_HOLDS.get(kind_code, {}))


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class RetentionStatus:
    kind: RetentionKind
    years: int
    lengthened: bool
    cutoff: dt.date  # records whose anchor is before this are past retention
    past: int  # past retention and not held: what "Destroy" destroys
    held: int = 0  # past retention but held for another record's sake (a concern), and why
    held_because: tuple[str, ...] = ()


def retention_years(organisation_id: int) -> dict[str, int]:
    rules = dict(RetentionRule.objects.filter(organisation_id=organisation_id).values_list("kind", "years"))
    return {k.code: max(k.default_years, rules.get(k.code, k.default_years)) for k in retention_kinds()}


def retention_status(organisation_id: int, as_of: dt.date) -> list[RetentionStatus]:
    """Each kind: its period, and how many records are past it on as_of, and how many of those are held (one count
    query per kind)."""
    years = retention_years(organisation_id)
    out = []
    for kind in retention_kinds():
        cutoff = years_before(as_of, years[kind.code])
        past = kind.past(organisation_id, cutoff)
        held = _held(kind.code, organisation_id)
        if held is None:
            n, n_held = past.count(), 0
        else:
            counts = past.aggregate(n=Count("pk"), held=Count("pk", filter=held))
            n, n_held = counts["n"] - counts["held"], counts["held"]
        out.append(RetentionStatus(kind, years[kind.code], years[kind.code] > kind.default_years, cutoff, n, n_held,
                                   tuple(retention_holds(kind.code)) if n_held else ()))
    return out


@transaction.atomic
def retention_rule_set(*, organisation_id: int, kind_code: str, years: int, by) -> int:
    kind = _KINDS.get(kind_code)
    if kind is None:
        raise RuleViolation("No such kind of record.", rule="kind", field="kind")
    if years < kind.default_years:
        raise RuleViolation(f"{kind.label} are kept at least {kind.default_years} years from {kind.anchor}: a period may "
                            "be lengthened, never shortened.", rule="shorter", field="years")
    if years > MAX_YEARS:
        raise RuleViolation(f"Choose {MAX_YEARS} years or fewer.", rule="longer", field="years")
    RetentionRule.objects.update_or_create(organisation_id=organisation_id, kind=kind_code,
                                           defaults={"years": years, "updated_by": by})
    audit_record(organisation_id=organisation_id, actor=by, event_type="retention.rule_set",
                 summary=f"{kind.label} kept {years} years from {kind.anchor}",
                 data={"kind": kind_code, "years": years, "default": kind.default_years})
    return years


@transaction.atomic
def retention_destroy(*, organisation_id: int, kind_code: str, as_of: dt.date, approved_by, expected: int) -> int:
    """Destroy the kind's records past retention on as_of, approved by a person who saw `expected` of them.

    Refused when the number changed since they looked (they approve what they saw, not more)."""
    kind = _KINDS.get(kind_code)
    if kind is None:
        raise RuleViolation("No such kind of record.", rule="kind")
    years = retention_years(organisation_id)[kind_code]
    cutoff = years_before(as_of, years)
    qs = kind.past(organisation_id, cutoff)
    if (held := _held(kind_code, organisation_id)) is not None:
        qs = qs.exclude(held)
    n = qs.count()
    if n == 0:
        raise RuleViolation(f"No {kind.label.lower()} are past retention now: nothing was destroyed.", rule="none")
    if n != expected:
        raise RuleViolation(f"{n} {kind.label.lower()} are past retention now, not {expected} as the page showed: look "
                            "again before approving. Nothing was destroyed.", rule="changed")
    files = [name for name in kind.files(qs) if name] if kind.files else []
    try:
        for also in kind.with_records(qs) if kind.with_records else ():
            also.delete()
        qs.delete()
    except ProtectedError as exc:
        raise RuleViolation(f"Some {kind.label.lower()} are still referred to by other records, so nothing was destroyed: "
                            f"{exc.args[0][:200]}", rule="protected") from exc
    if files:
        transaction.on_commit(lambda: _files_remove(files))
    audit_record(organisation_id=organisation_id, actor=approved_by, event_type="retention.destroyed",
                 summary=f"{n} {kind.label.lower()} past retention destroyed ({years} years from {kind.anchor})",
                 data={"kind": kind_code, "count": n, "years": years, "before": cutoff.isoformat(), "as_of": as_of.isoformat()})
    return n


def _files_remove(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
