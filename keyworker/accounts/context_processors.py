"""Template context: the actor and the navigation for their persona."""

from django.urls import reverse

from . import capabilities as caps


def navigation(actor) -> list[tuple[str, str]]:
    if not actor.is_member:
        return []
    items: list[tuple[str, str]] = []
    if actor.is_key_worker:
        items.append(("My week", reverse("week:my_week")))
        items.append(("My families", reverse("dashboard:my_families")))
    if actor.can(caps.VIEW_FAMILIES):
        items.append(("Families", reverse("dashboard:family_list")))
    if actor.can(caps.MANAGE_ALLOCATIONS):
        items.append(("Compliance", reverse("week:team_compliance")))
        items.append(("Allocation", reverse("caseload:allocation")))
    if actor.can(caps.MANAGE_STAFF) or actor.can(caps.MANAGE_ALLOCATIONS):
        items.append(("Staff", reverse("staff:list")))
    # Everyone reads the policy and acknowledges new versions; leaders also edit it.
    items.append(("Policies", reverse("standards:list")))
    if actor.can(caps.MANAGE_SETUP):
        items.append(("Setup", reverse("organisations:setup")))
    if actor.can(caps.RUN_IMPORTS) and len(items) < 6:
        # For leaders the bar is full: Import is reached from the Setup page instead.
        items.append(("Import", reverse("imports:start")))
    from keyworker.notifications.selectors import unread_count

    # The inbox is always there, last, with the unread count (one query). At most seven items in all.
    unread = unread_count(actor.user, actor.organisation_id)
    return items[:6] + [(f"Inbox ({unread})" if unread else "Inbox", reverse("notifications:inbox"))]


def actor(request):
    a = getattr(request, "actor", None)
    if a is None or not request.user.is_authenticated:
        return {}
    items = navigation(a)
    # The longest matching prefix is the current section.
    matches = [url for _, url in items if request.path.startswith(url)]
    current = max(matches, key=len) if matches else None
    if current is None and request.path.startswith("/families/"):
        # A family or child page belongs to "Families" for people without "My families".
        current = next((url for label, url in items if label == "Families"), None)
    from .models import StaffMember

    # People who work for several organisations (a trust's staff, supply staff) switch between them.
    organisations = list(
        StaffMember.objects.filter(user=request.user, is_active=True).select_related("organisation").order_by("organisation__name")
    ) if a.is_member else []
    return {
        "actor": a,
        "nav_items": [(label, url, url == current) for label, url in items],
        "other_organisations": [m.organisation for m in organisations] if len(organisations) > 1 else [],
    }
