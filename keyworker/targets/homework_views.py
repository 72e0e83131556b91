"""Staff pages of homework (SCH-8): the homework of the actor's classes, setting homework for a class or a child, and
a class's homework view for the teacher (who returned it, who did not), with feedback to each family."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.core import clock
from keyworker.core.errors import RuleViolation
from keyworker.core.forms import form_submit
from keyworker.core.requests import int_param
from keyworker.core.requests import member as _member
from keyworker.people.models import Child

from . import policies, selectors, services
from .forms import FeedbackForm, HomeworkForm


@login_required
def homework_list(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    groups = list(selectors.groups_for(actor))
    chosen = int_param(request.GET.get("group"))
    group = next((g for g in groups if g.pk == chosen), None)
    return render(request, "targets/homework_list.html", {
        "groups": groups, "group": group, "rows": selectors.homework_list(actor, group),
        "can_set": any(policies.can_set_homework(actor, g) for g in groups),
    })


def _team_groups(actor) -> list:
    return [g for g in selectors.groups_for(actor).select_related("setting") if policies.can_set_homework(actor, g)]


@login_required
def homework_new(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    groups = _team_groups(actor)
    if not groups:
        raise PermissionDenied(policies.REFUSED)
    today = clock.today(groups[0].setting.time_zone)
    children = list(selectors.on_roll(Child.objects.filter(group__in=groups), today).select_related("group")
                    .order_by("group__name", "legal_last_name", "legal_first_name", "id"))
    wanted = int_param(request.GET.get("group"))
    initial = {"set_on": today, "group": wanted if any(g.pk == wanted for g in groups) else groups[0].pk}
    form = HomeworkForm(request.POST or None, initial=initial, groups=groups, children=children)
    by_id = {g.pk: g for g in groups}
    kids = {c.pk: c for c in children}

    def save(data):
        group = by_id[data["group"]]
        child = kids.get(data["child"]) if data.get("child") else None
        hw = services.homework_set(actor=actor, group=group, child=child, title=data["title"], what_to_do=data["what_to_do"],
                                   how_to_help=data["how_to_help"], due_on=data["due_on"], set_on=data["set_on"])
        return reverse("targets:homework_detail", args=[hw.pk]), f"Homework “{hw.title}” set. Families see it in the carers' portal."

    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "targets/homework_form.html", {"form": form}, status=400 if request.method == "POST" else 200)


def _detail(request, actor, hw, *, feedback_errors=None, status=200):
    today = clock.today(hw.setting.time_zone)
    view = selectors.class_homework(hw, today)
    for row in view.rows:
        row.contact_url = reverse("contacts:new") + "?" + urlencode({"family": row.child.family_id})
        row.errors = (feedback_errors or {}).get(row.child.pk, [])
    return render(request, "targets/homework_detail.html", {
        "hw": hw, "view": view, "today": today, "can_mark": policies.can_mark_homework(actor, hw),
    }, status=status)


@login_required
def homework_detail(request: HttpRequest, homework_id: int) -> HttpResponse:
    actor = _member(request)
    return _detail(request, actor, selectors.access_homework(actor, homework_id))


@login_required
@require_POST
def homework_returns(request: HttpRequest, homework_id: int) -> HttpResponse:
    """The class list's ticks: for each child, returned or not (children not mentioned are left as they are)."""
    actor = _member(request)
    hw = selectors.access_homework(actor, homework_id)
    policies.require_mark_homework(actor, hw)
    marks: dict[int, bool] = {}
    for key, value in request.POST.items():
        if key.startswith("child-"):
            child_id = int_param(key[6:])
            if child_id is None or value not in ("returned", "not_returned", ""):
                messages.error(request, "Choose returned or not returned for each child.")
                return redirect("targets:homework_detail", hw.pk)
            if value:
                marks[child_id] = value == "returned"
    try:
        changed = services.homework_returns_mark(actor=actor, homework=hw, returned=marks)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Returns saved ({len(changed)} changed)." if changed else "Nothing changed.")
    return redirect("targets:homework_detail", hw.pk)


@login_required
@require_POST
def homework_feedback(request: HttpRequest, homework_id: int, child_id: int) -> HttpResponse:
    actor = _member(request)
    hw = selectors.access_homework(actor, homework_id)
    policies.require_mark_homework(actor, hw)
    form = FeedbackForm(request.POST)

    def save(data):
        services.homework_feedback_give(actor=actor, homework=hw, child_id=child_id, feedback=data["feedback"])
        return reverse("targets:homework_detail", args=[hw.pk]), "Feedback saved: the family sees it in the carers' portal."

    if (done := form_submit(request, form, save)) is not None:
        return done
    return _detail(request, actor, hw, feedback_errors={child_id: [e for errs in form.errors.values() for e in errs]}, status=400)
