"""How long care plans and learning journals are kept (registered with core.retention when the app starts)."""

from keyworker.core.retention import RetentionKind, register_retention_kind

from .models_journals import Observation, ObservationPhoto, WowMoment
from .models_plans import CarePlan


def register() -> None:
    register_retention_kind(RetentionKind(
        "care_plans", "Personal care plans", "the child's date of birth", 25,
        "IRMS Information Management Toolkit for Schools: the child's record, date of birth + 25 years",
        lambda org, cutoff: CarePlan.objects.filter(organisation_id=org, child__date_of_birth__lt=cutoff),
    ))
    # A learning journal goes home with the child; the setting's copy is kept as pupils' work.
    register_retention_kind(RetentionKind(
        "observations", "Learning journal observations", "the date observed", 3,
        "IRMS Information Management Toolkit for Schools: pupils' work, current year + 3",
        lambda org, cutoff: Observation.objects.filter(organisation_id=org, observed_on__lt=cutoff),
        files=_photo_files,
    ))
    # What a family adds to the journal from home: kept as the observations it sits beside.
    register_retention_kind(RetentionKind(
        "wow_moments", "Wow moments (families' additions to learning journals)", "the day it happened", 3,
        "IRMS Information Management Toolkit for Schools: pupils' work, current year + 3, as learning journal observations",
        lambda org, cutoff: WowMoment.objects.filter(organisation_id=org, happened_on__lt=cutoff),
        files=_wow_files,
    ))


def _photo_files(observations) -> list[str]:
    """The stored photos (and their thumbnails) of these observations."""
    rows = ObservationPhoto.objects.filter(observation__in=observations).values_list("image", "thumbnail")
    return [name for pair in rows for name in pair]


def _wow_files(wow_moments) -> list[str]:
    """The stored photos (and their thumbnails) of these wow moments."""
    return [name for pair in wow_moments.values_list("image", "thumbnail") for name in pair]
