"""Policy pages: the organisation's policies, one policy with its versions and standards, edit a standard, new version."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.accounts.access import Actor
from keyworker.accounts.models import Role, StaffMember
from keyworker.core import clock
from keyworker.core.conflicts import EditConflict, conflict_context
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.core.forms import form_submit, service_call
from keyworker.organisations.models import SettingKind

from . import catalogue, services
from .changes import cadence_phrase, change_rows
from .changes import event_label as event_label  # noqa: PLC0414 - kept for callers of views.event_label
from .evidence import evidence_source
from .forms import AdoptForm, StandardForm, SwitchForm, VersionForm
from .models import (
    OPEN_STATES,
    Obligation,
    ObligationState,
    Policy,
    PolicyAcknowledgement,
    PolicyVersion,
    Responsible,
    RevisionAcknowledgement,
    Standard,
    StandardRevision,
    Subject,
)
from .policies import can_edit_policies
from .rules import calendar_for, change_dates
from .selectors import engine_progress
from .validation import StandardInvalid, roles_held

REVIEW_WARNING_DAYS = 30
# The policy page lists this many of the latest changes to its standards.
CHANGES_SHOWN = 50


def _member(request: HttpRequest) -> Actor:
    actor = request.actor
    if not actor.is_member:
        raise Http404
    return actor


def _editor(actor: Actor) -> None:
    if not can_edit_policies(actor):
        raise PermissionDenied("Only leaders may change the organisation's policies.")


def access_policy(actor: Actor, policy_id: int) -> Policy:
    """The policy if it is the actor's organisation's; otherwise it does not exist (404)."""
    policy = Policy.objects.filter(organisation_id=actor.organisation_id, pk=policy_id).first()
    if policy is None:
        raise Http404("No such policy")
    return policy


def access_standard(actor: Actor, standard_id: int) -> Standard:
    standard = (
        Standard.objects.select_related("policy_version__policy")
        .filter(organisation_id=actor.organisation_id, pk=standard_id).first()
    )
    if standard is None:
        raise Http404("No such standard")
    return standard


def cadence_words(standard: Standard) -> str:
    return cadence_phrase(standard.cadence, standard.cadence_n, standard.event, standard.day_count)


def applies_words(standard: Standard) -> str:
    who = str(Subject(standard.subject).label) if standard.subject in Subject.values else "Each family"
    c = standard.conditions or {}
    extra = []
    if "has_ehcp" in c:
        extra.append("with an EHCP" if c["has_ehcp"] else "without an EHCP")
    if c.get("year_group"):
        extra.append(f"in {c['year_group']}")
    if c.get("enrolled_within_days"):
        extra.append(f"enrolled in the last {c['enrolled_within_days']} days")
    kinds = ", ".join(str(SettingKind(k).label).lower() for k in standard.setting_kinds if k in SettingKind.values)
    text = who + (" " + ", ".join(extra) if extra else "")
    return text + (f" ({kinds})" if kinds else "")


def escalation_words(standard: Standard, role_names: dict[str, str]) -> str:
    if standard.escalate_after_days is None:
        return "Never escalates"
    told = ", ".join(role_names.get(r, r) for r in standard.escalate_to_roles) or "nobody"
    days = standard.escalate_after_days
    unit = "school day" if standard.day_count == "school" else "day"
    return f"When more than {days} {unit}{'s' if days != 1 else ''} overdue: {told}"


@dataclass
class PolicyRow:
    policy: Policy
    version: PolicyVersion | None
    acknowledged: int
    acknowledged_by_me: bool
    review_state: str  # "", "soon" or "past"


def _review_state(version: PolicyVersion | None, today: dt.date) -> str:
    if version is None:
        return ""
    if version.review_on < today:
        return "past"
    if (version.review_on - today).days <= REVIEW_WARNING_DAYS:
        return "soon"
    return ""


def _available_templates(organisation_id: int) -> list[catalogue.PolicyTemplate]:
    adopted = set(Policy.objects.filter(organisation_id=organisation_id).values_list("template_code", flat=True))
    return [t for t in catalogue.TEMPLATES.values() if t.code not in adopted]


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    can_edit = can_edit_policies(actor)
    available = _available_templates(actor.organisation_id)
    today = clock.today()
    form = None
    if can_edit and available:
        default = next((t for t in available if set(t.setting_kinds) & set(actor.settings().values_list("kind", flat=True))),
                       available[0])
        form = AdoptForm(request.POST or None, available=available, initial={
            "template_code": default.code, "effective_from": today,
            "review_on": services.add_months(today, default.review_after_months),
        })
    if request.method == "POST":
        _editor(actor)
        if form is None:
            messages.error(request, "Every built-in template is adopted already.")
            return redirect("standards:list")

        def adopt(data: dict[str, Any]) -> tuple[str, str]:
            policy = services.policy_adopt(actor=actor, organisation=actor.organisation, **data)
            count = Standard.objects.filter(policy_version__policy=policy).count()
            return (reverse("standards:detail", kwargs={"policy_id": policy.pk}), f"{policy.title} adopted with {count} standards. "
                    "Adjust the numbers and who is told to suit your organisation.")

        done = form_submit(request, form, adopt)
        if done is not None:
            return done
    policies = list(Policy.objects.filter(organisation_id=actor.organisation_id).order_by("title"))
    versions: dict[int, PolicyVersion] = {}
    for v in PolicyVersion.objects.filter(organisation_id=actor.organisation_id).annotate(
            n_ack=Count("acknowledgements")).order_by("policy_id", "-number"):
        versions.setdefault(v.policy_id, v)
    mine = set(PolicyAcknowledgement.objects.filter(staff=actor.staff).values_list("version_id", flat=True))
    rows = [
        PolicyRow(p, versions.get(p.pk), versions[p.pk].n_ack if p.pk in versions else 0,
                  p.pk in versions and versions[p.pk].pk in mine, _review_state(versions.get(p.pk), today))
        for p in policies
    ]
    staff_count = StaffMember.objects.filter(organisation_id=actor.organisation_id, is_active=True).count()
    return render(request, "standards/policy_list.html", {
        "rows": rows, "form": form, "can_edit": can_edit, "staff_count": staff_count, "today": today,
    }, status=400 if request.method == "POST" else 200)


@login_required
def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    actor = _member(request)
    policy = access_policy(actor, policy_id)
    versions = list(policy.versions.select_related("created_by", "replaces").annotate(n_ack=Count("acknowledgements"))
                    .order_by("-number"))
    current = versions[0] if versions else None
    role_names = dict(Role.objects.filter(organisation_id=actor.organisation_id).values_list("code", "name"))
    standards = list(current.standards.order_by("id")) if current else []
    counts = {
        row["standard_id"]: row for row in Obligation.objects.filter(standard__in=standards).values("standard_id").annotate(
            open=Count("id", filter=Q(state__in=OPEN_STATES)),
            late=Count("id", filter=Q(state__in=[ObligationState.OVERDUE, ObligationState.ESCALATED])),
        )
    }
    sections: dict[str, list[dict[str, Any]]] = {}
    for s in standards:
        sections.setdefault(catalogue.section_of(policy.template_code, s.clause), []).append({
            "standard": s, "cadence": cadence_words(s), "applies": applies_words(s),
            "evidence": catalogue.evidence_label(s.evidence), "waiting": evidence_source(s.evidence) is None,
            "responsible": Responsible(s.responsible).label if s.responsible in Responsible.values else s.responsible,
            "escalation": escalation_words(s, role_names),
            "open": counts.get(s.pk, {}).get("open", 0), "late": counts.get(s.pk, {}).get("late", 0),
        })
    acknowledged = current is not None and PolicyAcknowledgement.objects.filter(version=current, staff=actor.staff).exists()
    today = clock.today()
    can_edit = can_edit_policies(actor)
    revisions = list(
        StandardRevision.objects.filter(organisation_id=actor.organisation_id, standard__policy_version__policy=policy)
        .select_related("changed_by", "standard").order_by("-changed_at", "-id")[:CHANGES_SHOWN]
    )
    changes = change_history(revisions, actor, can_edit, role_names)
    return render(request, "standards/policy_detail.html", {
        "policy": policy, "versions": versions, "current": current, "sections": sections.items(),
        "changes": changes, "to_acknowledge": [c for c in changes if c["to_acknowledge"]],
        "can_edit": can_edit, "acknowledged": acknowledged,
        "review_state": _review_state(current, today), "template": catalogue.template(policy.template_code),
        "staff_count": StaffMember.objects.filter(organisation_id=actor.organisation_id, is_active=True).count(),
        "engine_progress": engine_progress(policy),
    })


@login_required
@require_POST
def policy_acknowledge(request: HttpRequest, policy_id: int) -> HttpResponse:
    actor = _member(request)
    policy = access_policy(actor, policy_id)
    version = services.current_version(policy)
    if version is None:
        raise Http404("No version to acknowledge")
    services.policy_acknowledge(actor=actor, version=version)
    messages.success(request, f"You have acknowledged version {version.number} of {policy.title}.")
    return redirect("standards:detail", policy_id=policy.pk)


@login_required
def version_create(request: HttpRequest, policy_id: int) -> HttpResponse:
    actor = _member(request)
    policy = access_policy(actor, policy_id)
    _editor(actor)
    previous = services.current_version(policy)
    today = clock.today()
    initial = {"effective_from": today, "review_on": services.add_months(today, 12)}
    form = VersionForm(request.POST or None, initial=initial)

    def issue(data: dict[str, Any]) -> tuple[str, str]:
        version = services.policy_version_create(actor=actor, policy=policy, **data)
        return (reverse("standards:detail", kwargs={"policy_id": policy.pk}),
                f"Version {version.number} issued, in force from {on_screen(version.effective_from)}; "
                "the obligations follow within a minute of that day. Staff are asked to acknowledge it.")

    done = form_submit(request, form, issue)
    if done is not None:
        return done
    return render(request, "standards/version_form.html", {
        "policy": policy, "previous": previous, "form": form,
    }, status=400 if request.method == "POST" else 200)


def _superseded(standard: Standard) -> bool:
    latest = services.current_version(standard.policy_version.policy)
    return latest is not None and latest.pk != standard.policy_version_id


def change_history(revisions: list[StandardRevision], actor: Actor, can_edit: bool,
                   role_names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Each change with its effective date, who made it, what changed in words, whether the worker has applied it,
    and who was asked to acknowledge it (two queries whatever the number of changes)."""
    acks: dict[int, list[RevisionAcknowledgement]] = {}
    for ack in (RevisionAcknowledgement.objects.filter(revision__in=[r.pk for r in revisions])
                .select_related("staff__user").order_by("staff__user__full_name", "id")):
        acks.setdefault(ack.revision_id, []).append(ack)
    rows = []
    for rev in revisions:
        asked = acks.get(rev.pk, [])
        mine = next((a for a in asked if a.staff_id == actor.staff.pk), None)
        rows.append({
            "revision": rev, "changes": change_rows(rev.before, rev.after, role_names),
            "asked": asked if can_edit else [],
            "acknowledged": [a for a in asked if a.acknowledged_at is not None] if can_edit else [],
            "to_acknowledge": mine is not None and mine.acknowledged_at is None,
            "acknowledged_by_me": mine is not None and mine.acknowledged_at is not None,
        })
    return rows


def _dates(standard: Standard):
    return change_dates(standard, clock.today(), calendar_for(standard))


@login_required
def standard_edit(request: HttpRequest, standard_id: int) -> HttpResponse:
    actor = _member(request)
    standard = access_standard(actor, standard_id)
    _editor(actor)
    policy = standard.policy_version.policy
    superseded = _superseded(standard)
    held = roles_held(actor.organisation_id)
    dates = _dates(standard)
    form = StandardForm(request.POST if request.method == "POST" else None, standard=standard, roles_held=held,
                        dates=dates)
    conflict: dict = {}

    def save(data: dict[str, Any]) -> HttpResponse | None:
        try:
            notes = services.standard_update(actor=actor, standard=standard, expected_version=data["version"],
                                             effective_from=data["effective_from"], as_of=dates.today,
                                             **form.definition())
        except StandardInvalid as exc:
            form.add_service_errors(exc.errors)
            return None
        latest = standard.revisions.order_by("-changed_at", "-id").first()
        if latest is not None and latest.applied_at is None and latest.standard_id == standard.pk:
            messages.success(request, f"{standard.heading} saved: the change takes effect from "
                                      f"{on_screen(latest.effective_from)}. The obligations follow within a minute.")
        else:
            messages.success(request, f"{standard.heading}: nothing changed.")
        for note in notes:
            messages.warning(request, note)
        return redirect("standards:standard", standard_id=standard.pk)

    if not superseded:
        try:
            done = form_submit(request, form, save)
        except EditConflict as exc:
            done, conflict = None, conflict_context(form, StandardForm(None, standard=exc.record, roles_held=held), exc)
        if done is not None:
            return done
    revisions = list(standard.revisions.select_related("changed_by"))
    return render(request, "standards/standard_form.html", {
        "standard": standard, "policy": policy, "form": form, "superseded": superseded,
        "waiting": evidence_source(standard.evidence) is None, "cadence": cadence_words(standard),
        "revisions": change_history(revisions, actor, True), "switch_form": SwitchForm(dates=dates),
        "dates": dates, **conflict,
    }, status=409 if conflict else 400 if request.method == "POST" else 200)


@login_required
@require_POST
def standard_switch(request: HttpRequest, standard_id: int) -> HttpResponse:
    actor = _member(request)
    standard = access_standard(actor, standard_id)
    _editor(actor)
    dates = _dates(standard)
    data = request.POST.copy()
    if not data.get("effective_from"):
        data["effective_from"] = dates.default.isoformat()  # the switch on the policy page takes the default
    form = SwitchForm(data, dates=dates)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("standards:standard", standard_id=standard.pk)
    enabled = form.cleaned_data["enabled"] == "on"
    try:
        services.standard_set_enabled(actor=actor, standard=standard, enabled=enabled,
                                      effective_from=form.cleaned_data["effective_from"], as_of=dates.today)
    except StandardInvalid as exc:
        for errors in exc.errors.values():
            messages.error(request, errors[0])
        return redirect("standards:standard", standard_id=standard.pk)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{standard.heading} is {'on' if enabled else 'off'} from "
                                  f"{on_screen(form.cleaned_data['effective_from'])}. The obligations follow within a minute.")
    return redirect("standards:detail", policy_id=standard.policy_version.policy_id)


@login_required
@require_POST
def change_acknowledge(request: HttpRequest, revision_id: int) -> HttpResponse:
    """A staff member confirms they have read a change to their duties."""
    actor = _member(request)
    revision = (StandardRevision.objects.select_related("standard__policy_version")
                .filter(organisation_id=actor.organisation_id, pk=revision_id).first())
    if revision is None:
        raise Http404("No such change")
    service_call(request, lambda: services.revision_acknowledge(actor=actor, revision=revision),
                 success=f"You have acknowledged the change to {revision.standard.heading}.")
    return redirect("standards:detail", policy_id=revision.standard.policy_version.policy_id)
