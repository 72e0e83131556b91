"""Writes of the carers' portal: sign-in links on request, and invitations staff send to carers.

A sign-in link (django-sesame) is single use, lasts KEYWORKER_PORTAL_LINK_MINUTES (15) and is void once the
account's address changes. An invitation carries a link of its own scope that lasts KEYWORKER_PORTAL_INVITATION_DAYS
(7). The e-mails go through the outbox (keyworker.notifications) and their bodies are forgotten once sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from sesame.utils import get_query_string

from keyworker.accounts.access import Actor
from keyworker.accounts.models import User
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation
from keyworker.notifications.services import absolute_url, email_queue
from keyworker.organisations.models import Group
from keyworker.people import carer_access
from keyworker.people.models import Carer, Child, ContactRestriction

from . import policies
from .models import PortalInvitation, SignInLinkRequest

INVITATION_SCOPE = "portal-invitation"


def invitation_max_age() -> int:
    return int(getattr(settings, "KEYWORKER_PORTAL_INVITATION_DAYS", 7)) * 24 * 3600


def link_max_age() -> int:
    return int(settings.SESAME_MAX_AGE)


def _digest(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def _sign_in_url(user: User, scope: str = "") -> str:
    return absolute_url(reverse("portal:sign_in_link") + get_query_string(user, scope=scope))


def may_sign_in(user: User | None) -> bool:
    """An active carer's account with at least one link that opens the portal."""
    if user is None or not user.is_active or not user.is_carer:
        return False
    return any(carer_access.opens_portal(c) for c in carer_access.carer_links(user).select_related("organisation"))


@transaction.atomic
def sign_in_link_request(*, email: str, now: dt.datetime | None = None) -> bool:
    """Someone asked for a sign-in link for `email`. Sends one only to an account that may sign in, and only
    KEYWORKER_PORTAL_LINKS_PER_HOUR times an hour per address. Returns whether one was sent; the page never says."""
    now = now or clock.now()
    digest = _digest(email)
    hour_ago = now - dt.timedelta(hours=1)
    SignInLinkRequest.objects.filter(requested_at__lt=now - dt.timedelta(days=1)).delete()
    recent = SignInLinkRequest.objects.filter(address_digest=digest, requested_at__gte=hour_ago).count()
    SignInLinkRequest.objects.create(address_digest=digest, requested_at=now)
    if recent >= int(getattr(settings, "KEYWORKER_PORTAL_LINKS_PER_HOUR", 5)):
        return False
    user = User.objects.filter(email__iexact=email.strip()).first()
    if not may_sign_in(user):
        return False
    minutes = link_max_age() // 60
    email_queue(
        to=user.email, subject="Your link to sign in to Keyworker", forget_body=True, now=now,
        body=(f"Hello {user.full_name},\n\nUse this link to sign in to your family's pages. It works once, for "
              f"{minutes} minutes:\n\n{_sign_in_url(user)}\n\nIf it has expired, ask for a new one at "
              f"{absolute_url(reverse('portal:sign_in'))}.\n\nIf you did not ask for it, you can ignore this e-mail."),
    )
    return True


def invitation_refusal(carer: Carer) -> tuple[str, str] | None:
    """Why this carer cannot be invited, as (rule, message), or None when they can."""
    if carer.contact_restriction == ContactRestriction.NO_CONTACT:
        return "no_contact", f"{carer.full_name} has a no-contact restriction: never invited to the portal."
    if not carer.email:
        return "no_email", f"{carer.full_name} has no e-mail address: add one, then invite them."
    if not carer_access.opens_portal(carer):
        return "nothing_to_see", (f"The organisation's portal setting opens nothing to carers like {carer.full_name} "
                                  "(no parental responsibility or a restriction).")
    return None


def _account_for(carer: Carer) -> User:
    """The carer's portal account: one per address, across families and organisations."""
    address = carer.email.strip().lower()
    user = User.objects.select_for_update().filter(email__iexact=address).first()
    if user is not None and not user.is_carer:
        raise RuleViolation(f"{address} belongs to a member of staff's account: the carer needs an address of their own.",
                            rule="staff_address", field="carer")
    if user is not None and not user.is_active:
        raise RuleViolation(f"The portal account of {address} is switched off.", rule="inactive", field="carer")
    if user is None:
        user = User.objects.create_user(email=address, password=None, full_name=f"{carer.first_name} {carer.last_name}",
                                        is_carer=True)
    if carer.user_id != user.pk:
        Carer.objects.filter(pk=carer.pk).update(user=user)
        carer.user = user
    return user


def _invite(*, actor: Actor, carer: Carer, now: dt.datetime) -> PortalInvitation:
    refusal = invitation_refusal(carer)
    if refusal:
        raise RuleViolation(refusal[1], rule=refusal[0], field="carer")
    user = _account_for(carer)
    invitation = PortalInvitation.objects.create(
        organisation_id=carer.organisation_id, carer=carer, family_id=carer.family_id, email=user.email, user=user,
        invited_by=actor.staff, invited_at=now,
    )
    days = invitation_max_age() // 86400
    organisation = carer.organisation.name
    email_queue(
        to=user.email, subject=f"{organisation} invites you to your family's pages on Keyworker", forget_body=True, now=now,
        body=(f"Hello {carer.first_name},\n\n{organisation} invites you to see your family's pages: who your child's "
              f"key worker is and how to reach them, what is coming up and good news.\n\nSign in with this link. It "
              f"works once, for {days} days:\n\n{_sign_in_url(user, INVITATION_SCOPE)}\n\nAfterwards, sign in at "
              f"{absolute_url(reverse('portal:sign_in'))} with this e-mail address: we send you a new link each time. "
              "There is no password to remember."),
    )
    return invitation


@transaction.atomic
def portal_invitation_send(*, actor: Actor, carer: Carer, now: dt.datetime | None = None) -> PortalInvitation:
    """Invite one carer to the portal: create or link their account, e-mail a sign-in link, audit it."""
    now = now or clock.now()
    carer = Carer.objects.select_related("organisation", "family").get(pk=carer.pk)
    if carer.organisation_id != actor.organisation_id:
        raise RuleViolation("Not found.", rule="tenancy")
    policies.require_invite(actor, carer.family)
    invitation = _invite(actor=actor, carer=carer, now=now)
    audit_record(organisation_id=carer.organisation_id, actor=actor.user, event_type="portal.invitation_sent", obj=carer,
                 summary=f"Invited {carer.full_name} ({carer.family.name}) to the carers' portal",
                 data={"carer": carer.pk, "family": carer.family_id, "invitation": invitation.pk})
    return invitation


@dataclass(frozen=True)
class ClassInvitationOutcome:
    carer: Carer
    invited: bool
    reason: str = ""  # why not, per carer


@transaction.atomic
def portal_invitations_send_class(*, actor: Actor, group: Group, as_of: dt.date | None = None,
                                  now: dt.datetime | None = None) -> list[ClassInvitationOutcome]:
    """Invite every carer of the children on roll in a class or room; carers already invited are not sent another.
    Says, per carer, why one was not invited."""
    now = now or clock.now()
    day = as_of or clock.today()
    if group.organisation_id != actor.organisation_id:
        raise RuleViolation("Not found.", rule="tenancy")
    policies.require_invite_class(actor, group.setting_id)
    family_ids = set(
        Child.objects.filter(group=group, enrolled_on__lte=day).exclude(left_on__lt=day).values_list("family_id", flat=True)
    )
    carers = list(
        Carer.objects.filter(family_id__in=family_ids, organisation_id=group.organisation_id)
        .select_related("organisation", "family").order_by("family__name", "contact_order", "id")
    )
    already = set(PortalInvitation.objects.filter(carer__in=carers).values_list("carer_id", flat=True))
    outcomes: list[ClassInvitationOutcome] = []
    for carer in carers:
        if carer.pk in already:
            outcomes.append(ClassInvitationOutcome(carer, False, f"{carer.full_name} was invited before."))
            continue
        try:
            with transaction.atomic():
                _invite(actor=actor, carer=carer, now=now)
        except RuleViolation as exc:
            outcomes.append(ClassInvitationOutcome(carer, False, exc.message))
            continue
        outcomes.append(ClassInvitationOutcome(carer, True))
    invited = [o.carer.pk for o in outcomes if o.invited]
    audit_record(organisation_id=group.organisation_id, actor=actor.user, event_type="portal.class_invited", obj=group,
                 summary=f"Invited {len(invited)} carer{'s' if len(invited) != 1 else ''} of {group.name} to the carers' portal",
                 data={"group": group.pk, "invited": invited, "not_invited": [o.carer.pk for o in outcomes if not o.invited]})
    return outcomes
