"""Writes for the manager's monitoring (CC-M3): start a quality sample (records picked, or a random sample), score
each record against the rubric, sign the sample off (its findings go to each record's key person, and the setting's
monthly monitoring check is met), and the key person's acknowledgement."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation
from keyworker.notifications.services import notification_send
from keyworker.organisations.models import Setting
from keyworker.standards import engine

from . import policies
from .models_monitoring import RUBRIC, MonitoringFinding, MonitoringItem, MonitoringSample, Score
from .monitoring_selectors import (
    RANDOM_SAMPLE_MAX,
    first_of_month,
    key_people_by_family,
    random_sample,
    setting_records,
)

COMMENT_MAX = 2000


class FieldErrors(RuleViolation):
    """Several inputs refused at once: a message for each."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())), rule="fields", field=next(iter(errors)))
        self.errors = errors

    def as_dict(self) -> dict[str, list[str]]:
        return {k: [v] for k, v in self.errors.items()}


def _require_monitor(actor: Actor, organisation_id: int, setting_id: int) -> None:
    """Another organisation's setting, or one the actor does not lead, does not exist for them."""
    if organisation_id != actor.organisation_id or not policies.can_monitor(actor, setting_id):
        raise Http404("No such setting")


def _today(setting: Setting, as_of: dt.date | None) -> dt.date:
    return as_of or clock.today(setting.time_zone)


@transaction.atomic
def sample_start(*, actor: Actor, setting: Setting, records: list[str] | None = None, random_size: int | None = None,
                 as_of: dt.date | None = None) -> MonitoringSample:
    """Start the setting's quality sample for the month: the records picked ("<kind>:<child id>"), or `random_size`
    of them chosen at random (the same choice all month)."""
    _require_monitor(actor, setting.organisation_id, setting.pk)
    day = _today(setting, as_of)
    available = setting_records(setting, day)
    picked = list(dict.fromkeys(records or []))
    if random_size is not None:
        if not 1 <= random_size <= RANDOM_SAMPLE_MAX:
            raise RuleViolation(f"Choose a sample of 1 to {RANDOM_SAMPLE_MAX} records.", rule="size", field="random_size")
        picked = random_sample(list(available), setting, day, random_size)
    if not picked:
        raise RuleViolation("Pick at least one record for the sample, or ask for a random sample.", rule="empty",
                            field="records")
    unknown = [key for key in picked if key not in available]
    if unknown:
        raise RuleViolation(f"{len(unknown)} of the records picked {'is' if len(unknown) == 1 else 'are'} not a record of "
                            f"a child on roll at {setting.name}: pick from the monitoring view.", rule="unknown",
                            field="records")
    if len(picked) > RANDOM_SAMPLE_MAX:
        raise RuleViolation(f"Pick at most {RANDOM_SAMPLE_MAX} records for one sample.", rule="too_many", field="records")
    now = clock.now()
    try:
        with transaction.atomic():  # two managers starting at once: the second is told, not given a second sample
            sample = MonitoringSample.objects.create(
                organisation_id=setting.organisation_id, setting=setting, month=first_of_month(day),
                random=random_size is not None, rubric=[list(c) for c in RUBRIC], started_by=actor.staff, started_at=now,
            )
    except IntegrityError as exc:
        raise RuleViolation("A sample of this setting is already in progress: finish and sign it off first.",
                            rule="open_sample") from exc
    MonitoringItem.objects.bulk_create([
        MonitoringItem(organisation_id=setting.organisation_id, sample=sample, child=child, kind=source.kind,
                       label=source.label, url=record.url[:300])
        for source, record, child in (available[key] for key in picked)
    ])
    audit_record(organisation_id=setting.organisation_id, actor=actor.user, event_type="monitoring.sample_started",
                 obj=sample, summary=f"Quality sample of {setting.name} started with {len(picked)} records",
                 data={"records": picked, "random": random_size is not None})
    return sample


def _locked_open(actor: Actor, sample: MonitoringSample) -> MonitoringSample:
    _require_monitor(actor, sample.organisation_id, sample.setting_id)
    locked = MonitoringSample.objects.select_for_update().get(pk=sample.pk)
    if locked.is_signed_off:
        raise RuleViolation(f"This sample was signed off on {locked.signed_off_on.day} {locked.signed_off_on:%B %Y}: it can no "
                            "longer change.",
                            rule="signed_off")
    return locked


@transaction.atomic
def item_score(*, actor: Actor, sample: MonitoringSample, item_id: int, scores: dict[str, str], comment: str = "",
               ) -> MonitoringItem:
    """Score one record of the sample against each criterion of the sample's rubric, with a comment."""
    locked = _locked_open(actor, sample)
    item = MonitoringItem.objects.filter(pk=item_id, sample=locked).first()
    if item is None:
        raise RuleViolation("This record is not in the sample: score only the records listed in it.", rule="not_in_sample",
                            field="item")
    errors: dict[str, str] = {}
    allowed = dict(Score.choices)
    clean: dict[str, str] = {}
    for code, label in locked.criteria:
        value = (scores or {}).get(code) or ""
        if value not in allowed:
            errors[code] = f"Choose {', '.join(allowed.values())} for “{label}”."
        else:
            clean[code] = value
    extra = set(scores or {}) - {code for code, _ in locked.criteria}
    if extra:
        errors["scores"] = f"Not in this sample's rubric: {', '.join(sorted(extra))}."
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = f"Keep the comment to {COMMENT_MAX} characters or fewer."
    if any(v != Score.GOOD for v in clean.values()) and not comment and not errors:
        errors["comment"] = "Say what to improve: a comment is needed when a criterion needs work or is missing."
    if errors:
        raise FieldErrors(errors)
    item.scores, item.comment, item.scored_by, item.scored_at = clean, comment, actor.staff, clock.now()
    item.save(update_fields=["scores", "comment", "scored_by", "scored_at"])
    return item


def _finding_body(item: MonitoringItem, labels: dict[str, str]) -> str:
    lines = [f"{labels[code]}: {Score(value).label}" for code, value in item.scores.items() if code in labels]
    text = f"The manager's quality check of {item.child.display_name}'s {item.label.lower()}.\n" + "\n".join(lines)
    if item.comment:
        text += f"\n\n{item.comment}"
    return text + "\n\nRead the findings and acknowledge them."


@transaction.atomic
def sample_sign_off(*, actor: Actor, sample: MonitoringSample, as_of: dt.date | None = None) -> MonitoringSample:
    """Sign the sample off once every record is scored: each record's findings go to the child's key person (an
    in-app notification they acknowledge), and the setting's monitoring check for the month is met (CC-M3)."""
    locked = _locked_open(actor, sample)
    items = list(MonitoringItem.objects.filter(sample=locked).select_related("child"))
    unscored = [i for i in items if not i.is_scored]
    if unscored:
        names = ", ".join(f"{i.child.display_name} ({i.label.lower()})" for i in unscored[:3])
        more = f" and {len(unscored) - 3} more" if len(unscored) > 3 else ""
        raise RuleViolation(f"Score every record before signing off: {len(unscored)} not scored yet ({names}{more}).",
                            rule="unscored", field="items")
    setting = Setting.objects.get(pk=locked.setting_id)
    day = _today(setting, as_of)
    now = clock.now()
    locked.signed_off_by, locked.signed_off_at, locked.signed_off_on = actor.staff, now, day
    locked.save(update_fields=["signed_off_by", "signed_off_at", "signed_off_on"])
    key_people = key_people_by_family(setting)
    labels = dict(locked.criteria)
    findings = []
    for item in items:
        staff = key_people.get(item.child.family_id)
        if staff is None:
            continue  # no key person to tell: the sample page says so
        findings.append(MonitoringFinding(organisation_id=locked.organisation_id, item=item, staff=staff, sent_at=now))
    MonitoringFinding.objects.bulk_create(findings)
    for finding in MonitoringFinding.objects.filter(item__sample=locked).select_related("staff__user", "item__child"):
        notification_send(
            recipient=finding.staff.user, organisation_id=locked.organisation_id, kind="monitoring_finding",
            subject=f"Quality check findings: {finding.item.child.display_name}'s {finding.item.label.lower()}",
            body=_finding_body(finding.item, labels), link=reverse("care:monitoring_finding", args=[finding.pk]),
            dedupe_key=f"monitoring-finding:{finding.pk}", now=now,
        )
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="monitoring.sample_signed_off",
                 obj=locked, summary=f"Quality sample of {setting.name} ({locked.month:%B %Y}) signed off",
                 data={"items": len(items), "findings": len(findings)})
    # The setting's own obligation (CC-M3, monthly) is met by this sign-off.
    engine.recompute(organisation_id=locked.organisation_id, as_of=day, settings={setting.pk},
                     actor=actor.user)
    return locked


@transaction.atomic
def finding_acknowledge(*, actor: Actor, finding: MonitoringFinding) -> MonitoringFinding:
    """The key person acknowledges the findings sent to them; nobody acknowledges someone else's."""
    if finding.organisation_id != actor.organisation_id:
        raise Http404("No such finding")
    locked = MonitoringFinding.objects.select_for_update(of=("self",)).select_related("staff__user").get(pk=finding.pk)
    if not policies.may_acknowledge(actor, locked):
        raise RuleViolation(f"These findings were sent to {locked.staff.user.full_name}: only they can acknowledge them.",
                            rule="not_yours", field="finding")
    if locked.acknowledged_at is not None:
        return locked
    locked.acknowledged_at = clock.now()
    locked.save(update_fields=["acknowledged_at"])
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="monitoring.finding_acknowledged",
                 obj=locked, summary=f"Quality check findings acknowledged by {locked.staff.user.full_name}")
    return locked
