"""Reads of imports, scoped to the acting user: only their organisation's, only settings they may import into."""

from django.db.models import QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.accounts.capabilities import RUN_IMPORTS
from keyworker.accounts.policies import settings_with
from keyworker.organisations.models import Setting

from .models import ImportJob, SavedMapping


def importable_settings(actor: Actor) -> list[Setting]:
    """The settings the actor imports into, by name."""
    return settings_with(actor, RUN_IMPORTS)


def jobs_visible_to(actor: Actor) -> QuerySet[ImportJob]:
    if not actor.is_member:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(
        organisation_id=actor.organisation_id, setting_id__in=[s.pk for s in importable_settings(actor)]
    ).select_related("setting", "uploaded_by")


def access_job(actor: Actor, job_id: int) -> ImportJob:
    """The import if the actor may see it; otherwise it does not exist (404)."""
    job = jobs_visible_to(actor).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such import")
    return job


def saved_mappings_visible_to(actor: Actor) -> QuerySet[SavedMapping]:
    """The nightly sync's saved mappings of the settings the actor imports into, by name."""
    if not actor.is_member:
        return SavedMapping.objects.none()
    return SavedMapping.objects.filter(
        organisation_id=actor.organisation_id, setting_id__in=[s.pk for s in importable_settings(actor)]
    ).select_related("setting", "created_by").order_by("name", "id")


def access_saved_mapping(actor: Actor, mapping_id: int) -> SavedMapping:
    """The saved mapping if the actor may manage it; otherwise it does not exist (404)."""
    saved = saved_mappings_visible_to(actor).filter(pk=mapping_id).first()
    if saved is None:
        raise Http404("No such mapping")
    return saved
