"""The large downloads the worker prepares (`keyworker.core.export_jobs`): the whole organisation's archive, a subject
access pack and an evidence pack PDF. Each says how its file is built from the row's ids and dates, acting as the
person who asked (their rights as they are when it is built), and who may still download it."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.text import slugify

from keyworker.accounts.access import actor_for
from keyworker.accounts.policies import can_export_organisation
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.export_jobs import Built, ExportKind, Progress, register_export_kind
from keyworker.core.models import ExportJob

ARCHIVE = "organisation_archive"
SUBJECT_ACCESS = "subject_access"
EVIDENCE_PACK = "evidence_pack"


def _actor(job: ExportJob):
    return actor_for(job.requested_by, job.organisation_id)


# The whole organisation ------------------------------------------------------------------------------------------

def _archive_build(job: ExportJob, progress: Progress) -> Built:
    from keyworker.organisations.archive import organisation_export
    from keyworker.organisations.models import Organisation

    if not can_export_organisation(_actor(job)):
        raise PermissionDenied
    organisation = Organisation.objects.get(pk=job.organisation_id)
    data = organisation_export(organisation, now=job.created_at,
                               progress=lambda done, total: progress(done * 100 // max(total, 1)))
    return Built(data, f"{organisation.slug}-archive-{job.created_at:%Y-%m-%d}.zip", "application/zip",
                 {"bytes": len(data)})


def _archive_check(actor, job: ExportJob) -> None:
    if not can_export_organisation(actor):
        raise Http404


def _archive_downloaded(actor, job: ExportJob) -> None:
    audit_record(organisation_id=job.organisation_id, actor=actor.user, event_type="organisation.archive_downloaded",
                 obj=job, summary="The whole organisation's archive downloaded", data={"export": job.pk})


# Subject access ----------------------------------------------------------------------------------------------------

def subject_access_params(subject) -> dict[str, Any]:
    from keyworker.people.models import Child

    return {"subject": "child" if isinstance(subject, Child) else "carer", "id": subject.pk,
            "family": subject.family_id, "as_of": clock.today().isoformat()}


def _subject(actor, job: ExportJob):
    from keyworker.people.policies import can_handle_data_rights
    from keyworker.people.selectors import access_carer, access_child

    if not can_handle_data_rights(actor):
        raise Http404
    find = access_child if job.params.get("subject") == "child" else access_carer
    return find(actor, int(job.params.get("id", 0)))


def _subject_access_build(job: ExportJob, progress: Progress) -> Built:
    from .subject_access import subject_access_pack, subject_access_zip

    subject = _subject(_actor(job), job)
    progress(10)
    pack = subject_access_pack(subject=subject, made_by=job.requested_by.full_name,
                               as_of=dt.date.fromisoformat(job.params["as_of"]))
    progress(50)
    data = subject_access_zip(pack)
    name = slugify(pack.name) or pack.subject
    return Built(data, f"subject-access-{name}-{pack.made_on:%Y-%m-%d}.zip", "application/zip", {
        "subject": pack.subject, "id": subject.pk, "name": pack.name, "records": pack.records,
        "kinds": len(pack.sections), "withheld": sum(n for _, n in pack.withheld),
    })


def _subject_access_check(actor, job: ExportJob) -> None:
    _subject(actor, job)


def _subject_access_downloaded(actor, job: ExportJob) -> None:
    d = job.details
    audit_record(organisation_id=job.organisation_id, actor=actor.user, event_type="subject_access.exported",
                 obj=_subject(actor, job), summary=f"Subject access pack for a {d.get('subject', 'subject')} downloaded",
                 data={"subject": d.get("subject"), "id": d.get("id"), "records": d.get("records"),
                       "kinds": d.get("kinds"), "withheld": d.get("withheld"), "export": job.pk})


# The evidence pack PDF ---------------------------------------------------------------------------------------------

def _evidence_setting(actor, job: ExportJob):
    from keyworker.caseload.selectors import access_setting
    from keyworker.standards.policies import require_setting_figures

    setting = access_setting(actor, job.params.get("setting"))
    require_setting_figures(actor, setting.pk)
    return setting


def _evidence_build(job: ExportJob, progress: Progress) -> Built:
    from keyworker.core.replica import replica_reads
    from keyworker.organisations.calendar import TermCalendar
    from keyworker.standards.evidence_pack import evidence_pack
    from keyworker.standards.pdf import evidence_pack_pdf

    actor = _actor(job)
    setting = _evidence_setting(actor, job)
    start, end = dt.date.fromisoformat(job.params["from"]), dt.date.fromisoformat(job.params["to"])
    progress(5)
    with replica_reads():  # a report: it may read a moment behind the primary
        pack = evidence_pack(actor, setting, start, end, TermCalendar.for_setting(setting))
        progress(60)
        pdf = evidence_pack_pdf(pack)
    name = "-".join(filter(None, ["evidence-pack", slugify(pack.where), start.isoformat(), "to", end.isoformat()]))
    return Built(pdf, f"{name}.pdf", "application/pdf", {"setting": setting.pk})


def _evidence_check(actor, job: ExportJob) -> None:
    try:
        _evidence_setting(actor, job)
    except PermissionDenied as exc:
        raise Http404 from exc


def register() -> None:
    register_export_kind(ExportKind(ARCHIVE, _archive_build, _archive_check, _archive_downloaded,
                                    back=lambda job: "/exports/organisation/"))
    register_export_kind(ExportKind(SUBJECT_ACCESS, _subject_access_build, _subject_access_check,
                                    _subject_access_downloaded, back=lambda job: f"/families/{job.params.get('family')}/"))
    register_export_kind(ExportKind(EVIDENCE_PACK, _evidence_build, _evidence_check, back=lambda job: (
        f"/evidence-pack/?setting={job.params.get('setting')}&from={job.params.get('from')}&to={job.params.get('to')}")))
