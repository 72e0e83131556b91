"""Setting up an installation: the first run (its administrator and first organisation), and further organisations
added by the installation's administrator, each with its first setting and its first leader.

The installation's administrator is a user with `is_superuser`: the first person of a new installation is one."""

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation
from keyworker.core.names import clean_name
from keyworker.organisations.models import Organisation, Setting
from keyworker.organisations.services import organisation_create, setting_create

from .capabilities import top_leader_role_code
from .models import Role, StaffMember, User
from .services import password_set_send, staff_save

# Once a user exists, it always will: the first-run check stops asking the database (per process).
_users_exist = False


def installation_has_users(*, signed_in: bool = False) -> bool:
    """Whether anyone has an account yet; a new installation has nobody, and shows the first-run page.
    `signed_in`: someone is signed in, so the answer is yes without asking the database."""
    global _users_exist
    if not _users_exist:
        _users_exist = signed_in or User.objects.exists()
    return _users_exist


def installation_forget_users() -> None:
    """Ask the database again next time (tests that start from an empty installation)."""
    global _users_exist
    _users_exist = False


def _remember_users_exist() -> None:
    global _users_exist
    _users_exist = True


def is_installation_admin(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


@dataclass(frozen=True)
class OrganisationOpened:
    organisation: Organisation
    setting: Setting
    leader: StaffMember
    role: Role
    link_sent: bool        # the leader was e-mailed a link to choose their password


def _password_checked(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise RuleViolation(" ".join(exc.messages), rule="password", field="leader_password") from exc


@transaction.atomic
def organisation_open(
    *, by: User | None, name: str, slug: str, setting_name: str, kind: str, jurisdiction: str, time_zone: str,
    leader_name: str, leader_email: str, leader_password: str = "", installation_admin: bool = False,
) -> OrganisationOpened:
    """A new organisation with its default roles, its first setting, and its first leader (the top leader role for
    the setting's kind: headteacher for a school, manager otherwise).

    `by`: the installation's administrator adding it, or None (the first run, the setup command). A new leader
    without a password gets an e-mail link to choose one; someone who already signs in keeps their password.
    `installation_admin`: the leader is also the installation's administrator (the first run)."""
    if by is not None and not is_installation_admin(by):
        raise PermissionDenied("Only the installation's administrator adds organisations.")
    email = (leader_email or "").strip().lower()
    if not email:
        raise RuleViolation("Enter the leader's e-mail address.", rule="required", field="leader_email")
    try:
        full_name = clean_name(leader_name)
    except ValidationError as exc:
        raise RuleViolation(" ".join(exc.messages), rule="name_characters", field="leader_name") from exc
    organisation = organisation_create(name=name, slug=slug, by=by)
    setting = setting_create(actor=None, organisation=organisation, name=setting_name or organisation.name, kind=kind,
                             jurisdiction=jurisdiction, time_zone=time_zone)
    role = Role.objects.get(organisation=organisation, code=top_leader_role_code(kind))
    user = User.objects.filter(email__iexact=email).first()
    new_user = user is None
    if new_user:
        if not full_name:
            raise RuleViolation("Enter the leader's name.", rule="required", field="leader_name")
        user = User(email=email, full_name=full_name)
        if leader_password:
            _password_checked(leader_password, user)
            user.set_password(leader_password)
        else:
            user.set_unusable_password()
    elif leader_password:
        raise RuleViolation(f"{user.email} already signs in: their password stays as it is.", rule="password",
                            field="leader_password")
    if installation_admin:
        user.is_superuser = user.is_staff = True
    user.save()
    leader = staff_save(actor=None, organisation=organisation, full_name=user.full_name, email=user.email,
                        setting=setting, roles=[role], groups=[], job_title=role.name)
    audit_record(
        organisation_id=organisation.pk, actor=by or (user if installation_admin else None),
        event_type="organisation.opened", obj=organisation,
        summary=f"{organisation} opened with {setting}; {user} is its {role.name.lower()}",
        data={"setting": setting.pk, "leader": user.pk, "role": role.code, "installation_admin": installation_admin},
    )
    link_sent = False
    if not user.has_usable_password():
        password_set_send(user=user, organisation_id=organisation.pk, invited_by=by)
        link_sent = True
    elif not new_user and by is not None and user.pk != by.pk:
        from keyworker.notifications.services import notification_send

        notification_send(
            recipient=user, organisation_id=organisation.pk, kind="staff.added",
            subject=f"You are now {role.name.lower()} of {organisation} on Keyworker",
            body=(f"{by} added {organisation} to Keyworker with you as its {role.name.lower()} at {setting}. "
                  "Sign in with your usual address and password, and choose the organisation at the top of the page."),
            link="/setup/", dedupe_key=f"organisation-opened:{organisation.pk}:{user.pk}",
        )
    transaction.on_commit(_remember_users_exist)
    return OrganisationOpened(organisation=organisation, setting=setting, leader=leader, role=role, link_sent=link_sent)


@transaction.atomic
def installation_start(
    *, name: str, slug: str, setting_name: str, kind: str, jurisdiction: str, time_zone: str, full_name: str,
    email: str, password: str,
) -> OrganisationOpened:
    """The first run of a new installation: its administrator (who chooses a password here) and its first
    organisation, which they lead. Refused once anyone has an account."""
    if User.objects.select_for_update().exists():
        raise RuleViolation("This installation is already set up: sign in instead.", rule="installed")
    if not password:
        raise RuleViolation("Choose a password.", rule="required", field="leader_password")
    return organisation_open(
        by=None, name=name, slug=slug, setting_name=setting_name, kind=kind, jurisdiction=jurisdiction,
        time_zone=time_zone, leader_name=full_name, leader_email=email, leader_password=password,
        installation_admin=True,
    )
