"""Users (sign in by e-mail), staff membership of an organisation, roles per setting and class teams."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from keyworker.organisations.models import Group, OrganisationOwned, Setting


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str) -> "User":
        # People type their address with capitals; addresses are stored in lower case.
        return self.get(email__iexact=(username or "").strip())

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin site (installation operators).")
    # A carer's account: signs in to the carers' portal by an e-mailed link, never with a password, and never
    # reaches a staff page. One account for every family, setting and organisation the carer belongs to.
    is_carer = models.BooleanField("carer's account", default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Raised by "sign out everywhere": every session signed in before it no longer matches (see below).
    sessions_generation = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django ends a session whose stored hash no longer matches: a new password, or here a new generation."""
        base = super()._get_session_auth_hash(secret=secret)
        if not self.sessions_generation:
            return base
        return salted_hmac("keyworker.accounts.User.sessions_generation", f"{base}:{self.sessions_generation}",
                           secret=secret, algorithm="sha256").hexdigest()


class Scope(models.TextChoices):
    """How far a role sees: deny by default, widest scope of a person's roles wins."""

    OWN_CASELOAD = "own_caseload", "Own caseload"
    OWN_GROUP = "own_group", "Own class or room"
    SETTING = "setting", "Whole setting"
    ORGANISATION = "organisation", "Whole organisation"


SCOPE_RANK = {Scope.OWN_CASELOAD: 0, Scope.OWN_GROUP: 1, Scope.SETTING: 2, Scope.ORGANISATION: 3}


class KeyWorkerEligibility(models.TextChoices):
    """Which allocation rule a role satisfies (SCH-A1, SCH-A2, CC-A1)."""

    NONE = "none", "Not a key worker"
    TEACHER = "teacher", "Teacher (may be key worker, also under child protection)"
    ASSISTANT = "assistant", "Teaching assistant (may be key worker, not under child protection)"
    PRACTITIONER = "practitioner", "Practitioner (key person / key contact)"


class Role(OrganisationOwned):
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.OWN_CASELOAD)
    capabilities = models.JSONField(default=list, blank=True)
    key_worker_eligibility = models.CharField(
        max_length=16, choices=KeyWorkerEligibility.choices, default=KeyWorkerEligibility.NONE
    )
    for_schools = models.BooleanField(default=True)
    for_childcare = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="role_unique_code_per_organisation")]

    def __str__(self) -> str:
        return self.name


class StaffMember(OrganisationOwned):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    job_title = models.CharField(max_length=100, blank=True)
    staff_code = models.CharField(max_length=30, blank=True, help_text="Identifier in the management information system")
    is_active = models.BooleanField(default=True)
    left_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Added (by an import) without their e-mail to choose a password yet: it goes when the organisation invites
    # everyone at once, so that nobody signs in to a half set-up organisation.
    sign_in_email_held = models.BooleanField(default=False)
    # Shown to carers beside the name on the portal's home; stored upright, at most 400 px, as JPEG without EXIF
    # (accounts.photos), and served only through a page that checks who may see it.
    photo = models.FileField(upload_to="staff-photos/", max_length=300, blank=True)

    class Meta:
        ordering = ["user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="staff_unique_user_per_organisation")
        ]

    def __str__(self) -> str:
        return self.user.full_name

    @property
    def photo_version(self) -> str:
        """Changes with every new photo: added to the photo's address so that a browser never shows an old one."""
        return self.photo.name.rsplit("/", 1)[-1].removesuffix(".jpg") if self.photo else ""


class StaffRole(OrganisationOwned):
    """A role a staff member holds in one setting."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="staff_roles")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="staff_roles")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff", "setting", "role"], name="staff_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.staff} – {self.role} ({self.setting})"


class GroupMembership(OrganisationOwned):
    """A staff member on the team of a class or room."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="group_memberships")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "group"], name="group_membership_unique")]

    def __str__(self) -> str:
        return f"{self.staff} in {self.group}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class StaffInvitation(OrganisationOwned):
    """An offer to join an organisation as staff, made to someone who already signs in (perhaps elsewhere).

    Nothing of theirs changes until they accept it themselves: a pending invitation is not a membership.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_invitations")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    roles = models.ManyToManyField(Role, related_name="+", blank=True)
    groups = models.ManyToManyField(Group, related_name="+", blank=True)
    job_title = models.CharField(max_length=100, blank=True)
    staff_code = models.CharField(max_length=30, blank=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=12, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], condition=models.Q(status="pending"),
                name="staff_invitation_one_pending_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} invited to {self.organisation}"


class ApiToken(models.Model):
    """A key for the REST API (`Authorization: Token <key>`): several per person, each named, expiring, revocable.

    Only the key's SHA-256 is stored; the key itself is shown once, when it is issued."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="The key's first characters, to recognise it in a list.")
    # SHA-256 of the password hash when issued: a new password (by any route) makes the token fail at once.
    password_marker = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    # When the person proved a second factor to get the token; restricted records only within 15 minutes of it.
    second_factor_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"], name="api_token_user_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ConfirmationFailure(models.Model):
    """A wrong password on the restricted-records confirmation: counted in the database so the limit holds across
    every web process."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "at"], name="confirm_failure_user_at_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.at:%Y-%m-%d %H:%M}"
