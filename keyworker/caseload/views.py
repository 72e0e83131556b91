"""Allocation pages: unallocated families, caseload sizes, assign or reassign one family, a whole caseload."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.core.errors import RuleViolation
from keyworker.core.forms import form_submit, service_call
from keyworker.people.models import Child, Family
from keyworker.people.selectors import access_family

from . import policies, rules, selectors, services
from .forms import (
    AllocateEveryoneForm,
    AssignForm,
    CaseloadReassignForm,
    EndForm,
    chosen_rows,
    posted_family_ids,
)
from .selectors import access_staff


def _leader(request):
    actor = request.actor
    if not actor.is_member:
        raise Http404
    policies.require_allocate(actor)
    return actor


@login_required
def allocation(request):
    actor = _leader(request)
    settings = selectors.manageable_settings(actor)
    if not settings:
        raise Http404
    setting = selectors.choose_setting(settings, request.GET.get("setting"))
    total, gap = selectors.setting_coverage(actor, setting)
    # Only what the rows show: each family's children in this setting, with their class.
    in_setting = Child.objects.filter(setting=setting, left_on__isnull=True).select_related("group")
    unallocated_qs = Family.objects.filter(id__in=gap).prefetch_related(Prefetch("children", queryset=in_setting)).order_by("name", "id")
    paginator = Paginator(unallocated_qs, 25)
    paginator.count = len(gap)  # known already: no COUNT query
    page = paginator.get_page(request.GET.get("page"))
    families = list(page.object_list)
    facts = rules.family_facts(families, setting)
    setting_facts = rules.SettingStaffFacts.for_families(setting, facts.values())
    rows = [
        {"family": f, "candidates": rules.candidates(facts[f.pk], setting_facts), "child_protection": facts[f.pk].child_protection}
        for f in families
    ]
    caseload_qs = selectors.caseload_sizes(actor, setting)
    caseloads = Paginator(caseload_qs, 30).get_page(request.GET.get("cpage"))
    # Ordered biggest first: page 1's first row is the largest caseload; later pages ask the database.
    first = caseloads.object_list[0] if caseloads.object_list else None
    biggest = (first.families if caseloads.number == 1 and first else caseload_qs.aggregate(m=Max("families"))["m"]) or 0
    return render(request, "caseload/allocation.html", {
        "setting": setting, "settings": settings, "rows": rows, "page_obj": page,
        "query_string": f"setting={setting.pk}", "caseloads": caseloads, "biggest": biggest or 1,
        "total": total, "unallocated": page.paginator.count,
        "flagged": list(selectors.flagged_allocations(actor, setting)),
    })


@login_required
def family_allocation(request, family_id: int):
    actor = _leader(request)
    family = access_family(actor, family_id)
    settings = selectors.manageable_settings(actor)
    setting = selectors.access_setting(actor, request.GET.get("setting") or request.POST.get("setting") or (settings[0].pk if settings else None))
    policies.require_allocate(actor, setting.pk)
    facts = rules.family_facts([family], setting)[family.pk]
    current = selectors.current_allocations().filter(family=family, setting=setting).select_related("staff__user").first()
    setting_facts = rules.SettingStaffFacts.for_families(setting, [facts], staff_ids=[current.staff_id] if current else [])
    # Suggested and offered alike: who the rules allow (a teacher only under child protection), never the current one.
    suggested = [s for s in rules.candidates(facts, setting_facts) if current is None or s.pk != current.staff_id]
    form = AssignForm(request.POST or None, setting=setting, family=family, offered=suggested)

    def save(data):
        allocation = services.allocation_assign(actor=actor, family=family, setting=setting, staff=data["staff"],
                                                reason=data["reason"])
        nxt = request.POST.get("next", "")
        url = nxt if nxt.startswith("/") and not nxt.startswith("//") else (
            reverse("caseload:family", args=[family.pk]) + f"?setting={setting.pk}")
        return url, f"{allocation.staff} is now the {setting.key_worker_label} for {family}."
    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "caseload/family_allocation.html", {
        "family": family, "setting": setting, "settings": settings, "form": form, "current": current,
        "candidates": suggested, "facts": facts,
        "history": selectors.allocation_history(family), "end_form": EndForm(),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def allocation_end(request, allocation_id: int):
    actor = _leader(request)
    allocation = selectors.access_allocation(actor, allocation_id)
    form = EndForm(request.POST)
    url = reverse("caseload:family", args=[allocation.family_id]) + f"?setting={allocation.setting_id}"
    if not form.is_valid():
        messages.error(request, "Give a reason for ending the allocation.")
        return redirect(url)
    service_call(request, lambda: services.allocation_end(actor=actor, allocation=allocation, reason=form.cleaned_data["reason"]),
                 success=f"{allocation.family} no longer has a {allocation.setting.key_worker_label}.")
    return redirect(url)


@login_required
def caseload_reassign(request, staff_id: int):
    actor = _leader(request)
    staff = access_staff(actor, staff_id)
    form = CaseloadReassignForm(request.POST or None, organisation=actor.organisation, exclude=staff,
                                under_protection=selectors.caseload_under_protection(staff))
    outcomes = None

    def save(data):
        nonlocal outcomes
        outcomes = services.caseload_reassign(actor=actor, from_staff=staff, to_staff=data["to_staff"], reason=data["reason"])
        moved, total = sum(1 for o in outcomes if o.moved_to), len(outcomes)
        messages.success(request, f"{moved} of {total} famil{'y' if total == 1 else 'ies'} moved.")
    form_submit(request, form, save)
    return render(request, "caseload/caseload_reassign.html", {
        "staff": staff, "form": form, "outcomes": outcomes, "families": selectors.caseload_of(staff),
    })


@login_required
def allocate_everyone(request):
    """A key worker proposed for every family of the setting without one; the leader changes rows, then applies all
    of them with one reason."""
    actor = _leader(request)
    settings = selectors.manageable_settings(actor)
    if not settings:
        raise Http404
    setting = selectors.choose_setting(settings, request.GET.get("setting") or request.POST.get("setting"))
    policies.require_allocate(actor, setting.pk)
    form = AllocateEveryoneForm(request.POST or None)
    row_errors: dict[int, str] = {}
    posted: dict[int, int | None] = {}
    if request.method == "POST":
        posted = chosen_rows(request.POST, posted_family_ids(request.POST))
    url = reverse("caseload:allocate_everyone") + f"?setting={setting.pk}"

    def save(data):
        try:
            result = services.allocation_assign_many(actor=actor, setting=setting, choices=posted, reason=data["reason"])
        except services.RowsRefused as exc:
            row_errors.update(exc.rows)
            raise RuleViolation(exc.message, rule=exc.rule) from exc
        for _family, message in result.skipped:
            messages.warning(request, message)
        n = len(result.allocated)
        return url, f"{n} famil{'y' if n == 1 else 'ies'} now {'has' if n == 1 else 'have'} a {setting.key_worker_label}."
    if (done := form_submit(request, form, save)) is not None:
        return done
    proposal = selectors.setting_proposal(actor, setting)
    rows = []
    for row in proposal.rows:
        fid = row.family.pk
        proposed = row.proposed.pk if row.proposed else None
        chosen = posted.get(fid, proposed) if request.method == "POST" else proposed  # a page shown again keeps the choices
        rows.append({"row": row, "chosen": chosen, "error": row_errors.get(fid, "")})
    # A family posted but no longer listed (allocated meanwhile, or gone): its error is shown at the top.
    listed = {r["row"].family.pk for r in rows}
    others = [msg for fid, msg in row_errors.items() if fid not in listed]
    return render(request, "caseload/allocate_everyone.html", {
        "setting": setting, "settings": settings, "rows": rows, "form": form, "other_errors": others,
        "proposed": sum(1 for r in proposal.rows if r.proposed), "without_option": sum(1 for r in proposal.rows if not r.options),
    }, status=400 if request.method == "POST" else 200)
