"""Writes for families, carers, children and key aspects. Every change to key aspects is recorded."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Model

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_entry, audit_record, audit_record_many, changes, snapshot
from keyworker.core.bulk import rows_update
from keyworker.core.conflicts import version_claim
from keyworker.core.errors import RuleViolation

from .hooks import on_carer_email_changed, on_key_aspects_changed, on_many_key_aspects_changed
from .models import (
    KEY_ASPECT_FIELDS,
    Carer,
    Child,
    Family,
    KeyAspectChange,
    KeyAspects,
    KeyAspectsAccess,
    KeyAspectsRoute,
)
from .policies import require_edit_key_aspects, require_manage_people

FAMILY_FIELDS = ("name", "address", "mis_reference")
CARER_FIELDS = (
    "first_name", "last_name", "title", "relationship", "parental_responsibility", "phone", "email", "address",
    "preferred_contact_method", "first_language", "contact_restriction", "restriction_notes", "contact_order",
)
CHILD_FIELDS = (
    "legal_first_name", "legal_last_name", "preferred_name", "date_of_birth", "upn", "mis_reference", "year_group",
    "enrolled_on", "left_on", "has_ehcp", "ehcp_issued_on", "ehcp_last_reviewed_on", "setting", "group", "family",
)


def _same_org(actor: Actor, *objs) -> None:
    for o in objs:
        if o is not None and o.organisation_id != actor.organisation_id:
            raise RuleViolation("Not found.", rule="tenancy")


def _check_child(child: Child) -> None:
    if child.group is not None and child.group.setting_id != child.setting_id:
        raise RuleViolation(f"{child.group} is not a {child.setting.group_label} of {child.setting}.", rule="group_setting", field="group")
    if child.left_on and child.left_on < child.enrolled_on:
        raise RuleViolation("The leaving date is before the enrolment date.", rule="dates", field="left_on")
    for name in ("ehcp_issued_on", "ehcp_last_reviewed_on"):
        if (day := getattr(child, name)) is not None and day > clock.today(child.setting.time_zone):
            raise RuleViolation("This date is in the future: enter the day it happened.", rule="future_date", field=name)
    if child.ehcp_issued_on and child.ehcp_last_reviewed_on and child.ehcp_last_reviewed_on < child.ehcp_issued_on:
        raise RuleViolation("The last review is before the plan was issued: check both dates.", rule="dates",
                            field="ehcp_last_reviewed_on")
    if child.upn:
        child.upn = child.upn.strip().upper()
        clash = Child.objects.filter(organisation_id=child.organisation_id, upn=child.upn).exclude(pk=child.pk).first()
        if clash is not None:
            raise RuleViolation(f"Another pupil already has this UPN: {clash}.", rule="duplicate_upn", field="upn")


@transaction.atomic
def family_create(*, actor: Actor, **fields: Any) -> Family:
    require_manage_people(actor)
    family = Family.objects.create(organisation_id=actor.organisation_id, **{k: fields[k] for k in FAMILY_FIELDS if k in fields})
    audit_record(organisation_id=family.organisation_id, actor=actor.user, event_type="family.created", obj=family, summary=str(family))
    return family


@transaction.atomic
def family_update(*, actor: Actor, family: Family, expected_version: int | None = None, **fields: Any) -> Family:
    """Pages and the API pass the version the person started from: an edit from an older one raises EditConflict."""
    require_manage_people(actor)
    _same_org(actor, family)
    # As saved, not as given: an edit page's form has already put its values on the instance.
    before = snapshot(Family.objects.get(pk=family.pk), FAMILY_FIELDS)
    version_claim(family, expected=expected_version)
    for k in FAMILY_FIELDS:
        if k in fields:
            setattr(family, k, fields[k])
    family.save()
    audit_record(organisation_id=family.organisation_id, actor=actor.user, event_type="family.updated", obj=family,
                 summary=str(family), data=changes(before, snapshot(family, FAMILY_FIELDS)))
    return family


@transaction.atomic
def carer_create(*, actor: Actor, family: Family, **fields: Any) -> Carer:
    require_manage_people(actor)
    _same_org(actor, family)
    carer = Carer.objects.create(
        organisation_id=family.organisation_id, family=family, **{k: fields[k] for k in CARER_FIELDS if k in fields}
    )
    audit_record(organisation_id=carer.organisation_id, actor=actor.user, event_type="carer.created", obj=carer, summary=f"{carer} added to {family}")
    return carer


@transaction.atomic
def carer_update(*, actor: Actor, carer: Carer, expected_version: int | None = None, **fields: Any) -> Carer:
    require_manage_people(actor)
    _same_org(actor, carer)
    # As saved, not as given: an edit page's form has already put its values on the instance.
    before = snapshot(Carer.objects.get(pk=carer.pk), CARER_FIELDS)
    version_claim(carer, expected=expected_version)
    for k in CARER_FIELDS:
        if k in fields:
            setattr(carer, k, fields[k])
    carer.save()
    audit_record(organisation_id=carer.organisation_id, actor=actor.user, event_type="carer.updated", obj=carer,
                 summary=str(carer), data=changes(before, snapshot(carer, CARER_FIELDS)))
    # The carer's portal account follows their address (keyworker.portal), or the change is refused.
    on_carer_email_changed(_email_changes([(carer, before["email"])]), actor)
    return carer


def _email_changes(pairs: Iterable[tuple[Carer, str]]) -> list[tuple[Carer, str]]:
    """The (carer, address before) whose address is now another one (a change of capitals is the same address)."""
    return [(c, b or "") for c, b in pairs if (c.email or "").strip().lower() != (b or "").strip().lower()]


@transaction.atomic
def child_create(*, actor: Actor, key_aspects: dict[str, str] | None = None, **fields: Any) -> Child:
    require_manage_people(actor, fields["setting"].pk)
    _same_org(actor, fields.get("family"), fields.get("setting"), fields.get("group"))
    child = Child(organisation_id=actor.organisation_id, **{k: fields[k] for k in CHILD_FIELDS if k in fields})
    _check_child(child)
    child.save()
    KeyAspects.objects.create(organisation_id=child.organisation_id, child=child, **(key_aspects or {}))
    audit_record(organisation_id=child.organisation_id, actor=actor.user, event_type="child.created", obj=child, summary=str(child))
    return child


@transaction.atomic
def child_update(*, actor: Actor, child: Child, expected_version: int | None = None, **fields: Any) -> Child:
    require_manage_people(actor, child.setting_id)
    _same_org(actor, child, fields.get("family"), fields.get("setting"), fields.get("group"))
    # As saved, not as given: an edit page's form has already put its values on the instance.
    before = snapshot(Child.objects.get(pk=child.pk), CHILD_FIELDS)
    version_claim(child, expected=expected_version)
    for k in CHILD_FIELDS:
        if k in fields:
            setattr(child, k, fields[k])
    _check_child(child)
    child.save()
    audit_record(organisation_id=child.organisation_id, actor=actor.user, event_type="child.updated", obj=child,
                 summary=str(child), data=changes(before, snapshot(child, CHILD_FIELDS)))
    return child


def _last_aspects_change(aspects: KeyAspects) -> tuple[Any, Any]:
    last = KeyAspectChange.objects.filter(child_id=aspects.child_id).select_related("changed_by").first()
    return (last.changed_by, last.changed_at) if last else (None, None)


@transaction.atomic
def key_aspects_update(
    *, actor: Actor, child: Child, changes: dict[str, str], expected_version: int | None = None,
) -> list[KeyAspectChange]:
    """Apply changes to a child's key aspects, recording one change row (who, when, before, after) per field.

    With `expected_version` (pages, API) an edit started before someone else's save raises EditConflict."""
    require_edit_key_aspects(actor, child.setting_id)
    _same_org(actor, child)
    unknown = set(changes) - set(KEY_ASPECT_FIELDS)
    if unknown:
        raise RuleViolation(f"Unknown key aspect: {', '.join(sorted(unknown))}.", rule="field")
    aspects, _ = KeyAspects.objects.select_for_update().get_or_create(child=child, defaults={"organisation_id": child.organisation_id})
    if expected_version is not None:
        version_claim(aspects, expected=expected_version, last_change=_last_aspects_change)
    now = clock.now()
    records = []
    for name, value in changes.items():
        value = (value or "").strip()
        before = getattr(aspects, name)
        if value == before:
            continue
        setattr(aspects, name, value)
        records.append(KeyAspectChange(
            organisation_id=child.organisation_id, child=child, field=name, before=before, after=value,
            changed_by=actor.user, changed_at=now,
        ))
    if records:
        if expected_version is None:
            aspects.version += 1  # the row is locked: the next editor's page must start from this save
        aspects.save()
        KeyAspectChange.objects.bulk_create(records)
        audit_record(organisation_id=child.organisation_id, actor=actor.user, event_type="key_aspects.updated", obj=child,
                     summary=f"Key aspects of {child} changed",
                     data={"before": {r.field: r.before for r in records}, "after": {r.field: r.after for r in records}})
        on_key_aspects_changed(child, records, actor)
    return records


def key_aspects_access_record(*, actor: Actor, children: Iterable[Child], route: str) -> int:
    """Log reads of children's key aspects (medical needs, allergies…): one row per child, one query for any number."""
    if route not in KeyAspectsRoute.values:
        raise ValueError(f"Unknown access route {route!r}")
    now = clock.now()
    rows = [
        KeyAspectsAccess(organisation_id=c.organisation_id, child_id=c.pk, user=actor.user if actor.user.pk else None,
                         accessed_at=now, route=route, description=str(c)[:200])
        for c in children
    ]
    KeyAspectsAccess.objects.bulk_create(rows)
    return len(rows)


# Many records at once (imports) ----------------------------------------------------------------------------------
# The same checks, history and audit as the one-record services above, in a fixed number of queries whatever the
# number of records: an import of 1,500 known pupils must not make 50 queries for each. Like the one-record services
# called without a version, they start from what is saved (the caller read the rows inside its transaction).

BATCH = 500


def _read_versions(model: type[Model], records: Sequence[Any]) -> None:
    """Each record's version as saved now (one SELECT), after raising them."""
    versions = dict(model.objects.filter(pk__in=[r.pk for r in records]).values_list("pk", "version"))
    for r in records:
        r.version = versions[r.pk]


def _edit_many(actor: Actor, model: type[Model], updates: Sequence[tuple[Any, dict[str, Any]]],
               allowed: tuple[str, ...], event_type: str) -> list[Any]:
    records, entries, fields = [], [], set()
    for record, values in updates:
        unknown = set(values) - set(allowed)
        if unknown:
            raise ValueError(f"Not editable together: {', '.join(sorted(unknown))}")
        before = snapshot(record, values)
        for k, v in values.items():
            setattr(record, k, v)
        fields.update(values)
        records.append(record)
        entries.append(audit_entry(organisation_id=record.organisation_id, actor=actor.user, event_type=event_type,
                                   obj=record, summary=str(record), data=changes(before, snapshot(record, values))))
    if records:
        rows_update(model, records, sorted(fields), bump_version=True)
        _read_versions(model, records)
        audit_record_many(entries)
    return records


# A child's setting, group and family are moves with their own checks: edited one child at a time (child_update).
CHILD_FIELDS_MANY = tuple(f for f in CHILD_FIELDS if f not in ("setting", "group", "family"))


@transaction.atomic
def children_update_many(*, actor: Actor, updates: Sequence[tuple[Child, dict[str, Any]]]) -> list[Child]:
    """Edit many children (`(child, {field: value})` each), each audited as `child_update` would."""
    for setting_id in {c.setting_id for c, _ in updates}:
        require_manage_people(actor, setting_id)
    _same_org(actor, *(c for c, _ in updates))
    for child, values in updates:
        if "upn" in values and values["upn"]:
            values["upn"] = values["upn"].strip().upper()
        left_on, enrolled_on = values.get("left_on", child.left_on), values.get("enrolled_on", child.enrolled_on)
        if left_on and left_on < enrolled_on:
            raise RuleViolation(f"{child}: the leaving date is before the enrolment date.", rule="dates", field="left_on")
    new_upns = {values["upn"]: child for child, values in updates if values.get("upn")}
    if new_upns:
        moving = {c.pk for c, _ in updates}
        # A UPN another child keeps (one not being edited here, or one given twice here) is a clash.
        held = {upn: pk for pk, upn in Child.objects.filter(organisation_id=actor.organisation_id, upn__in=new_upns)
                .exclude(pk__in=moving).values_list("pk", "upn")}
        kept = {c.upn: c for c, values in updates if c.upn and "upn" not in values}
        for upn, child in new_upns.items():
            if upn in held or (upn in kept and kept[upn].pk != child.pk):
                raise RuleViolation(f"Another pupil already has the UPN {upn} given to {child}.", rule="duplicate_upn",
                                    field="upn")
        if len(new_upns) < sum(1 for _, values in updates if values.get("upn")):
            raise RuleViolation("The same UPN is given to two pupils.", rule="duplicate_upn", field="upn")
    return _edit_many(actor, Child, updates, CHILD_FIELDS_MANY, "child.updated")


@transaction.atomic
def families_update_many(*, actor: Actor, updates: Sequence[tuple[Family, dict[str, Any]]]) -> list[Family]:
    """Edit many families, each audited as `family_update` would."""
    require_manage_people(actor)
    _same_org(actor, *(f for f, _ in updates))
    return _edit_many(actor, Family, updates, FAMILY_FIELDS, "family.updated")


@transaction.atomic
def carers_update_many(*, actor: Actor, updates: Sequence[tuple[Carer, dict[str, Any]]]) -> list[Carer]:
    """Edit many carers, each audited as `carer_update` would."""
    require_manage_people(actor)
    _same_org(actor, *(c for c, _ in updates))
    before = {c.pk: c.email for c, values in updates if "email" in values}
    carers = _edit_many(actor, Carer, updates, CARER_FIELDS, "carer.updated")
    on_carer_email_changed(_email_changes((c, before[c.pk]) for c in carers if c.pk in before), actor)
    return carers


@transaction.atomic
def carers_create_many(*, actor: Actor, rows: Sequence[tuple[Family, dict[str, Any]]]) -> list[Carer]:
    """Add carers to families (`(family, {field: value})` each), each audited as `carer_create` would."""
    require_manage_people(actor)
    _same_org(actor, *(f for f, _ in rows))
    carers = Carer.objects.bulk_create([
        Carer(organisation_id=family.organisation_id, family=family, **{k: v[k] for k in CARER_FIELDS if k in v})
        for family, v in rows], batch_size=BATCH)
    audit_record_many([audit_entry(organisation_id=c.organisation_id, actor=actor.user, event_type="carer.created",
                                   obj=c, summary=f"{c} added to {c.family}") for c in carers])
    return carers


@transaction.atomic
def key_aspects_update_many(*, actor: Actor, updates: Sequence[tuple[Child, dict[str, str]]]) -> list[KeyAspectChange]:
    """Apply changes to many children's key aspects: a change row per field, as `key_aspects_update` records, and one
    call of the registered callbacks for all of them."""
    for setting_id in {c.setting_id for c, _ in updates}:
        require_edit_key_aspects(actor, setting_id)
    _same_org(actor, *(c for c, _ in updates))
    for _, values in updates:
        unknown = set(values) - set(KEY_ASPECT_FIELDS)
        if unknown:
            raise RuleViolation(f"Unknown key aspect: {', '.join(sorted(unknown))}.", rule="field")
    ids = [c.pk for c, _ in updates]
    held = {a.child_id: a for a in KeyAspects.objects.select_for_update().filter(child_id__in=ids)}
    missing = [KeyAspects(organisation_id=c.organisation_id, child=c) for c, _ in updates if c.pk not in held]
    for a in KeyAspects.objects.bulk_create(missing, batch_size=BATCH):
        held[a.child_id] = a
    now = clock.now()
    records: list[KeyAspectChange] = []
    batches: list[tuple[Child, list[KeyAspectChange]]] = []
    changed: list[KeyAspects] = []
    entries = []
    for child, values in updates:
        aspects = held[child.pk]
        mine = []
        for name, value in values.items():
            value = (value or "").strip()
            before = getattr(aspects, name)
            if value == before:
                continue
            setattr(aspects, name, value)
            mine.append(KeyAspectChange(organisation_id=child.organisation_id, child=child, field=name, before=before,
                                        after=value, changed_by=actor.user, changed_at=now))
        if mine:
            aspects.version += 1  # the rows are locked: the next editor's page must start from this save
            aspects.updated_at = now
            changed.append(aspects)
            records.extend(mine)
            batches.append((child, mine))
            entries.append(audit_entry(
                organisation_id=child.organisation_id, actor=actor.user, event_type="key_aspects.updated", obj=child,
                summary=f"Key aspects of {child} changed",
                data={"before": {r.field: r.before for r in mine}, "after": {r.field: r.after for r in mine}}))
    if changed:
        rows_update(KeyAspects, changed, [*KEY_ASPECT_FIELDS, "version", "updated_at"])
        KeyAspectChange.objects.bulk_create(records, batch_size=BATCH)
        audit_record_many(entries)
        on_many_key_aspects_changed(batches, actor)
    return records
