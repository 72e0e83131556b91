"""Absences a contact may follow up. The attendance app knows the register; it registers a finder here when it
starts, so contacts reads unexplained absences without importing the app above it."""

import datetime as dt
from collections.abc import Callable, Iterable

# (organisation id, child ids or None for every child, first day, last day) -> (child id, family id, day) of each
# unexplained absence in those days, one row per child per day, oldest first: one query.
AbsenceFinder = Callable[[int, Iterable[int] | None, dt.date, dt.date], list[tuple[int, int, dt.date]]]

_FINDER: list[AbsenceFinder] = []


def register_absence_finder(finder: AbsenceFinder) -> None:
    _FINDER[:] = [finder]


def unexplained_absences(organisation_id: int, child_ids: Iterable[int] | None, start: dt.date,
                         end: dt.date) -> list[tuple[int, int, dt.date]]:
    """The unexplained absences in [start, end]; none when no register is installed."""
    if not _FINDER:
        return []
    return _FINDER[0](organisation_id, child_ids, start, end)
