"""Writes for staff: add a staff member with roles and class teams, change them."""

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from keyworker.core.audit import audit_record
from keyworker.core.audit import changes as audit_changes
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import Group, Organisation, Setting

from . import capabilities as caps
from .access import Actor
from .models import GroupMembership, Role, StaffMember, StaffRole, User


def roles_create_defaults(*, organisation: Organisation) -> list[Role]:
    """The default roles of the two source policies; an organisation may adjust them afterwards."""
    existing = set(Role.objects.filter(organisation=organisation).values_list("code", flat=True))
    roles = [
        Role(organisation=organisation, code=code, name=name, scope=scope, capabilities=list(cap_list),
             key_worker_eligibility=kw, for_schools=schools, for_childcare=childcare)
        for code, name, scope, cap_list, kw, schools, childcare in caps.DEFAULT_ROLES
        if code not in existing
    ]
    return Role.objects.bulk_create(roles)


@transaction.atomic
def staff_save(
    *, actor: Actor | None, organisation: Organisation, full_name: str, email: str, setting: Setting,
    roles: list[Role], groups: list[Group], job_title: str = "", staff_code: str = "", password: str = "",
    staff: StaffMember | None = None,
) -> StaffMember:
    """Add a staff member (creating their sign-in if new) or update one; roles and teams are set for `setting`."""
    if actor is not None:
        actor.require(caps.MANAGE_STAFF)
        if actor.organisation_id != organisation.pk:
            raise RuleViolation("Not found.", rule="tenancy")
    for obj in (setting, *roles, *groups):
        if obj.organisation_id != organisation.pk:
            raise RuleViolation("Not found.", rule="tenancy")
    if any(g.setting_id != setting.pk for g in groups):
        raise RuleViolation(f"Choose classes or rooms of {setting}.", rule="group_setting", field="groups")
    email = email.strip().lower()
    before = _staff_snapshot(staff, setting) if staff is not None else {}
    user = staff.user if staff else User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, full_name=full_name.strip())
        if password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise RuleViolation(" ".join(exc.messages), rule="password", field="password") from exc
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    else:
        clash = User.objects.filter(email=email).exclude(pk=user.pk).exists()
        if clash:
            raise RuleViolation("Another person already signs in with this e-mail address.", rule="email", field="email")
        user.email, user.full_name = email, full_name.strip()
        if password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise RuleViolation(" ".join(exc.messages), rule="password", field="password") from exc
            user.set_password(password)
        user.save()
    if staff is None:
        staff, created = StaffMember.objects.get_or_create(
            organisation=organisation, user=user, defaults={"job_title": job_title, "staff_code": staff_code}
        )
        if not created and actor is not None:
            raise RuleViolation(f"{user} is already a staff member here.", rule="duplicate", field="email")
    staff.job_title, staff.staff_code = job_title, staff_code
    staff.save()
    StaffRole.objects.filter(staff=staff, setting=setting).exclude(role__in=roles).delete()
    have = set(StaffRole.objects.filter(staff=staff, setting=setting).values_list("role_id", flat=True))
    StaffRole.objects.bulk_create(
        [StaffRole(organisation=organisation, staff=staff, setting=setting, role=r) for r in roles if r.pk not in have]
    )
    GroupMembership.objects.filter(staff=staff, group__setting=setting).exclude(group__in=groups).delete()
    in_groups = set(GroupMembership.objects.filter(staff=staff).values_list("group_id", flat=True))
    GroupMembership.objects.bulk_create(
        [GroupMembership(organisation=organisation, staff=staff, group=g) for g in groups if g.pk not in in_groups]
    )
    audit_record(
        organisation_id=organisation.pk, actor=actor.user if actor else None, event_type="staff.saved", obj=staff,
        summary=f"{staff}: {', '.join(r.name for r in roles)} at {setting}",
        data=audit_changes(before, _staff_snapshot(staff, setting)),
    )
    return staff


def _staff_snapshot(staff: StaffMember, setting: Setting) -> dict[str, Any]:
    """What a staff edit can change, for the audit log's before and after."""
    return {
        "full_name": staff.user.full_name, "email": staff.user.email, "job_title": staff.job_title,
        "staff_code": staff.staff_code,
        "roles": sorted(StaffRole.objects.filter(staff=staff, setting=setting).values_list("role__code", flat=True)),
        "groups": sorted(GroupMembership.objects.filter(staff=staff, group__setting=setting).values_list("group_id", flat=True)),
    }


@transaction.atomic
def role_update(
    *, actor: Actor, role: Role, name: str, scope: str, key_worker_eligibility: str, capabilities: list[str]
) -> Role:
    """An organisation adjusts one of its roles; the change is audited with before and after."""
    actor.require(caps.MANAGE_SETUP)
    if role.organisation_id != actor.organisation_id:
        raise RuleViolation("Not found.", rule="tenancy")
    unknown = set(capabilities) - set(caps.ALL)
    if unknown:
        raise RuleViolation(f"Unknown capability: {', '.join(sorted(unknown))}.", rule="capability", field="capabilities")
    before = {"name": role.name, "scope": role.scope, "key_worker_eligibility": role.key_worker_eligibility, "capabilities": role.capabilities}
    role.name, role.scope, role.key_worker_eligibility = name.strip(), scope, key_worker_eligibility
    role.capabilities = sorted(capabilities)
    role.save()
    audit_record(organisation_id=role.organisation_id, actor=actor.user, event_type="role.updated", obj=role,
                 summary=f"Role {role.name} changed", data={"before": before, "after": {**before, "name": role.name, "scope": role.scope,
                 "key_worker_eligibility": role.key_worker_eligibility, "capabilities": role.capabilities}})
    return role
