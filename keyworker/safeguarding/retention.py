"""How long child-protection files are kept: until the child is 25 (IRMS toolkit for schools: date of birth + 25
years). A concern goes with its chronology; the chronology's entries of no concern (protection status, file
transfers) go once the child's concerns are gone; a contact linked to a concern is held as long as the concern."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from keyworker.core.retention import RetentionKind, register_retention_hold, register_retention_kind
from keyworker.meetings.models import AnnualReview

from .models import Concern, ConcernChild, Entry


def register() -> None:
    register_retention_kind(RetentionKind(
        "child_protection_files", "Child-protection files (concerns and their chronologies)", "the child's date of birth", 25,
        "IRMS Information Management Toolkit for Schools: child protection files, date of birth + 25 years",
        past_retention,
    ))
    register_retention_kind(RetentionKind(
        "child_protection_entries", "Child-protection chronology entries of no concern", "the child's date of birth", 25,
        "IRMS Information Management Toolkit for Schools: child protection files, date of birth + 25 years. Protection "
        "status changes, file transfers and other entries not about one concern are part of the child's file: listed "
        "here once the concerns involving the child are destroyed",
        entries_past_retention,
    ))
    # A flagged contact or portal message linked to a concern is part of the child-protection file: the contacts
    # app destroys its logs after 6 years, which would clear the concern's link; the concern holds it instead.
    for kind_code in ("contact_logs", "portal_messages"):
        register_retention_hold(kind_code, contacts_held, reason=HELD_BECAUSE)


HELD_BECAUSE = ("flagged for safeguarding and linked to a child-protection concern: kept as long as the concern "
                "(date of birth + 25 years)")


def contacts_held(organisation_id: int) -> QuerySet:
    """The ids of the contact logs the organisation's concerns link to (a portal message is one)."""
    return Concern.objects.filter(organisation_id=organisation_id, contact__isnull=False).values("contact_id")


def past_retention(organisation_id: int, cutoff: dt.date) -> QuerySet:
    """Concerns about a child born before the cutoff, unless they are still part of a file that is kept: a concern
    involves other children (and their chronologies hang on it), each counted from their own date of birth; and a
    child with an SEN file keeps their child-protection file as long as that (until it is destroyed, at 31)."""
    return Concern.objects.filter(organisation_id=organisation_id, child__date_of_birth__lt=cutoff).exclude(
        _has_sen_file()).exclude(
        Exists(ConcernChild.objects.filter(_kept(cutoff), concern=OuterRef("pk")))).exclude(
        Exists(Entry.objects.filter(_kept(cutoff), concern=OuterRef("pk"))))


def entries_past_retention(organisation_id: int, cutoff: dt.date) -> QuerySet:
    """Entries of no concern about a child born before the cutoff, once no concern involving the child is left (the
    file goes together) and unless the child has an SEN file (kept with it, until 31)."""
    return Entry.objects.filter(organisation_id=organisation_id, concern__isnull=True,
                                child__date_of_birth__lt=cutoff).exclude(
        _has_sen_file()).exclude(
        Exists(ConcernChild.objects.filter(child_id=OuterRef("child_id")))).exclude(
        Exists(Concern.objects.filter(child_id=OuterRef("child_id"))))


def _has_sen_file() -> Exists:
    return Exists(AnnualReview.objects.filter(child_id=OuterRef("child_id")))


def _kept(cutoff: dt.date) -> Q:
    """A row (of a concern's children, of chronologies) about a child whose child-protection file is kept."""
    return Q(child__date_of_birth__gte=cutoff) | Q(_has_sen_file())
