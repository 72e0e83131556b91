"""The data the permission matrix and the tenancy checks run on: the demo's two organisations (a special school and a
childcare group, built through the services), one signed-in session per persona, and the ids of real records of the
organisation each route belongs to, preferring records of one focus child so that a key worker and a carer see them.

Built once per test module (see `built_world` in the modules that use it): building the demo is the slow part."""

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client

from keyworker.accounts.models import StaffMember, StaffRole, User
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.demo import builder
from keyworker.organisations.models import Organisation
from keyworker.people.models import Carer, Child

# The two organisations of the demo: the school is "the first organisation" of most routes; the childcare group's
# own pages (journals, checklists, monitoring: `care:` and their API) are filled with the group's records instead.
SCHOOL, GROUP = "school", "group"


@dataclass
class Persona:
    name: str
    user: User | None
    organisation: str | None       # SCHOOL, GROUP, or None (a carer, anonymous)
    session_key: str | None = None


@dataclass
class MatrixWorld:
    orgs: dict[str, Organisation]
    personas: dict[str, Persona]
    focus_child: dict[str, Child]
    staff: dict[str, StaffMember] = field(default_factory=dict)
    carer: Carer | None = None
    feed_tokens: dict[str, str] = field(default_factory=dict)   # route name -> a live secret address's token
    checklist_item: str = "x"                                   # a checklist item's code of the group's focus child
    _ids: dict[tuple[str, str], int | None] = field(default_factory=dict)

    def client(self, persona: str) -> Client:
        """A fresh client carrying the persona's session: whatever a request does to its cookies (signing out, a new
        session) stays with that request."""
        client = Client(raise_request_exception=False)
        key = self.personas[persona].session_key
        if key:
            client.cookies[settings.SESSION_COOKIE_NAME] = key
        return client

    def pk_of(self, model: type[models.Model], org: str) -> int | None:
        """The id of a real record of `model` in the organisation: of the focus child (or their family) if it has
        one, else of the focus child's setting, else the organisation's first."""
        key = (model._meta.label, org)
        if key not in self._ids:
            self._ids[key] = (self._briefing_sent_to_both(org) if model._meta.label == "briefings.Briefing" else None) \
                or _pick(model, self.orgs[org], self.focus_child[org])
        return self._ids[key]

    def _briefing_sent_to_both(self, org: str) -> int | None:
        """A briefing on the focus child sent to both the class teacher and the key worker personas: who received one
        depends on the class team and the key worker of its day, which the demo's history moves."""
        from keyworker.briefings.models import Briefing

        staff = [s for s in (self.staff.get("teacher"), self.staff.get("ta")) if s is not None]
        if org != SCHOOL or not staff:
            return None
        rows = Briefing.objects.filter(organisation=self.orgs[org], child=self.focus_child[org])
        for member in staff:
            rows = rows.filter(pk__in=Briefing.objects.filter(recipients__staff=member).values("pk"))
        return rows.order_by("pk").values_list("pk", flat=True).first()


def _field_names(model) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def _pick(model, org: Organisation, child: Child) -> int | None:
    names = _field_names(model)
    rows = model._default_manager.all()
    if model is Organisation:
        return org.pk
    if "organisation" in names:
        rows = rows.filter(organisation=org)
    elif "organisation_id" in names:
        rows = rows.filter(organisation_id=org.pk)
    elif model is User:
        rows = rows.filter(memberships__organisation=org)
    elif "notification" in names:  # a delivery: by its notification's organisation
        rows = rows.filter(notification__organisation_id=org.pk)
    elif "user" in names:  # a person's own record (a token, a passkey): of someone of the organisation
        rows = rows.filter(user__memberships__organisation=org)
    for lookup in (
        {"pk": child.pk} if model is Child else None,
        {"pk": child.family_id} if model._meta.label == "people.Family" else None,
        # A record of the child's class as it is now (a briefing goes to the class team of its day), then any.
        {"child": child, "group": child.group_id} if {"child", "group"} <= names else None,
        {"child": child} if "child" in names else None,
        {"family": child.family_id} if "family" in names else None,
        {"children": child} if "children" in names else None,
        {"setting": child.setting_id} if "setting" in names else None,
    ):
        if lookup is not None:
            found = rows.filter(**lookup).order_by("pk").values_list("pk", flat=True).first()
            if found is not None:
                return found
    return rows.order_by("pk").values_list("pk", flat=True).first()


def _richest_child(org: Organisation, among: models.QuerySet) -> Child:
    """The child with records in the most kinds of table (ties: the lowest id), so most routes have a record of
    theirs to open."""
    score: dict[int, int] = {}
    candidates = set(among.values_list("pk", flat=True))
    for model in apps.get_models():
        if not model.__module__.startswith("keyworker.") or model is Child:
            continue
        names = _field_names(model)
        if "child" not in names or "organisation" not in names:
            continue
        field_ = model._meta.get_field("child")
        if not field_.is_relation or field_.related_model is not Child:
            continue
        for child_id in model._default_manager.filter(organisation=org, child__in=candidates).values_list(
                "child_id", flat=True).distinct():
            score[child_id] = score.get(child_id, 0) + 1
    best = max(sorted(candidates), key=lambda pk: score.get(pk, 0))
    return Child.objects.get(pk=best)


def _staff_with(org: Organisation, code: str, **filters) -> StaffMember:
    role = (StaffRole.objects.filter(organisation=org, role__code=code, staff__is_active=True, **filters)
            .select_related("staff__user").order_by("staff_id").first())
    assert role is not None, f"no {code} in {org}"
    return role.staff


def _session_for(user: User, *, second_factor: bool) -> str:
    from keyworker.testing import verify_second_factor

    client = Client()
    client.force_login(user)
    if second_factor:
        verify_second_factor(client, user)
    return client.session.session_key


def build_matrix_world(*, build_demo: bool = True) -> MatrixWorld:
    """Build the demo (unless it is there already) and the personas. Call with time fixed and the database open."""
    from keyworker.testing import needs_second_factor

    if build_demo:
        builder.build()
    school = Organisation.objects.get(slug=builder.SCHOOL_SLUG)
    group = Organisation.objects.get(slug=builder.GROUP_SLUG)
    now_allocations = KeyWorkerAllocation.objects.filter(ends_at__isnull=True)

    # The school's focus child: one of a teaching assistant's key children whose carer has a portal account.
    with_portal = Carer.objects.filter(organisation=school, user__isnull=False).values("family_id")
    ta_families = now_allocations.filter(organisation=school, staff__staff_roles__role__code="teaching_assistant",
                                         family__in=with_portal).values("family_id")
    school_child = _richest_child(school, Child.objects.filter(organisation=school, family__in=ta_families))
    group_families = now_allocations.filter(organisation=group).values("family_id")
    group_child = _richest_child(group, Child.objects.filter(organisation=group, family__in=group_families,
                                                             setting__kind="early_years"))

    def key_worker_of(child: Child) -> StaffMember:
        return now_allocations.filter(family_id=child.family_id, setting_id=child.setting_id).select_related(
            "staff__user").order_by("pk").first().staff

    staff = {
        "head": _staff_with(school, "headteacher"),
        "deputy": _staff_with(school, "deputy_headteacher"),
        "dsl": _staff_with(school, "safeguarding_lead"),
        "teacher": StaffMember.objects.filter(organisation=school, group_memberships__group=school_child.group_id,
                                              staff_roles__role__code="teacher").order_by("pk").first(),
        "ta": key_worker_of(school_child),
        "admin": _staff_with(school, "admin_office"),
        "manager": _staff_with(group, "manager", setting=group_child.setting_id),
        "key_person": key_worker_of(group_child),
    }
    carer = Carer.objects.filter(family_id=school_child.family_id, user__isnull=False).order_by("pk").first()
    _prepared_download(staff["head"])
    personas = {
        name: Persona(name, s.user, SCHOOL if s.organisation_id == school.pk else GROUP) for name, s in staff.items()
    }
    personas["carer"] = Persona("carer", carer.user, None)
    personas["anon"] = Persona("anon", None, None)
    for p in personas.values():
        if p.user is not None:
            p.session_key = _session_for(p.user, second_factor=p.organisation is not None and needs_second_factor(p.user))
    return MatrixWorld(orgs={SCHOOL: school, GROUP: group}, personas=personas,
                       focus_child={SCHOOL: school_child, GROUP: group_child}, staff=staff, carer=carer,
                       feed_tokens=_feed_tokens(school_child, staff["ta"]), checklist_item=_checklist_item(group_child))


def _prepared_download(head: StaffMember) -> None:
    """A download the headteacher asked the worker for (the archive, waiting for its turn): theirs alone."""
    from django.utils import timezone

    from keyworker.core.models import ExportJob

    ExportJob.objects.get_or_create(organisation_id=head.organisation_id, requested_by=head.user,
                                    kind="organisation_archive", defaults={"title": "The archive",
                                                                           "created_at": timezone.now()})


def _feed_tokens(child: Child, key_worker: StaffMember) -> dict[str, str]:
    from keyworker.meetings.models_reminders import CalendarFeed
    from keyworker.organisations.views_term_dates import feed_token

    feed = CalendarFeed.objects.filter(staff=key_worker, revoked_at__isnull=True).order_by("pk").first()
    return {"organisations:term_dates_feed": feed_token(child.setting),
            "meetings:calendar_feed": feed.token if feed else "no-such-feed"}


def _checklist_item(child: Child) -> str:
    from keyworker.care.models_checklists import ChecklistTick

    tick = ChecklistTick.objects.filter(child=child, kind="enrolment").order_by("pk").first()
    return tick.item if tick else "x"
