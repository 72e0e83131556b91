"""Writes for policies as data: adopt a built-in template, edit a standard, issue a new version, acknowledge one."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max

from keyworker.accounts.access import Actor
from keyworker.accounts.capabilities import MANAGE_ALLOCATIONS, MANAGE_SETUP
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.conflicts import version_claim
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import Organisation

from . import catalogue, engine
from .models import Policy, PolicyAcknowledgement, PolicyVersion, Standard, StandardRevision
from .validation import EDITABLE_FIELDS, StandardInvalid, standard_check


def can_edit_policies(actor: Actor | None) -> bool:
    """Leaders edit policies (set-up or allocation managers); every staff member reads and acknowledges them."""
    return actor is not None and actor.is_member and (actor.can(MANAGE_SETUP) or actor.can(MANAGE_ALLOCATIONS))


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


def standard_definition(standard: Standard) -> dict[str, Any]:
    """The editable definition of a standard, as the JSON kept in its revisions."""
    return {f: getattr(standard, f) for f in EDITABLE_FIELDS}


def _recompute(organisation_id: int, actor: Actor | None) -> None:
    engine.recompute(organisation_id=organisation_id, as_of=clock.today(), actor=_user(actor))


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


@transaction.atomic
def policy_adopt_builtin(*, organisation: Organisation, template_code: str, as_of: dt.date) -> Policy:
    """Adopt a template as of a date, with its usual review interval, and compute the obligations (demo, set-up)."""
    tpl = catalogue.template(template_code)
    if tpl is None:
        raise RuleViolation("Choose one of the built-in templates.", rule="template", field="template_code")
    policy = policy_adopt(actor=None, organisation=organisation, template_code=template_code, effective_from=as_of,
                          review_on=add_months(as_of, tpl.review_after_months))
    engine.recompute(organisation_id=organisation.pk, as_of=as_of)
    return policy


def _standard_save(*, actor: Actor | None, standard: Standard, changes: dict[str, Any], event_type: str,
                   expected_version: int | None) -> list[str]:
    before = standard_definition(standard)
    after = {**before, **changes}
    notes = standard_check(organisation_id=standard.organisation_id, definition=after)
    if after == before:
        return notes
    version_claim(standard, expected=expected_version)
    for f, value in changes.items():
        setattr(standard, f, value)
    standard.save(update_fields=[*changes, "version"])
    StandardRevision.objects.create(
        organisation_id=standard.organisation_id, standard=standard, changed_by=_user(actor), changed_at=clock.now(),
        before=before, after=after,
    )
    changed = sorted(f for f in changes if before[f] != after[f])
    audit_record(organisation_id=standard.organisation_id, actor=_user(actor), event_type=event_type, obj=standard,
                 summary=f"{standard.clause} {standard.title}: {', '.join(changed)}",
                 data={"changed": changed, "before": {f: before[f] for f in changed}, "after": {f: after[f] for f in changed}})
    # Obligations follow at once: a new cadence or a switched-off standard shows on every page straight away.
    _recompute(standard.organisation_id, actor)
    return notes


def _editable(actor: Actor | None, standard: Standard) -> None:
    _require_editor(actor, standard.organisation_id)
    current = PolicyVersion.objects.filter(policy_id=standard.policy_version.policy_id).aggregate(n=Max("number"))["n"]
    if standard.policy_version.number != current:
        raise RuleViolation("This standard belongs to an earlier version of the policy: change it in the current version.",
                            rule="superseded")


@transaction.atomic
def standard_update(
    *, actor: Actor | None, standard: Standard, expected_version: int | None = None, **fields: Any,
) -> list[str]:
    """Change a standard after checking every field; keep a revision; bring obligations in line. Returns notes.

    With `expected_version` (pages, API) a change started before another save of the standard raises EditConflict."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise StandardInvalid({f: ["This cannot be changed here."] for f in sorted(unknown)})
    _editable(actor, standard)
    return _standard_save(actor=actor, standard=standard, changes=fields, event_type="standard.updated",
                          expected_version=expected_version)


@transaction.atomic
def standard_set_enabled(
    *, actor: Actor | None, standard: Standard, enabled: bool, expected_version: int | None = None,
) -> list[str]:
    """Switch a standard on or off: off, its open obligations go; met ones stay as history."""
    _editable(actor, standard)
    return _standard_save(actor=actor, standard=standard, changes={"enabled": bool(enabled)},
                          event_type="standard.switched_on" if enabled else "standard.switched_off",
                          expected_version=expected_version)


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
            f"Version {previous.number} takes effect on {previous.effective_from:%d/%m/%Y}: change its standards, or "
            "issue the next version once it is in force.", rule="pending_version", field="effective_from")
    if previous is not None and effective_from < previous.effective_from:
        raise RuleViolation(
            f"The new version cannot take effect before version {previous.number} ({previous.effective_from:%d/%m/%Y}).",
            rule="dates", field="effective_from")
    _dates_check(effective_from, review_on)
    in_force = effective_from <= clock.today()
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
                                    clause=old.clause, **{f: v for f, v in standard_definition(old).items()})
        if in_force:
            _switch(previous, version)
    audit_record(organisation_id=policy.organisation_id, actor=_user(actor), event_type="policy.version_created",
                 obj=version, summary=f"{policy.title} version {version.number}: {comment}"[:300])
    if in_force:
        _recompute(policy.organisation_id, actor)
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
    """Put in force every version whose effective date has come (from the worker's cycle); returns 0 notifications."""
    switched = 0
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
            switched += 1
    if switched:
        engine.recompute(organisation_id=organisation_id, as_of=as_of)
    return 0


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
