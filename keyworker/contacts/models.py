"""Contact logs: one contact with a family (channel, direction, tone, write-up), with revisions and voiding.

A contact flagged as a safeguarding concern is a restricted record: only the safeguarding team of its setting
reads it (each read kept as a ContactAccess row); everyone else sees that it exists and whom to talk to.
"""

from django.conf import settings
from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.core import clock
from keyworker.organisations.models import OrganisationOwned, Setting
from keyworker.people.models import Carer, Child, ContactMethod, Family


class Channel(models.TextChoices):
    FACE_TO_FACE = ContactMethod.FACE_TO_FACE.value, "Face to face"
    PHONE = ContactMethod.PHONE.value, "Phone call"
    MESSAGING_APP = ContactMethod.MESSAGING_APP.value, "ClassDojo or messaging app"
    EMAIL = ContactMethod.EMAIL.value, "E-mail"
    LETTER = ContactMethod.LETTER.value, "Letter or postcard"
    MEETING = "meeting", "Meeting"
    PORTAL_MESSAGE = "portal_message", "Portal message"


# What a member of staff may record by hand: a portal message is only ever sent through the messages pages.
RECORDABLE_CHANNELS = [(value, label) for value, label in Channel.choices if value != Channel.PORTAL_MESSAGE]


class Direction(models.TextChoices):
    FROM_SCHOOL = "from_school", "From us to the family"
    FROM_FAMILY = "from_family", "From the family to us"


class Tone(models.TextChoices):
    CELEBRATION = "celebration", "Celebration"
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    CONCERN = "concern", "Concern"


class SafeguardingCategory(models.TextChoices):
    """Keeping Children Safe in Education names four categories of abuse (physical, emotional, sexual, neglect);
    schools' concern systems add the specific safeguarding issues staff most often record."""

    NEGLECT = "neglect", "Neglect"
    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
    EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    ONLINE_SAFETY = "online_safety", "Online safety"
    MENTAL_HEALTH = "mental_health", "Mental health"
    OTHER = "other", "Other"


class AccessRoute(models.TextChoices):
    PAGE = "page", "Page"
    API = "api", "API"


POSITIVE_TONES = frozenset({Tone.CELEBRATION, Tone.POSITIVE})

# Which preferred contact methods a channel counts as (a meeting is face to face).
CHANNEL_MEETS_PREFERENCE: dict[str, frozenset[str]] = {
    Channel.FACE_TO_FACE: frozenset({ContactMethod.FACE_TO_FACE}),
    Channel.MEETING: frozenset({ContactMethod.FACE_TO_FACE}),
    Channel.PHONE: frozenset({ContactMethod.PHONE}),
    Channel.MESSAGING_APP: frozenset({ContactMethod.MESSAGING_APP}),
    Channel.EMAIL: frozenset({ContactMethod.EMAIL}),
    Channel.LETTER: frozenset({ContactMethod.LETTER}),
    # The portal's own messages are the school's messaging app.
    Channel.PORTAL_MESSAGE: frozenset({ContactMethod.MESSAGING_APP}),
}


def absence_ref(child_id: int, day) -> str:
    """An unexplained absence's reference: "abs<child id>-<YYYYMMDD>" (the attendance app's event reference)."""
    return f"abs{child_id}-{day:%Y%m%d}"


def parse_absence_ref(ref: str):
    """(child id, day) from an absence reference, or None when it is not one."""
    import datetime as dt
    import re

    m = re.fullmatch(r"abs(\d{1,12})-(\d{8})", ref or "")
    if not m:
        return None
    try:
        return int(m.group(1)), dt.datetime.strptime(m.group(2), "%Y%m%d").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        return None


class ContactLog(OrganisationOwned):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="contact_logs")
    children = models.ManyToManyField(Child, blank=True, related_name="contact_logs", help_text="Which children it was about")
    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="contact_logs")
    # Empty only for a carer's own message sent through the portal (channel "Portal message", from the family).
    author = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="contact_logs")
    happened_on = models.DateField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    direction = models.CharField(max_length=20, choices=Direction.choices, default=Direction.FROM_SCHOOL)
    tone = models.CharField(max_length=20, choices=Tone.choices)
    carer = models.ForeignKey(Carer, null=True, blank=True, on_delete=models.SET_NULL, related_name="contact_logs")
    write_up = models.TextField()
    word_count = models.PositiveIntegerField(default=0)  # kept with the write-up: the evidence's "min_words" reads it
    follow_up = models.TextField(blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    used_preferred_method = models.BooleanField(default=True)
    # What the contact is about, when it follows up a child's unexplained absence: that child and day. Only such a
    # contact challenges the absence (SCH-5); a contact about something else does not.
    absence_child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    absence_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    void_reason = models.CharField(max_length=300, blank=True)
    # Set once, never cleared: a flagged contact stays restricted (the safeguarding team takes it from there).
    safeguarding_category = models.CharField(max_length=20, choices=SafeguardingCategory.choices, blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Raised by one on every save: an edit started from an older version is refused, not silently applied.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-happened_on", "-created_at", "-id"]
        indexes = [
            # A family's recent contacts (family page, timeline).
            models.Index(fields=["family", "-happened_on", "-created_at"], name="contact_family_recent_idx"),
            # The contact list, newest first, for organisation-wide readers: read in order, stopped after a page.
            models.Index(fields=["organisation", "-happened_on", "-created_at", "-id"], name="contact_org_recent_idx"),
            # The evidence source: an organisation's contacts over a date range.
            models.Index(fields=["organisation", "happened_on"], name="contact_org_day_idx"),
            models.Index(fields=["author", "-happened_on"], name="contact_author_idx"),
        ]

    def __str__(self) -> str:
        return f"Contact with {self.family} on {self.happened_on}"

    @property
    def absence_ref(self) -> str:
        """The reference of the absence it follows up, as the attendance app names it ("" when none)."""
        return absence_ref(self.absence_child_id, self.absence_on) if self.absence_child_id and self.absence_on else ""

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def is_positive(self) -> bool:
        return self.tone in POSITIVE_TONES

    @property
    def is_restricted(self) -> bool:
        return self.flagged_at is not None

    @property
    def recorded_by(self) -> str:
        """Who wrote it: the staff member, or the carer for a message they sent through the portal."""
        if self.author_id:
            return str(self.author)
        return f"{self.carer.full_name} (portal message)" if self.carer_id else "A carer (portal message)"


class ContactLogRevision(OrganisationOwned):
    """The values of a contact log before an edit (every edit keeps one)."""

    contact = models.ForeignKey(ContactLog, on_delete=models.CASCADE, related_name="revisions")
    previous = models.JSONField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    edited_at = models.DateTimeField()

    class Meta:
        ordering = ["-edited_at", "-id"]

    def __str__(self) -> str:
        return f"Revision of contact {self.contact_id} at {self.edited_at}"


class ContactAccess(OrganisationOwned):
    """One read (or refused attempt) of a restricted contact by a member of the safeguarding team: who, when, which, how.

    Append-only (database triggers): its ids outlive the contact and the staff member, and `description`
    says which contact it was once the contact is gone.
    """

    contact = models.ForeignKey(ContactLog, on_delete=models.DO_NOTHING, db_constraint=False, related_name="accesses")
    staff = models.ForeignKey(StaffMember, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    description = models.CharField(max_length=200, blank=True)
    accessed_at = models.DateTimeField(default=clock.now)
    route = models.CharField(max_length=10, choices=AccessRoute.choices)
    # False: refused because the reader had not confirmed it was them within 15 minutes (accounts.restricted).
    allowed = models.BooleanField(default=True)

    class Meta:
        ordering = ["-accessed_at", "-id"]
        indexes = [models.Index(fields=["contact", "-accessed_at"], name="contact_access_recent_idx")]

    def __str__(self) -> str:
        return f"{self.staff} read contact {self.contact_id} at {self.accessed_at} ({self.route})"


class PortalMessage(OrganisationOwned):
    """One message in a carer's conversation with the setting, sent through the portal: the contact log it is (the
    text, direction, carer, safeguarding flag), with when it reaches the other side and when it was read.

    A carer's message waits for a reply until a member of staff answers it (`answered_by`); a message sent outside
    the setting's working hours reaches the other side at the next opening (`deliver_at`).
    """

    contact = models.OneToOneField(ContactLog, on_delete=models.CASCADE, related_name="message")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="portal_messages")
    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="portal_messages",
                              help_text="Whose conversation: the carer who wrote it, or the carer a reply is to")
    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="+")
    from_family = models.BooleanField()
    sent_at = models.DateTimeField()
    # When the other side sees it (the carer) or is told of it (staff): at once in working hours, else the next opening.
    deliver_at = models.DateTimeField()
    # The setting's local date of `deliver_at`: the day a carer's message counts from (the standard's event).
    received_on = models.DateField()
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="answers")
    # A carer's message that needs no answer ("Thank you!"): staff say so instead of replying, and it stops waiting.
    no_reply_at = models.DateTimeField(null=True, blank=True)
    no_reply_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [
            # A conversation, oldest first (the thread pages).
            models.Index(fields=["family", "carer", "sent_at"], name="message_thread_idx"),
            # Carers' messages waiting for a reply (My week, the standard's events).
            models.Index(fields=["organisation", "family"], condition=models.Q(from_family=True, answered_by__isnull=True, no_reply_at__isnull=True),
                         name="message_waiting_idx"),
            models.Index(fields=["organisation", "received_on"], name="message_org_received_idx"),
        ]

    def __str__(self) -> str:
        return f"Message {'from' if self.from_family else 'to'} {self.carer_id} at {self.sent_at}"

    @property
    def ref(self) -> str:
        """The standards engine's reference of the event a carer's message is ("msg<id>")."""
        return message_ref(self.pk)


def message_ref(message_id: int) -> str:
    return f"msg{message_id}"
