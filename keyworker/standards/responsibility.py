"""Who is responsible for each family: the engine learns it through a registration, as it learns evidence.

The caseload app registers its key worker allocations when it starts. A registration is a function answering a
queryset of every allocation (current and past); each row has `organisation_id`, `family` (`family_id`),
`setting` (`setting_id`), `staff` (`staff_id`), `starts_at` and `ends_at` (None while it lasts). The engine and
the compliance figures read them through this module and never import the app that keeps them.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

AllocationSource = Callable[[], QuerySet]

_SOURCE: list[AllocationSource] = []


def register_key_workers(allocations: AllocationSource) -> None:
    """Name the one source of key worker allocations (registering again replaces it)."""
    _SOURCE[:] = [allocations]


def allocations() -> QuerySet:
    """Every key worker allocation, current and past, of every organisation (filter it)."""
    if not _SOURCE:
        raise ImproperlyConfigured("No app has registered who is responsible for each family.")
    return _SOURCE[0]()


def current_allocations() -> QuerySet:
    """The allocations in force: each family's current key worker in each setting."""
    return allocations().filter(ends_at__isnull=True)
