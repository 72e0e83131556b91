"""Writes for policies as data: adopt a built-in template, edit a standard, issue a new version, acknowledge one."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.conflicts import version_claim
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import Organisation

from . import catalogue, engine
from .changes import change_summary, touches_duties
from .models import (
    OPEN_STATES,
    Obligation,
    Policy,
    PolicyAcknowledgement,
    PolicyVersion,
    RevisionAcknowledgement,
    Standard,
    StandardRevision,
)
from .policies import can_edit_policies
from .rules import calendar_for, change_dates
from .validation import EDITABLE_FIELDS, StandardInvalid, standard_notes, standard_problems

# A change may be dated up to this far ahead.
LATEST_CHANGE_DAYS = 366


def _require_editor(actor: Actor | None, organisation_id: int) -> None:
    if actor is None:
        return
    if actor.organisation_id != organisation_id:
        raise RuleViolation("Not found.", rule="tenancy")
    if not can_edit_policies(actor):
        raise PermissionDenied("Only leaders may change the organisation's policies.")


def _user(actor: Actor | None):
    return getattr(actor, "user", None)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


# Policy numbers a new version's standard copies from the one it replaces (they are not edited on the form).
POLICY_NUMBERS = ("day_count", "grace_school_days", "one_off_open_school_days")


def standard_definition(standard: Standard) -> dict[str, Any]:
    """The editable definition of a standard, as the JSON kept in its revisions."""
    return {f: getattr(standard, f) for f in EDITABLE_FIELDS}


def current_version(policy: Policy) -> PolicyVersion | None:
    return policy.versions.order_by("-number").first()


def _dates_check(effective_from: dt.date, review_on: dt.date) -> None:
    if review_on <= effective_from:
        raise RuleViolation("The review date must come after the date it takes effect.", rule="dates", field="review_on")


@transaction.atomic
def policy_adopt(
    *, actor: Actor | None, organisation: Organisation, template_code: str, effective_from: dt.date, review_on: dt.date
) -> Policy:
    """Adopt a built-in template: the policy, its version 1 and a standard per clause (actor None for the demo)."""
    _require_editor(actor, organisation.pk)
    tpl = catalogue.template(template_code)
    if tpl is None:
        raise RuleViolation("Choose one of the built-in templates.", rule="template", field="template_code")
    if Policy.objects.filter(organisation=organisation, template_code=template_code).exists():
        raise RuleViolation(f"“{tpl.title}” is already adopted: change its standards or issue a new version instead.",
                            rule="adopted", field="template_code")
    _dates_check(effective_from, review_on)
    policy = Policy.objects.create(
        organisation=organisation, title=tpl.title, template_code=tpl.code, responsible_officer=tpl.responsible_officer,
        author=tpl.author,
    )
    version = PolicyVersion.objects.create(
        organisation=organisation, policy=policy, number=1, effective_from=effective_from, review_on=review_on,
        comment="Adopted from the built-in template", created_by=_user(actor),
    )
    Standard.objects.bulk_create(
        [Standard(organisation=organisation, policy_version=version, **s.fields()) for s in tpl.standards]
    )
    audit_record(organisation_id=organisation.pk, actor=_user(actor), event_type="policy.adopted", obj=policy,
                 summary=f"Adopted {tpl.title} ({len(tpl.standards)} standards)", data={"template": tpl.code})
    return policy


def policy_adopt_builtin(*, organisation: Organisation, template_code: str, as_of: dt.date,
                         progress: engine.Progress | None = None, effective_from: dt.date | None = None) -> Policy:
    """Adopt a template as of a date, with its usual review interval, and compute the obligations (demo, set-up).
    `effective_from` (default: as_of) is when it took effect: a policy asks nothing of periods ended before then.

    The adoption commits first; the engine's first run then writes the obligations a part of the families at a time,
    reporting `progress(done, total)` after each part (and on the policy page). The version is applied once they are
    all written: a run that stops half way leaves it waiting, and the worker's next cycle finishes it."""
    tpl = catalogue.template(template_code)
    if tpl is None:
        raise RuleViolation("Choose one of the built-in templates.", rule="template", field="template_code")
    with transaction.atomic():
        policy = policy_adopt(actor=None, organisation=organisation, template_code=template_code,
                              effective_from=effective_from or as_of, review_on=add_months(as_of, tpl.review_after_months))
    engine.recompute(organisation_id=organisation.pk, as_of=as_of, progress=progress)
    PolicyVersion.objects.filter(policy=policy).update(applied_at=clock.now())
    return policy


def _effective_problems(standard: Standard, effective_from: Any, as_of: dt.date) -> tuple[dt.date | None, list[str]]:
    """The date a change takes effect (the default when none is given), or why the date given is refused."""
    dates = change_dates(standard, as_of, calendar_for(standard))
    if effective_from is None or effective_from == "":
        return dates.default, []
    if isinstance(effective_from, str):
        try:
            effective_from = dt.date.fromisoformat(effective_from)
        except ValueError:
            return None, ["Give the date the change takes effect as a date, e.g. 2026-11-23."]
    if not isinstance(effective_from, dt.date) or isinstance(effective_from, dt.datetime):
        return None, ["Give the date the change takes effect as a date, e.g. 2026-11-23."]
    if effective_from < dates.earliest:
        return None, [
            f"The change cannot take effect before {on_screen(dates.earliest)}, the start of the period under way: "
            "periods that have ended keep the rule they were computed under."
        ]
    if (effective_from - as_of).days > LATEST_CHANGE_DAYS:
        return None, ["Choose a date within a year from today."]
    return effective_from, []


def _standard_save(*, actor: Actor | None, standard: Standard, changes: dict[str, Any], event_type: str,
                   expected_version: int | None, effective_from: Any, as_of: dt.date | None) -> list[str]:
    before = standard_definition(standard)
    after = {**before, **changes}
    errors = standard_problems(organisation_id=standard.organisation_id, definition=after)
    day, problems = _effective_problems(standard, effective_from, as_of or clock.today())
    if problems:
        errors["effective_from"] = problems
    if errors:
        raise StandardInvalid(errors)
    notes = standard_notes(after)
    if after == before:
        return notes
    version_claim(standard, expected=expected_version)
    for f, value in changes.items():
        setattr(standard, f, value)
    standard.save(update_fields=[*changes, "version"])
    # The worker applies it (applied_at): the page answers at once, the obligations follow within a cycle.
    StandardRevision.objects.create(
        organisation_id=standard.organisation_id, standard=standard, changed_by=_user(actor), changed_at=clock.now(),
        before=before, after=after, effective_from=day,
    )
    changed = sorted(f for f in changes if before[f] != after[f])
    audit_record(organisation_id=standard.organisation_id, actor=_user(actor), event_type=event_type, obj=standard,
                 summary=f"{standard.clause} {standard.title}: {', '.join(changed)} from {on_screen(day)}",
                 data={"changed": changed, "before": {f: before[f] for f in changed}, "after": {f: after[f] for f in changed},
                       "effective_from": day.isoformat()})
    return notes


def _editable(actor: Actor | None, standard: Standard) -> None:
    _require_editor(actor, standard.organisation_id)
    current = PolicyVersion.objects.filter(policy_id=standard.policy_version.policy_id).aggregate(n=Max("number"))["n"]
    if standard.policy_version.number != current:
        raise RuleViolation("This standard belongs to an earlier version of the policy: change it in the current version.",
                            rule="superseded")


@transaction.atomic
def standard_update(
    *, actor: Actor | None, standard: Standard, expected_version: int | None = None, effective_from: Any = None,
    as_of: dt.date | None = None, **fields: Any,
) -> list[str]:
    """Change a standard after checking every field, from a date; keep a revision. Returns notes.

    The change governs the periods that start on or after `effective_from` (default: the start of the next period
    of the standard's cadence; not before the start of the period under way on `as_of`); earlier periods keep the
    rule they were computed under. The worker brings the obligations in line and marks the revision applied.
    With `expected_version` (pages, API) a change started before another save of the standard raises EditConflict."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise StandardInvalid({f: ["This cannot be changed here."] for f in sorted(unknown)})
    _editable(actor, standard)
    return _standard_save(actor=actor, standard=standard, changes=fields, event_type="standard.updated",
                          expected_version=expected_version, effective_from=effective_from, as_of=as_of)


@transaction.atomic
def standard_set_enabled(
    *, actor: Actor | None, standard: Standard, enabled: bool, expected_version: int | None = None,
    effective_from: Any = None, as_of: dt.date | None = None,
) -> list[str]:
    """Switch a standard on or off from a date (as standard_update): off, the periods from that date owe nothing;
    the obligations of earlier periods stay."""
    _editable(actor, standard)
    return _standard_save(actor=actor, standard=standard, changes={"enabled": bool(enabled)},
                          event_type="standard.switched_on" if enabled else "standard.switched_off",
                          expected_version=expected_version, effective_from=effective_from, as_of=as_of)


@transaction.atomic
def policy_version_create(
    *, actor: Actor | None, policy: Policy, effective_from: dt.date, review_on: dt.date, comment: str
) -> PolicyVersion:
    """Issue the next version with a copy of the standards. From its effective date it replaces the previous one and
    the obligations move to its standards: at once if that date has come, else on the day (the worker switches)."""
    _require_editor(actor, policy.organisation_id)
    Policy.objects.select_for_update().filter(pk=policy.pk).first()  # one new version at a time
    previous = current_version(policy)
    comment = (comment or "").strip()
    if not comment:
        raise RuleViolation("Say what changed in this version: it is kept in the version history.", rule="comment",
                            field="comment")
    if previous is not None and not previous.in_force:
        raise RuleViolation(
            f"Version {previous.number} takes effect on {on_screen(previous.effective_from)}: change its standards, or "
            "issue the next version once it is in force.", rule="pending_version", field="effective_from")
    if previous is not None and effective_from < previous.effective_from:
        raise RuleViolation(
            f"The new version cannot take effect before version {previous.number} ({on_screen(previous.effective_from)}).",
            rule="dates", field="effective_from")
    today = clock.today()
    if effective_from < today:
        raise RuleViolation(
            f"A new version takes effect today ({on_screen(today)}) or later: periods already under way keep the version "
            "they started under.", rule="dates", field="effective_from")
    _dates_check(effective_from, review_on)
    in_force = effective_from <= today
    try:
        with transaction.atomic():
            version = PolicyVersion.objects.create(
                organisation_id=policy.organisation_id, policy=policy, number=(previous.number + 1) if previous else 1,
                effective_from=effective_from, review_on=review_on, comment=comment[:300], replaces=previous,
                created_by=_user(actor), in_force=in_force,
            )
    except IntegrityError as exc:
        raise RuleViolation("Someone issued a version at the same moment; reload and try again.", rule="conflict") from exc
    if previous is not None:
        for old in previous.standards.order_by("id"):
            Standard.objects.create(organisation_id=policy.organisation_id, policy_version=version,
                                    clause=old.clause, **standard_definition(old),
                                    **{f: getattr(old, f) for f in POLICY_NUMBERS})
        if in_force:
            _switch(previous, version)
    audit_record(organisation_id=policy.organisation_id, actor=_user(actor), event_type="policy.version_created",
                 obj=version, summary=f"{policy.title} version {version.number}: {comment}"[:300])
    # The worker brings the obligations in line (applied_at): the page answers at once.
    return version


def _switch(previous: PolicyVersion, version: PolicyVersion) -> None:
    """The new version's standards take over: the obligations move to them by clause (history kept, nothing counted
    twice) and the replaced version's standards are switched off."""
    from .models import Obligation

    # The new version's standards were copied from the previous one's in id order: pair them the same way (a clause
    # may have several standards, e.g. SCH-5's two parts).
    for old, new in zip(previous.standards.order_by("id"), version.standards.order_by("id"), strict=False):
        if old.clause == new.clause:
            Obligation.objects.filter(standard=old).update(standard=new)
    previous.standards.update(enabled=False)


def policy_versions_switch(*, organisation_id: int, as_of: dt.date, now: dt.datetime | None = None) -> int:
    """Put in force every version whose effective date has come (the worker's cycle, before its recompute: the
    version stays waiting to be applied until the recompute has brought the obligations in line)."""
    due = PolicyVersion.objects.filter(organisation_id=organisation_id, in_force=False, effective_from__lte=as_of)
    for pk in due.order_by("policy_id", "number").values_list("pk", flat=True):
        with transaction.atomic():
            version = PolicyVersion.objects.select_for_update(of=("self",)).select_related("policy", "replaces").get(pk=pk)
            if version.in_force:
                continue  # another worker was first
            if version.replaces is not None:
                _switch(version.replaces, version)
            version.in_force = True
            version.save(update_fields=["in_force"])
            audit_record(organisation_id=organisation_id, actor=None, event_type="policy.version_in_force", obj=version,
                         summary=f"{version.policy.title} version {version.number} in force from {version.effective_from}")
    return 0


@dataclass
class PendingChanges:
    """What the worker's next recompute of an organisation applies: changes to standards and versions in force."""

    revisions: list[int] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)
    # Key workers responsible for obligations of the changed standards before the recompute (a standard switched
    # off loses its open obligations in it), by revision.
    staff: dict[int, set[int]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.revisions or self.versions)


def organisations_with_pending_changes() -> set[int]:
    """Organisations with a change waiting for the worker: the worker's cycle recomputes them first."""
    return set(StandardRevision.objects.filter(applied_at__isnull=True).values_list("organisation_id", flat=True)) | set(
        PolicyVersion.objects.filter(applied_at__isnull=True).values_list("organisation_id", flat=True))


def _responsible_staff(organisation_id: int, revisions: dict[int, tuple[int, dt.date | None]]) -> dict[int, set[int]]:
    """Key workers responsible for open obligations of each revision's standard, or of its periods from the date it
    takes effect (one query)."""
    by_standard: dict[int, list[tuple[int, dt.date | None]]] = {}
    for rid, (sid, day) in revisions.items():
        by_standard.setdefault(sid, []).append((rid, day))
    out: dict[int, set[int]] = {rid: set() for rid in revisions}
    if not by_standard:
        return out
    rows = (
        Obligation.objects.filter(organisation_id=organisation_id, standard_id__in=by_standard,
                                  responsible_staff__isnull=False)
        .order_by().values_list("standard_id", "responsible_staff_id")
        .annotate(latest=Max("period_start"), open=Count("id", filter=Q(state__in=OPEN_STATES)))
    )
    for sid, staff_id, latest, n_open in rows:
        for rid, day in by_standard[sid]:
            if n_open or day is None or latest >= day:
                out[rid].add(staff_id)
    return out


def changes_pending(*, organisation_id: int) -> PendingChanges:
    """The organisation's changes waiting for the worker, read before its recompute."""
    revisions = {
        rid: (sid, day) for rid, sid, day in StandardRevision.objects.filter(
            organisation_id=organisation_id, applied_at__isnull=True).values_list("id", "standard_id", "effective_from")
    }
    versions = list(PolicyVersion.objects.filter(organisation_id=organisation_id, in_force=True, applied_at__isnull=True)
                    .values_list("id", flat=True))
    return PendingChanges(sorted(revisions), versions, _responsible_staff(organisation_id, revisions))


@transaction.atomic
def changes_apply(*, organisation_id: int, pending: PendingChanges, now: dt.datetime) -> int:
    """After the worker's recompute: mark the changes applied, and ask the key workers whose duties a change touches
    to acknowledge it (a notification each, once per change and person). Returns the notifications written."""
    from keyworker.accounts.models import StaffMember
    from keyworker.notifications.services import notification_send

    if not pending:
        return 0
    revisions = list(
        StandardRevision.objects.select_for_update(of=("self",)).filter(pk__in=pending.revisions, applied_at__isnull=True)
        .select_related("standard__policy_version__policy")
    )
    PolicyVersion.objects.filter(pk__in=pending.versions, applied_at__isnull=True).update(applied_at=now)
    if not revisions:
        return 0
    StandardRevision.objects.filter(pk__in=[r.pk for r in revisions]).update(applied_at=now)
    after = _responsible_staff(organisation_id, {r.pk: (r.standard_id, r.effective_from) for r in revisions})
    asked = {r.pk: (pending.staff.get(r.pk, set()) | after[r.pk]) if touches_duties(r.before, r.after) else set()
             for r in revisions}
    people = {
        s.pk: s for s in StaffMember.objects.filter(organisation_id=organisation_id, is_active=True,
                                                    pk__in=set().union(*asked.values())).select_related("user")
    }
    RevisionAcknowledgement.objects.bulk_create(
        [RevisionAcknowledgement(organisation_id=organisation_id, revision=r, staff_id=sid, asked_at=now)
         for r in revisions for sid in sorted(asked[r.pk]) if sid in people],
        ignore_conflicts=True,
    )
    written = 0
    for r in revisions:
        standard = r.standard
        summary = change_summary(r.before, r.after)
        when = f"{on_screen(r.effective_from)}" if r.effective_from else "now"
        for sid in sorted(asked[r.pk]):
            person = people.get(sid)
            if person is None:
                continue
            _, new = notification_send(
                recipient=person.user, organisation_id=organisation_id, kind="standards.change",
                subject=f"{standard.clause} {standard.title} changes from {when}: please acknowledge",
                body=f"{summary}\n\nFrom {when}. Read the change and acknowledge it on the policy page.",
                link=f"/policies/{standard.policy_version.policy_id}/#change-{r.pk}",
                dedupe_key=f"standard_changed:{r.pk}", now=now,
            )
            written += int(new)
    return written


@transaction.atomic
def revision_acknowledge(*, actor: Actor, revision: StandardRevision) -> RevisionAcknowledgement:
    """A staff member confirms they have read a change to their duties; twice keeps the first. Only those asked."""
    if actor is None or not actor.is_member or actor.organisation_id != revision.organisation_id:
        raise RuleViolation("Not found.", rule="tenancy")
    ack = RevisionAcknowledgement.objects.select_for_update().filter(revision=revision, staff=actor.staff).first()
    if ack is None:
        raise RuleViolation("This change does not touch your duties: there is nothing to acknowledge.",
                            rule="not_asked")
    if ack.acknowledged_at is None:
        ack.acknowledged_at = clock.now()
        ack.save(update_fields=["acknowledged_at"])
        audit_record(organisation_id=revision.organisation_id, actor=actor.user, event_type="standard.change_acknowledged",
                     obj=ack, summary=f"{actor.staff} acknowledged the change of {on_screen(revision.changed_at)}")
    return ack


@transaction.atomic
def policy_acknowledge(*, actor: Actor, version: PolicyVersion) -> PolicyAcknowledgement:
    """A staff member confirms they have read a version; acknowledging twice keeps the first."""
    if actor is None or not actor.is_member or actor.organisation_id != version.organisation_id:
        raise RuleViolation("Not found.", rule="tenancy")
    existing = PolicyAcknowledgement.objects.filter(version=version, staff=actor.staff).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            ack = PolicyAcknowledgement.objects.create(
                organisation_id=version.organisation_id, version=version, staff=actor.staff, acknowledged_at=clock.now()
            )
    except IntegrityError:
        return PolicyAcknowledgement.objects.get(version=version, staff=actor.staff)
    audit_record(organisation_id=version.organisation_id, actor=actor.user, event_type="policy.acknowledged", obj=ack,
                 summary=f"{actor.staff} acknowledged {version}")
    return ack
