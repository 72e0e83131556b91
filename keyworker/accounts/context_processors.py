"""Template context: the actor and the navigation for their persona."""

from django.urls import reverse

from . import capabilities as caps


def navigation(actor) -> list[tuple[str, str]]:
    """At most six sections for the persona, then the inbox: the most important first, shown in a fixed order."""
    if not actor.is_member:
        return []
    leader = actor.is_leader
    # (label, url name, importance: lower is kept first when the bar is full)
    candidates: list[tuple[str, str, int]] = []
    if actor.is_key_worker:
        candidates += [("My week", "week:my_week", 1), ("My families", "dashboard:my_families", 2)]
    if actor.can(caps.VIEW_FAMILIES):
        candidates.append(("Families", "dashboard:family_list", 3))
    # Early years rooms, out of school clubs and youth services keep journals and personal care plans (CC-K3, CC-K4):
    # the key person's daily records. The settings come with the roles, so this needs no query.
    childcare = any(r.setting is not None and not r.setting.is_school for r in actor.roles)
    if childcare and actor.can(caps.VIEW_FAMILIES):
        candidates += [("Journals", "care:journals", 2 if actor.is_key_worker else 5),
                       ("Care plans", "care:plans", 3 if actor.is_key_worker else 6)]
    if leader:
        candidates += [("Compliance", "week:team_compliance", 1), ("Allocation", "caseload:allocation", 2)]
    if any(actor.can(caps.SAFEGUARDING_TEAM, sid) for sid in actor.setting_ids):
        # The safeguarding team's dashboard: new concerns, actions due, referrals waiting.
        candidates.append(("Safeguarding", "safeguarding:dashboard", 2))
    if actor.can(caps.MANAGE_STAFF) or leader:
        # Leaders also reach Staff from the Setup page.
        candidates.append(("Staff", "staff:list", 6 if leader else 5))
    # Changes to the children's key aspects to acknowledge: the class team's daily read.
    candidates.append(("Briefings", "briefings:list", 4 if actor.is_key_worker else 7))
    if actor.can(caps.MANAGE_PEOPLE):
        candidates.append(("Data checks", "datachecks:progress", 7 if leader else 3))
    if actor.can(caps.VIEW_FAMILIES):
        candidates.append(("Attendance", "attendance:index", 6 if leader else 5))
    # Everyone reads the policy and acknowledges new versions; leaders also edit it.
    candidates.append(("Policies", "standards:list", 4))
    if leader and childcare:
        # The manager's monthly look at journals and care plans (CC-M3); Setup is also linked from Compliance.
        candidates.append(("Monitoring", "care:monitoring_index", 4))
    if actor.can(caps.MANAGE_SETUP):
        candidates.append(("Setup", "organisations:setup", 5))
    if actor.can(caps.RUN_IMPORTS):
        # When the bar is full, Import is reached from the Setup page instead.
        candidates.append(("Import", "imports:start", 9))
    if actor.can(caps.VIEW_FAMILIES):
        # Appointments with families: in the bar when it has room; else from My week and each family's page.
        candidates.append(("Meetings", "meetings:list", 8))
    kept = sorted(range(len(candidates)), key=lambda i: (candidates[i][2], i))[:6]
    items = [(candidates[i][0], reverse(candidates[i][1])) for i in sorted(kept)]
    from keyworker.notifications.selectors import unread_count

    # The inbox is always there, last, with the unread count (one query). At most seven items in all.
    unread = unread_count(actor.user, actor.organisation_id)
    return items + [(f"Inbox ({unread})" if unread else "Inbox", reverse("notifications:inbox"))]


def actor(request):
    a = getattr(request, "actor", None)
    if a is None or not request.user.is_authenticated or getattr(request.user, "is_carer", False):
        return {}  # a carer's pages (the portal) have their own navigation and no staff header
    if getattr(request, "second_factor_pending", False):
        return {"actor": a}  # until the second factor is proved (or added), no page but those could open
    items = navigation(a)
    # The longest matching prefix is the current section.
    matches = [url for _, url in items if request.path.startswith(url)]
    current = max(matches, key=len) if matches else None
    if current is None and request.path.startswith("/families/"):
        # A family or child page belongs to "Families" for people without "My families".
        current = next((url for label, url in items if label == "Families"), None)
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from .models import StaffInvitation, StaffMember
    from .selectors import invitations_pending_count

    # Invitations to join another organisation are shown in the header until answered: counted in the same
    # query as the memberships (one subquery), or on their own for someone who is a member nowhere yet.
    pending = StaffInvitation.objects.filter(user=OuterRef("user"), status="pending").order_by().values("user")
    # People who work for several organisations (a trust's staff, supply staff) switch between them.
    organisations = list(
        StaffMember.objects.filter(user=request.user, is_active=True).select_related("organisation")
        .annotate(pending_invitations=Coalesce(Subquery(pending.annotate(n=Count("id")).values("n")[:1],
                                                        output_field=IntegerField()), 0))
        .order_by("organisation__name")
    ) if a.is_member else []
    invitations = organisations[0].pending_invitations if organisations else invitations_pending_count(request.user)
    return {
        "actor": a,
        "pending_invitations": invitations,
        "nav_items": [(label, url, url == current) for label, url in items],
        "other_organisations": [m.organisation for m in organisations] if len(organisations) > 1 else [],
    }
