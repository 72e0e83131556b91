"""Staff pages of the manager's monitoring (CC-M3): the monitoring view of a setting, its quality samples (start,
score, sign off) and a key person's findings (read, acknowledge)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.core import clock
from keyworker.core.errors import RuleViolation
from keyworker.core.forms import service_call, show_rule
from keyworker.core.requests import member as _member

from . import monitoring_selectors as selectors
from . import monitoring_services as services
from . import policies
from .monitoring_forms import FiltersForm, RandomSampleForm, ScoreForm


@login_required
def index_view(request: HttpRequest) -> HttpResponse:
    """The first setting the actor monitors."""
    actor = _member(request)
    settings = selectors.monitored_settings(actor)
    if not settings:
        raise Http404("No setting to monitor")
    return redirect("care:monitoring", settings[0].pk)


def _setting_page(request, actor, setting, random_form=None, pick_error: str = "", status: int = 200):
    as_of = clock.today(setting.time_zone)
    key_people = list(selectors.key_people_by_family(setting).values())
    filters = FiltersForm(request.GET or None, key_people=sorted({s.pk: s for s in key_people}.values(),
                                                                    key=lambda s: (s.user.full_name, s.pk)),
                          key_worker_label=setting.key_worker_label)
    out_of_date, key_person = False, None
    if filters.is_bound and filters.is_valid():
        out_of_date, key_person = filters.cleaned_data["out_of_date"], filters.cleaned_data["key_person"]
    offer = 0
    random_form = random_form or RandomSampleForm(request.GET if "size" in request.GET else None)
    if random_form.is_bound and random_form.is_valid():
        offer = random_form.cleaned_data["size"]
    view = selectors.monitoring_view(setting, as_of, out_of_date_only=out_of_date, key_person_id=key_person, offer=offer)
    samples = selectors.setting_samples(setting)
    open_sample = next((s for s in samples if not s.is_signed_off), None)
    return render(request, "care/monitoring_setting.html", {
        "setting": setting, "view": view, "filters": filters, "random_form": random_form, "offer": offer,
        "samples": [(s, selectors.sample_summary(s)) for s in samples], "open_sample": open_sample,
        "settings": selectors.monitored_settings(actor), "pick_error": pick_error,
        "key_worker_label": setting.key_worker_label,
    }, status=status)


@login_required
def setting_view(request: HttpRequest, setting_id: int) -> HttpResponse:
    actor = _member(request)
    setting = selectors.access_monitored_setting(actor, setting_id)
    return _setting_page(request, actor, setting)


@login_required
@require_POST
def sample_start_view(request: HttpRequest, setting_id: int) -> HttpResponse:
    actor = _member(request)
    setting = selectors.access_monitored_setting(actor, setting_id)
    records = request.POST.getlist("records")
    try:
        sample = services.sample_start(actor=actor, setting=setting, records=records)
    except RuleViolation as exc:
        return _setting_page(request, actor, setting, pick_error=exc.message, status=400)
    return redirect("care:monitoring_sample", sample.pk)


def _sample_page(request, actor, sample, bound: ScoreForm | None = None, error: str = "", status: int = 200):
    criteria = sample.criteria
    forms = []
    for item in sample.items.all():
        form = bound if bound is not None and bound.item.pk == item.pk else ScoreForm(criteria=criteria, item=item)
        forms.append((item, form, getattr(item, "finding", None)))
    return render(request, "care/monitoring_sample.html", {
        "sample": sample, "setting": sample.setting, "rows": forms, "summary": selectors.sample_summary(sample),
        "criteria": criteria, "score_labels": dict(services.Score.choices), "error": error,
        "key_worker_label": sample.setting.key_worker_label,
    }, status=status)


@login_required
def sample_view(request: HttpRequest, sample_id: int) -> HttpResponse:
    actor = _member(request)
    sample = selectors.access_sample(actor, sample_id)
    return _sample_page(request, actor, sample)


@login_required
@require_POST
def item_score_view(request: HttpRequest, sample_id: int, item_id: int) -> HttpResponse:
    actor = _member(request)
    sample = selectors.access_sample(actor, sample_id)
    item = next((i for i in sample.items.all() if i.pk == item_id), None)
    if item is None:
        raise Http404("No such record in this sample")
    form = ScoreForm(request.POST, criteria=sample.criteria, item=item)
    if form.is_valid():
        try:
            services.item_score(actor=actor, sample=sample, item_id=item.pk, scores=form.scores(),
                                comment=form.cleaned_data["comment"])
        except RuleViolation as exc:
            show_rule(form, exc)
        else:
            return redirect(reverse("care:monitoring_sample", args=[sample.pk]) + f"#item-{item.pk}")
    return _sample_page(request, actor, sample, bound=form, status=400)


@login_required
@require_POST
def sign_off_view(request: HttpRequest, sample_id: int) -> HttpResponse:
    actor = _member(request)
    sample = selectors.access_sample(actor, sample_id)
    try:
        services.sample_sign_off(actor=actor, sample=sample)
    except RuleViolation as exc:
        return _sample_page(request, actor, sample, error=exc.message, status=400)
    messages.success(request, "Sample signed off: the findings have gone to each key person.")
    return redirect("care:monitoring_sample", sample.pk)


@login_required
def finding_view(request: HttpRequest, finding_id: int) -> HttpResponse:
    actor = _member(request)
    finding = selectors.access_finding(actor, finding_id)
    sample = finding.item.sample
    return render(request, "care/monitoring_finding.html", {
        "finding": finding, "item": finding.item, "sample": sample,
        "scores": [(label, finding.item.scores.get(code)) for code, label in sample.criteria],
        "score_labels": dict(services.Score.choices), "mine": policies.may_acknowledge(actor, finding),
        "monitors": policies.can_monitor(actor, sample.setting_id),
    })


@login_required
@require_POST
def finding_acknowledge_view(request: HttpRequest, finding_id: int) -> HttpResponse:
    actor = _member(request)
    finding = selectors.access_finding(actor, finding_id)
    service_call(request, lambda: services.finding_acknowledge(actor=actor, finding=finding),
                 success="Findings acknowledged: the manager can see you have read them.")
    return redirect("care:monitoring_finding", finding.pk)
