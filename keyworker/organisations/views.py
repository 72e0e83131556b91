"""Set-up pages: settings, classes or rooms, and each setting's term calendar."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.core import clock
from keyworker.core.forms import form_submit

from . import services
from .calendar import TermCalendar
from .forms import (
    ClosureForm,
    DayForm,
    GroupForm,
    GroupsForm,
    HalfTermForm,
    PortalAccessForm,
    SecondFactorForm,
    SettingForm,
    TermForm,
)
from .hooks import setup_links_for
from .models import Closure, HalfTerm, Organisation, Setting, Term
from .policies import require_manage_setup
from .views_term_dates import feed_token


def _setup_actor(request):
    actor = request.actor
    if not actor.is_member:
        raise Http404
    require_manage_setup(actor)
    return actor


def _access_setting(actor, setting_id: int) -> Setting:
    setting = Setting.objects.filter(organisation_id=actor.organisation_id, pk=setting_id).first()
    if setting is None:
        raise Http404("No such setting")
    return setting


@login_required
def setup(request):
    actor = _setup_actor(request)
    settings = (
        Setting.objects.filter(organisation_id=actor.organisation_id)
        .annotate(n_groups=Count("groups", distinct=True), n_terms=Count("terms", distinct=True))
        .order_by("name")
    )
    form = SettingForm(request.POST or None)

    def save(data):
        s = services.setting_create(actor=actor, organisation=actor.organisation, **data)
        return reverse("organisations:setting", kwargs={"setting_id": s.pk}), f"Added {s}. Now add its classes or rooms and its term dates."
    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "organisations/setup.html", {
        "settings": settings, "form": form, "second_factor_form": SecondFactorForm(instance=actor.organisation),
        "portal_access_form": PortalAccessForm(instance=actor.organisation),
        "more_links": setup_links_for(actor),
    })


@login_required
@require_POST
def second_factor(request):
    """Whether everyone, or only leaders and the safeguarding team, signs in with a second factor."""
    actor = _setup_actor(request)
    form = SecondFactorForm(request.POST)
    form.is_valid()  # a checkbox: absent means off
    services.organisation_second_factor_set(
        actor=actor, organisation=actor.organisation, for_everyone=bool(form.cleaned_data.get("second_factor_for_everyone")),
    )
    if actor.organisation.second_factor_for_everyone:
        messages.success(request, "Everyone now signs in with a second factor; staff without one are asked to add one.")
    else:
        messages.success(request, "Only leaders and the safeguarding team now need a second factor.")
    return redirect("organisations:setup")


@login_required
@require_POST
def portal_access(request):
    """What the carers' portal opens to carers without parental responsibility or under a restriction."""
    actor = _setup_actor(request)
    form = PortalAccessForm(request.POST, instance=Organisation.objects.get(pk=actor.organisation_id))
    if not form.is_valid():
        messages.error(request, "Choose what those carers see in the portal.")
        return redirect(f"{reverse('organisations:setup')}#portal-access")
    services.organisation_portal_access_set(
        actor=actor, organisation=actor.organisation, restricted_access=form.cleaned_data["portal_restricted_access"],
    )
    messages.success(request, "Saved what carers with limited access see in the portal.")
    return redirect("organisations:setup")


@login_required
def setting_detail(request, setting_id: int):
    actor = _setup_actor(request)
    setting = _access_setting(actor, setting_id)
    forms = {
        "group": GroupForm(setting=setting, prefix="group"),
        "groups": GroupsForm(setting=setting, prefix="groups"),
        "term": TermForm(prefix="term"),
        "half_term": HalfTermForm(setting=setting, prefix="half_term"),
        "closure": ClosureForm(prefix="closure"),
    }
    if request.method == "POST":
        which = request.POST.get("form")
        makers = {
            "group": (lambda: GroupForm(request.POST, setting=setting, prefix="group"), services.group_create),
            "groups": (lambda: GroupsForm(request.POST, setting=setting, prefix="groups"), services.groups_create),
            "term": (lambda: TermForm(request.POST, prefix="term"), services.term_create),
            "half_term": (lambda: HalfTermForm(request.POST, setting=setting, prefix="half_term"), services.half_term_create),
            "closure": (lambda: ClosureForm(request.POST, prefix="closure"), services.closure_create),
        }
        if which not in makers:
            raise Http404
        make_form, create = makers[which]
        form = make_form()
        forms[which] = form

        def save(data):
            back = reverse("organisations:setting", args=[setting.pk]) + f"#{'group' if which == 'groups' else which}"
            if which == "groups":
                made = create(actor=actor, setting=setting, rows=data["lines"])
                return back, f"Added {len(made)}: {', '.join(g.name for g in made)}."
            obj = create(actor=actor, setting=setting, **data)
            return back, f"Added {obj}."
        if (done := form_submit(request, form, save)) is not None:
            return done
    calendar = TermCalendar.for_setting(setting)
    day_form = DayForm(request.GET or None)
    day_answer = None
    if request.GET and day_form.is_valid():
        day = day_form.cleaned_data["day"]
        ht = calendar.half_term_for(day)
        day_answer = {"day": day, "is_school_day": calendar.is_school_day(day), "why": calendar.describe(day), "half_term": ht}
    today = clock.today(setting.time_zone)
    return render(request, "organisations/setting_detail.html", {
        "setting": setting, "groups": setting.groups.annotate(n_children=Count("children")).order_by("name"),
        "terms": setting.terms.prefetch_related("half_terms").order_by("starts_on"),
        "closures": setting.closures.order_by("starts_on"), "forms": forms, "day_form": day_form,
        "day_answer": day_answer, "today": today, "today_is_school_day": calendar.is_school_day(today),
        "current_half_term": calendar.half_term_for(today),
        "term_dates_feed_url": request.build_absolute_uri(reverse("organisations:term_dates_feed", args=[feed_token(setting)])),
    }, status=400 if request.method == "POST" else 200)


# One page to change an entry of the term calendar (a term, a half term, a closure), and to remove a closure.
_CALENDAR = {
    "term": (Term, TermForm, "term", "Change the term", services.term_update),
    "half-term": (HalfTerm, HalfTermForm, "half_term", "Change the half term", services.half_term_update),
    "closure": (Closure, ClosureForm, "closure", "Change the closure", services.closure_update),
}


@login_required
def calendar_entry(request, setting_id: int, kind: str, entry_id: int):
    actor = _setup_actor(request)
    setting = _access_setting(actor, setting_id)
    if kind not in _CALENDAR:
        raise Http404
    model, form_class, arg, title, update = _CALENDAR[kind]
    entry = model.objects.filter(setting=setting, pk=entry_id).first()
    if entry is None:
        raise Http404
    back = reverse("organisations:setting", args=[setting.pk]) + ("#closure" if kind == "closure" else "#term")
    extra = {"setting": setting} if form_class is HalfTermForm else {}
    if request.method == "POST" and kind == "closure" and request.POST.get("action") == "remove":
        name = str(entry)
        services.closure_remove(actor=actor, closure=entry)
        messages.success(request, f"Removed {name}: its days are school days again.")
        return redirect(back)
    form = form_class(request.POST or None, instance=entry, **extra)

    def save(data):
        changed = update(actor=actor, **{arg: entry}, **data)
        return back, f"Saved {changed}. The obligations follow within a minute."
    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "organisations/calendar_entry.html", {
        "setting": setting, "entry": entry, "form": form, "title": title, "kind": kind, "back": back,
    }, status=400 if request.method == "POST" else 200)
