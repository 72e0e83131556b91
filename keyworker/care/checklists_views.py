"""Staff pages of the enrolment checklist and the first-week induction: the new children and what each is missing,
one child's checklists (tick an item in, take a tick back), and the manager's set-up of the setting's own items, of
who introduces themselves to new families and of the care plan review numbers the setting chooses."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.accounts import capabilities as caps
from keyworker.core import clock
from keyworker.core.forms import form_submit, service_call
from keyworker.core.requests import int_param
from keyworker.core.requests import member as _member
from keyworker.organisations.models import Jurisdiction

from . import checklists_selectors as selectors
from . import checklists_services as services
from . import plans_services, policies
from .checklists import BUILT_IN, items_of
from .checklists_forms import IntroducerForm, ItemForm, TickForm
from .models_checklists import ChecklistItem, ChecklistKind, IntroducedBy
from .models_plans import SCOTLAND_REVIEW_MONTHS, SCOTLAND_START_DAYS
from .plans_forms import ReviewDaysForm
from .plans_selectors import review_days

FILTERS = (("incomplete", "Something missing"), ("all", "All new children"))


@login_required
def list_view(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    actor.require(caps.VIEW_FAMILIES)
    show = request.GET.get("show", "incomplete")
    show = show if show in dict(FILTERS) else "incomplete"
    rows = selectors.new_children(actor, clock.today(), incomplete_only=show == "incomplete")
    return render(request, "care/checklists_list.html", {
        "rows": rows, "show": show, "filters": FILTERS, "days": selectors.NEW_FOR_DAYS,
        "can_set_up": bool(selectors.setup_settings(actor)),
    })


def _child_page(request, actor, child, bound: TickForm | None = None, bound_key: str = "", status: int = 200):
    today = clock.today(child.setting.time_zone)
    checklists = selectors.child_checklists(child)
    may_tick = policies.checklists_can_tick(actor, child.setting_id)
    sections = []
    for checklist in checklists:
        rows = []
        for state in checklist.items:
            key = f"{checklist.kind}-{state.item.code}"
            form = None
            if may_tick and not state.done:
                form = bound if bound is not None and bound_key == key else TickForm(
                    prefix=key, initial={"item": state.item.code, "done_on": today})
            rows.append((state, form))
        sections.append((checklist, rows))
    return render(request, "care/checklists_child.html", {
        "child": child, "sections": sections, "may_tick": may_tick, "today": today,
        "key_worker_label": child.setting.key_worker_label,
    }, status=status)


@login_required
def child_view(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    return _child_page(request, actor, selectors.access_child(actor, child_id))


@login_required
@require_POST
def tick_view(request: HttpRequest, child_id: int, kind: str, item: str) -> HttpResponse:
    actor = _member(request)
    child = selectors.access_child(actor, child_id)
    if kind not in ChecklistKind.values:
        raise Http404("No such checklist")
    policies.checklists_require_tick(actor, child.setting_id)
    key = f"{kind}-{item}"
    form = TickForm(request.POST, prefix=key)

    def save(data):
        tick = services.checklist_tick(actor=actor, child=child, kind=kind, item=item, done_on=data["done_on"],
                                       note=data["note"])
        return f"{reverse('care:checklists_child', args=[child.pk])}#{kind}", f"Ticked in: {_label(child, kind, tick.item)}."

    if (done := form_submit(request, form, save, fallback="done_on")) is not None:
        return done
    return _child_page(request, actor, child, form, key, status=400)


def _label(child, kind: str, code: str) -> str:
    return next((i.label for i in items_of(child.setting_id, kind, child.enrolled_on) if i.code == code), code)


@login_required
@require_POST
def untick_view(request: HttpRequest, child_id: int, kind: str, item: str) -> HttpResponse:
    actor = _member(request)
    child = selectors.access_child(actor, child_id)
    policies.checklists_require_tick(actor, child.setting_id)
    service_call(request, lambda: services.checklist_untick(actor=actor, child=child, kind=kind, item=item),
                 success=f"Tick taken back: {_label(child, kind, item)} is missing again.")
    return redirect(f"{reverse('care:checklists_child', args=[child.pk])}#{kind}")


def _setup_setting(request, actor):
    settings = selectors.setup_settings(actor)
    if not settings:
        raise Http404("No settings to set up")
    wanted = int_param(request.GET.get("setting") or request.POST.get("setting"))
    return settings, next((s for s in settings if s.pk == wanted), settings[0])


def _setup_page(request, actor, settings, setting, item_form=None, introducer_form=None, review_form=None,
                status=200):
    chosen = selectors.introduction_setup(setting.pk)
    days = review_days(setting_ids=[setting.pk])[setting.pk]
    return render(request, "care/checklists_setup.html", {
        "settings": settings, "setting": setting, "own": selectors.own_items(setting.pk),
        "kinds": ChecklistKind.choices, "days": selectors.NEW_FOR_DAYS,
        "built_in": [(ChecklistKind(k).label, items) for k, items in BUILT_IN.items()],
        "item_form": item_form or ItemForm(initial={"kind": ChecklistKind.ENROLMENT, "required": True}),
        "introducer_form": introducer_form or IntroducerForm(
            initial={"introduced_by": chosen.introduced_by if chosen else IntroducedBy.MANAGER}),
        "review_form": review_form or ReviewDaysForm(
            setting=setting, initial={"request_days": days.request, "change_days": days.change}),
        "scotland": setting.jurisdiction == Jurisdiction.SCOTLAND, "start_days": SCOTLAND_START_DAYS,
        "review_months": SCOTLAND_REVIEW_MONTHS,
    }, status=status)


@login_required
def setup_view(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    settings, setting = _setup_setting(request, actor)
    return _setup_page(request, actor, settings, setting)


@login_required
@require_POST
def item_add_view(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    settings, setting = _setup_setting(request, actor)
    form = ItemForm(request.POST)

    def save(data):
        today = clock.today(setting.time_zone)
        started = data["asked_of"] == "started"
        row = services.checklist_item_add(actor=actor, setting=setting, kind=data["kind"], label=data["label"],
                                          hint=data["hint"], required=data["required"], include_started=started,
                                          as_of=today)
        message = f"“{row.label}” added: it applies to children who start from today."
        if started:
            message = f"“{row.label}” added: {_started(selectors.item_started_children(actor, row, today).count())}"
        return f"{reverse('care:checklists_setup')}?setting={setting.pk}", message

    if (done := form_submit(request, form, save, fallback="label")) is not None:
        return done
    return _setup_page(request, actor, settings, setting, item_form=form, status=400)


def _started(n: int) -> str:
    if n == 0:
        return (f"no child who started in the last {selectors.NEW_FOR_DAYS} days is on roll now, so it applies to "
                "children who start from today.")
    if n == 1:
        return "1 child who has started already now has it on their checklist."
    return f"{n} children who have started already now have it on their checklist."


@login_required
@require_POST
def item_remove_view(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = _member(request)
    settings = selectors.setup_settings(actor)
    item = ChecklistItem.objects.filter(pk=item_id, setting__in=[s.pk for s in settings]).select_related("setting").first()
    if item is None:
        raise Http404("No such item")
    service_call(request, lambda: services.checklist_item_remove(actor=actor, item=item),
                 success=f"“{item.label}” removed: ticks already given stay in each child's history.")
    return redirect(f"{reverse('care:checklists_setup')}?setting={item.setting_id}")


@login_required
@require_POST
def introducer_view(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    settings, setting = _setup_setting(request, actor)
    form = IntroducerForm(request.POST)

    def save(data):
        row = services.introduction_setup_save(actor=actor, setting=setting, introduced_by=data["introduced_by"])
        return (f"{reverse('care:checklists_setup')}?setting={setting.pk}",
                f"{row.get_introduced_by_display()} introduces themselves to new families at {setting.name}.")

    if (done := form_submit(request, form, save)) is not None:
        return done
    return _setup_page(request, actor, settings, setting, introducer_form=form, status=400)


@login_required
@require_POST
def review_days_view(request: HttpRequest) -> HttpResponse:
    """The care plan review numbers the setting chooses."""
    actor = _member(request)
    settings, setting = _setup_setting(request, actor)
    form = ReviewDaysForm(request.POST, setting=setting)

    def save(data):
        row = plans_services.care_plan_setup_save(actor=actor, setting=setting, request_days=data["request_days"],
                                                  change_days=data.get("change_days"))
        change = (f"; after a significant change, within {row.change_days} days"
                  if setting.jurisdiction == Jurisdiction.SCOTLAND else "")
        return (f"{reverse('care:checklists_setup')}?setting={setting.pk}",
                f"Care plan reviews at {setting.name}: when a family asks, within {row.request_days} days{change}.")

    if (done := form_submit(request, form, save, fallback="request_days")) is not None:
        return done
    return _setup_page(request, actor, settings, setting, review_form=form, status=400)
