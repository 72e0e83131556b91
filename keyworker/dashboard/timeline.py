"""A family's timeline: every registered source's entries merged, newest first, paged."""

from dataclasses import dataclass

from keyworker.accounts.access import Actor
from keyworker.core.extensions import TimelineEntry, TimelineSource, timeline_sources
from keyworker.people.models import Family

PAGE_SIZE = 25
MAX_PAGE = 40  # 1,000 entries back; older records are on each source's own list


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    number: int
    has_next: bool
    sources: list[TimelineSource]
    kinds: tuple[str, ...]

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def family_timeline(actor: Actor, family: Family, page: int = 1, kinds: tuple[str, ...] = ()) -> TimelinePage:
    """Page `page` of the family's timeline: one fetch per source (each a fixed number of queries)."""
    page = max(1, min(page, MAX_PAGE))
    sources = timeline_sources()
    chosen = [s for s in sources if not kinds or s.code in kinds]
    wanted = page * PAGE_SIZE
    merged: list[TimelineEntry] = []
    for source in chosen:
        merged.extend(source.fetch(actor, family, wanted + 1))
    merged.sort(key=lambda e: (e.at, e.kind, e.key), reverse=True)
    start = (page - 1) * PAGE_SIZE
    return TimelinePage(
        entries=merged[start:wanted], number=page, has_next=len(merged) > wanted and page < MAX_PAGE,
        sources=sources, kinds=tuple(s.code for s in chosen) if kinds else (),
    )
