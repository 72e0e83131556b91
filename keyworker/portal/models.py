"""The portal's own records: invitations staff send to carers, and carers' requests for a sign-in link."""

from django.conf import settings
from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.core import clock
from keyworker.organisations.models import OrganisationOwned
from keyworker.people.models import Carer, Family


class PortalInvitation(OrganisationOwned):
    """One invitation e-mail sent to a carer: who sent it, when, to which address and account."""

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="portal_invitations")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")  # the carer's, kept for scoping
    email = models.EmailField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_by = models.ForeignKey(StaffMember, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-invited_at", "-id"]
        indexes = [
            # The family page: each carer's latest invitation.
            models.Index(fields=["carer", "-invited_at"], name="portal_invitation_carer_idx"),
            models.Index(fields=["organisation", "-invited_at"], name="portal_invitation_org_idx"),
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.email} on {self.invited_at:%Y-%m-%d}"


class SignInLinkRequest(models.Model):
    """A request for a sign-in link, kept (by a digest of the address, never the address) to throttle them.
    It belongs to no organisation: the address may be a carer's in several, or nobody's."""

    address_digest = models.CharField(max_length=64)
    requested_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["address_digest", "requested_at"], name="portal_link_request_idx")]

    def __str__(self) -> str:
        return f"Sign-in link asked for at {self.requested_at:%Y-%m-%d %H:%M}"
