"""Messages between carers and the setting through the portal: a carer writes, the key worker (or a colleague who may
log contacts for the family, CC-K7) replies. Each message is a contact log with the channel "Portal message".

Working hours: by default 08:00 to 17:00 on the setting's school days (a setting with no term calendar yet: Monday to
Friday, bank holidays excepted), in the setting's time zone. A carer's message sent outside them is kept and staff
are told at the next opening; a staff reply written outside them is held and reaches the carer at the next opening,
unless the writer chooses "Send now".
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q

from keyworker.accounts.access import Actor
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.notifications.services import notification_send
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Setting
from keyworker.people.carer_access import MESSAGES, CarerAccess
from keyworker.people.models import Carer, Child, ContactRestriction, Family
from keyworker.people.selectors import families_visible_to
from keyworker.standards.obligations import obligations_refresh

from .models import Channel, ContactLog, Direction, PortalMessage, Tone
from .services import _uses_preferred, word_count

OPENS = dt.time(8, 0)
CLOSES = dt.time(17, 0)
MESSAGE_MAX = 2000
BODY_REQUIRED = "Write your message."
BODY_TOO_LONG = f"Keep the message to {MESSAGE_MAX} characters or fewer."


# Working hours ----------------------------------------------------------------------------------------------------


def _open_day(calendar: TermCalendar, day: dt.date) -> bool:
    if calendar.terms:
        return calendar.is_school_day(day)
    return day.weekday() < 5 and calendar.bank_holiday(day) is None  # no term calendar yet: the working week


def next_opening(setting: Setting, at: dt.datetime, calendar: TermCalendar | None = None) -> dt.datetime:
    """`at` itself when the setting is open then, else the start of its next working day (in UTC). Three queries (the
    calendar) unless it is given."""
    tz = ZoneInfo(setting.time_zone)
    local = at.astimezone(tz)
    calendar = calendar or TermCalendar.for_setting(setting)
    if OPENS <= local.time() < CLOSES and _open_day(calendar, local.date()):
        return at
    day = local.date() if local.time() < OPENS else local.date() + dt.timedelta(days=1)
    for _ in range(400):
        if _open_day(calendar, day):
            return dt.datetime.combine(day, OPENS, tzinfo=tz).astimezone(dt.UTC)
        day += dt.timedelta(days=1)
    return at  # no working day within a year (a calendar still to be entered): deliver at once


def opening_text(at: dt.datetime, setting: Setting) -> str:
    """"Mon 7 December 2026 at 08:00", in the setting's time zone."""
    local = at.astimezone(ZoneInfo(setting.time_zone))
    return f"{on_screen(local.date())} at {local:%H:%M}"


def hours_text() -> str:
    return f"{OPENS:%H:%M} to {CLOSES:%H:%M} on school days"


# Writes ------------------------------------------------------------------------------------------------------------


def _body(body: str) -> str:
    body = (body or "").strip() if isinstance(body, str) else ""
    if not body:
        raise RuleViolation(BODY_REQUIRED, rule="body_required", field="body")
    if len(body) > MESSAGE_MAX:
        raise RuleViolation(BODY_TOO_LONG, rule="body_long", field="body")
    return body


def _setting_of(family: Family) -> Setting:
    """The setting the family's conversation belongs to: that of its first child on roll (one query)."""
    child = Child.objects.filter(family_id=family.pk, left_on__isnull=True).select_related("setting").order_by("id").first()
    child = child or Child.objects.filter(family_id=family.pk).select_related("setting").order_by("id").first()
    if child is None:
        raise RuleViolation("This family has no children in a setting yet, so there is no one to write to.", rule="setting")
    return child.setting


def _local_day(setting: Setting, at: dt.datetime) -> dt.date:
    return at.astimezone(ZoneInfo(setting.time_zone)).date()


def _refresh(family: Family, setting: Setting, actor: Actor | None) -> None:
    obligations_refresh(organisation_id=family.organisation_id, family_ids={family.pk},
                        as_of=clock.today(setting.time_zone), actor=actor)


@transaction.atomic
def message_send(*, access: CarerAccess, family_id: int, body: str) -> PortalMessage:
    """A carer writes to their family's key worker. Outside the family's reach (another family, a section the carer
    may not use, a no-contact restriction): 404. The family's key worker is told at the next opening, never the text.

    A carer's own message is not contact made by the setting: it does not meet the weekly contact standard (SCH-4,
    CC-K7), which asks the key worker to reach the family; the reply does."""
    access.require(MESSAGES, family_id)
    carer = access.link_for(family_id)
    family = carer.family
    body = _body(body)
    setting = _setting_of(family)
    now = clock.now()
    deliver_at = next_opening(setting, now)
    contact = ContactLog.objects.create(
        organisation_id=family.organisation_id, family=family, setting=setting, author=None,
        happened_on=_local_day(setting, now), channel=Channel.PORTAL_MESSAGE, direction=Direction.FROM_FAMILY,
        tone=Tone.NEUTRAL, carer=carer, write_up=body, word_count=word_count(body), used_preferred_method=True, created_at=now,
    )
    message = PortalMessage.objects.create(
        organisation_id=family.organisation_id, contact=contact, family=family, carer=carer, setting=setting,
        from_family=True, sent_at=now, deliver_at=deliver_at, received_on=_local_day(setting, deliver_at),
    )
    audit_record(organisation_id=family.organisation_id, actor=access.user, event_type="message.sent", obj=message,
                 summary=f"Message from {carer.full_name} ({family.name})")
    key_workers = KeyWorkerAllocation.objects.filter(
        organisation_id=family.organisation_id, family_id=family.pk, ends_at__isnull=True).select_related("staff__user")
    for allocation in key_workers:
        # Content-free: the e-mail may be read anywhere; the link opens the conversation, behind sign-in.
        notification_send(
            recipient=allocation.staff.user, organisation_id=family.organisation_id, kind="contacts.message",
            subject=f"You have a new message from a family at {setting.name}",
            body=f"You have a new message from a family at {setting.name}. Open it to read it and reply.",
            link=f"/contacts/messages/{family.pk}/", dedupe_key=f"message:{message.pk}", now=deliver_at,
        )
    _refresh(family, setting, None)
    return message


def _reply_carer(family: Family, carer: Carer | None) -> Carer:
    if carer is None or carer.family_id != family.pk:
        raise RuleViolation("Choose one of this family's carers to write to.", rule="carer_family", field="carer")
    if carer.contact_restriction == ContactRestriction.NO_CONTACT:
        raise RuleViolation(f"{carer.full_name} has a no-contact restriction: they cannot be sent messages.",
                            rule="no_contact", field="carer")
    return carer


@transaction.atomic
def message_reply(*, actor: Actor, family: Family, carer: Carer | None, body: str, send_now: bool = False) -> PortalMessage:
    """A member of staff who may log contacts for the family writes to one of its carers; it answers every message of
    that carer's still waiting. Written out of hours it is held until the next opening, unless `send_now`.

    It is a contact made by the setting: it meets the weekly contact standard (the write-up's length rule does not
    apply to a message, which is itself what was said)."""
    if not actor.is_member or family.organisation_id != actor.organisation_id or not (
        families_visible_to(actor).filter(pk=family.pk).exists()
    ):
        raise RuleViolation("Family not found.", rule="scope")
    carer = _reply_carer(family, carer)
    body = _body(body)
    last = PortalMessage.objects.filter(family_id=family.pk, carer_id=carer.pk).select_related("setting").order_by("-sent_at").first()
    setting = last.setting if last else _setting_of(family)
    now = clock.now()
    deliver_at = now if send_now else next_opening(setting, now)
    contact = ContactLog.objects.create(
        organisation_id=family.organisation_id, family=family, setting=setting, author=actor.staff,
        happened_on=_local_day(setting, now), channel=Channel.PORTAL_MESSAGE, direction=Direction.FROM_SCHOOL,
        tone=Tone.NEUTRAL, carer=carer, write_up=body, word_count=word_count(body), created_at=now,
        used_preferred_method=_uses_preferred(Channel.PORTAL_MESSAGE, carer.preferred_contact_method),
    )
    message = PortalMessage.objects.create(
        organisation_id=family.organisation_id, contact=contact, family=family, carer=carer, setting=setting,
        from_family=False, sent_at=now, deliver_at=deliver_at, received_on=_local_day(setting, deliver_at),
    )
    waiting = PortalMessage.objects.filter(family_id=family.pk, carer_id=carer.pk, from_family=True, answered_by__isnull=True,
                                           no_reply_at__isnull=True)
    waiting.filter(read_at__isnull=True).update(read_at=now, read_by=actor.user)  # whoever answers has read them
    waiting.update(answered_by=message)
    audit_record(organisation_id=family.organisation_id, actor=actor.user, event_type="message.replied", obj=message,
                 summary=f"Message to {carer.full_name} ({family.name})", data={"held": deliver_at > now})
    if carer.user_id:
        notification_send(
            recipient=carer.user, organisation_id=family.organisation_id, kind="portal.message",
            subject=f"You have a new message from {setting.name}",
            body=f"You have a new message from {setting.name}. Sign in to read it.",
            link=f"/family/messages/{family.pk}/", dedupe_key=f"message:{message.pk}", now=deliver_at,
        )
    _refresh(family, setting, actor)
    return message


@transaction.atomic
def message_no_reply_needed(*, actor: Actor, message: PortalMessage) -> PortalMessage:
    """A carer's message that needs no answer ("Thank you!"): a member of staff who may reply says so, and it stops
    waiting. It meets the standard as a reply would (the decision is recorded: who, when)."""
    if not actor.is_member or message.organisation_id != actor.organisation_id or not (
        families_visible_to(actor).filter(pk=message.family_id).exists()
    ):
        raise RuleViolation("Message not found.", rule="scope")
    locked = PortalMessage.objects.select_for_update(of=("self",)).select_related("family", "setting").get(pk=message.pk)
    if not locked.from_family or locked.answered_by_id or locked.no_reply_at:
        raise RuleViolation("This message is not waiting for a reply.", rule="not_waiting")
    now = clock.now()
    locked.no_reply_at, locked.no_reply_by = now, actor.user
    locked.read_at, locked.read_by = locked.read_at or now, locked.read_by or actor.user
    locked.save(update_fields=["no_reply_at", "no_reply_by", "read_at", "read_by"])
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="message.no_reply_needed", obj=locked,
                 summary=f"Message from {locked.family.name} marked as needing no reply")
    _refresh(locked.family, locked.setting, actor)
    return locked


def message_mark_read_by_carer(*, access: CarerAccess, family_id: int) -> int:
    """The carer opened their conversation: the replies that have reached them are read now (staff see when)."""
    carer = access.link_for(family_id)
    if carer is None or not access.may(MESSAGES, family_id):
        return 0
    now = clock.now()
    return PortalMessage.objects.filter(family_id=family_id, carer_id=carer.pk, from_family=False, deliver_at__lte=now,
                                        read_at__isnull=True).update(read_at=now, read_by=access.user)


def messages_mark_read(*, actor: Actor, family: Family, message_ids: list[int] | None = None) -> int:
    """A member of staff who may reply opened the family's messages (or marked some read through the API): the carers'
    messages not yet read are read now (the carer sees when). A flagged one is read by the safeguarding team only,
    on its own page: opening the conversation does not mark it."""
    if not actor.is_member or not families_visible_to(actor).filter(pk=family.pk).exists():
        return 0
    qs = PortalMessage.objects.filter(organisation_id=actor.organisation_id, family_id=family.pk, from_family=True,
                                      read_at__isnull=True, contact__flagged_at__isnull=True)
    if message_ids is not None:
        qs = qs.filter(pk__in=message_ids)
    return qs.update(read_at=clock.now(), read_by=actor.user)


def waiting_filter() -> Q:
    """A carer's message still waiting for a reply (and not voided)."""
    return Q(from_family=True, answered_by__isnull=True, no_reply_at__isnull=True, contact__voided_at__isnull=True)
