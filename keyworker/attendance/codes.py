"""Register codes per jurisdiction, as data: England's 2024 set ships in a migration; others load the same way."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from .models import AttendanceCode, Category

# The codes a class register offers as big buttons: present (AM "/" or PM "\") and "reason not yet known".
PRESENT_AM, PRESENT_PM, NOT_YET_KNOWN = "/", "\\", "N"


@dataclass(frozen=True)
class CodeRow:
    code: str
    meaning: str
    category: str
    possible: bool = True


def england_2024() -> list[CodeRow]:
    """The School Attendance (Pupil Registration) (England) Regulations 2024 codes (the same rows as migration 0002)."""
    from .migrations._england_2024 import ENGLAND_2024

    return [CodeRow(code, meaning, category, possible) for code, meaning, category, possible in ENGLAND_2024]


@transaction.atomic
def codes_load(*, jurisdiction: str, rows: Iterable[CodeRow]) -> int:
    """Add or update a jurisdiction's codes (order as given); returns how many. Codes left out are kept, unused."""
    n = 0
    for order, row in enumerate(rows, start=1):
        if row.category not in Category.values:
            raise ValueError(f"Unknown category {row.category!r} for code {row.code!r}")
        possible = row.possible and row.category != Category.NOT_POSSIBLE
        AttendanceCode.objects.update_or_create(
            jurisdiction=jurisdiction, code=row.code,
            defaults={"meaning": row.meaning, "category": row.category, "possible": possible, "order": order, "in_use": True},
        )
        n += 1
    return n
