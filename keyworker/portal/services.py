"""Writes of the carers' portal: sign-in links on request, and invitations staff send to carers.

A sign-in link (django-sesame) is single use, lasts KEYWORKER_PORTAL_LINK_MINUTES (15) and is void once the
account's address changes. An invitation carries a link of its own scope that lasts KEYWORKER_PORTAL_INVITATION_DAYS
(7). The e-mails go through the outbox (keyworker.notifications) and their bodies are forgotten once sent.

A carer's account follows the carer's address on record (`carer_accounts_follow_email`): when the office accepts a
correction of it, staff edit it or an import changes it, the account signs in with the new address only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
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


def _address_taken(user: User, carer: Carer) -> RuleViolation | None:
    """Why `user`'s account, which holds the carer's new address, cannot become theirs, or None when it can."""
    if not user.is_carer:
        return RuleViolation(f"{user.email} is a member of staff's sign-in address: {carer.full_name} needs an address "
                             "of their own.", rule="staff_address", field="email")
    if not user.is_active:
        return RuleViolation(f"{user.email} signs in to a carers' portal account that is switched off: ask the "
                             f"installation's administrator, or give {carer.full_name} another address.",
                             rule="inactive", field="email")
    return None


def _tell_old_address(address: str, organisation: str, now: dt.datetime) -> None:
    """A short notice, no detail: the old address may no longer be the carer's."""
    email_queue(
        to=address, subject="Your sign-in address for Keyworker has changed", now=now,
        body=(f"Hello,\n\n{organisation} has changed the e-mail address you use to sign in to your family's pages on "
              "Keyworker. This address no longer signs you in to them, and links sent to it before no longer work."
              f"\n\nIf you did not expect this, contact {organisation}."),
    )


def _send_new_link(user: User, organisation: str, now: dt.datetime) -> None:
    days = invitation_max_age() // 86400
    email_queue(
        to=user.email, subject="Your new sign-in address for Keyworker", forget_body=True, now=now,
        body=(f"Hello {user.full_name},\n\n{organisation} now has this e-mail address for you: from now on you sign in "
              f"to your family's pages on Keyworker with it.\n\nSign in with this link. It works once, for {days} days:"
              f"\n\n{_sign_in_url(user, INVITATION_SCOPE)}\n\nAfterwards, ask for a new link at "
              f"{absolute_url(reverse('portal:sign_in'))} with this address. There is no password to remember."),
    )


def _follow(carer: Carer, before: str, actor: Actor | None, now: dt.datetime) -> None:
    account = User.objects.select_for_update().filter(pk=carer.user_id).first()
    if account is None:
        return
    new, old = carer.email.strip().lower(), account.email
    shared = Carer.objects.filter(user=account).exclude(pk=carer.pk).exists()
    taken = User.objects.select_for_update().filter(email__iexact=new).exclude(pk=account.pk).first() if new else None
    if taken is not None and (refusal := _address_taken(taken, carer)) is not None:
        raise refusal
    if not new:
        target, how = None, "unlinked: no address"
    elif taken is not None:
        target, how = taken, "joined the account of the new address"  # one account per address, as an invitation does
    elif shared:
        # Another family's (or organisation's) carer row signs in with the old address: it keeps it; this carer
        # gets an account of their own.
        target = User.objects.create_user(email=new, password=None, full_name=account.full_name, is_carer=True)
        how = "a new account for the new address"
    else:
        # The address is the account's sign-in: its old links no longer work (SESAME_INVALIDATE_ON_EMAIL_CHANGE) and
        # its sessions end (a new sessions generation).
        User.objects.filter(pk=account.pk).update(email=new, sessions_generation=models.F("sessions_generation") + 1)
        target, how = User.objects.get(pk=account.pk), "the account's address changed"
    if target is None or target.pk != account.pk:
        Carer.objects.filter(pk=carer.pk).update(user=target)
        carer.user = target
    organisation = carer.organisation.name
    if account.is_active and old != new:
        _tell_old_address(old, organisation, now)
        if target is not None and may_sign_in(target):
            _send_new_link(target, organisation, now)
    audit_record(organisation_id=carer.organisation_id, actor=actor.user if actor else None,
                 event_type="portal.account_address_followed", obj=carer,
                 summary=f"The carers' portal account of {carer.full_name} follows their new e-mail address: {how}",
                 data={"carer": carer.pk, "account_before": account.pk, "account_after": target.pk if target else None,
                       "how": how})


@transaction.atomic
def carer_accounts_follow_email(*, changes: Sequence[tuple[Carer, str]], actor: Actor | None,
                                now: dt.datetime | None = None) -> None:
    """Carers' addresses on record changed (`(carer, address before)` each, already saved): each one's portal account
    signs in with the new address only. The account moves to it (when no other carer row uses the account), or the
    carer gets the account of the new address (a new one, or the carer account that already has it); no address
    leaves them without one. An address that is a member of staff's, or a switched-off account's, is refused
    (RuleViolation on `email`: nothing changes). A carer who had an account is sent a sign-in link at the new address
    and a short notice at the old one (through the outbox: sent once the change is committed)."""
    now = now or clock.now()
    linked = [(c, b) for c, b in changes if c.user_id is not None]
    if not linked:
        return
    fresh = {c.pk: c for c in Carer.objects.filter(pk__in=[c.pk for c, _ in linked]).select_related("organisation")}
    for carer, before in linked:
        held = fresh[carer.pk]
        _follow(held, before, actor, now)
        carer.user_id = held.user_id
