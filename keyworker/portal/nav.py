"""The portal's navigation: the sections a signed-in carer may open. Each portal part adds its entry here
(`register_nav`), naming the section of keyworker.people.carer_access it belongs to (None: every carer)."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from keyworker.people import carer_access


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    section: str | None = None
    order: int = 100


_ENTRIES: dict[str, NavEntry] = {}


def register_nav(entry: NavEntry) -> None:
    _ENTRIES[entry.url_name] = entry


register_nav(NavEntry("Home", "portal:home", None, 0))
register_nav(NavEntry("Messages", "portal:messages_index", carer_access.MESSAGES, 20))
register_nav(NavEntry("Appointments", "portal:appointments", carer_access.APPOINTMENTS, 30))
register_nav(NavEntry("Calendar", "portal:calendar", carer_access.APPOINTMENTS, 35))
register_nav(NavEntry("Parents' evenings", "portal:bookings", carer_access.BOOKINGS, 40))
register_nav(NavEntry("Forms", "portal:forms", carer_access.FORMS, 50))
register_nav(NavEntry("Reviews", "portal:reviews", carer_access.REVIEWS, 60))
register_nav(NavEntry("Learning targets", "portal:targets", carer_access.TARGETS, 70))
register_nav(NavEntry("Homework", "portal:homework", carer_access.HOMEWORK, 75))
register_nav(NavEntry("Moving school", "portal:transitions", carer_access.TRANSITIONS, 70))


def nav_for(request) -> list[tuple[str, str, bool]]:
    """(label, url, current) for each section the carer may open whose page exists."""
    access = getattr(request, "carer", None)
    if access is None:
        return []
    sections = access.sections
    items, seen = [], set()
    for entry in sorted(_ENTRIES.values(), key=lambda e: (e.order, e.label)):
        if entry.section is not None and entry.section not in sections:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue  # that part of the portal is not installed
        if url in seen:
            continue
        seen.add(url)
        current = request.path == url if entry.url_name == "portal:home" else request.path.startswith(url)
        items.append((entry.label, url, current))
    return items


def portal_nav(request) -> dict:
    """Context processor: `portal_nav` on every page rendered for a signed-in carer."""
    return {"portal_nav": nav_for(request)} if getattr(request, "carer", None) is not None else {}

register_nav(NavEntry("Care plans", "portal:care_plans", carer_access.CARE_PLAN, 55))
# Learning journals (CC-K4)
register_nav(NavEntry("Journal", "portal:journal", carer_access.JOURNAL, 45))
