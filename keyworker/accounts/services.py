"""Writes for staff: add a staff member with roles and class teams, change them, invite people who already sign in."""

from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from keyworker.core.audit import audit_record
from keyworker.core.audit import changes as audit_changes
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import Group, Organisation, Setting

from . import capabilities as caps
from . import policies
from .access import Actor
from .models import GroupMembership, InvitationStatus, Role, StaffInvitation, StaffMember, StaffRole, User


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
) -> StaffMember | StaffInvitation:
    """Add a staff member or update one; roles and teams are set for `setting`.

    A person never sets another person's password, name or e-mail address through here:
    - someone new gets a sign-in without a password and an e-mail with a link to choose their own;
    - someone who already signs in (here or elsewhere) is invited: nothing of theirs changes, and they join
      only when they accept (the invitation is returned instead of a membership);
    - editing never changes the e-mail address (it is how the person signs in and resets their password), and
      changes the name only of people who work for no other organisation.
    `password` is for system use only (actor=None: fixtures, the demo) and only for a sign-in created here.
    """
    if actor is not None:
        actor.require(caps.MANAGE_STAFF)
        if actor.organisation_id != organisation.pk:
            raise RuleViolation("Not found.", rule="tenancy")
        if password:
            raise RuleViolation("People choose their own password.", rule="password", field="password")
    for obj in (setting, *roles, *groups):
        if obj.organisation_id != organisation.pk:
            raise RuleViolation("Not found.", rule="tenancy")
    if staff is not None and staff.organisation_id != organisation.pk:
        raise RuleViolation("Not found.", rule="tenancy")
    if any(g.setting_id != setting.pk for g in groups):
        raise RuleViolation(f"Choose classes or rooms of {setting}.", rule="group_setting", field="groups")
    if actor is not None:
        refusals = policies.staff_roles_refusals(actor, setting_id=setting.pk, roles=roles, staff=staff)
        if refusals:
            raise policies.Refused(refusals)
    email = email.strip().lower()
    before = _staff_snapshot(staff, setting) if staff is not None else {}
    full_name = full_name.strip()
    new_user = False
    if staff is not None:
        user = staff.user
        if email != user.email:
            if actor is not None:
                raise RuleViolation(
                    "The e-mail address cannot be changed here: it is how they sign in and reset their password. "
                    "Add them again with the new address instead.", rule="email", field="email",
                )
            if User.objects.filter(email=email).exclude(pk=user.pk).exists():
                raise RuleViolation("Another person already signs in with this e-mail address.", rule="email", field="email")
            user.email = email
        if full_name != user.full_name:
            if actor is not None and not policies.may_change_identity(staff):
                raise RuleViolation(
                    "They also work for another organisation, so only they can change their name.",
                    rule="name", field="full_name",
                )
            user.full_name = full_name
        user.save(update_fields=["email", "full_name"])
    else:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            new_user = True
            user = User(email=email, full_name=full_name)
            if password and actor is None:
                try:
                    validate_password(password, user)
                except ValidationError as exc:
                    raise RuleViolation(" ".join(exc.messages), rule="password", field="password") from exc
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        elif actor is not None:
            return invitation_create(
                actor=actor, organisation=organisation, user=user, setting=setting, roles=roles, groups=groups,
                job_title=job_title, staff_code=staff_code,
            )
    before_roles = [] if staff is None else list(
        StaffRole.objects.filter(staff=staff, setting=setting).select_related("role").order_by("role__name")
    )
    if staff is None:
        staff, created = StaffMember.objects.get_or_create(
            organisation=organisation, user=user, defaults={"job_title": job_title, "staff_code": staff_code}
        )
        if not created and actor is not None:
            raise RuleViolation(f"{user} is already a staff member here.", rule="duplicate", field="email")
    staff.job_title, staff.staff_code = job_title, staff_code
    staff.save()
    _set_roles_and_teams(staff=staff, setting=setting, roles=roles, groups=groups)
    event = audit_record(
        organisation_id=organisation.pk, actor=actor.user if actor else None, event_type="staff.saved", obj=staff,
        summary=f"{staff}: {', '.join(r.name for r in roles)} at {setting}",
        data={"setting": setting.pk, **audit_changes(before, _staff_snapshot(staff, setting))},
    )
    if actor is not None:  # setting up (the demo, fixtures) is audited; a person's change is also told
        _tell_if_restricted_access_changed(
            organisation_id=organisation.pk, actor=actor, event_id=event.pk, person=staff,
            before=[sr.role for sr in before_roles], after=roles, setting=setting,
        )
    if new_user and actor is not None:
        password_set_send(user=user, organisation_id=organisation.pk, invited_by=actor.user)
    return staff


def _set_roles_and_teams(*, staff: StaffMember, setting: Setting, roles: list[Role], groups: list[Group]) -> None:
    organisation_id = staff.organisation_id
    StaffRole.objects.filter(staff=staff, setting=setting).exclude(role__in=roles).delete()
    have = set(StaffRole.objects.filter(staff=staff, setting=setting).values_list("role_id", flat=True))
    StaffRole.objects.bulk_create(
        [StaffRole(organisation_id=organisation_id, staff=staff, setting=setting, role=r) for r in roles if r.pk not in have]
    )
    GroupMembership.objects.filter(staff=staff, group__setting=setting).exclude(group__in=groups).delete()
    in_groups = set(GroupMembership.objects.filter(staff=staff).values_list("group_id", flat=True))
    GroupMembership.objects.bulk_create(
        [GroupMembership(organisation_id=organisation_id, staff=staff, group=g) for g in groups if g.pk not in in_groups]
    )


def _password_set_message(user: User, organisation: Organisation, invited_by: User | None) -> dict[str, str]:
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    link = reverse("accounts:password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
    })
    who = f"{invited_by} has" if invited_by else "You have been"
    return {
        "kind": "account.password_set",
        "subject": f"Choose your password for Keyworker ({organisation})",
        "body": (f"{who} added you as a staff member of {organisation}. Choose your password with the link below; "
                 f"it works once and for {settings.PASSWORD_RESET_TIMEOUT // 86400} days. If it has run out, use "
                 "“Forgotten your password?” on the sign-in page."),
        "link": link, "dedupe_key": f"password-set:{user.pk}:{organisation.pk}",
    }


def password_set_send(*, user: User, organisation_id: int, invited_by: User | None = None) -> None:
    """E-mail a new person a link to choose their own password (Django's password-reset token), with retries."""
    from keyworker.notifications.services import notification_send

    organisation = Organisation.objects.get(pk=organisation_id)
    notification_send(recipient=user, organisation_id=organisation_id,
                      **_password_set_message(user, organisation, invited_by))


def password_set_send_many(*, users: list[User], organisation: Organisation, invited_by: User | None = None) -> int:
    """password_set_send for many new people at once, in a fixed number of queries (an import, inviting everyone).
    Someone already sent theirs is not sent it again. Returns how many were sent."""
    from keyworker.core import clock
    from keyworker.notifications.services import Draft, notifications_send

    drafts = [Draft(recipient_id=u.pk, **_password_set_message(u, organisation, invited_by)) for u in users]
    return notifications_send(organisation_id=organisation.pk, drafts=drafts, now=clock.now())


@transaction.atomic
def invitation_create(
    *, actor: Actor, organisation: Organisation, user: User, setting: Setting, roles: list[Role], groups: list[Group],
    job_title: str = "", staff_code: str = "",
) -> StaffInvitation:
    """Invite someone who already signs in to join as staff; they are told, and nothing of theirs changes."""
    from keyworker.notifications.services import notification_send

    actor.require(caps.MANAGE_STAFF)
    if actor.organisation_id != organisation.pk:
        raise RuleViolation("Not found.", rule="tenancy")
    refusals = policies.staff_roles_refusals(actor, setting_id=setting.pk, roles=roles)
    if refusals:
        raise policies.Refused(refusals)
    if StaffMember.objects.filter(organisation=organisation, user=user).exists():
        raise RuleViolation(f"{user} is already a staff member here.", rule="duplicate", field="email")
    if StaffInvitation.objects.filter(organisation=organisation, user=user, status=InvitationStatus.PENDING).exists():
        raise RuleViolation("This person has already been invited and has not answered yet.", rule="duplicate", field="email")
    invitation = StaffInvitation.objects.create(
        organisation=organisation, user=user, setting=setting, job_title=job_title, staff_code=staff_code,
        invited_by=actor.user,
    )
    invitation.roles.set(roles)
    invitation.groups.set(groups)
    audit_record(
        organisation_id=organisation.pk, actor=actor.user, event_type="staff.invited", obj=invitation,
        summary=f"{user.email} invited to join as {', '.join(r.name for r in roles) or 'staff'} at {setting}",
        data={"user": user.pk, "setting": setting.pk, "roles": sorted(r.code for r in roles)},
    )
    notification_send(
        recipient=user, organisation_id=organisation.pk, kind="staff.invitation",
        subject=f"{organisation} invites you to join as staff",
        body=(f"{actor.user} invited you to join {organisation} as "
              f"{', '.join(r.name for r in roles) or 'a staff member'} at {setting}. Sign in with your usual "
              "address and password to accept or decline. Nothing changes until you accept."),
        link="/accounts/invitations/", dedupe_key=f"staff-invitation:{invitation.pk}",
    )
    return invitation


@transaction.atomic
def invitation_answer(*, user: User, invitation: StaffInvitation, accept: bool) -> StaffMember | None:
    """The invited person accepts (becoming a member with the roles offered) or declines; only they can."""
    invitation = StaffInvitation.objects.select_for_update(of=("self",)).select_related("organisation", "setting").get(pk=invitation.pk)
    if invitation.user_id != user.pk:
        raise RuleViolation("Not found.", rule="tenancy")
    if invitation.status != InvitationStatus.PENDING:
        raise RuleViolation("You have already answered this invitation.", rule="answered")
    invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    org = invitation.organisation
    if not accept:
        audit_record(organisation_id=org.pk, actor=user, event_type="staff.invitation_declined", obj=invitation,
                     summary=f"{user} declined to join")
        return None
    roles = [r for r in invitation.roles.all() if r.organisation_id == org.pk]
    groups = [g for g in invitation.groups.all() if g.organisation_id == org.pk and g.setting_id == invitation.setting_id]
    staff, created = StaffMember.objects.get_or_create(
        organisation=org, user=user, defaults={"job_title": invitation.job_title, "staff_code": invitation.staff_code},
    )
    if not created:
        raise RuleViolation(f"You are already a staff member of {org}.", rule="duplicate")
    _set_roles_and_teams(staff=staff, setting=invitation.setting, roles=roles, groups=groups)
    event = audit_record(
        organisation_id=org.pk, actor=user, event_type="staff.invitation_accepted", obj=staff,
        summary=f"{staff} joined: {', '.join(r.name for r in roles)} at {invitation.setting}",
        data={"invitation": invitation.pk, "before": {"roles": []}, "after": {"roles": sorted(r.code for r in roles)}},
    )
    _tell_if_restricted_access_changed(
        organisation_id=org.pk, actor=None, event_id=event.pk, person=staff, before=[], after=roles,
        setting=invitation.setting, by=user,
    )
    return staff


def _restricted_readers_and_leaders(organisation_id: int) -> list[User]:
    """Active staff of the organisation on the safeguarding team or leading it (allocations)."""
    wanted = {caps.SAFEGUARDING_TEAM, caps.LEADS_SETTING}
    role_ids = [r.pk for r in Role.objects.filter(organisation_id=organisation_id) if wanted & set(r.capabilities)]
    return list(User.objects.filter(
        memberships__organisation_id=organisation_id, memberships__is_active=True,
        memberships__staff_roles__role_id__in=role_ids, is_active=True,
    ).distinct().order_by("pk"))


def restricted_access_tell(*, organisation_id: int, event_id: int, subject: str, body: str) -> int:
    """Tell the safeguarding team and leaders that who can read restricted records changed; returns how many."""
    from keyworker.notifications.services import notification_send

    recipients = _restricted_readers_and_leaders(organisation_id)
    for person in recipients:
        notification_send(
            recipient=person, organisation_id=organisation_id, kind="access.safeguarding_changed", subject=subject,
            body=body, link="", dedupe_key=f"restricted-access:{event_id}",
        )
    return len(recipients)


def _tell_if_restricted_access_changed(
    *, organisation_id: int, actor: Actor | None, event_id: int, person: StaffMember, before: list[Role],
    after: list[Role], setting: Setting, by: User | None = None,
) -> None:
    had = any(policies.reads_restricted_records(r.capabilities) for r in before)
    has = any(policies.reads_restricted_records(r.capabilities) for r in after)
    if had == has and not (has and {r.pk for r in before} != {r.pk for r in after}):
        return
    who = by or (actor.user if actor else None)
    change = "can now read" if has else "can no longer read"
    restricted_access_tell(
        organisation_id=organisation_id, event_id=event_id,
        subject=f"{person} {change} safeguarding records",
        body=(f"{person} {change} restricted safeguarding records at {setting}: roles "
              f"{', '.join(r.name for r in before) or 'none'} → {', '.join(r.name for r in after) or 'none'}"
              f"{f', changed by {who}' if who else ''}. If this is not expected, speak to your headteacher or manager."),
    )


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
    refusals = policies.role_edit_refusals(
        actor, role, scope=scope, capabilities=capabilities,
        changes_other_fields=(name.strip(), key_worker_eligibility) != (role.name, role.key_worker_eligibility),
    )
    if refusals:
        raise policies.Refused(refusals)
    before = {"name": role.name, "scope": role.scope, "key_worker_eligibility": role.key_worker_eligibility,
              "capabilities": list(role.capabilities)}
    role.name, role.scope, role.key_worker_eligibility = name.strip(), scope, key_worker_eligibility
    role.capabilities = sorted(capabilities)
    role.save()
    after = {"name": role.name, "scope": role.scope, "key_worker_eligibility": role.key_worker_eligibility,
             "capabilities": role.capabilities}
    event = audit_record(organisation_id=role.organisation_id, actor=actor.user, event_type="role.updated", obj=role,
                         summary=f"Role {role.name} changed", data={"before": before, "after": after})
    had, has = (policies.reads_restricted_records(x["capabilities"]) for x in (before, after))
    if had != has:
        holders = StaffMember.objects.filter(staff_roles__role=role, is_active=True).select_related("user").distinct()
        names = ", ".join(str(s) for s in holders) or "nobody yet"
        change = "can now read" if has else "can no longer read"
        restricted_access_tell(
            organisation_id=role.organisation_id, event_id=event.pk,
            subject=f"Everyone with the role {role.name} {change} safeguarding records",
            body=(f"{actor.user} {'gave' if has else 'took away from'} the role {role.name} membership of the safeguarding "
                  f"team. People with this role ({names}) {change} restricted safeguarding records. If this is not "
                  "expected, speak to your headteacher or manager."),
        )
    return role
