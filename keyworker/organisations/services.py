"""Writes for organisation set-up. Each is atomic and audited."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.core.names import clean_name

from .hooks import on_organisation_created
from .models import Closure, Group, HalfTerm, Organisation, Setting, Term
from .policies import require_manage_setup
from .short_names import slug_problem


def _check(actor, setting: Setting | None = None) -> None:
    if actor is None:
        return
    require_manage_setup(actor)
    if setting is not None and setting.organisation_id != actor.organisation_id:
        raise RuleViolation("Not found.", rule="tenancy")


@transaction.atomic
def organisation_create(*, name: str, slug: str, by=None) -> Organisation:
    """A new organisation with its default roles, however it is created (a page, the admin site, a command, the API).

    `by`: the person creating it (None for the system: a command, the demo, fixtures)."""
    try:
        name = clean_name(name)
    except ValidationError as exc:
        raise RuleViolation(" ".join(exc.messages), rule="name_characters", field="name") from exc
    if not name:
        raise RuleViolation("Enter the organisation's name.", rule="required", field="name")
    problem = slug_problem(slug)
    if problem:
        raise RuleViolation(problem, rule="slug", field="slug")
    org = Organisation.objects.create(name=name, slug=slug)
    on_organisation_created(org)  # the default roles, from the accounts app
    audit_record(organisation_id=org.pk, actor=by, event_type="organisation.created", obj=org,
                 summary=f"{org} created (short name {org.slug})", data={"slug": org.slug})
    return org


@transaction.atomic
def setting_create(*, actor, organisation: Organisation, **fields: Any) -> Setting:
    _check(actor)
    if actor is not None and organisation.pk != actor.organisation_id:
        raise RuleViolation("Not found.", rule="tenancy")
    setting = Setting.objects.create(organisation=organisation, **fields)
    audit_record(organisation_id=organisation.pk, actor=getattr(actor, "user", None), event_type="setting.created", obj=setting, summary=str(setting))
    return setting


@transaction.atomic
def group_create(*, actor, setting: Setting, **fields: Any) -> Group:
    _check(actor, setting)
    group = Group.objects.create(organisation_id=setting.organisation_id, setting=setting, **fields)
    audit_record(organisation_id=setting.organisation_id, actor=getattr(actor, "user", None), event_type="group.created", obj=group, summary=f"{group} at {setting}")
    return group


@transaction.atomic
def groups_create(*, actor, setting: Setting, rows: list[dict[str, str]]) -> list[Group]:
    """Several classes or rooms at once (all or none): each row its name and year group."""
    _check(actor, setting)
    taken = {n.casefold() for n in Group.objects.filter(setting=setting).values_list("name", flat=True)}
    clash = next((r["name"] for r in rows if r["name"].casefold() in taken), None)
    if clash is not None:
        raise RuleViolation(f"{setting} already has a {setting.group_label} called {clash}.", rule="duplicate", field="lines")
    groups = Group.objects.bulk_create([
        Group(organisation_id=setting.organisation_id, setting=setting, name=r["name"], year_group=r.get("year_group", ""))
        for r in rows
    ])
    audit_record(organisation_id=setting.organisation_id, actor=getattr(actor, "user", None), event_type="group.created_many",
                 obj=setting, summary=f"{len(groups)} {setting.group_label}{'es' if setting.is_school else 's'} at {setting}",
                 data={"names": [g.name for g in groups]})
    return groups


def _no_overlap(model, setting: Setting, starts_on, ends_on, label: str, exclude_pk: int | None = None) -> None:
    clash = model.objects.filter(setting=setting, starts_on__lte=ends_on, ends_on__gte=starts_on).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise RuleViolation(f"This overlaps {label} {clash.name} ({on_screen(clash.starts_on)} to {on_screen(clash.ends_on)}).", rule="overlap", field="starts_on")


@transaction.atomic
def term_create(*, actor, setting: Setting, **fields: Any) -> Term:
    _check(actor, setting)
    _no_overlap(Term, setting, fields["starts_on"], fields["ends_on"], "the term")
    return Term.objects.create(organisation_id=setting.organisation_id, setting=setting, **fields)


@transaction.atomic
def half_term_create(*, actor, setting: Setting, **fields: Any) -> HalfTerm:
    _check(actor, setting)
    term = fields["term"]
    if term.setting_id != setting.pk:
        raise RuleViolation("Choose a term of this setting.", rule="term", field="term")
    _no_overlap(HalfTerm, setting, fields["starts_on"], fields["ends_on"], "the half term")
    return HalfTerm.objects.create(organisation_id=setting.organisation_id, setting=setting, **fields)


@transaction.atomic
def closure_create(*, actor, setting: Setting, **fields: Any) -> Closure:
    _check(actor, setting)
    return Closure.objects.create(organisation_id=setting.organisation_id, setting=setting, **fields)


@transaction.atomic
def organisation_second_factor_set(*, actor, organisation: Organisation, for_everyone: bool) -> Organisation:
    """Ask every member of staff for a second factor at sign-in, or only those whose roles need one."""
    _check(actor)
    if actor is not None and organisation.pk != actor.organisation_id:
        raise RuleViolation("Not found.", rule="tenancy")
    organisation.second_factor_for_everyone = for_everyone
    organisation.save(update_fields=["second_factor_for_everyone"])
    summary = "Everyone signs in with a second factor" if for_everyone else "Only leaders and the safeguarding team need a second factor"
    audit_record(organisation_id=organisation.pk, actor=getattr(actor, "user", None), event_type="organisation.second_factor",
                 obj=organisation, summary=summary, data={"for_everyone": for_everyone})
    return organisation


@transaction.atomic
def organisation_portal_access_set(*, actor, organisation: Organisation, restricted_access: str) -> Organisation:
    """Choose what the carers' portal opens to carers without parental responsibility or under a court order or an
    "information only" restriction (keyworker.people.carer_access)."""
    from .models import PortalRestrictedAccess

    _check(actor)
    if actor is not None and organisation.pk != actor.organisation_id:
        raise RuleViolation("Not found.", rule="tenancy")
    if restricted_access not in PortalRestrictedAccess.values:
        raise RuleViolation("Choose one of the options.", rule="choice", field="portal_restricted_access")
    before = organisation.portal_restricted_access
    organisation.portal_restricted_access = restricted_access
    organisation.save(update_fields=["portal_restricted_access"])
    audit_record(organisation_id=organisation.pk, actor=getattr(actor, "user", None), event_type="organisation.portal_access",
                 obj=organisation, summary=f"Carers with limited access now see: {PortalRestrictedAccess(restricted_access).label}",
                 data={"before": before, "after": restricted_access})
    return organisation


# Changing the term calendar (a copied typical year is adjusted here). The worker's next run works out the obligations
# again from the calendar as it now is; closed periods keep what they were.

_CALENDAR_FIELDS = {Term: ("name", "school_year", "starts_on", "ends_on"), HalfTerm: ("term", "name", "starts_on", "ends_on"),
                    Closure: ("kind", "name", "starts_on", "ends_on")}


def _calendar_update(actor, entry, label: str, fields: dict[str, Any]):
    setting = entry.setting
    _check(actor, setting)
    model = type(entry)
    if model is HalfTerm and fields["term"].setting_id != setting.pk:
        raise RuleViolation("Choose a term of this setting.", rule="term", field="term")
    if model is not Closure:
        _no_overlap(model, setting, fields["starts_on"], fields["ends_on"], label, exclude_pk=entry.pk)
    stored = model.objects.get(pk=entry.pk)  # as saved (a form may have changed the instance it was given)
    before = {f: str(getattr(stored, f)) for f in _CALENDAR_FIELDS[model]}
    for f in _CALENDAR_FIELDS[model]:
        setattr(entry, f, fields[f])
    entry.save(update_fields=list(_CALENDAR_FIELDS[model]))
    after = {f: str(getattr(entry, f)) for f in _CALENDAR_FIELDS[model]}
    audit_record(organisation_id=setting.organisation_id, actor=getattr(actor, "user", None),
                 event_type=f"{model.__name__.lower()}.changed", obj=entry, summary=f"{entry} at {setting}",
                 data={"before": before, "after": after})
    return entry


@transaction.atomic
def term_update(*, actor, term: Term, **fields: Any) -> Term:
    """Change a term's name, year or dates (its half terms must still lie inside it)."""
    if term.half_terms.filter(Q(starts_on__lt=fields["starts_on"]) | Q(ends_on__gt=fields["ends_on"])).exists():
        raise RuleViolation("A half term of this term would lie outside it: change the half term's dates first.",
                            rule="half_terms_inside", field="starts_on")
    return _calendar_update(actor, term, "the term", fields)


@transaction.atomic
def half_term_update(*, actor, half_term: HalfTerm, **fields: Any) -> HalfTerm:
    return _calendar_update(actor, half_term, "the half term", fields)


@transaction.atomic
def closure_update(*, actor, closure: Closure, **fields: Any) -> Closure:
    return _calendar_update(actor, closure, "", fields)


@transaction.atomic
def closure_remove(*, actor, closure: Closure) -> None:
    """A closure entered by mistake (or a break of a copied year that does not apply) goes: its days are school days."""
    setting = closure.setting
    _check(actor, setting)
    audit_record(organisation_id=setting.organisation_id, actor=getattr(actor, "user", None), event_type="closure.removed",
                 obj=closure, summary=f"{closure} ({on_screen(closure.starts_on)} to {on_screen(closure.ends_on)}) at {setting}")
    closure.delete()
