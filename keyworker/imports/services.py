"""Writes for imports: upload a file, choose its columns, check it, and import it all-or-nothing in one transaction."""

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import DatabaseError, InterfaceError, OperationalError, connections, models, transaction

from keyworker.accounts import policies
from keyworker.accounts.access import Actor
from keyworker.accounts.models import GroupMembership, Role, StaffInvitation, StaffMember, StaffRole, User
from keyworker.accounts.services import password_set_send_many
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation
from keyworker.core.uploads import too_large_message, upload_limits
from keyworker.notifications.models import Lease
from keyworker.organisations.models import Setting
from keyworker.people.models import Carer, Child, Family, KeyAspects

from .checks import Check, Progress, RowProblem, check_table
from .mapping import guess_mapping, mapping_problems
from .models import ImportJob, ImportKind, ImportStatus
from .policies import require_run_imports
from .reading import Table, read_table, sample_rows

logger = logging.getLogger(__name__)

# Files with this many rows or more are imported by the background worker (a task), with a progress page.
BACKGROUND_FROM_ROWS = 1000
BATCH_SIZE = 1000
# Checking the file again before writing is the first fifth of the progress bar; writing the rest.
CHECK_SHARE = 0.2
# Far longer than any import takes: an import still "importing" after this died with its process (and rolled back).
STALLED_AFTER = dt.timedelta(minutes=30)
# An import still importing with no run queued this long after it started is queued again (not at once: its first
# run is queued when the confirmation commits).
RESUME_AFTER = dt.timedelta(seconds=30)
# An upload nobody imports within this time (or the retention time, if longer) is abandoned: its file is removed.
ABANDONED_AFTER = dt.timedelta(days=1)

# Rows done by imports running in this process: the transaction hides progress from other connections until commit.
_live_progress: dict[int, int] = {}
# The progress is written for other processes (the web's) at most this often.
PROGRESS_EVERY_SECONDS = 0.5

M = TypeVar("M", bound=models.Model)


def _progress_file(job_id: int) -> Path | None:
    """On SQLite the import's transaction holds the one write lock: its progress goes to a small file beside the
    database (one machine, by definition) instead of the row."""
    db = connections["default"].settings_dict
    if db["ENGINE"] != "django.db.backends.sqlite3" or not str(db["NAME"]) or ":memory:" in str(db["NAME"]) \
            or "mode=memory" in str(db["NAME"]):
        return None
    return Path(f"{db['NAME']}.import-progress") / str(job_id)


def _progress_publish(job_id: int, rows: int) -> None:
    """Write an import's progress where any process sees it, outside the import's own transaction: on PostgreSQL
    the row's `progress` through a connection of its own (committed at once), on SQLite a file beside the database."""
    try:
        path = _progress_file(job_id)
        if path is not None:
            path.parent.mkdir(exist_ok=True)
            path.write_text(str(rows), encoding="ascii")
        elif connections["default"].vendor == "postgresql":
            side = connections.create_connection("default")
            try:
                with side.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '1s'")  # never wait on the import's own row lock
                    cursor.execute(f"UPDATE {ImportJob._meta.db_table} SET progress = %s WHERE id = %s", [rows, job_id])  # noqa: S608 - the table name is ours
            finally:
                side.close()
    except Exception:  # noqa: BLE001 - progress is a courtesy: never stop an import for it
        logger.debug("Import %s: progress not published", job_id, exc_info=True)


def _progress_forget(job_id: int) -> None:
    path = _progress_file(job_id)
    if path is not None:
        path.unlink(missing_ok=True)


def live_progress(job: ImportJob) -> int:
    if job.pk in _live_progress:
        return _live_progress[job.pk]
    path = _progress_file(job.pk)
    if path is not None and job.status == ImportStatus.IMPORTING:
        try:
            return min(job.row_count, int(path.read_text(encoding="ascii")))
        except (OSError, ValueError):
            pass
    return job.progress


def _require(actor: Actor | None, setting: Setting) -> None:
    """The command line runs as no particular user (actor None); a person needs the right in that setting."""
    if actor is None:
        return
    if setting.organisation_id != actor.organisation_id:
        raise RuleViolation("Not found.", rule="tenancy")
    require_run_imports(actor, setting.pk)


def _user(actor: Actor | None) -> User | None:
    return actor.user if actor is not None else None


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def import_summary(job: ImportJob) -> str:
    """"Imported 118 children in 97 families with 160 carers; 2 warnings"."""
    extra = ""
    if job.skipped_count:
        extra += f"; {job.skipped_count} already here, skipped"
    if job.warning_count:
        extra += f"; {_count(job.warning_count, 'warning', 'warnings')}"
    if job.kind == ImportKind.STAFF:
        return f"Imported {_count(job.staff_count, 'staff member', 'staff members')}{extra}"
    counts = job.report.get("counts", {}) if isinstance(job.report, dict) else {}
    joined = counts.get("existing_families", 0)
    joined_text = f" (and {_count(joined, 'family', 'families')} already here)" if joined else ""
    return (
        f"Imported {_count(job.child_count, 'child', 'children')} in {_count(job.family_count, 'family', 'families')}"
        f"{joined_text} with {_count(job.carer_count, 'carer', 'carers')}{extra}"
    )


@transaction.atomic
def import_upload(
    *, actor: Actor | None, setting: Setting, kind: str, name: str, data: bytes, hold_sign_in_emails: bool = False,
) -> ImportJob:
    """Keep the file, read its column headings and guess which column holds what. A staff import may hold new
    people's sign-in e-mails until the organisation invites everyone (see accounts.sign_in_emails)."""
    _require(actor, setting)
    if kind not in ImportKind.values:
        raise RuleViolation("Choose children or staff.", rule="kind", field="kind")
    name = (name or "upload.csv").replace("\\", "/").rsplit("/", 1)[-1][:200]
    table = read_table(name, data)
    job = ImportJob(
        organisation_id=setting.organisation_id, kind=kind, setting=setting, uploaded_by=_user(actor),
        original_name=name, headers=table.headers, samples=sample_rows(table),
        mapping=guess_mapping(kind, table.headers), row_count=len(table.rows), status=ImportStatus.UPLOADED,
        hold_sign_in_emails=hold_sign_in_emails and kind == ImportKind.STAFF,
    )
    job.file.save(name, ContentFile(data), save=False)
    job.save()
    return job


def _load_table(job: ImportJob) -> Table:
    if not job.file:
        raise RuleViolation("This import's file is no longer kept: files are removed once an import ends, or a day "
                            "after they were uploaded. Upload the file again.", rule="file", field="file")
    limits = upload_limits()
    try:
        if job.file.size > limits.max_bytes:
            raise RuleViolation(too_large_message(limits), rule="file", field="file")
        with job.file.open("rb") as f:
            data = f.read(limits.max_bytes + 1)
    except FileNotFoundError as exc:
        raise RuleViolation("This import's file is no longer kept. Upload the file again.", rule="file",
                            field="file") from exc
    return read_table(job.original_name, data, limits=limits)


def _file_retention() -> dt.timedelta:
    return dt.timedelta(hours=max(0, settings.KEYWORKER_UPLOAD_RETENTION_HOURS))


def _forget_file(job: ImportJob) -> None:
    """The job no longer names its file, and the file is deleted once that is committed."""
    if not job.file:
        return
    storage, name = job.file.storage, job.file.name
    ImportJob.objects.filter(pk=job.pk).update(file="")
    job.file.name = ""
    transaction.on_commit(lambda: storage.delete(name))


def _import_ended(job: ImportJob) -> None:
    """An import has ended (imported or refused): its file goes at once, unless the files are kept for a while."""
    if not _file_retention():
        _forget_file(job)


@transaction.atomic
def import_files_remove_expired(*, organisation_id: int, now: dt.datetime) -> int:
    """Delete the files of the organisation's imports that ended more than KEYWORKER_UPLOAD_RETENTION_HOURS ago, and
    of uploads left unimported for a day (or the retention time, if longer); the number of files removed."""
    retention = _file_retention()
    jobs = ImportJob.objects.filter(organisation_id=organisation_id).exclude(file="")
    # An import run again after a refusal is "importing" with its old finish time: its file is in use.
    ended = jobs.filter(finished_at__isnull=False, finished_at__lte=now - retention).exclude(
        status=ImportStatus.IMPORTING)
    abandoned = jobs.filter(
        finished_at__isnull=True, created_at__lte=now - max(retention, ABANDONED_AFTER),
        status__in=[ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.FAILED],
    )
    removed = 0
    for job in [*ended, *abandoned]:
        if job.finished_at is None:
            job.message = "The file was removed because it was not imported within a day. Upload it again to import it."
            job.save(update_fields=["message"])
        _forget_file(job)
        removed += 1
    return removed


def import_files_clean_periodic(*, organisation_id: int, as_of: dt.date, now: dt.datetime) -> int:
    """The worker's periodic task: the clean-up above; it sends no notifications."""
    import_files_remove_expired(organisation_id=organisation_id, now=now)
    return 0


def _store_check(job: ImportJob, check: Check) -> None:
    counts = check.counts
    job.row_count = check.row_count
    job.family_count = counts.get("families", 0)
    job.carer_count = counts.get("carers", 0)
    job.child_count = counts.get("children", 0)
    job.staff_count = counts.get("staff", 0)
    job.skipped_count = check.skipped_count
    job.warning_count = check.warning_count
    job.error_count = check.error_count
    job.report = check.report()


def _can_change(job: ImportJob) -> None:
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.FAILED):
        raise RuleViolation("This import has already run: upload the file again to import it again.", rule="status")


@transaction.atomic
def import_map(
    *, actor: Actor | None, job: ImportJob, mapping: dict[str, int], on_progress: Progress | None = None,
) -> ImportJob:
    """Save the chosen columns and check every row with them."""
    _require(actor, job.setting)
    _can_change(job)
    problems = mapping_problems(job.kind, job.headers, mapping)
    if problems:
        raise RuleViolation(" ".join(problems), rule="mapping")
    job.mapping = dict(mapping)
    job.save(update_fields=["mapping"])
    return import_validate(actor=actor, job=job, on_progress=on_progress)


@transaction.atomic
def import_validate(*, actor: Actor | None, job: ImportJob, on_progress: Progress | None = None) -> ImportJob:
    """Check every row; the job is then ready to import (validated) or has problems (failed). Nothing else changes."""
    _require(actor, job.setting)
    _can_change(job)
    table = _load_table(job)
    check = check_table(kind=job.kind, table=table, mapping=job.mapping, setting=job.setting, on_progress=on_progress)
    _refuse_roles_not_theirs_to_give(check, actor, job.setting)
    _store_check(job, check)
    job.status = ImportStatus.FAILED if check.has_errors else ImportStatus.VALIDATED
    job.message = (
        f"{check.error_rows} row{'s' if check.error_rows != 1 else ''} must be corrected before anything is imported."
        if check.has_errors else ""
    )
    job.save()
    return job


@transaction.atomic
def import_confirm(*, actor: Actor | None, job: ImportJob) -> ImportJob:
    """Claim a checked import for running: only one request (or double click) can claim it."""
    _require(actor, job.setting)
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATED).update(
        status=ImportStatus.IMPORTING, progress=0, started_at=clock.now(), finished_at=None, message=""
    )
    if not claimed:
        raise RuleViolation("This import cannot start: it has already run, or it has problems to correct.", rule="status")
    job.refresh_from_db()
    return job


class _AlreadyRun(Exception):
    """Another run of this import finished it (or is finishing it)."""


class _Refused(Exception):
    def __init__(self, check: Check):
        super().__init__("rows with errors")
        self.check = check


def import_run(*, actor: Actor | None, job: ImportJob, on_progress: Progress | None = None) -> ImportJob:
    """Check the file again and write everything in one transaction: with any error, nothing at all is written.

    The transaction is inside, not a decorator, so that a refusal can still record the failed status afterwards.
    """
    _require(actor, job.setting)
    if job.status != ImportStatus.IMPORTING:
        raise RuleViolation("Confirm the import first.", rule="status")
    total = max(job.row_count, 1)
    published = [0.0]

    def report(done: float) -> None:
        rows = min(job.row_count, int(done))
        _live_progress[job.pk] = rows
        if time.monotonic() - published[0] >= PROGRESS_EVERY_SECONDS:
            published[0] = time.monotonic()
            _progress_publish(job.pk, rows)
        if on_progress is not None:
            on_progress(rows, job.row_count)

    claim = f"import:{job.pk}:run"
    Lease.objects.get_or_create(name=claim, defaults={"expires_at": clock.now()})
    try:
        with transaction.atomic():
            # The claim: a second run of the same import (queued again) waits on this lock for the first, then
            # finds it finished and does nothing. A lock on another row than the import's own, so that the
            # progress can still be written to the import's row from outside this transaction.
            list(Lease.objects.select_for_update().filter(name=claim).values_list("name", flat=True))
            if not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.IMPORTING).exists():
                raise _AlreadyRun
            table = _load_table(job)
            check = check_table(
                kind=job.kind, table=table, mapping=job.mapping, setting=job.setting,
                on_progress=lambda done, n: report(CHECK_SHARE * total * done / max(n, 1)),
            )
            _refuse_roles_not_theirs_to_give(check, actor, job.setting)
            if check.has_errors:
                raise _Refused(check)
            if job.kind == ImportKind.STAFF:
                _write_staff(job, check, lambda share: report(total * (CHECK_SHARE + (1 - CHECK_SHARE) * share)),
                             actor=actor)
            else:
                _write_children(job, check, lambda share: report(total * (CHECK_SHARE + (1 - CHECK_SHARE) * share)))
            _store_check(job, check)
            job.status = ImportStatus.DONE
            job.progress = job.row_count
            job.finished_at = clock.now()
            job.message = ""
            job.save()
            audit_record(
                organisation_id=job.organisation_id, actor=_user(actor), event_type=f"import.{job.kind}", obj=job,
                summary=f"{import_summary(job)} from {job.original_name} into {job.setting}",
                data={"counts": job.report.get("counts", {}), "file": job.original_name},
            )
    except _AlreadyRun:
        job.refresh_from_db()
        return job
    except _Refused as refused:
        _store_check(job, refused.check)
        _fail(job, f"Nothing was imported: {refused.check.error_rows} row{'s' if refused.check.error_rows != 1 else ''} "
                   "must be corrected first.")
    except RuleViolation as exc:
        _fail(job, f"Nothing was imported: {exc.message}")
    except (OperationalError, InterfaceError):
        # The database went away (restart, connection cut) or gave up a lock: not a refusal of the data. Nothing
        # was written; the import stays "importing" and is queued again (imports_resume_periodic).
        raise
    except DatabaseError:
        logger.exception("Import %s refused by the database", job.pk)
        _fail(job, "Nothing was imported: the database refused the changes, perhaps because someone added the same "
                   "children or staff at the same time. Upload the file again to retry.")
    finally:
        _live_progress.pop(job.pk, None)
        _progress_forget(job.pk)
    if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        _import_ended(job)
    return job


def _fail(job: ImportJob, message: str) -> None:
    job.status = ImportStatus.FAILED
    job.message = message
    job.finished_at = clock.now()
    job.save()


def _bulk(model: type[M], objs: Sequence[M], step: Callable[[int], None]) -> None:
    for i in range(0, len(objs), BATCH_SIZE):
        chunk = objs[i:i + BATCH_SIZE]
        model._default_manager.bulk_create(chunk)
        step(len(chunk))


def _write_children(job: ImportJob, check: Check, share: Callable[[float], None]) -> None:
    org_id = job.organisation_id
    today = clock.today(job.setting.time_zone)
    planned_new = [f for f in check.families if f.existing_id is None]
    families = [
        Family(organisation_id=org_id, name=f.name[:150], address=f.address, mis_reference=f.mis_reference)
        for f in planned_new
    ]
    n_children = sum(len(f.children) for f in check.families)
    n_carers = sum(len(f.carers) for f in planned_new)
    units = max(1, len(families) + n_carers + 2 * n_children)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        share(done / units)

    _bulk(Family, families, step)
    family_ids = [fam.pk for fam in families]
    carers: list[Carer] = []
    children: list[Child] = []
    aspects: list[dict[str, str]] = []
    new_ids = iter(family_ids)
    for planned in check.families:
        family_id = planned.existing_id if planned.existing_id is not None else next(new_ids)
        if planned.existing_id is None:
            for order, c in enumerate(planned.carers, start=1):
                carers.append(Carer(
                    organisation_id=org_id, family_id=family_id, title=c.title, first_name=c.first_name,
                    last_name=c.last_name, relationship=c.relationship, parental_responsibility=c.parental_responsibility,
                    phone=c.phone, email=c.email, preferred_contact_method=c.preferred_contact_method,
                    first_language=c.first_language, contact_restriction=c.contact_restriction,
                    restriction_notes=c.restriction_notes, contact_order=order,
                ))
        for row in planned.children:
            assert row.date_of_birth is not None  # rows without one have an error and never get here
            children.append(Child(
                organisation_id=org_id, family_id=family_id, setting_id=job.setting_id, group_id=row.group_id,
                legal_first_name=row.legal_first_name, legal_last_name=row.legal_last_name,
                preferred_name=row.preferred_name if row.preferred_name != row.legal_first_name else "",
                date_of_birth=row.date_of_birth, upn=row.upn, mis_reference=row.mis_reference,
                year_group=row.year_group, enrolled_on=row.enrolled_on or today, has_ehcp=row.has_ehcp,
            ))
            aspects.append(row.aspects)
    _bulk(Carer, carers, step)
    _bulk(Child, children, step)
    _bulk(KeyAspects, [
        KeyAspects(organisation_id=org_id, child_id=child.pk, **a) for child, a in zip(children, aspects, strict=True)
    ], step)


def _refuse_roles_not_theirs_to_give(check: Check, actor: Actor | None, setting: Setting) -> None:
    """An import gives roles as the staff pages do: a row with a role the importer may not give is an error."""
    if actor is None or check.kind != ImportKind.STAFF or not check.staff:
        return
    roles = {r.pk: r for r in Role.objects.filter(organisation_id=setting.organisation_id)}
    for s in check.staff:
        for role_id in s.role_ids:
            why = policies.role_grant_refusal(actor, roles[role_id], setting.pk)
            if why:
                p = check.problems.get(s.index)
                if p is None:
                    p = check.problems[s.index] = RowProblem(line=s.line, name=s.full_name or s.email)
                p.errors.append(why)


def _write_staff(job: ImportJob, check: Check, share: Callable[[float], None], actor: Actor | None = None) -> None:
    from keyworker.notifications.services import notification_send

    org_id = job.organisation_id
    rows = check.staff
    units = max(1, 3 * len(rows))
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        share(done / units)

    organisation = job.setting.organisation
    # No password: they cannot sign in until they choose one from the e-mailed link.
    new_users = [User(email=s.email, full_name=s.full_name, password=make_password(None)) for s in rows if s.user_id is None]
    _bulk(User, new_users, step)
    user_ids = {u.email: u.pk for u in new_users}
    # Someone who already signs in (in another organisation) is invited: nothing of theirs changes, and they
    # join only when they accept, with the roles of their row.
    invited = [s for s in rows if s.user_id is not None]
    rows = [s for s in rows if s.user_id is None]
    members = [
        StaffMember(organisation_id=org_id, user_id=user_ids[s.email], job_title=s.job_title, staff_code=s.staff_code,
                    sign_in_email_held=job.hold_sign_in_emails)
        for s in rows
    ]
    _bulk(StaffMember, members, step)
    if not job.hold_sign_in_emails:
        # Each new person chooses their own password from an e-mailed link, as when added on the staff pages.
        password_set_send_many(users=new_users, organisation=organisation, invited_by=_user(actor))
    staff_roles: list[StaffRole] = []
    memberships: list[GroupMembership] = []
    for s, member in zip(rows, members, strict=True):
        staff_roles += [StaffRole(organisation_id=org_id, staff_id=member.pk, setting_id=job.setting_id, role_id=r)
                        for r in s.role_ids]
        memberships += [GroupMembership(organisation_id=org_id, staff_id=member.pk, group_id=g) for g in s.group_ids]
    StaffRole.objects.bulk_create(staff_roles, batch_size=BATCH_SIZE)
    GroupMembership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
    already = set(StaffInvitation.objects.filter(organisation_id=org_id, status="pending",
                                                 user_id__in=[s.user_id for s in invited]).values_list("user_id", flat=True))
    for s in invited:
        if s.user_id in already:
            continue
        invitation = StaffInvitation.objects.create(
            organisation_id=org_id, user_id=s.user_id, setting_id=job.setting_id, job_title=s.job_title,
            staff_code=s.staff_code, invited_by=_user(actor),
        )
        invitation.roles.set(s.role_ids)
        invitation.groups.set(s.group_ids)
        notification_send(
            recipient=invitation.user, organisation_id=org_id, kind="staff.invitation",
            subject=f"{organisation} invites you to join as staff",
            body=(f"{organisation} invited you to join as {', '.join(s.role_names) or 'a staff member'} at {job.setting}. "
                  "Sign in with your usual address and password to accept or decline. Nothing changes until you accept."),
            link="/accounts/invitations/", dedupe_key=f"staff-invitation:{invitation.pk}",
        )
    step(len(rows) + len(invited))


def import_start(*, actor: Actor | None, job: ImportJob) -> ImportJob:
    """Confirm and run: small files at once, large ones by the background worker, which the progress page follows."""
    job = import_confirm(actor=actor, job=job)
    if job.row_count >= BACKGROUND_FROM_ROWS:
        transaction.on_commit(lambda: launch_in_background(job.pk, actor))
        return job
    return import_run(actor=actor, job=job)


def launch_in_background(job_id: int, actor: Actor | None) -> None:
    """Queue the import for the background worker (called once the confirmation has committed)."""
    from .tasks import import_file

    import_file.enqueue(import_id=job_id, user_id=actor.user.pk if actor is not None and actor.user else None)


def import_run_claimed(job_id: int, actor: Actor | None) -> None:
    """Run an import already confirmed; whatever goes wrong, the job ends failed rather than stuck."""
    try:
        job = ImportJob.objects.select_related("setting").get(pk=job_id)
        import_run(actor=actor, job=job)
    except (OperationalError, InterfaceError):
        raise  # the database went away: nothing was written, and the import is run again once it is back
    except Exception:
        _stopped(job_id)


def _stopped(job_id: int) -> None:
    """Called while handling the error that stopped the import: logged with it, and the import marked failed."""
    logger.exception("Import %s stopped", job_id)
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.IMPORTING).update(
        status=ImportStatus.FAILED, finished_at=clock.now(),
        message="Nothing was imported: the import stopped unexpectedly. Try again, or ask for help.",
    )


def imports_resume_periodic(*, organisation_id: int, as_of: dt.date, now: dt.datetime) -> int:
    """Queue again the imports still importing whose run is no longer queued or running (its worker was cut off
    from the database and gave up the task): nothing was written, so running them again loses nothing.

    Only on the database queue, which can tell; elsewhere an import that stopped is released after STALLED_AFTER.
    """
    from keyworker.core.tasks import task_pending

    from .tasks import import_file

    waiting = ImportJob.objects.filter(organisation_id=organisation_id, status=ImportStatus.IMPORTING,
                                       started_at__lt=now - RESUME_AFTER).values_list("pk", "uploaded_by_id")
    for job_id, user_id in waiting:
        if task_pending(import_file, import_id=job_id) is False:
            logger.warning("Import %s: its run stopped with the database; queued again", job_id)
            import_file.enqueue(import_id=job_id, user_id=user_id)
    return 0


def _queued_or_running(job_id: int) -> bool:
    """A run of the import still queued or running (its worker killed: queued again once its claim times out)."""
    from keyworker.core.tasks import task_pending

    from .tasks import import_file

    return bool(task_pending(import_file, import_id=job_id))


@transaction.atomic
def import_release_if_stalled(*, actor: Actor | None, job: ImportJob) -> ImportJob:
    """Mark an import that stopped with its process (a restart) as failed, so it can be checked and run again."""
    _require(actor, job.setting)
    stalled = (
        job.status == ImportStatus.IMPORTING and job.pk not in _live_progress and job.started_at is not None
        and clock.now() - job.started_at > STALLED_AFTER and not _queued_or_running(job.pk)
    )
    if stalled:
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.IMPORTING).update(
            status=ImportStatus.FAILED, finished_at=clock.now(),
            message="The import stopped before it finished, and nothing was imported. Upload the file again to retry.",
        )
        job.refresh_from_db()
        _import_ended(job)
    return job
