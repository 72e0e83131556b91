"""What learning targets add to a family's timeline: the targets shared with the family, and notes from home."""

from django.urls import reverse

from keyworker.core.extensions import TimelineEntry, TimelineSource, register_timeline_source

from .models import HomeNote, TargetSharing


def _targets(actor, family, limit: int) -> list[TimelineEntry]:
    """Two queries: the family's newest sharings and notes from home (the family page already checked the actor
    may see the family)."""
    sharings = (TargetSharing.objects.filter(family=family).select_related("child", "shared_by__user")
                .order_by("-created_at", "-id")[:limit])
    notes = HomeNote.objects.filter(family=family).select_related("child").order_by("-created_at", "-id")[:limit]
    entries = [
        TimelineEntry(at=s.created_at, kind="targets", label="Learning targets shared", tone="good",
                      summary=f"{s.child.display_name}'s targets shared {s.get_method_display().lower()}.",
                      url=reverse("targets:child", args=[s.child_id]), by=s.shared_by.user.full_name if s.shared_by else "",
                      children=(s.child.display_name,), key=("sharing", s.pk))
        for s in sharings
    ] + [
        TimelineEntry(at=n.created_at, kind="targets", label="Note from home", tone="info",
                      summary=f"About {n.child.display_name}'s learning targets.", url=reverse("targets:child", args=[n.child_id]),
                      by=n.carer_name, children=(n.child.display_name,), key=("note", n.pk))
        for n in notes
    ]
    entries.sort(key=lambda e: (e.at, e.key), reverse=True)
    return entries[:limit]


def register() -> None:
    register_timeline_source(TimelineSource("targets", "Learning targets", _targets))
