"""Parents' evenings: an evening of short meetings in a setting, each member of staff's slots, and who booked them.

A slot is booked by writing its family with `UPDATE … WHERE family IS NULL`: of two bookings of the same slot at
the same moment exactly one changes the row. "One booking per family per staff member per evening" is a unique
constraint, so it holds under any race too. Each booking is an `Appointment` (kind parents_evening), so calendars,
the family's meetings and CC-K2 see it.
"""

from django.conf import settings
from django.db import models

from keyworker.organisations.models import OrganisationOwned, Setting
from keyworker.people.models import Carer, Child, Family

from .models import Appointment


class EveningStatus(models.TextChoices):
    OPEN = "open", "Open"
    CANCELLED = "cancelled", "Cancelled"


class ParentsEvening(OrganisationOwned):
    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="parents_evenings")
    title = models.CharField(max_length=150)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    slot_minutes = models.PositiveSmallIntegerField(default=10)
    break_starts_at = models.DateTimeField(null=True, blank=True)
    break_ends_at = models.DateTimeField(null=True, blank=True)
    booking_opens_at = models.DateTimeField()
    booking_closes_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=EveningStatus.choices, default=EveningStatus.OPEN)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        # The carers' list and the home page ask "evenings of these settings, not over yet".
        indexes = [models.Index(fields=["setting", "ends_at"], name="evening_setting_ends_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="evening_ends_after_start"),
            models.CheckConstraint(condition=models.Q(booking_closes_at__gt=models.F("booking_opens_at")),
                                   name="evening_booking_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == EveningStatus.CANCELLED

    def booking_open(self, now) -> bool:
        return not self.is_cancelled and self.booking_opens_at <= now < self.booking_closes_at


class EveningSlot(OrganisationOwned):
    evening = models.ForeignKey(ParentsEvening, on_delete=models.CASCADE, related_name="slots")
    staff = models.ForeignKey("accounts.StaffMember", on_delete=models.PROTECT, related_name="evening_slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The booking: empty while the slot is free.
    family = models.ForeignKey(Family, null=True, blank=True, on_delete=models.PROTECT, related_name="evening_slots")
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.PROTECT, related_name="evening_slots")
    carer = models.ForeignKey(Carer, null=True, blank=True, on_delete=models.SET_NULL, related_name="evening_slots")
    appointment = models.OneToOneField(Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="evening_slot")
    booked_at = models.DateTimeField(null=True, blank=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["evening_id", "staff_id", "starts_at"]
        # The booking page and the timetable read one evening's slots by staff member and time.
        indexes = [models.Index(fields=["evening", "staff", "starts_at"], name="slot_evening_staff_idx"),
                   models.Index(fields=["family", "evening"], name="slot_family_evening_idx")]
        constraints = [
            models.UniqueConstraint(fields=["evening", "staff", "starts_at"], name="slot_once_per_staff_and_time"),
            models.UniqueConstraint(fields=["evening", "staff", "family"], condition=models.Q(family__isnull=False),
                                    name="slot_one_booking_per_family_and_staff"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.starts_at:%H:%M}"

    @property
    def is_free(self) -> bool:
        return self.family_id is None
