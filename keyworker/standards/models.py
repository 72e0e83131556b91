"""Policies as data: policy documents and versions, their standards, and the obligations computed from them."""

from django.conf import settings
from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import Organisation, OrganisationOwned, Setting
from keyworker.people.models import Child, Family


class Policy(OrganisationOwned):
    title = models.CharField(max_length=200)
    template_code = models.CharField(max_length=40, blank=True, help_text="The built-in template it was adopted from")
    responsible_officer = models.CharField(max_length=150, blank=True, help_text="e.g. All Managers (CC-D1)")
    responsible_staff = models.ManyToManyField(StaffMember, blank=True, related_name="+")
    author = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.title


class PolicyVersion(OrganisationOwned):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    effective_from = models.DateField()
    review_on = models.DateField()
    comment = models.CharField(max_length=300, blank=True)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A version issued with a later effective date waits: the previous one applies until the worker switches on
    # the day (policy_versions_switch); its standards can be prepared meanwhile.
    in_force = models.BooleanField(default=True)
    # When the worker brought the obligations in line with the version coming into force (empty: waiting).
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["policy_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["policy", "number"], name="policy_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.policy} v{self.number}"


class PolicyAcknowledgement(OrganisationOwned):
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "staff"], name="policy_ack_unique")]


class Subject(models.TextChoices):
    FAMILY = "family", "Each family"
    CHILD = "child", "Each child"
    KEY_WORKER = "key_worker", "Each key worker"  # a key worker's own duties, one obligation per key worker
    SETTING = "setting", "Each setting"  # a manager's duty, one obligation per setting


# Subjects that are not about one family: their obligations have no family (and no child).
STAFF_SUBJECTS = (Subject.KEY_WORKER, Subject.SETTING)


class Cadence(models.TextChoices):
    WEEKLY_TERM_TIME = "weekly", "Every N school weeks, in term time"
    HALF_TERMLY = "half_termly", "Every half term"
    TERMLY = "termly", "Every term"
    EVERY_N_MONTHS = "months", "Every N months"
    AFTER_ENROLMENT = "after_enrolment", "Within N days of enrolment"
    BEFORE_EVENT = "before_event", "N days before each event"
    AFTER_EVENT = "after_event", "Within N days after each event"


EVENT_CADENCES = (Cadence.BEFORE_EVENT, Cadence.AFTER_EVENT)


class DayCount(models.TextChoices):
    """How "within N days" and "N days before" count: school days in the setting's term calendar, or every day."""

    SCHOOL = "school", "School days"
    CALENDAR = "calendar", "Calendar days"


class Responsible(models.TextChoices):
    KEY_WORKER = "key_worker", "The key worker"
    MANAGER = "manager", "A manager or leader"
    ADMIN_OFFICE = "admin_office", "The admin office"


class Standard(OrganisationOwned):
    """One rule of a policy version, as data. Editing it writes a StandardRevision; obligations follow."""

    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="standards")
    clause = models.CharField(max_length=20, help_text="The clause it implements, e.g. SCH-4")
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    enabled = models.BooleanField(default=True)
    setting_kinds = models.JSONField(default=list, help_text="Kinds of setting it applies to; empty means all")
    conditions = models.JSONField(default=dict, blank=True, help_text='Which children, e.g. {"has_ehcp": true}')
    subject = models.CharField(max_length=10, choices=Subject.choices, default=Subject.FAMILY)
    cadence = models.CharField(max_length=20, choices=Cadence.choices)
    cadence_n = models.PositiveSmallIntegerField(default=1, help_text="N in the cadence (weeks, months or days)")
    evidence = models.CharField(max_length=40, help_text="The kind of record that meets it")
    event = models.CharField(
        max_length=40, blank=True, help_text="For the before or after each event cadences: which event, e.g. appointment"
    )
    evidence_conditions = models.JSONField(default=dict, blank=True)
    responsible = models.CharField(max_length=20, choices=Responsible.choices, default=Responsible.KEY_WORKER)
    due_soon_days = models.PositiveSmallIntegerField(default=2)
    escalate_after_days = models.PositiveSmallIntegerField(null=True, blank=True)
    escalate_to_roles = models.JSONField(default=list, blank=True, help_text="Role codes told when it escalates")
    day_count = models.CharField(
        max_length=10, choices=DayCount.choices, default=DayCount.CALENDAR,
        help_text="Whether N days (the cadence's, and the days below) count school days or every day",
    )
    # A recurring obligation whose period has ended stays open this many school days for late records dated inside
    # the period (they meet it late); then it is missed, a final state.
    grace_school_days = models.PositiveSmallIntegerField(default=5)
    # A one-off obligation (within N days of an event or of enrolment) stays actionable this many school days after
    # its due date; then it is missed.
    one_off_open_school_days = models.PositiveSmallIntegerField(default=10)
    # Raised by one on every save: an edit started from an older version is refused, not silently applied.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["policy_version_id", "clause", "id"]

    def __str__(self) -> str:
        return f"{self.clause} {self.title}"

    @property
    def heading(self) -> str:
        """How screens name it: the plain title first, the policy's clause after ("Weekly contact (SCH-4)")."""
        return f"{self.title} ({self.clause})" if self.clause else self.title


class StandardRevision(OrganisationOwned):
    """Every change to a standard: who, when, and the whole definition before and after."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="revisions")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField()
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    # The first day the change applies to: periods starting before it keep the definition in `before`. Empty for
    # changes made before changes were dated (they apply from the start).
    effective_from = models.DateField(null=True, blank=True)
    # When the worker brought the obligations in line with the change (empty: waiting for the worker).
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]


class RevisionAcknowledgement(OrganisationOwned):
    """A staff member whose duties a change to a standard touches: asked when the change is applied, and when they
    confirmed they have read it (empty: not yet)."""

    revision = models.ForeignKey(StandardRevision, on_delete=models.CASCADE, related_name="acknowledgements")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="+")
    asked_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["revision_id", "staff_id"]
        constraints = [models.UniqueConstraint(fields=["revision", "staff"], name="revision_ack_unique")]


class ObligationState(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    ESCALATED = "escalated", "Escalated"
    MET = "met", "Met"
    WAIVED = "waived", "Waived"
    # Final: the period ended (after its grace) or the one-off's time ran out without the record that meets it.
    MISSED = "missed", "Missed"


OPEN_STATES = (ObligationState.UPCOMING, ObligationState.DUE_SOON, ObligationState.OVERDUE, ObligationState.ESCALATED)
# Settled: the engine never changes or deletes an obligation in one of these states.
FINAL_STATES = (ObligationState.MET, ObligationState.WAIVED, ObligationState.MISSED)


class Obligation(OrganisationOwned):
    """One standard, for one family, child, key worker or setting, for one period, due on a date. State is stored
    and indexed."""

    # Three foreign keys lead a composite index below (no index of their own: every obligation written updates
    # fewer indexes): organisation (state and due date), standard (the unique period), responsible staff (state).
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="obligations", db_index=False)
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Empty for the key worker and setting subjects.
    family = models.ForeignKey(Family, null=True, blank=True, on_delete=models.CASCADE, related_name="obligations")
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.CASCADE, related_name="obligations")
    # "f<family id>", "c<child id>", "s<key worker's staff id>" or "t<setting id>" (and "@<event>" for event
    # cadences): uniqueness needs no nullable column.
    subject_key = models.CharField(max_length=64)
    responsible_staff = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="obligations", db_index=False
    )
    period_start = models.DateField()
    period_end = models.DateField()
    due_on = models.DateField()
    state = models.CharField(max_length=12, choices=ObligationState.choices, default=ObligationState.UPCOMING)
    met_on = models.DateField(null=True, blank=True)
    # Met, but after it fell due: by a record dated after the due date, or entered after the period ended.
    met_late = models.BooleanField(default=False)
    evidence_ref = models.CharField(max_length=80, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    waived_reason = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "subject_key", "period_start"], name="obligation_unique_period"),
        ]
        indexes = [
            models.Index(fields=["organisation", "state", "due_on"], name="obligation_state_due_idx"),
            models.Index(fields=["responsible_staff", "state"], name="obligation_staff_state_idx"),
            # Compliance reads a setting's obligations of a half term or a school year (by due date), not its whole
            # history; it also serves the setting's foreign key.
            models.Index(fields=["setting", "due_on"], name="obligation_setting_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.standard} – {self.subject_key} due {self.due_on}"


class ObligationEvent(OrganisationOwned):
    """An append-only row for every change of an obligation's state."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]


class SettledPeriods(OrganisationOwned):
    """How far a standard's obligations are settled: the day of the engine's last full run for it. Every window that
    closed before that day is stored final (met, waived or missed); the engine neither reads nor computes it again."""

    standard = models.OneToOneField(Standard, on_delete=models.CASCADE, related_name="+")
    settled_on = models.DateField()


class EngineRun(OrganisationOwned):
    """The organisation's latest whole-organisation run of the engine and how far it has got: it writes the
    obligations a part of the families at a time, each part committed, and counts the families done as it goes."""

    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Empty while the run is under way (or if it stopped half way: the next run starts again).
    finished_at = models.DateTimeField(null=True, blank=True)
    families_done = models.PositiveIntegerField(default=0)
    families_total = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation"], name="engine_run_one_per_organisation")]
