"""How long SEN files are kept: until the child is 31 (IRMS toolkit for schools: date of birth + 31 years). The EHCP
annual reviews are this product's part of the SEN file. Meetings and parents' evenings: 6 years from the date."""

from keyworker.core.retention import RetentionKind, register_retention_kind

from .evenings_models import ParentsEvening
from .models import AnnualReview, Appointment


def register() -> None:
    register_retention_kind(RetentionKind(
        "sen_files", "SEN files (EHCP annual reviews)", "the child's date of birth", 31,
        "IRMS Information Management Toolkit for Schools: SEN files and EHCPs, date of birth + 31 years",
        lambda organisation_id, cutoff: AnnualReview.objects.filter(organisation_id=organisation_id, child__date_of_birth__lt=cutoff),
        # The review's meeting (its notes are the SEN file's, not a meeting's) goes with the review.
        with_records=lambda reviews: [Appointment.objects.filter(annual_review__in=reviews)],
    ))
    register_retention_kind(RetentionKind(
        "meetings", "Meetings and their notes", "the date of the meeting", 6,
        "This product's choice: meetings with families, kept as correspondence, 6 years (EHCP reviews: SEN files)",
        lambda organisation_id, cutoff: Appointment.objects.filter(organisation_id=organisation_id,
                                                                   starts_at__date__lt=cutoff,
                                                                   annual_review__isnull=True),
    ))
    # An evening's slots go with it, and each booking in them (family, child, carer); a booking's meeting is a
    # meeting with the family, kept as the meetings are (so an organisation lengthening those keeps them longer).
    register_retention_kind(RetentionKind(
        "parents_evenings", "Parents' evenings, their slots and bookings", "the date of the evening", 6,
        "This product's choice: meetings with families, kept as correspondence, 6 years (each booking's meeting: "
        "meetings and their notes)",
        lambda organisation_id, cutoff: ParentsEvening.objects.filter(organisation_id=organisation_id,
                                                                      starts_at__date__lt=cutoff),
    ))
