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
from django.views.decorators.http import require_POST

from keyworker.accounts.access import Actor
from keyworker.accounts.models import Role, StaffMember
from keyworker.core import clock
from keyworker.core.conflicts import EditConflict, conflict_context
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import SettingKind

from . import catalogue, services
from .evidence import event_source, evidence_source
from .forms import AdoptForm, StandardForm, VersionForm
from .models import (
    OPEN_STATES,
    Cadence,
    Obligation,
    ObligationState,
    Policy,
    PolicyAcknowledgement,
    PolicyVersion,
    Responsible,
    Standard,
    Subject,
)
from .validation import StandardInvalid, roles_held

REVIEW_WARNING_DAYS = 30


def _member(request: HttpRequest) -> Actor:
    actor = request.actor
    if not actor.is_member:
        raise Http404
    return actor


def _editor(actor: Actor) -> None:
    if not services.can_edit_policies(actor):
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


def event_label(code: str) -> str:
    source = event_source(code)
    return source.label if source is not None else (code or "event").replace("_", " ")


def cadence_words(standard: Standard) -> str:
    n = standard.cadence_n
    return {
        Cadence.WEEKLY_TERM_TIME: "Every school week, in term time" if n == 1 else f"Every {n} school weeks, in term time",
        Cadence.HALF_TERMLY: "Every half term",
        Cadence.TERMLY: "Every term",
        Cadence.EVERY_N_MONTHS: "Every month" if n == 1 else f"Every {n} months",
        Cadence.AFTER_ENROLMENT: f"Within {n} day{'s' if n != 1 else ''} of enrolment",
        Cadence.BEFORE_EVENT: f"{n} day{'s' if n != 1 else ''} before each {event_label(standard.event).lower()}",
        Cadence.AFTER_EVENT: f"Within {n} day{'s' if n != 1 else ''} after each {event_label(standard.event).lower()}",
    }.get(standard.cadence, standard.cadence)


def applies_words(standard: Standard) -> str:
    who = "Each family" if standard.subject == Subject.FAMILY else "Each child"
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
    return f"When more than {standard.escalate_after_days} days overdue: {told}"


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
    can_edit = services.can_edit_policies(actor)
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
        if form.is_valid():
            try:
                policy = services.policy_adopt(actor=actor, organisation=actor.organisation, **form.cleaned_data)
            except RuleViolation as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                services_notes = f"{policy.title} adopted with {Standard.objects.filter(policy_version__policy=policy).count()} standards."
                messages.success(request, services_notes + " Adjust the numbers and who is told to suit your organisation.")
                return redirect("standards:detail", policy_id=policy.pk)
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
    return render(request, "standards/policy_detail.html", {
        "policy": policy, "versions": versions, "current": current, "sections": sections.items(),
        "can_edit": services.can_edit_policies(actor), "acknowledged": acknowledged,
        "review_state": _review_state(current, today), "template": catalogue.template(policy.template_code),
        "staff_count": StaffMember.objects.filter(organisation_id=actor.organisation_id, is_active=True).count(),
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
    if request.method == "POST" and form.is_valid():
        try:
            version = services.policy_version_create(actor=actor, policy=policy, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Version {version.number} issued. Staff are asked to acknowledge it.")
            return redirect("standards:detail", policy_id=policy.pk)
    return render(request, "standards/version_form.html", {
        "policy": policy, "previous": previous, "form": form,
    }, status=400 if request.method == "POST" else 200)


def _superseded(standard: Standard) -> bool:
    latest = services.current_version(standard.policy_version.policy)
    return latest is not None and latest.pk != standard.policy_version_id


FIELD_WORDS = {
    "title": "Title", "description": "Wording", "enabled": "On or off", "setting_kinds": "Kinds of setting",
    "conditions": "Which children", "subject": "Applies to", "cadence": "How often", "cadence_n": "N",
    "evidence": "Met by", "evidence_conditions": "Conditions on the record", "responsible": "Who is responsible",
    "due_soon_days": "Due soon (days)", "escalate_after_days": "Escalates after (days)",
    "escalate_to_roles": "Who is told",
}


def _value_words(field: str, value: Any) -> str:
    if field == "enabled":
        return "On" if value else "Off"
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k} = {v}" for k, v in value.items())
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _revision_rows(standard: Standard) -> list[dict[str, Any]]:
    rows = []
    for rev in standard.revisions.select_related("changed_by"):
        changes = [
            (FIELD_WORDS.get(f, f), _value_words(f, rev.before.get(f)), _value_words(f, rev.after.get(f)))
            for f in FIELD_WORDS if rev.before.get(f) != rev.after.get(f)
        ]
        rows.append({"revision": rev, "changes": changes})
    return rows


@login_required
def standard_edit(request: HttpRequest, standard_id: int) -> HttpResponse:
    actor = _member(request)
    standard = access_standard(actor, standard_id)
    _editor(actor)
    policy = standard.policy_version.policy
    superseded = _superseded(standard)
    held = roles_held(actor.organisation_id)
    form = StandardForm(request.POST if request.method == "POST" else None, standard=standard, roles_held=held)
    conflict: dict = {}
    if request.method == "POST" and not superseded and form.is_valid():
        try:
            notes = services.standard_update(actor=actor, standard=standard, expected_version=form.cleaned_data["version"],
                                             **form.definition())
        except StandardInvalid as exc:
            form.add_service_errors(exc.errors)
        except EditConflict as exc:
            conflict = conflict_context(form, StandardForm(None, standard=exc.record, roles_held=held), exc)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{standard.clause} saved; obligations are up to date.")
            for note in notes:
                messages.warning(request, note)
            return redirect("standards:standard", standard_id=standard.pk)
    return render(request, "standards/standard_form.html", {
        "standard": standard, "policy": policy, "form": form, "superseded": superseded,
        "waiting": evidence_source(standard.evidence) is None, "cadence": cadence_words(standard),
        "revisions": _revision_rows(standard), **conflict,
    }, status=409 if conflict else 400 if request.method == "POST" else 200)


@login_required
@require_POST
def standard_switch(request: HttpRequest, standard_id: int) -> HttpResponse:
    actor = _member(request)
    standard = access_standard(actor, standard_id)
    _editor(actor)
    enabled = request.POST.get("enabled") == "on"
    try:
        services.standard_set_enabled(actor=actor, standard=standard, enabled=enabled)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{standard.clause} {standard.title} is {'on' if enabled else 'off'}.")
    return redirect("standards:detail", policy_id=standard.policy_version.policy_id)
