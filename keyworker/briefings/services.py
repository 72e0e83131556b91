"""Writes for briefings: made when key aspects change (with the change, in its transaction), and acknowledged."""

from collections import defaultdict

from django.db import transaction
from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.accounts.models import GroupMembership, StaffMember
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.core.audit import audit_entry, audit_record, audit_record_many
from keyworker.core.errors import RuleViolation
from keyworker.notifications.services import Draft, notification_send, notifications_send
from keyworker.organisations.models import Setting
from keyworker.people.models import Child, KeyAspectChange
from keyworker.people.selectors import families_visible_to
from keyworker.standards.obligations import obligations_refresh

from .models import Briefing, BriefingChange, BriefingRecipient, RecipientRole

NOTIFICATION_KIND = "briefing"


def recipients_for(child: Child) -> dict[int, str]:
    """Who must read a change to this child's key aspects: {staff id: role}, in two queries.

    The family's current key worker in the child's setting, and the active staff of the child's class team.
    Someone who is both is briefed as the key worker.
    """
    out: dict[int, str] = {}
    if child.group_id is not None:
        team = GroupMembership.objects.filter(group_id=child.group_id, staff__is_active=True).values_list("staff_id", flat=True)
        out.update({staff_id: RecipientRole.CLASS_TEAM for staff_id in team})
    key_worker = (
        KeyWorkerAllocation.objects.filter(family_id=child.family_id, setting_id=child.setting_id, ends_at__isnull=True,
                                           staff__is_active=True)
        .values_list("staff_id", flat=True).first()
    )
    if key_worker is not None:
        out[key_worker] = RecipientRole.KEY_WORKER
    return out


def _field_list(changes: list[KeyAspectChange]) -> str:
    labels = [c.field_label.lower() for c in changes]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _refresh(child: Child, actor: Actor | None) -> None:
    obligations_refresh(organisation_id=child.organisation_id, family_ids={child.family_id},
                        as_of=clock.today(child.setting.time_zone), actor=actor)


@transaction.atomic
def briefing_create(*, child: Child, changes: list[KeyAspectChange], actor: Actor | None) -> Briefing | None:
    """One briefing for one batch of changes, its recipients, and their notifications, in the change's transaction.

    The person who made the change is briefed too if they are on the team, and their acknowledgement is recorded
    at once. Changes already in a briefing are not briefed again.
    """
    changes = [c for c in changes if c.pk is not None]
    if not changes:
        return None
    if BriefingChange.objects.filter(change_id__in=[c.pk for c in changes]).exists():
        return None
    now = clock.now()
    author_staff_id = actor.staff.pk if actor is not None and actor.staff is not None else None
    author_user = actor.user if actor is not None and getattr(actor.user, "pk", None) else None
    briefing = Briefing.objects.create(
        organisation_id=child.organisation_id, child=child, setting_id=child.setting_id, group_id=child.group_id,
        changed_by=author_user, created_at=now,
    )
    BriefingChange.objects.bulk_create([
        BriefingChange(organisation_id=child.organisation_id, briefing=briefing, change=c) for c in changes
    ])
    roles = recipients_for(child)
    BriefingRecipient.objects.bulk_create([
        BriefingRecipient(
            organisation_id=child.organisation_id, briefing=briefing, staff_id=staff_id, role=role,
            acknowledged_at=now if staff_id == author_staff_id else None, acknowledged_as_author=staff_id == author_staff_id,
        )
        for staff_id, role in sorted(roles.items())
    ])
    to_tell = {sid: role for sid, role in roles.items() if sid != author_staff_id}
    if to_tell:
        staff = {m.pk: m for m in StaffMember.objects.filter(pk__in=to_tell).select_related("user")}
        what = _field_list(changes)
        who = author_user.full_name if author_user is not None else "Someone"
        subject = f"Key aspects changed: {child.display_name} ({what})"
        # Names the child and the aspects, never the values: medical details stay behind the sign-in, out of e-mail.
        body = (f"{who} changed {child.display_name}'s {what}. Read the change and confirm you have read it.")
        link = reverse("briefings:detail", args=[briefing.pk])
        for staff_id, role in sorted(to_tell.items()):
            member = staff.get(staff_id)
            if member is None:
                continue
            notification_send(
                recipient=member.user, organisation_id=child.organisation_id, kind=NOTIFICATION_KIND, subject=subject, body=body,
                link=link, dedupe_key=f"briefing:{briefing.pk}",
                # The key worker is told at once; the rest of the class team in their daily digest.
                digest=role != RecipientRole.KEY_WORKER, now=now,
            )
    audit_record(organisation_id=child.organisation_id, actor=author_user, event_type="briefing.created", obj=briefing,
                 summary=f"Briefing on {child.display_name}: {_field_list(changes)}",
                 data={"recipients": len(roles), "changes": [c.pk for c in changes]})
    _refresh(child, actor)
    return briefing


def on_key_aspects_changed(child: Child, changes: list[KeyAspectChange], actor: Actor | None) -> None:
    """The people app's hook: brief the team about the changes just written."""
    briefing_create(child=child, changes=changes, actor=actor)


def on_many_key_aspects_changed(batches: list[tuple[Child, list[KeyAspectChange]]], actor: Actor | None) -> None:
    """The people app's hook for many children at once (an import): one briefing per child, in a fixed number of
    queries."""
    briefings_create_many(batches=batches, actor=actor)


def _recipients_many(children: list[Child]) -> dict[int, dict[int, str]]:
    """`recipients_for` of many children: {child id: {staff id: role}}, in two queries."""
    teams: dict[int, list[int]] = defaultdict(list)
    for group_id, staff_id in GroupMembership.objects.filter(
            group_id__in={c.group_id for c in children if c.group_id}, staff__is_active=True,
    ).values_list("group_id", "staff_id"):
        teams[group_id].append(staff_id)
    key_workers: dict[tuple[int, int], int] = {}
    for family_id, setting_id, staff_id in KeyWorkerAllocation.objects.filter(
            family_id__in={c.family_id for c in children}, setting_id__in={c.setting_id for c in children},
            ends_at__isnull=True, staff__is_active=True,
    ).values_list("family_id", "setting_id", "staff_id"):  # the default order, newest first: the first one wins
        key_workers.setdefault((family_id, setting_id), staff_id)
    out: dict[int, dict[int, str]] = {}
    for child in children:
        roles = {staff_id: RecipientRole.CLASS_TEAM for staff_id in teams.get(child.group_id, [])}
        if (key_worker := key_workers.get((child.family_id, child.setting_id))) is not None:
            roles[key_worker] = RecipientRole.KEY_WORKER
        out[child.pk] = roles
    return out


@transaction.atomic
def briefings_create_many(*, batches: list[tuple[Child, list[KeyAspectChange]]], actor: Actor | None) -> list[Briefing]:
    """`briefing_create` for many children at once (`(child, changes)` each), a fixed number of queries: the same
    briefings, recipients, notifications and audit, and one refresh of the families' obligations."""
    batches = [(child, [c for c in changes if c.pk is not None]) for child, changes in batches]
    batches = [(child, changes) for child, changes in batches if changes]
    if not batches:
        return []
    briefed = set(BriefingChange.objects.filter(
        change_id__in=[c.pk for _, changes in batches for c in changes]).values_list("change_id", flat=True))
    batches = [(child, changes) for child, changes in batches if not any(c.pk in briefed for c in changes)]
    if not batches:
        return []
    now = clock.now()
    author_staff_id = actor.staff.pk if actor is not None and actor.staff is not None else None
    author_user = actor.user if actor is not None and getattr(actor.user, "pk", None) else None
    briefings = Briefing.objects.bulk_create([
        Briefing(organisation_id=child.organisation_id, child=child, setting_id=child.setting_id,
                 group_id=child.group_id, changed_by=author_user, created_at=now) for child, _ in batches])
    BriefingChange.objects.bulk_create([
        BriefingChange(organisation_id=child.organisation_id, briefing=briefing, change=c)
        for briefing, (child, changes) in zip(briefings, batches, strict=True) for c in changes], batch_size=1000)
    roles_of = _recipients_many([child for child, _ in batches])
    BriefingRecipient.objects.bulk_create([
        BriefingRecipient(
            organisation_id=child.organisation_id, briefing=briefing, staff_id=staff_id, role=role,
            acknowledged_at=now if staff_id == author_staff_id else None,
            acknowledged_as_author=staff_id == author_staff_id,
        )
        for briefing, (child, _) in zip(briefings, batches, strict=True)
        for staff_id, role in sorted(roles_of[child.pk].items())], batch_size=1000)
    to_tell = {sid for roles in roles_of.values() for sid in roles if sid != author_staff_id}
    users = dict(StaffMember.objects.filter(pk__in=to_tell).values_list("pk", "user_id")) if to_tell else {}
    who = author_user.full_name if author_user is not None else "Someone"
    drafts: dict[int, list[Draft]] = defaultdict(list)
    entries = []
    # One reverse() for all: resolving the URL per briefing costs more than the rest of the loop.
    link = reverse("briefings:detail", args=[987654321]).replace("987654321", "{}")
    for briefing, (child, changes) in zip(briefings, batches, strict=True):
        what = _field_list(changes)
        for staff_id, role in sorted(roles_of[child.pk].items()):
            if staff_id == author_staff_id or staff_id not in users:
                continue
            # Names the child and the aspects, never the values: medical details stay behind the sign-in.
            drafts[child.organisation_id].append(Draft(
                recipient_id=users[staff_id], kind=NOTIFICATION_KIND,
                subject=f"Key aspects changed: {child.display_name} ({what})",
                body=f"{who} changed {child.display_name}'s {what}. Read the change and confirm you have read it.",
                link=link.format(briefing.pk), dedupe_key=f"briefing:{briefing.pk}",
                digest=role != RecipientRole.KEY_WORKER))
        entries.append(audit_entry(organisation_id=child.organisation_id, actor=author_user,
                                   event_type="briefing.created", obj=briefing,
                                   summary=f"Briefing on {child.display_name}: {what}",
                                   data={"recipients": len(roles_of[child.pk]), "changes": [c.pk for c in changes]}))
    for organisation_id, mine in drafts.items():
        notifications_send(organisation_id=organisation_id, drafts=mine, now=now)
    audit_record_many(entries)
    zones = dict(Setting.objects.filter(pk__in={c.setting_id for c, _ in batches}).values_list("pk", "time_zone"))
    families: dict[tuple[int, str], set[int]] = defaultdict(set)
    for child, _ in batches:
        families[(child.organisation_id, zones[child.setting_id])].add(child.family_id)
    for (organisation_id, time_zone), family_ids in families.items():
        obligations_refresh(organisation_id=organisation_id, family_ids=family_ids, as_of=clock.today(time_zone),
                            actor=actor)
    return briefings


def _mine(actor: Actor):
    if not actor.is_member:
        return BriefingRecipient.objects.none()
    return BriefingRecipient.objects.filter(
        organisation_id=actor.organisation_id, staff=actor.staff,
        briefing__child__family_id__in=families_visible_to(actor).values("id"),
    )


def _acknowledge(actor: Actor, rows: list[BriefingRecipient]) -> int:
    """Record the acknowledgement of rows still pending; refresh SCH-3 for the families whose key worker read."""
    now = clock.now()
    pending = [r for r in rows if r.acknowledged_at is None]
    if not pending:
        return 0
    # Compare-and-set: a second tap (or a second device) does not move the time of the first.
    changed = BriefingRecipient.objects.filter(pk__in=[r.pk for r in pending], acknowledged_at__isnull=True).update(
        acknowledged_at=now,
    )
    for r in pending:
        r.acknowledged_at = now
    children = {r.briefing.child_id: r.briefing.child for r in pending if r.role == RecipientRole.KEY_WORKER}
    families = {c.family_id for c in children.values()}
    if families:
        first = next(iter(children.values()))
        obligations_refresh(organisation_id=actor.organisation_id, family_ids=families,
                            as_of=clock.today(first.setting.time_zone), actor=actor)
    return changed


@transaction.atomic
def briefing_acknowledge(*, actor: Actor, briefing: Briefing) -> BriefingRecipient:
    """Confirm the actor has read a briefing sent to them ("I have read this"); a second time changes nothing."""
    row = (
        _mine(actor).select_for_update(of=("self",)).select_related("briefing__child__setting").filter(briefing_id=briefing.pk).first()
    )
    if row is None:
        raise RuleViolation("Briefing not found.", rule="scope")
    if row.acknowledged_at is None:
        _acknowledge(actor, [row])
        audit_record(organisation_id=row.organisation_id, actor=actor.user, event_type="briefing.acknowledged",
                     obj=row.briefing, summary=f"Briefing on {row.briefing.child.display_name} acknowledged")
    return row


@transaction.atomic
def briefings_acknowledge_child(*, actor: Actor, child: Child) -> int:
    """Acknowledge every briefing about one child still waiting for the actor; returns how many."""
    rows = list(
        _mine(actor).select_for_update(of=("self",)).select_related("briefing__child__setting")
        .filter(briefing__child_id=child.pk, acknowledged_at__isnull=True)
    )
    count = _acknowledge(actor, rows)
    if count:
        audit_record(organisation_id=child.organisation_id, actor=actor.user, event_type="briefing.acknowledged_all",
                     obj=child, summary=f"{count} briefing{'s' if count != 1 else ''} on {child.display_name} acknowledged")
    return count
