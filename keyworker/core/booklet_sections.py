"""What domain apps add to the pupil booklet (SCH-7), without the booklet importing them.

An app registers a section in its AppConfig.ready(); the booklet asks every section, in order, for one child on one
day. A section answers a heading and rows of (label, text) in a fixed number of queries, or None when it has nothing
for that child. Only what the family may read goes into the booklet.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Child = Any  # keyworker.people.models.Child: core knows no app above it


@dataclass(frozen=True)
class BookletPart:
    heading: str
    rows: list[tuple[str, str]]
    empty: str = ""  # what to say when `rows` is empty


@dataclass(frozen=True)
class BookletSection:
    code: str
    order: int
    fetch: Callable[[Child, dt.date], BookletPart | None]


_SECTIONS: dict[str, BookletSection] = {}


def register_booklet_section(section: BookletSection) -> None:
    _SECTIONS[section.code] = section


def unregister_booklet_section(code: str) -> None:
    _SECTIONS.pop(code, None)


def booklet_parts(child: Child, as_of: dt.date) -> list[BookletPart]:
    """Every registered section's part for this child, in order (those with nothing to say left out)."""
    parts = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.code)):
        part = section.fetch(child, as_of)
        if part is not None:
            parts.append(part)
    return parts
