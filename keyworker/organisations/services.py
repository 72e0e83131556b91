"""Writes for organisation set-up. Each is atomic and audited."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

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


def _no_overlap(model, setting: Setting, starts_on, ends_on, label: str) -> None:
    clash = model.objects.filter(setting=setting, starts_on__lte=ends_on, ends_on__gte=starts_on).first()
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
