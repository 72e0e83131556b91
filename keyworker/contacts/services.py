"""Writes for contact logs: record, edit (keeping the previous version as a revision every time), void, flag as a safeguarding concern
(restricting it and telling the safeguarding team at once), and the access log of restricted reads."""

import datetime as dt
import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from keyworker.accounts.access import Actor
from keyworker.accounts.capabilities import SAFEGUARDING_TEAM
from keyworker.accounts.selectors import safeguarding_team
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.audit import changes as audit_changes
from keyworker.core.conflicts import version_claim
from keyworker.core.dates import date_problem, on_screen
from keyworker.core.errors import RuleViolation
from keyworker.notifications.services import notification_send
from keyworker.organisations.models import Setting
from keyworker.people.models import Carer, Child, ContactRestriction, Family
from keyworker.people.selectors import families_visible_to
from keyworker.standards.obligations import obligations_refresh

from .models import (
    CHANNEL_MEETS_PREFERENCE,
    AccessRoute,
    Channel,
    ContactAccess,
    ContactLog,
    ContactLogRevision,
    Direction,
    SafeguardingCategory,
    Tone,
)
from .policies import may_flag, require_void

MIN_WORDS = 5
WRITE_UP_MAX = 5000
FOLLOW_UP_MAX = 1000
REASON_MAX = 300
BACKDATE_DAYS = 366
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# What an edit may change, and what a revision keeps of the previous version.
REVISED_FIELDS = ("happened_on", "channel", "direction", "tone", "carer_id", "write_up", "follow_up", "follow_up_on")


def word_count(text: str) -> int:
    return len(_WORD.findall(text or ""))


def _family_setting(family: Family, actor: Actor, setting: Setting | None,
                    attended: Iterable[Setting] | None = None) -> Setting:
    """The setting the contact belongs to: the given one, else the one of the family's children the actor works in
    (the first by id), in one query; none with `attended` (the settings of all the family's children, as the page has
    read them with the children)."""
    if setting is not None:
        setting_ids = set(Child.objects.filter(family_id=family.pk).values_list("setting_id", flat=True))
        if setting.organisation_id != family.organisation_id or (setting_ids and setting.pk not in setting_ids):
            raise RuleViolation("Choose a setting this family's children attend.", rule="setting", field="setting")
        return setting
    if attended is not None:
        candidates = [s for s in {s.pk: s for s in attended}.values() if s.organisation_id == family.organisation_id]
    else:
        candidates = list(Setting.objects.filter(organisation_id=family.organisation_id,
                                                 pk__in=Child.objects.filter(family_id=family.pk).values("setting_id")))
    if not candidates:  # a family with no children yet: a setting the actor works in
        candidates = list(Setting.objects.filter(organisation_id=family.organisation_id, pk__in=sorted(actor.setting_ids)))
    found = min(candidates, key=lambda s: (s.pk not in actor.setting_ids, s.pk), default=None)
    if found is None:
        raise RuleViolation("This family has no children in a setting yet, so a contact cannot be recorded.", rule="setting")
    return found


def _clean(
    *, family: Family, setting: Setting, happened_on: dt.date | None, channel: str, direction: str, tone: str,
    carer: Carer | None, write_up: str, follow_up: str, follow_up_on: dt.date | None,
) -> dict:
    if not isinstance(happened_on, dt.date):
        raise RuleViolation("Enter the date of the contact, for example 18/11/2026.", rule="date", field="happened_on")
    today = clock.today(setting.time_zone)
    if happened_on > today:
        raise RuleViolation("The date of the contact cannot be in the future: enter today's date or an earlier one.",
                            rule="future_date", field="happened_on")
    if happened_on < today - dt.timedelta(days=BACKDATE_DAYS):
        raise RuleViolation("A contact can be back-dated by up to a year.", rule="old_date", field="happened_on")
    if channel not in Channel.values or channel == Channel.PORTAL_MESSAGE:  # messages are sent, not recorded
        raise RuleViolation("Choose how the contact was made.", rule="channel", field="channel")
    if direction not in Direction.values:
        raise RuleViolation("Choose who made the contact.", rule="direction", field="direction")
    if tone not in Tone.values:
        raise RuleViolation("Choose the tone of the contact.", rule="tone", field="tone")
    if carer is not None:
        if carer.family_id != family.pk:
            raise RuleViolation("Choose one of this family's carers, or record without one.", rule="carer_family", field="carer")
        if carer.contact_restriction == ContactRestriction.NO_CONTACT:
            raise RuleViolation(f"{carer.full_name} has a no-contact restriction: choose another carer or record without one.",
                                rule="no_contact", field="carer")
    write_up = (write_up or "").strip()
    words = word_count(write_up)
    if words < MIN_WORDS:
        raise RuleViolation(f"Write at least a sentence about the contact ({MIN_WORDS} words or more): what was said and agreed.",
                            rule="write_up_short", field="write_up")
    if len(write_up) > WRITE_UP_MAX:
        raise RuleViolation(f"Keep the write-up to {WRITE_UP_MAX} characters or fewer.", rule="write_up_long", field="write_up")
    follow_up = (follow_up or "").strip()
    if len(follow_up) > FOLLOW_UP_MAX:
        raise RuleViolation(f"Keep the follow-up to {FOLLOW_UP_MAX} characters or fewer.", rule="follow_up_long", field="follow_up")
    if follow_up_on is not None:
        if not follow_up:
            raise RuleViolation("Say what the follow-up is, or remove its date.", rule="follow_up_missing", field="follow_up")
        if follow_up_on < happened_on:
            raise RuleViolation("The follow-up date cannot be before the contact.", rule="follow_up_date", field="follow_up_on")
        if problem := date_problem(follow_up_on, today=today):
            raise RuleViolation(problem, rule="implausible_date", field="follow_up_on")
    return {
        "happened_on": happened_on, "channel": channel, "direction": direction, "tone": tone, "carer": carer,
        "write_up": write_up, "word_count": words, "follow_up": follow_up, "follow_up_on": follow_up_on,
    }


def preferred_method(family: Family, carer: Carer | None) -> str:
    """The carer's preferred method, else that of the family's first carer who may be contacted ("" when none)."""
    if carer is not None:
        return carer.preferred_contact_method
    first = (
        Carer.objects.filter(family_id=family.pk).exclude(contact_restriction=ContactRestriction.NO_CONTACT)
        .order_by("contact_order", "id").values_list("preferred_contact_method", flat=True).first()
    )
    return first or ""


def _uses_preferred(channel: str, preferred: str) -> bool:
    return not preferred or preferred in CHANNEL_MEETS_PREFERENCE.get(channel, frozenset())


def _children(family: Family, children: Iterable[Child]) -> list[Child]:
    children = list({c.pk: c for c in children or ()}.values())  # each child once, however often given
    if any(c.family_id != family.pk for c in children):
        raise RuleViolation("Choose children of this family only.", rule="children", field="children")
    return children


def _absence(family: Family, child: Child | None, day: dt.date | None, happened_on: dt.date) -> dict:
    """The absence a contact follows up, checked: a child of this family, an unexplained absence that day, the
    contact on or after it. One query."""
    if child is None and day is None:
        return {}
    if child is None or day is None or child.family_id != family.pk:
        raise RuleViolation("Choose one of this family's children's absences, or “Not about an absence”.", rule="absence",
                            field="absence")
    if day > happened_on:
        raise RuleViolation(f"A follow-up of the absence on {on_screen(day)} is dated on or after it: change the date "
                            "of the contact, or choose “Not about an absence”.", rule="absence_date", field="absence")
    from .absences import unexplained_absences

    if not unexplained_absences(family.organisation_id, [child.pk], day, day):
        raise RuleViolation(f"{child.display_name} has no unexplained absence on {on_screen(day)}.", rule="absence",
                            field="absence")
    return {"absence_child": child, "absence_on": day}


def _refresh(contact: ContactLog, actor: Actor):
    """The family's obligations brought up to date; what the update did (engine.RunResult) is kept on the contact as
    `refreshed`, so the page that recorded it need not read the obligations again."""
    contact.refreshed = obligations_refresh(organisation_id=contact.organisation_id, family_ids={contact.family_id},
                                            as_of=clock.today(contact.setting.time_zone), actor=actor)
    return contact.refreshed


@transaction.atomic
def contact_record(
    *, actor: Actor, family: Family, happened_on: dt.date | None, channel: str, tone: str, write_up: str,
    direction: str = Direction.FROM_SCHOOL, carer: Carer | None = None, children: Iterable[Child] = (),
    follow_up: str = "", follow_up_on: dt.date | None = None, setting: Setting | None = None, safeguarding_category: str = "",
    absence_child: Child | None = None, absence_on: dt.date | None = None, attended: Iterable[Setting] | None = None,
) -> ContactLog:
    """Record a contact with a family the actor may see; its weekly contact obligation follows in the same transaction.

    With a safeguarding category the contact is flagged at once (restricted, the team told). With `absence_child` and
    `absence_on` it follows up that child's unexplained absence on that day (dated on or after it): the child is
    among those it is about, and it challenges that absence. `attended`: the settings of all the family's children,
    when the caller has read them (the page, with the children for its form), so that they are not read again."""
    if not actor.is_member or family.organisation_id != actor.organisation_id or not (
        family.pk in actor.seen_family_ids or families_visible_to(actor).filter(pk=family.pk).exists()
    ):
        raise RuleViolation("Family not found.", rule="scope")
    setting = _family_setting(family, actor, setting, attended)
    values = _clean(family=family, setting=setting, happened_on=happened_on, channel=channel, direction=direction, tone=tone,
                    carer=carer, write_up=write_up, follow_up=follow_up, follow_up_on=follow_up_on)
    kids = _children(family, children)
    absence = _absence(family, absence_child, absence_on, values["happened_on"])
    if absence and all(c.pk != absence_child.pk for c in kids):
        kids.append(absence_child)
    now = clock.now()
    flag = {"safeguarding_category": _category(safeguarding_category), "flagged_at": now, "flagged_by": actor.user} if (
        safeguarding_category) else {}
    contact = ContactLog.objects.create(
        organisation_id=family.organisation_id, family=family, setting=setting, author=actor.staff,
        used_preferred_method=_uses_preferred(channel, preferred_method(family, carer)), created_at=now, **values, **flag,
        **absence,
    )
    if kids:  # a new contact has no children yet: one INSERT, without set()'s read of the current ones
        through = ContactLog.children.through
        through.objects.bulk_create([through(contactlog_id=contact.pk, child_id=c.pk) for c in kids])
    audit_record(organisation_id=contact.organisation_id, actor=actor.user, event_type="contact.recorded", obj=contact,
                 summary=f"Contact with {family.name} recorded", data={"channel": channel, "tone": tone})
    if flag:
        _tell_the_team(contact, actor)
    _refresh(contact, actor)
    return contact


def _snapshot(contact: ContactLog) -> dict:
    out = {}
    for name in REVISED_FIELDS:
        value = getattr(contact, name)
        out[name] = value.isoformat() if isinstance(value, dt.date) else value
    out["children"] = sorted(contact.children.values_list("id", flat=True))
    return out


@transaction.atomic
def contact_edit(
    *, actor: Actor, contact: ContactLog, happened_on: dt.date | None, channel: str, tone: str, write_up: str,
    direction: str = Direction.FROM_SCHOOL, carer: Carer | None = None, children: Iterable[Child] = (),
    follow_up: str = "", follow_up_on: dt.date | None = None, expected_version: int | None = None,
) -> ContactLog:
    """Correct a contact (its author only); the previous version is kept as a revision, whatever its age.

    With `expected_version` (pages, API) an edit started before another save of the contact raises EditConflict."""
    if not actor.is_member or contact.organisation_id != actor.organisation_id:
        raise RuleViolation("Contact not found.", rule="tenancy")
    if actor.staff.pk != contact.author_id:
        raise PermissionDenied("Only the person who recorded a contact can edit it.")
    version_claim(contact, expected=expected_version)  # first: of two saves from one version, the second is refused
    locked = ContactLog.objects.select_for_update(of=("self",)).select_related("setting", "family").get(pk=contact.pk)
    if locked.voided_at is not None:
        raise RuleViolation("This contact was voided, so it cannot be edited.", rule="voided")
    if locked.channel == Channel.PORTAL_MESSAGE:
        raise RuleViolation("A message sent through the portal cannot be edited: the family has read what it said.",
                            rule="portal_message")
    if locked.is_restricted:
        # Its author may no longer read it: what was recorded stays as the safeguarding team received it.
        raise RuleViolation("This contact is a safeguarding record, so it cannot be edited: talk to the safeguarding lead.",
                            rule="restricted")
    values = _clean(family=locked.family, setting=locked.setting, happened_on=happened_on, channel=channel, direction=direction,
                    tone=tone, carer=carer, write_up=write_up, follow_up=follow_up, follow_up_on=follow_up_on)
    kids = _children(locked.family, children)
    now = clock.now()
    before = _snapshot(locked)
    # Every edit keeps what it replaced: a correction made minutes later is still a change to the record.
    ContactLogRevision.objects.create(organisation_id=locked.organisation_id, contact=locked, previous=before,
                                      edited_by=actor.user, edited_at=now)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.used_preferred_method = _uses_preferred(channel, preferred_method(locked.family, carer))
    locked.edited_at = now
    locked.save()
    locked.children.set(kids)
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="contact.edited", obj=locked,
                 summary=f"Contact with {locked.family.name} edited", data=audit_changes(before, _snapshot(locked)))
    _refresh(locked, actor)
    return locked


@transaction.atomic
def contact_void(*, actor: Actor, contact: ContactLog, reason: str) -> ContactLog:
    """A leader voids a contact with a reason: it stays in the record but no longer counts as evidence."""
    if not actor.is_member or contact.organisation_id != actor.organisation_id:
        raise RuleViolation("Contact not found.", rule="tenancy")
    require_void(actor, contact)
    if contact.is_restricted:
        actor.require(SAFEGUARDING_TEAM, contact.setting_id)  # a leader outside the team cannot read it, so cannot judge it
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise RuleViolation("Enter why this contact is voided, for example “Recorded against the wrong family”.",
                            rule="reason_required", field="reason")
    if len(reason) > REASON_MAX:
        raise RuleViolation(f"Keep the reason to {REASON_MAX} characters or fewer.", rule="reason_length", field="reason")
    locked = ContactLog.objects.select_for_update(of=("self",)).select_related("setting", "family").get(pk=contact.pk)
    if locked.voided_at is not None:
        raise RuleViolation("This contact has already been voided.", rule="already_voided")
    locked.voided_at, locked.voided_by, locked.void_reason = clock.now(), actor.user, reason
    locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="contact.voided", obj=locked,
                 summary=f"Contact with {locked.family.name} voided", data={"reason": reason})
    _refresh(locked, actor)
    return locked


# Safeguarding ----------------------------------------------------------------------------------------------


def _category(category: str) -> str:
    if not isinstance(category, str) or category not in SafeguardingCategory.values:
        raise RuleViolation("Choose the kind of safeguarding concern, or “Other”.", rule="safeguarding_category",
                            field="safeguarding_category")
    return category


def _tell_the_team(contact: ContactLog, actor: Actor) -> None:
    """Tell each member of the contact's setting's safeguarding team at once (in-app and e-mail, not the digest).

    The notification names the category and the sender only: never the write-up or the family (the link opens the
    record, where each read is logged)."""
    now = contact.flagged_at
    label = SafeguardingCategory(contact.safeguarding_category).label
    sender = actor.user.full_name or actor.user.email
    audit_record(organisation_id=contact.organisation_id, actor=actor.user, event_type="contact.flagged", obj=contact,
                 summary=f"Contact flagged as a safeguarding concern ({label})", data={"category": contact.safeguarding_category})
    for member in safeguarding_team(contact.organisation_id, contact.setting_id):
        if member.user_id == actor.user.pk:
            continue  # the sender knows
        notification_send(
            recipient=member.user, organisation_id=contact.organisation_id, kind="contacts.safeguarding",
            subject=f"Safeguarding concern: {label}, from {sender}",
            body=(f"{sender} has flagged a contact as a safeguarding concern ({label}). It is restricted to the safeguarding "
                  "team: open it to read it."),
            link=f"/contacts/{contact.pk}/", dedupe_key=f"contact-safeguarding:{contact.pk}", now=now,
        )


@transaction.atomic
def contact_flag(*, actor: Actor, contact: ContactLog, category: str) -> ContactLog:
    """Flag a contact as a safeguarding concern: its author (or the setting's safeguarding team) may, once, and for good."""
    if not actor.is_member or contact.organisation_id != actor.organisation_id:
        raise RuleViolation("Contact not found.", rule="tenancy")
    if not may_flag(actor, contact):
        raise PermissionDenied("Only the person who recorded a contact, or the safeguarding team, can flag it.")
    _category(category)
    locked = ContactLog.objects.select_for_update().get(pk=contact.pk)
    if locked.is_restricted:
        raise RuleViolation("This contact is already flagged as a safeguarding concern.", rule="already_flagged")
    locked.safeguarding_category, locked.flagged_at, locked.flagged_by = category, clock.now(), actor.user
    locked.save(update_fields=["safeguarding_category", "flagged_at", "flagged_by"])
    _tell_the_team(locked, actor)
    return locked


@transaction.atomic
def contact_access_record(*, actor: Actor, contact: ContactLog, route: str, allowed: bool = True) -> ContactAccess | None:
    """Log a read (or a refused one) of a restricted contact by the safeguarding team (who, when, which, how); other
    reads are not logged."""
    if not contact.is_restricted:
        return None
    if route not in AccessRoute.values:
        raise ValueError(f"Unknown access route {route!r}")
    return ContactAccess.objects.create(organisation_id=contact.organisation_id, contact=contact, staff=actor.staff,
                                        accessed_at=clock.now(), route=route, allowed=allowed,
                                        description=f"Contact {contact.pk} with family {contact.family_id} on {contact.happened_on}")
