"""The nightly MIS sync: the same export every night, imported unattended with a saved column mapping.

Each run reads the file with the mapping saved under a name (the columns found by their headings: a file whose
headings changed since is refused, naming what is missing), checks every row as an import does, then, all or
nothing:
- children new to the setting are created with their families and carers (as an import creates them);
- children already on roll (matched by UPN, then by MIS reference) get only the fields that changed, each change
  in the audit log with before and after;
- children on roll in the setting whom the file no longer lists are marked as leavers (left today);
and a report goes to the admin office. A run that would mark more than the mapping's share of the roll as leavers
(10 % by default: usually a partial export) stops before writing anything and asks a person to look.
"""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts import capabilities as caps
from keyworker.accounts.selectors import role_holders
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.notifications.services import notification_send
from keyworker.organisations.models import Setting
from keyworker.people.models import Child

from .checks import ChildRow, check_children
from .mapping import mapping_problems, normalise, target_labels
from .models import ImportJob, ImportKind, ImportStatus, SavedMapping
from .policies import require_run_imports
from .reading import Table, read_table
from .services import _write_children

SYNCED_FIELDS = ("legal_first_name", "legal_last_name", "preferred_name", "date_of_birth", "group_id", "year_group",
                 "has_ehcp", "mis_reference", "upn")
FIELD_LABELS = {"legal_first_name": "first name", "legal_last_name": "last name", "preferred_name": "preferred name",
                "date_of_birth": "date of birth", "group_id": "class", "year_group": "year group", "has_ehcp": "EHCP",
                "mis_reference": "MIS reference", "upn": "UPN"}


@dataclass
class SyncReport:
    mapping: str
    file: str
    created: int = 0
    updated: list[tuple[str, list[str]]] = field(default_factory=list)  # (child, ["class: Ash → Beech", …])
    unchanged: int = 0
    leavers: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # row problems that stopped the run
    stopped: str = ""  # why nothing was written
    dry_run: bool = False

    @property
    def written(self) -> bool:
        return not self.stopped and not self.errors and not self.dry_run

    def as_dict(self) -> dict:
        return {"mapping": self.mapping, "file": self.file, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "leavers": self.leavers, "errors": self.errors[:200],
                "stopped": self.stopped, "dry_run": self.dry_run}

    def summary(self) -> str:
        if self.stopped:
            return f"Nothing imported: {self.stopped}"
        if self.errors:
            return f"Nothing imported: {len(self.errors)} row problem{'s' if len(self.errors) != 1 else ''} to correct."
        written = "nothing written (a trial run)" if self.dry_run else "the changes were written"
        return (f"{self.created} new child{'ren' if self.created != 1 else ''}, {len(self.updated)} updated, "
                f"{len(self.leavers)} marked as leaving, {self.unchanged} unchanged; {written}.")


def mapping_save(*, actor, setting: Setting, name: str, headers: list[str], mapping: dict[str, int],
                 kind: str = ImportKind.CHILDREN, drop_path: str = "") -> SavedMapping:
    """Save a mapping (target -> column number) by the columns' headings, under a name."""
    name = name.strip()[:60]
    if not name:
        raise RuleViolation("Give the mapping a name, e.g. “Nightly SIMS export”.", rule="name", field="name")
    problems = mapping_problems(kind, headers, mapping)
    if problems:
        raise RuleViolation(" ".join(problems), rule="mapping", field="mapping")
    columns = {target: headers[col] for target, col in mapping.items()}
    saved, _ = SavedMapping.objects.update_or_create(
        organisation_id=setting.organisation_id, name=name,
        defaults={"setting": setting, "kind": kind, "columns": columns, "drop_path": drop_path,
                  "created_by": getattr(actor, "user", None)},
    )
    return saved


def _name_free(actor, name: str, keep: SavedMapping | None = None) -> str:
    name = name.strip()[:60]
    if not name:
        raise RuleViolation("Give the mapping a name, e.g. “Nightly SIMS export”.", rule="name", field="name")
    taken = SavedMapping.objects.filter(organisation_id=actor.organisation_id, name=name)
    if keep is not None:
        taken = taken.exclude(pk=keep.pk)
    if taken.exists():
        raise RuleViolation(f"A mapping is already saved as “{name}”: choose another name.", rule="name", field="name")
    return name


def _check_share(share: int) -> None:
    if not 1 <= share <= 100:
        raise RuleViolation("Choose a share of the roll from 1 to 100 %.", rule="share", field="max_leaver_share")


@transaction.atomic
def saved_mapping_create_from_import(*, actor, job: ImportJob, name: str, max_leaver_share: int = 10) -> SavedMapping:
    """Save the columns chosen for a finished import, by their headings, for the nightly sync."""
    require_run_imports(actor, job.setting_id)
    if job.organisation_id != actor.organisation_id:
        raise RuleViolation("Not found.", rule="tenancy")
    if job.status != ImportStatus.DONE or job.kind != ImportKind.CHILDREN or not job.mapping:
        raise RuleViolation("Only a finished import of children can be saved for nightly imports.", rule="job",
                            field="name")
    _check_share(max_leaver_share)
    name = _name_free(actor, name)
    problems = mapping_problems(job.kind, job.headers, job.mapping)
    if problems:
        raise RuleViolation(" ".join(problems), rule="mapping", field="name")
    saved = SavedMapping.objects.create(
        organisation_id=actor.organisation_id, name=name, setting_id=job.setting_id, kind=job.kind,
        columns={target: job.headers[col] for target, col in job.mapping.items()},
        max_leaver_share=max_leaver_share, created_by=actor.user)
    audit_record(organisation_id=saved.organisation_id, actor=actor.user, event_type="imports.mapping_saved", obj=saved,
                 summary=f"Mapping “{name}” saved from the import of {job.original_name}"[:300],
                 data={"job": job.pk, "columns": saved.columns})
    return saved


@transaction.atomic
def saved_mapping_update(*, actor, saved: SavedMapping, name: str, max_leaver_share: int) -> SavedMapping:
    """Rename a saved mapping and set the share of the roll above which a run stops and asks a person."""
    require_run_imports(actor, saved.setting_id)
    _check_share(max_leaver_share)
    name = _name_free(actor, name, keep=saved)
    before = {"name": saved.name, "max_leaver_share": saved.max_leaver_share}
    saved.name, saved.max_leaver_share = name, max_leaver_share
    saved.save(update_fields=["name", "max_leaver_share"])
    audit_record(organisation_id=saved.organisation_id, actor=actor.user, event_type="imports.mapping_updated",
                 obj=saved, summary=f"Mapping “{name}” changed",
                 data={"before": before, "after": {"name": name, "max_leaver_share": max_leaver_share}})
    return saved


@transaction.atomic
def saved_mapping_delete(*, actor, saved: SavedMapping) -> None:
    """Delete a saved mapping: the nightly runs with it stop; imports already made stay."""
    require_run_imports(actor, saved.setting_id)
    audit_record(organisation_id=saved.organisation_id, actor=actor.user, event_type="imports.mapping_deleted",
                 obj=saved, summary=f"Mapping “{saved.name}” deleted")
    saved.delete()


def mapping_for_table(saved: SavedMapping, table: Table) -> dict[str, int]:
    """The saved mapping's columns in this file, by heading; refused when a heading is gone."""
    by_heading = {normalise(h): i for i, h in enumerate(table.headers)}
    labels = target_labels(saved.kind)
    mapping, missing = {}, []
    for target, heading in saved.columns.items():
        col = by_heading.get(normalise(heading))
        if col is None:
            missing.append(f"“{heading}” ({labels.get(target, target)})")
        else:
            mapping[target] = col
    if missing:
        raise RuleViolation(
            f"The file's columns changed since the mapping “{saved.name}” was saved: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not in it. Nothing was imported. Save the mapping again from "
            "an import of the new file.", rule="headers")
    return mapping


def _changes(child: Child, row: ChildRow, groups: dict[int, str]) -> dict[str, tuple]:
    wanted = {
        "legal_first_name": row.legal_first_name, "legal_last_name": row.legal_last_name,
        "preferred_name": row.preferred_name if row.preferred_name != row.legal_first_name else "",
        "date_of_birth": row.date_of_birth, "group_id": row.group_id, "year_group": row.year_group,
        "has_ehcp": row.has_ehcp, "mis_reference": row.mis_reference, "upn": row.upn,
    }
    out = {}
    for name in SYNCED_FIELDS:
        new = wanted[name]
        if name in {"mis_reference", "upn", "group_id", "year_group", "preferred_name"} and new in ("", None):
            continue  # a column left empty (or not mapped) never clears what is held
        if getattr(child, name) != new:
            out[name] = (getattr(child, name), new)
    return out


def _shown(name: str, value, groups: dict[int, str]) -> str:
    if name == "group_id":
        return groups.get(value, "none") if value else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return f"{on_screen(value)}"
    return str(value) if value not in (None, "") else "nothing"


def sync_run(*, saved: SavedMapping, table: Table, file_name: str, as_of: dt.date, actor=None,
             dry_run: bool = False, allow_leavers: bool = False) -> SyncReport:
    setting = saved.setting
    report = SyncReport(saved.name, file_name, dry_run=dry_run)
    try:
        mapping = mapping_for_table(saved, table)
    except RuleViolation as exc:
        report.stopped = exc.message
        return report
    check = check_children(table=table, mapping=mapping, setting=setting, today=as_of)
    if check.has_errors:
        report.errors = [f"Line {p.line} ({p.label}): {'; '.join(p.errors)}" for p in check.problem_list() if p.errors]
        return report
    on_roll = list(Child.objects.filter(organisation_id=setting.organisation_id, setting=setting)
                   .exclude(left_on__lte=as_of).order_by("id"))
    by_upn = {c.upn.upper(): c for c in on_roll if c.upn}
    by_ref = {c.mis_reference.strip().casefold(): c for c in on_roll if c.mis_reference}
    groups = dict(setting.groups.values_list("id", "name"))
    seen: set[int] = set()
    updates: list[tuple[Child, dict]] = []
    for row in check.rows:
        child = (by_upn.get(row.upn.upper()) if row.upn else None) or (
            by_ref.get(row.mis_reference.strip().casefold()) if row.mis_reference else None)
        if child is None or child.pk in seen:
            continue
        seen.add(child.pk)
        changes = _changes(child, row, groups)
        if changes:
            updates.append((child, changes))
            report.updated.append((child.display_name, [
                f"{FIELD_LABELS[n]}: {_shown(n, old, groups)} → {_shown(n, new, groups)}" for n, (old, new) in changes.items()]))
        else:
            report.unchanged += 1
    leavers = [c for c in on_roll if c.pk not in seen]
    report.leavers = [c.display_name for c in leavers]
    new_rows = [r for f in check.families for r in f.children]
    report.created = len(new_rows)
    if on_roll and len(leavers) * 100 > saved.max_leaver_share * len(on_roll) and not allow_leavers:
        report.stopped = (f"it would mark {len(leavers)} of the {len(on_roll)} children on roll as leaving, more than "
                          f"{saved.max_leaver_share} %: the export may be partial. Check the file; a person can run it "
                          "with leavers allowed.")
        return report
    if dry_run:
        return report
    with transaction.atomic():
        job = ImportJob.objects.create(organisation_id=setting.organisation_id, kind=ImportKind.CHILDREN, setting=setting,
                                       uploaded_by=getattr(actor, "user", None), original_name=file_name[:255],
                                       mapping=mapping, status=ImportStatus.IMPORTING, row_count=len(table.rows))
        if new_rows:  # the import's own writer, for the children new to the setting
            _write_children(job, check, lambda _share: None)
        for child, changes in updates:
            for name, (_old, new) in changes.items():
                setattr(child, name, new)
            child.version += 1
        Child.objects.bulk_update([c for c, _ in updates], [*SYNCED_FIELDS, "version"], batch_size=500)
        for c in leavers:
            c.left_on = max(as_of, c.enrolled_on)
            c.version += 1
        Child.objects.bulk_update(leavers, ["left_on", "version"], batch_size=500)
        AuditEvent.objects.bulk_create([
            AuditEvent(organisation_id=setting.organisation_id, actor=getattr(actor, "user", None),
                       event_type="child.synced", object_type="people.child", object_id=c.pk,
                       summary=f"Updated from the MIS export “{file_name[:80]}”",
                       data={n: [str(old), str(new)] for n, (old, new) in changes.items()})
            for c, changes in updates
        ] + [
            AuditEvent(organisation_id=setting.organisation_id, actor=getattr(actor, "user", None),
                       event_type="child.left", object_type="people.child", object_id=c.pk,
                       summary=f"Marked as leaving: not in the MIS export “{file_name[:80]}”", data={"left_on": as_of.isoformat()})
            for c in leavers
        ], batch_size=500)
        job.status = ImportStatus.DONE
        job.child_count = report.created
        job.report = report.as_dict()
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "child_count", "report", "finished_at"])
        audit_record(organisation_id=setting.organisation_id, actor=getattr(actor, "user", None), event_type="import.synced",
                     obj=setting, summary=f"MIS sync “{saved.name}”: {report.summary()}",
                     data={"created": report.created, "updated": len(report.updated), "leavers": len(report.leavers)})
    return report


def sync_tell_office(saved: SavedMapping, report: SyncReport, *, now: dt.datetime) -> int:
    """The report to whoever runs imports for the setting (the admin office, leaders): one notice per run."""
    told = 0
    holders = role_holders(saved.organisation_id, capability=caps.RUN_IMPORTS, setting_ids=[saved.setting_id], active_users=True)
    details = "; ".join(f"{name}: {', '.join(ch)}" for name, ch in report.updated[:20])
    body = report.summary() + (f" Changed: {details}." if details else "") + (
        f" Leaving: {', '.join(report.leavers[:20])}." if report.leavers else "") + (
        f" Problems: {' | '.join(report.errors[:10])}" if report.errors else "")
    for user in {h.staff.user for h in holders}:
        _n, created = notification_send(recipient=user, organisation_id=saved.organisation_id, kind="import.synced",
                                        subject=f"Nightly MIS import “{saved.name}”", body=body[:5000],
                                        link=reverse("imports:start"), dedupe_key=f"sync:{saved.pk}:{now.isoformat()}", now=now)
        told += created
    return told


def sync_from_drop_paths(*, organisation_id: int, as_of: dt.date, now: dt.datetime) -> int:
    """The worker's part: each saved mapping with a drop path whose file changed since its last run, run once."""
    told = 0
    for saved in SavedMapping.objects.filter(organisation_id=organisation_id).exclude(drop_path="").select_related("setting"):
        path = Path(saved.drop_path)
        try:
            mtime = path.stat().st_mtime
        except OSError:
            continue
        if saved.last_file_mtime is not None and mtime <= saved.last_file_mtime:
            continue
        try:
            table = read_table(path.name, path.read_bytes())
        except (OSError, RuleViolation) as exc:
            report = SyncReport(saved.name, path.name, stopped=getattr(exc, "message", str(exc)))
        else:
            report = sync_run(saved=saved, table=table, file_name=path.name, as_of=clock.today(saved.setting.time_zone))
        SavedMapping.objects.filter(pk=saved.pk).update(last_run_at=now, last_file_mtime=mtime, last_report=report.as_dict())
        told += sync_tell_office(saved, report, now=now)
    return told
