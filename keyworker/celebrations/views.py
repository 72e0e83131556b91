"""Celebration pages: record (from a family, a child or My week), the list, one celebration (share, void),
positivity per key worker and class for leaders, and the organisation's positivity rule."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.core import clock
from keyworker.core.forms import form_submit
from keyworker.core.requests import int_param as _int
from keyworker.core.requests import member as _member
from keyworker.core.requests import safe_next as _safe_next
from keyworker.organisations.models import Group
from keyworker.people.models import Child, Family
from keyworker.people.selectors import access_child, access_family, families_visible_to

from . import policies, selectors, services
from .forms import CelebrationFilterForm, CelebrationForm, PositivityRuleForm, ShareForm, VoidForm
from .models import Celebration, CelebrationKind
from .positivity import rule_for, setting_overview

PAGE_SIZE = 25


def _chooser(request: HttpRequest, actor: Actor) -> HttpResponse:
    mine = (families_visible_to(actor).filter(allocations__staff=actor.staff, allocations__ends_at__isnull=True).distinct()
            .order_by("name", "id")[:200])
    children = list(Child.objects.filter(family_id__in=mine.values("id"), left_on__isnull=True).select_related("family", "group")
                    .order_by("family__name", "family_id", "date_of_birth", "id"))
    return render(request, "celebrations/choose_child.html", {"children": children, "next": _safe_next(request)})


def _family_and_children(request: HttpRequest, actor: Actor) -> tuple[Family, list[Child], Child | None] | None:
    raw_child = request.POST.get("child") if request.method == "POST" else None
    raw_child = raw_child or request.GET.get("child")
    raw_family = request.POST.get("family") or request.GET.get("family")
    if not raw_child and not raw_family:
        return None
    chosen = None
    if raw_family:
        family_id = _int(raw_family)
        if family_id is None:
            raise Http404("No such family")
        family = access_family(actor, family_id)
    else:
        child_id = _int(raw_child)
        if child_id is None:
            raise Http404("No such child")
        chosen = access_child(actor, child_id)
        family = chosen.family
    children = list(Child.objects.filter(family_id=family.pk, left_on__isnull=True).select_related("group").order_by("date_of_birth", "id"))
    if chosen is None and request.method != "POST" and _int(request.GET.get("child")):
        chosen = next((c for c in children if c.pk == _int(request.GET.get("child"))), None)
    return family, children, chosen


@login_required
def celebration_new(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    found = _family_and_children(request, actor)
    if found is None:
        return _chooser(request, actor)
    family, children, chosen = found
    today = clock.today()
    initial: dict = {"celebrated_on": today, "shared_how": ""}
    if chosen is not None or len(children) == 1:
        initial["child"] = (chosen or children[0]).pk
    kind = request.GET.get("kind", "")
    if kind in CelebrationKind.values:
        initial["kind"] = kind
    form = CelebrationForm(request.POST or None, initial=initial, children=children, today=today)

    def save(data):
        child = next(c for c in children if c.pk == data["child"])
        child.family = family
        celebration = services.celebration_record(
            actor=actor, child=child, family=family, kind=data["kind"], title=data["title"], note=data["note"],
            points=data["points"], celebrated_on=data["celebrated_on"], shared_how=data["shared_how"],
            shared_on=data["shared_on"],
        )
        text = f"{celebration.kind_label} for {child.display_name} recorded"
        text += (": shared with the family and logged as a celebration contact." if celebration.is_shared
                 else ". Share it with the family when you can: it then counts as contact.")
        return _safe_next(request) or reverse("celebrations:detail", args=[celebration.pk]), text
    if (done := form_submit(request, form, save)) is not None:
        return done
    next_url = _safe_next(request)
    return render(request, "celebrations/celebration_form.html", {
        "form": form, "family": family, "children": children, "next": next_url,
        "title": f"Record a celebration for {chosen.display_name if chosen else family.name}",
        "cancel_url": next_url or reverse("dashboard:family", args=[family.pk]),
    }, status=400 if request.method == "POST" else 200)


def _filter_choices(actor: Actor) -> dict:
    settings = list(actor.settings().order_by("name", "id"))
    setting_ids = [s.pk for s in settings]
    groups = list(Group.objects.filter(setting_id__in=setting_ids).order_by("name", "id"))
    staff = list(StaffMember.objects.filter(organisation_id=actor.organisation_id, is_active=True).select_related("user")
                 .order_by("user__full_name", "id"))
    return {"settings": settings, "groups": groups, "staff": staff}


@login_required
def celebration_list(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    choices = _filter_choices(actor)
    form = CelebrationFilterForm(request.GET or None, **choices)
    filters: dict = {}
    family = child = None
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}
        if filters.get("family"):
            family = families_visible_to(actor).filter(pk=filters["family"]).first()
            if family is None:
                raise Http404("No such family")
        if filters.get("child"):
            child = access_child(actor, filters["child"])
    shared = {"yes": True, "no": False}.get(filters.get("shared", ""))
    qs = selectors.celebrations_filter(
        selectors.celebrations_visible_to(actor), kind=filters.get("kind", ""), family_id=filters.get("family"),
        child_id=filters.get("child"), setting_id=filters.get("setting"), group_id=filters.get("group"),
        recorded_by_id=actor.staff.pk if filters.get("mine") else filters.get("staff"), key_worker_id=filters.get("key_worker"),
        date_from=filters.get("date_from"), date_to=filters.get("date_to"), shared=shared,
    )
    page = Paginator(selectors.with_details(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: (v.isoformat() if hasattr(v, "isoformat") else ("1" if v is True else v)) for k, v in filters.items()}
    return render(request, "celebrations/celebration_list.html", {
        "form": form, "page_obj": page, "celebrations": list(page.object_list), "family": family, "child": child,
        "query_string": urlencode(query), "filtered": bool(filters), "mine": bool(filters.get("mine")),
        "can_see_positivity": policies.can_see_positivity(actor),
    })


def _detail_page(request: HttpRequest, actor: Actor, celebration: Celebration, *, share_form: ShareForm | None = None,
                 void_form: VoidForm | None = None, status: int = 200) -> HttpResponse:
    can_void = policies.can_void(actor, celebration)
    can_share = not celebration.is_voided and not celebration.is_shared
    return render(request, "celebrations/celebration_detail.html", {
        "celebration": celebration, "can_void": can_void, "can_share": can_share,
        "share_form": share_form or (ShareForm(initial={"shared_on": clock.today()}) if can_share else None),
        "void_form": void_form or (VoidForm(has_contact=celebration.contact_id is not None) if can_void else None),
    }, status=status)


@login_required
def celebration_detail(request: HttpRequest, celebration_id: int) -> HttpResponse:
    actor = _member(request)
    return _detail_page(request, actor, selectors.access_celebration(actor, celebration_id))


@login_required
@require_POST
def celebration_share_view(request: HttpRequest, celebration_id: int) -> HttpResponse:
    actor = _member(request)
    celebration = selectors.access_celebration(actor, celebration_id)
    form = ShareForm(request.POST)
    back = reverse("celebrations:detail", args=[celebration.pk])

    def save(data):
        services.celebration_share(actor=actor, celebration=celebration, how=data["shared_how"], shared_on=data["shared_on"])
        return back, f"Shared with {celebration.family.name} and logged as a celebration contact."
    if (done := form_submit(request, form, save, elsewhere=back)) is not None:
        return done
    return _detail_page(request, actor, celebration, share_form=form, status=400)


@login_required
@require_POST
def celebration_void_view(request: HttpRequest, celebration_id: int) -> HttpResponse:
    actor = _member(request)
    celebration = selectors.access_celebration(actor, celebration_id)
    policies.require_void(actor, celebration)
    form = VoidForm(request.POST, has_contact=celebration.contact_id is not None)
    back = reverse("celebrations:detail", args=[celebration.pk])

    def save(data):
        services.celebration_void(actor=actor, celebration=celebration, reason=data["reason"],
                                  void_contact=data.get("void_contact", False))
        return back, f"{celebration.kind_label} for {celebration.child.display_name} voided: it no longer counts."
    if (done := form_submit(request, form, save, elsewhere=back)) is not None:
        return done
    return _detail_page(request, actor, celebration, void_form=form, status=400)


@login_required
def positivity_overview(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    settings = policies.positivity_settings(actor)
    if not settings:
        policies.require_positivity(actor)  # 403: no setting where this person leads
        raise Http404
    setting_id = _int(request.GET.get("setting"))
    if request.GET.get("setting") and setting_id is None:
        raise Http404("No such setting")
    setting = next((s for s in settings if s.pk == setting_id), None) if setting_id else settings[0]
    if setting is None:
        if actor.settings().filter(pk=setting_id).exists():
            policies.require_positivity(actor, setting_id)
        raise Http404("No such setting")
    as_of = clock.today(setting.time_zone)
    overview = setting_overview(setting, rule_for(actor.organisation_id), as_of)
    return render(request, "celebrations/positivity.html", {
        "overview": overview, "setting": setting, "settings": settings, "as_of": as_of,
        "can_edit_rule": actor.can(caps.MANAGE_SETUP),
    })


@login_required
def positivity_rule_view(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    actor.require(caps.MANAGE_SETUP)
    rule = rule_for(actor.organisation_id)
    initial = {"threshold_percent": rule.threshold_percent, "min_contacts": rule.min_contacts, "window": rule.window,
               "window_days": rule.window_days}
    form = PositivityRuleForm(request.POST or None, initial=initial)

    def save(data):
        services.positivity_rule_save(actor=actor, **data)
        return reverse("celebrations:positivity_rule"), "Positivity rule saved: My week and the positivity page use it from now on."
    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "celebrations/positivity_rule.html", {
        "form": form, "rule": rule, "saved": rule.pk is not None,
    }, status=400 if request.method == "POST" else 200)
