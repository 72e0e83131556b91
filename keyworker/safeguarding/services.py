"""Writes for safeguarding: raise a concern (anyone), and the team's chronology (addenda, actions, decisions,
referrals, outcomes, closure, protection status, file transfer), with the access log of every read.

Notifications name the category and the sender, never what the record says or the child: the link opens the
record, where each read is logged.
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.caseload import rules as caseload_rules
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.caseload.services import child_protection_status_set
from keyworker.contacts.models import ContactLog, SafeguardingCategory
from keyworker.contacts.services import word_count
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.notifications.services import notification_send
from keyworker.people.models import Child, ProtectionStatus

from . import policies, selectors
from .models import AccessRoute, Agency, Concern, ConcernAccess, ConcernChild, ConcernState, Entry, EntryKind

MIN_WORDS = 5
TEXT_MAX = 10000
PRESENT_MAX = 300
REFERENCE_MAX = 100
SENT_TO_MAX = 200
MAX_CHILDREN = 30
OLDEST = dt.timedelta(days=5 * 366)
# Children's services decide on a referral within one working day (Working Together to Safeguard Children).
DECISION_WORKING_DAYS = {Agency.CHILDRENS_SERVICES: 1}
CHRONOLOGY_KINDS = (EntryKind.ACTION, EntryKind.DECISION, EntryKind.REFERRAL, EntryKind.OUTCOME)


def _sentence(text: str, field: str, what: str) -> str:
    text = (text or "").strip()
    if word_count(text) < MIN_WORDS:
        raise RuleViolation(f"Write at least a sentence ({MIN_WORDS} words or more): {what}.", rule="min_words", field=field)
    if len(text) > TEXT_MAX:
        raise RuleViolation(f"Keep it to {TEXT_MAX} characters or fewer.", rule="max_length", field=field)
    return text


def _same_organisation(actor: Actor, obj) -> None:
    if not actor.is_member or obj.organisation_id != actor.organisation_id:
        raise RuleViolation("Not found.", rule="tenancy")


def _sender(actor: Actor) -> str:
    return actor.user.full_name or actor.user.email


# Raising a concern --------------------------------------------------------------------------------------------


@transaction.atomic
def concern_raise(
    *, actor: Actor, child: Child, category: str, what_happened: str, happened_at: dt.datetime, present: str = "",
    lead_told: bool = False, others: Iterable[Child] = (), contact: ContactLog | None = None,
) -> Concern:
    """Record a concern about `child` (any member of staff working in the child's setting) and tell the team at once."""
    if not actor.is_member:
        raise RuleViolation("Not found.", rule="tenancy")
    allowed_settings = set(actor.settings().values_list("id", flat=True))
    if child.organisation_id != actor.organisation_id or child.setting_id not in allowed_settings:
        raise RuleViolation("Choose a child of a setting you work in.", rule="child", field="child")
    if category not in SafeguardingCategory.values:
        raise RuleViolation("Choose the kind of concern, or “other”.", rule="category", field="category")
    what_happened = _sentence(what_happened, "what_happened", "what you saw or heard, in your own words")
    now = clock.now()
    if happened_at is None:
        raise RuleViolation("Enter when it happened.", rule="required", field="happened_at")
    if happened_at > now + dt.timedelta(minutes=1):
        raise RuleViolation("When it happened cannot be in the future.", rule="future_date", field="happened_at")
    if happened_at < now - OLDEST:
        raise RuleViolation("Enter a date in the last five years; for older events, say so in what you saw or heard.",
                            rule="too_old", field="happened_at")
    present = (present or "").strip()
    if len(present) > PRESENT_MAX:
        raise RuleViolation(f"Keep who was present to {PRESENT_MAX} characters or fewer.", rule="max_length", field="present")
    others = [c for c in others if c.pk != child.pk]
    if len(others) > MAX_CHILDREN:
        raise RuleViolation(f"Link {MAX_CHILDREN} other children at most.", rule="max_children", field="others")
    for other in others:
        if other.organisation_id != actor.organisation_id or other.setting_id not in allowed_settings:
            raise RuleViolation("Link only children of a setting you work in.", rule="child", field="others")
    if contact is not None:
        if contact.organisation_id != actor.organisation_id or contact.family_id != child.family_id:
            raise RuleViolation("That contact is not with this child's family.", rule="contact", field="contact")
        if not contact.is_restricted:
            raise RuleViolation("Only a contact flagged as a safeguarding concern can be linked.", rule="contact", field="contact")
        if not policies.can_link_contact(actor, contact):
            raise PermissionDenied("Only the person who recorded the contact, or the safeguarding team, can link it.")
    concern = Concern.objects.create(
        organisation_id=child.organisation_id, setting_id=child.setting_id, child=child, family_id=child.family_id,
        category=category, what_happened=what_happened, happened_at=happened_at, present=present, lead_told=bool(lead_told),
        contact=contact, raised_by=actor.staff, raised_at=now,
    )
    seen: set[int] = set()
    links = []
    for c in [child, *others]:
        if c.pk not in seen:
            seen.add(c.pk)
            links.append(ConcernChild(organisation_id=concern.organisation_id, concern=concern, child=c))
    ConcernChild.objects.bulk_create(links)
    label = SafeguardingCategory(category).label
    audit_record(organisation_id=concern.organisation_id, actor=actor.user, event_type="safeguarding.concern_raised",
                 obj=concern, summary=f"Safeguarding concern raised ({label})", data={"category": category})
    for member in selectors.concern_readers(concern):
        if member.user_id == actor.user.pk:
            continue  # the sender knows
        notification_send(
            recipient=member.user, organisation_id=concern.organisation_id, kind="safeguarding.concern",
            subject=f"Safeguarding concern: {label}, from {_sender(actor)}",
            body=f"{_sender(actor)} has raised a safeguarding concern ({label}). Open it to read it; each read is logged.",
            link=reverse("safeguarding:concern", args=[concern.pk]), dedupe_key=f"safeguarding-concern:{concern.pk}", now=now,
        )
    _flag_teaching_assistant(actor, child, now)
    return concern


def _flag_teaching_assistant(actor: Actor, child: Child, now: dt.datetime) -> None:
    """SCH-A2: a concern on a family whose key worker is not a teacher flags the allocation, proposes a teacher of the
    child's class, and tells the leaders (who may not read the concern: the message says only what to change)."""
    current = list(KeyWorkerAllocation.objects.filter(family_id=child.family_id, ends_at__isnull=True,
                                                      needs_teacher_since__isnull=True).select_related("setting", "family"))
    for allocation in current:
        if not allocation.setting.is_school:
            continue
        facts = caseload_rules.family_facts([allocation.family], allocation.setting)[allocation.family_id]
        setting_facts = caseload_rules.SettingStaffFacts.for_families(allocation.setting, [facts], staff_ids=[allocation.staff_id])
        if caseload_rules.is_teacher(allocation.staff_id, setting_facts):
            continue
        KeyWorkerAllocation.objects.filter(pk=allocation.pk).update(needs_teacher_since=now)
        teachers = [s for s in caseload_rules.candidates(facts, setting_facts) if caseload_rules.is_teacher(s.pk, setting_facts)]
        proposal = f" The class teacher, {teachers[0]}, could take over." if teachers else ""
        _tell_leaders(actor, allocation, proposal, now)


def _tell_leaders(actor: Actor | None, allocation: KeyWorkerAllocation, proposal: str, now: dt.datetime) -> None:
    """The leaders of the setting are told which allocation to change; neither the e-mail nor the notification names
    the family or the child (the link opens the allocation page, which leaders may see anyway)."""
    for leader in selectors.leaders(allocation.organisation_id, allocation.setting_id):
        if actor is not None and leader.user_id == actor.user.pk:
            continue
        notification_send(
            recipient=leader.user, organisation_id=allocation.organisation_id, kind="safeguarding.key_worker",
            subject="A key worker must now be a teacher (SCH-A2)",
            body=(f"Under the school's policy (SCH-A2) a family's key worker must now be a teacher, not "
                  f"{allocation.staff}.{proposal} Open the link to change the allocation."),
            link=reverse("caseload:family", args=[allocation.family_id]),
            dedupe_key=f"safeguarding-sch-a2:{allocation.pk}:{allocation.needs_teacher_since or now:%Y%m%d%H%M}", now=now,
        )


# The access log -----------------------------------------------------------------------------------------------


def concern_access_record(
    *, actor: Actor, concerns: Iterable[Concern] = (), route: str, allowed: bool = True, child: Child | None = None,
    detail: str = "",
) -> int:
    """Log reads (or refused attempts) of concerns, or of a child's chronology: one query for any number."""
    if not actor.is_member:
        return 0
    if route not in AccessRoute.values:
        raise ValueError(f"Unknown access route {route!r}")
    now = clock.now()
    base = {"organisation_id": actor.organisation_id, "staff": actor.staff, "user": actor.user, "accessed_at": now,
            "route": route, "allowed": allowed, "detail": detail[:200]}
    # Ids and a description that outlive the concern and the child (the log is append-only).
    about = f"chronology of child {child.pk}" if child is not None else ""
    rows = [ConcernAccess(concern=c, child=child, description=f"Concern {c.pk} about child {c.child_id}", **base)
            for c in concerns]
    if not rows:
        rows = [ConcernAccess(concern=None, child=child, description=about, **base)]
    ConcernAccess.objects.bulk_create(rows)
    return len(rows)


# The team's chronology ----------------------------------------------------------------------------------------


@transaction.atomic
def concern_addendum(*, actor: Actor, concern: Concern, text: str) -> Entry:
    """A correction or addition to a concern (which itself never changes), with who and when."""
    _same_organisation(actor, concern)
    policies.require_team(actor, concern.setting_id)
    text = _sentence(text, "text", "what to add or correct")
    entry = Entry.objects.create(organisation_id=concern.organisation_id, child_id=concern.child_id, concern=concern,
                                 kind=EntryKind.ADDENDUM, text=text, by=actor.staff, at=clock.now())
    audit_record(organisation_id=concern.organisation_id, actor=actor.user, event_type="safeguarding.addendum", obj=concern,
                 summary="Addendum added to a safeguarding concern")
    return entry


@transaction.atomic
def concern_close(*, actor: Actor, concern: Concern, summary: str) -> Entry:
    _same_organisation(actor, concern)
    policies.require_team(actor, concern.setting_id)
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    if not locked.is_open:
        raise RuleViolation("This concern is already closed.", rule="closed")
    summary = _sentence(summary, "text", "a summary of what happened and the outcome")
    now = clock.now()
    locked.state, locked.closed_at = ConcernState.CLOSED, now
    locked.save(update_fields=["state", "closed_at"])
    concern.state, concern.closed_at = locked.state, locked.closed_at
    entry = Entry.objects.create(organisation_id=concern.organisation_id, child_id=concern.child_id, concern=concern,
                                 kind=EntryKind.CLOSURE, text=summary, by=actor.staff, at=now)
    audit_record(organisation_id=concern.organisation_id, actor=actor.user, event_type="safeguarding.concern_closed",
                 obj=concern, summary="Safeguarding concern closed")
    return entry


@transaction.atomic
def entry_add(
    *, actor: Actor, child: Child, kind: str, text: str, concern: Concern | None = None, reason: str = "",
    assigned_to: StaffMember | None = None, due_on: dt.date | None = None, agency: str = "", made_on: dt.date | None = None,
    reference: str = "", decision_due_on: dt.date | None = None, follow_up_on: dt.date | None = None,
) -> Entry:
    """Add an action (assigned, with a due date), a decision (with its reason), a referral (agency, date, reference,
    the decision expected and a follow-up) or an outcome to the child's chronology."""
    _same_organisation(actor, child)
    policies.require_team(actor, child.setting_id)
    if kind not in CHRONOLOGY_KINDS:
        raise RuleViolation("Choose an action, a decision, a referral or an outcome.", rule="kind", field="kind")
    if concern is not None and (concern.organisation_id != child.organisation_id or
                                not ConcernChild.objects.filter(concern=concern, child=child).exists()):
        raise RuleViolation("Choose one of this child's concerns.", rule="concern", field="concern")
    text = _sentence(text, "text", "what is to be done, what was decided, or what happened")
    today = clock.today(child.setting.time_zone)
    fields: dict = {}
    if kind == EntryKind.ACTION:
        if assigned_to is None:
            raise RuleViolation("Choose who will do it.", rule="required", field="assigned_to")
        if assigned_to.organisation_id != child.organisation_id or not assigned_to.is_active:
            raise RuleViolation("Choose a current member of staff.", rule="assigned_to", field="assigned_to")
        if due_on is None:
            raise RuleViolation("Enter when it is due.", rule="required", field="due_on")
        if due_on < today:
            raise RuleViolation("The due date cannot be in the past.", rule="past_date", field="due_on")
        fields = {"assigned_to": assigned_to, "due_on": due_on}
    elif kind == EntryKind.DECISION:
        reason = (reason or "").strip()
        if word_count(reason) < 3:
            raise RuleViolation("Give the reasons for the decision.", rule="required", field="reason")
        fields = {"reason": reason[:TEXT_MAX]}
    elif kind == EntryKind.REFERRAL:
        if agency not in Agency.values:
            raise RuleViolation("Choose who the referral was made to.", rule="required", field="agency")
        if made_on is None:
            raise RuleViolation("Enter the date the referral was made.", rule="required", field="made_on")
        if made_on > today:
            raise RuleViolation("The referral date cannot be in the future.", rule="future_date", field="made_on")
        reference = (reference or "").strip()
        if len(reference) > REFERENCE_MAX:
            raise RuleViolation(f"Keep the reference to {REFERENCE_MAX} characters or fewer.", rule="max_length", field="reference")
        if decision_due_on is None and agency in DECISION_WORKING_DAYS:
            decision_due_on = selectors.add_working_days(made_on, DECISION_WORKING_DAYS[agency], child.setting.jurisdiction)
        if decision_due_on is not None and decision_due_on < made_on:
            raise RuleViolation("The decision cannot be due before the referral was made.", rule="date_order", field="decision_due_on")
        if follow_up_on is None:
            follow_up_on = decision_due_on
        if follow_up_on is not None and follow_up_on < made_on:
            raise RuleViolation("The follow-up cannot be before the referral was made.", rule="date_order", field="follow_up_on")
        fields = {"agency": agency, "made_on": made_on, "reference": reference, "decision_due_on": decision_due_on,
                  "follow_up_on": follow_up_on, "due_on": follow_up_on}
    now = clock.now()
    entry = Entry.objects.create(organisation_id=child.organisation_id, child=child, concern=concern, kind=kind, text=text,
                                 by=actor.staff, at=now, **fields)
    audit_record(organisation_id=child.organisation_id, actor=actor.user, event_type=f"safeguarding.{kind}", obj=entry,
                 summary=f"Safeguarding chronology: {entry.get_kind_display().lower()} added")
    if kind == EntryKind.ACTION and assigned_to.user_id != actor.user.pk:
        notification_send(
            recipient=assigned_to.user, organisation_id=child.organisation_id, kind="safeguarding.action",
            subject=f"A safeguarding action for you, due {on_screen(due_on)}",
            body=f"{_sender(actor)} has given you a safeguarding action, due {on_screen(due_on)}. It is listed on the safeguarding page.",
            link=reverse("safeguarding:dashboard"), dedupe_key=f"safeguarding-action:{entry.pk}", now=now,
        )
    return entry


@transaction.atomic
def action_done(*, actor: Actor, entry: Entry) -> Entry:
    """The team, or the member of staff the action was given to, marks it done."""
    _same_organisation(actor, entry)
    if entry.assigned_to_id != actor.staff.pk:
        policies.require_team(actor, entry.child.setting_id)
    if entry.kind != EntryKind.ACTION:
        raise RuleViolation("Only an action can be marked done.", rule="kind")
    if entry.done_at is not None:
        raise RuleViolation("This action is already done.", rule="done")
    entry.done_at = clock.now()
    entry.save(update_fields=["done_at"])
    return entry


@transaction.atomic
def referral_response(*, actor: Actor, entry: Entry, response_on: dt.date) -> Entry:
    """The agency answered the referral (the outcome itself is an outcome entry)."""
    _same_organisation(actor, entry)
    policies.require_team(actor, entry.child.setting_id)
    if entry.kind != EntryKind.REFERRAL:
        raise RuleViolation("Only a referral has a response.", rule="kind")
    if response_on is None or response_on > clock.today(entry.child.setting.time_zone) or response_on < entry.made_on:
        raise RuleViolation("Enter the date of the answer: on or after the referral, not in the future.", rule="date",
                            field="response_on")
    entry.response_on = response_on
    entry.save(update_fields=["response_on"])
    return entry


@transaction.atomic
def protection_status_change(*, actor: Actor, child: Child, status: str, reason: str) -> tuple[Entry, list[KeyWorkerAllocation]]:
    """Set or end a child's protection status through the caseload service (which flags a key worker who is not a
    teacher, SCH-A2); the leaders are told about each flagged allocation; the change is a chronology entry."""
    _same_organisation(actor, child)
    policies.require_team(actor, child.setting_id)
    if status not in ProtectionStatus.values:
        raise RuleViolation("Choose a protection status, or none to end it.", rule="status", field="status")
    previous = child.protection_status
    if status == previous:
        raise RuleViolation("The child already has this status.", rule="unchanged", field="status")
    reason = _sentence(reason, "reason", "why the status changes (the meeting, the plan, the decision)")
    flagged = child_protection_status_set(actor=actor, child=child, status=status)
    now = clock.now()
    if not flagged and selectors.open_concerns_for_family(child.family_id).exists():
        # SCH-A2 holds while a concern is open, whatever the status: the flag stays (or comes back).
        _flag_teaching_assistant(actor, child, now)
        flagged = selectors.flagged_allocations(child)
    before, after = ProtectionStatus(previous).label if previous else "None", ProtectionStatus(status).label if status else "None"
    entry = Entry.objects.create(organisation_id=child.organisation_id, child=child, kind=EntryKind.STATUS,
                                 text=f"Protection status: {before} → {after}.", reason=reason, status_from=previous,
                                 status_to=status, by=actor.staff, at=now)
    for allocation in flagged:
        facts = caseload_rules.family_facts([child.family], allocation.setting)[child.family_id]
        setting_facts = caseload_rules.SettingStaffFacts.for_families(allocation.setting, [facts])
        teachers = [s for s in caseload_rules.candidates(facts, setting_facts) if caseload_rules.is_teacher(s.pk, setting_facts)]
        proposal = f" The class teacher, {teachers[0]}, could take over." if teachers else ""
        _tell_leaders(actor, allocation, proposal, now)
    return entry, flagged


@transaction.atomic
def transfer_record(*, actor: Actor, child: Child, sent_on: dt.date, sent_to: str) -> Entry:
    """The child-protection file was sent to the receiving school's designated safeguarding lead."""
    _same_organisation(actor, child)
    policies.require_team(actor, child.setting_id)
    sent_to = (sent_to or "").strip()
    if len(sent_to) < 3:
        raise RuleViolation("Enter who it was sent to: the receiving school and its safeguarding lead.", rule="required",
                            field="sent_to")
    if len(sent_to) > SENT_TO_MAX:
        raise RuleViolation(f"Keep it to {SENT_TO_MAX} characters or fewer.", rule="max_length", field="sent_to")
    if sent_on is None or sent_on > clock.today(child.setting.time_zone):
        raise RuleViolation("Enter the date it was sent; not in the future.", rule="date", field="sent_on")
    entry = Entry.objects.create(organisation_id=child.organisation_id, child=child, kind=EntryKind.TRANSFER,
                                 text=f"Child-protection file sent to {sent_to}.", sent_to=sent_to, made_on=sent_on,
                                 by=actor.staff, at=clock.now())
    audit_record(organisation_id=child.organisation_id, actor=actor.user, event_type="safeguarding.transfer", obj=entry,
                 summary="Child-protection file sent to the receiving school")
    return entry


@transaction.atomic
def transfer_receipt(*, actor: Actor, entry: Entry, receipt_on: dt.date) -> Entry:
    _same_organisation(actor, entry)
    policies.require_team(actor, entry.child.setting_id)
    if entry.kind != EntryKind.TRANSFER:
        raise RuleViolation("Only a file transfer has a receipt.", rule="kind")
    if receipt_on is None or receipt_on < entry.made_on or receipt_on > clock.today(entry.child.setting.time_zone):
        raise RuleViolation("Enter the date the receiving school confirmed: on or after sending, not in the future.",
                            rule="date", field="receipt_on")
    entry.receipt_on = receipt_on
    entry.save(update_fields=["receipt_on"])
    return entry


@transaction.atomic
def overdue_actions_notify(*, organisation_id: int, as_of: dt.date, now: dt.datetime | None = None) -> int:
    """Tell each assignee of an overdue safeguarding action, once per action."""
    now = now or timezone.now()
    told = 0
    overdue = Entry.objects.filter(organisation_id=organisation_id, kind=EntryKind.ACTION, done_at__isnull=True,
                                   due_on__lt=as_of).select_related("assigned_to__user")
    for e in overdue:
        _n, created = notification_send(
            recipient=e.assigned_to.user, organisation_id=organisation_id, kind="safeguarding.action_overdue",
            subject="A safeguarding action is overdue",
            body=f"A safeguarding action given to you was due on {on_screen(e.due_on)}. It is listed on the safeguarding page.",
            link=reverse("safeguarding:dashboard"), dedupe_key=f"safeguarding-overdue:{e.pk}", now=now,
        )
        told += created
    return told
