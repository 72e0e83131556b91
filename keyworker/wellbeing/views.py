"""Wellbeing pages: the leaders' board, the concerns a person may see, raising a concern, one concern (follow-ups,
signposting, referrals, outcome), and the agency directory."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.accounts.policies import require_leader
from keyworker.core import clock
from keyworker.core.forms import form_submit
from keyworker.core.requests import int_param as _int
from keyworker.core.requests import member as _member
from keyworker.people.models import Child
from keyworker.people.selectors import access_family, families_visible_to

from . import policies, selectors, services
from .board import board_for
from .forms import (
    AgencyFilterForm,
    AgencyForm,
    BoardFilterForm,
    CloseForm,
    ConcernForm,
    FollowUpForm,
    ResponseForm,
)
from .models import Agency, ConcernStatus, FollowUpKind, WellbeingConcern, WellbeingFollowUp

PAGE_SIZE = 25
FAMILY_CHOICES_MAX = 500


def _concern_url(concern: WellbeingConcern) -> str:
    return reverse("wellbeing:concern", args=[concern.pk])


# The board ---------------------------------------------------------------------------------------------------


@login_required
def board(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    settings = policies.board_settings(actor)
    if not settings:
        require_leader(actor)  # 403: this person leads no setting
        raise Http404
    form = BoardFilterForm(request.GET or None, settings=settings)
    chosen = settings
    indicator = ""
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("setting"):
            chosen = [s for s in settings if s.pk == form.cleaned_data["setting"]]
        indicator = form.cleaned_data.get("indicator") or ""
    ids = [s.pk for s in chosen]
    as_of = clock.today(chosen[0].time_zone)
    concerns = WellbeingConcern.objects.filter(organisation_id=actor.organisation_id, setting_id__in=ids)
    return render(request, "wellbeing/board.html", {
        "board": board_for(concerns, ids, as_of, indicator), "form": form, "settings": chosen, "indicator": indicator,
        "can_edit_directory": actor.can(caps.MANAGE_SETUP),
    })


# Concerns ----------------------------------------------------------------------------------------------------


@login_required
def concern_list(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    status = request.GET.get("status", "open")
    qs = selectors.with_details(selectors.concerns_visible_to(actor))
    if status in ConcernStatus.values:
        qs = qs.filter(status=status)
    else:
        status = "all"
    page = Paginator(qs.order_by("-noticed_on", "-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "wellbeing/concern_list.html", {
        "page_obj": page, "concerns": list(page.object_list), "status": status, "query_string": f"status={status}",
        "is_leader": policies.leader_setting_ids(actor) != frozenset(),
    })


def _family_chooser(request: HttpRequest, actor: Actor) -> HttpResponse:
    families = list(families_visible_to(actor).order_by("name", "id")[:FAMILY_CHOICES_MAX])
    return render(request, "wellbeing/choose_family.html", {"families": families})


@login_required
def concern_new(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    raw = request.POST.get("family") or request.GET.get("family")
    if not raw:
        return _family_chooser(request, actor)
    family_id = _int(raw)
    if family_id is None:
        raise Http404("No such family")
    family = access_family(actor, family_id)
    children = list(Child.objects.filter(family_id=family.pk, left_on__isnull=True).order_by("date_of_birth", "id"))
    form = ConcernForm(request.POST or None, children=children, initial={"noticed_on": clock.today()})

    def save(data):
        concern = services.concern_raise(
            actor=actor, family=family, what_noticed=data["what_noticed"], areas=data["areas"], indicators=data["indicators"],
            children=[c for c in children if c.pk in set(data.get("children") or ())], noticed_on=data["noticed_on"],
        )
        return _concern_url(concern), f"Wellbeing concern about {family.name} raised: the leadership team has been told."
    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "wellbeing/concern_form.html", {
        "form": form, "family": family, "cancel_url": reverse("dashboard:family", args=[family.pk]),
    }, status=400 if request.method == "POST" else 200)


def _agencies(actor: Actor) -> list[Agency]:
    return list(selectors.agencies_search(selectors.agencies_visible_to(actor)))


def _concern_page(request: HttpRequest, actor: Actor, concern: WellbeingConcern, *, follow_up_form: FollowUpForm | None = None,
                  close_form: CloseForm | None = None, response_form: tuple[int, ResponseForm] | None = None,
                  status: int = 200) -> HttpResponse:
    follow_ups = selectors.follow_ups_of(concern)
    can_close = concern.is_open and policies.can_close(actor, concern)
    waiting = [f for f in follow_ups if f.kind == FollowUpKind.REFERRAL and not f.response]
    response_forms = {f.pk: ResponseForm(prefix=f"r{f.pk}") for f in waiting} if concern.is_open else {}
    if response_form is not None:
        response_forms[response_form[0]] = response_form[1]
    for f in follow_ups:
        f.response_form = response_forms.get(f.pk)
    return render(request, "wellbeing/concern_detail.html", {
        "concern": concern, "follow_ups": follow_ups, "children": list(concern.children.order_by("date_of_birth", "id")),
        "follow_up_form": (follow_up_form or FollowUpForm(agencies=_agencies(actor), initial={"happened_on": clock.today()}))
        if concern.is_open else None,
        "close_form": (close_form or CloseForm()) if can_close else None, "as_of": clock.today(concern.setting.time_zone),
    }, status=status)


@login_required
def concern_detail(request: HttpRequest, concern_id: int) -> HttpResponse:
    actor = _member(request)
    return _concern_page(request, actor, selectors.access_concern(actor, concern_id))


@login_required
@require_POST
def follow_up_add(request: HttpRequest, concern_id: int) -> HttpResponse:
    actor = _member(request)
    concern = selectors.access_concern(actor, concern_id)
    agencies = _agencies(actor)
    form = FollowUpForm(request.POST, agencies=agencies)

    def save(data):
        agency = next((a for a in agencies if a.pk == data["agency"]), None)
        follow_up = services.follow_up_record(
            actor=actor, concern=concern, kind=data["kind"], happened_on=data["happened_on"], note=data["note"], agency=agency,
            how=data["how"], told_family=data["told_family"], reference=data["reference"],
            consent_given=data["consent_given"], follow_up_on=data["follow_up_on"],
        )
        return _concern_url(concern), f"{follow_up.get_kind_display()} recorded for {concern.family.name}."
    if (done := form_submit(request, form, save, elsewhere=_concern_url(concern))) is not None:
        return done
    return _concern_page(request, actor, concern, follow_up_form=form, status=400)


@login_required
@require_POST
def referral_response(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    actor = _member(request)
    follow_up = (WellbeingFollowUp.objects.filter(pk=follow_up_id, concern__in=selectors.concerns_visible_to(actor).values("id"))
                 .first())
    if follow_up is None or follow_up.kind != FollowUpKind.REFERRAL:
        raise Http404("No such referral")
    concern = selectors.access_concern(actor, follow_up.concern_id)
    form = ResponseForm(request.POST, prefix=f"r{follow_up.pk}")

    def save(data):
        services.referral_response_record(actor=actor, follow_up=follow_up, response=data["response"],
                                          responded_on=data["responded_on"])
        return _concern_url(concern), "The agency's response is recorded."
    if (done := form_submit(request, form, save, elsewhere=_concern_url(concern))) is not None:
        return done
    return _concern_page(request, actor, concern, response_form=(follow_up.pk, form), status=400)


@login_required
@require_POST
def concern_close_view(request: HttpRequest, concern_id: int) -> HttpResponse:
    actor = _member(request)
    concern = selectors.access_concern(actor, concern_id)
    policies.require_close(actor, concern)
    form = CloseForm(request.POST)

    def save(data):
        services.concern_close(actor=actor, concern=concern, outcome=data["outcome"], summary=data["summary"])
        return _concern_url(concern), f"The wellbeing concern about {concern.family.name} is closed."
    if (done := form_submit(request, form, save, elsewhere=_concern_url(concern))) is not None:
        return done
    return _concern_page(request, actor, concern, close_form=form, status=400)


# The agency directory ----------------------------------------------------------------------------------------


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    form = AgencyFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    agencies = list(selectors.agencies_search(
        selectors.agencies_visible_to(actor), text=filters.get("q", ""), area=filters.get("area", ""),
        place=filters.get("place", ""), include_retired=bool(filters.get("retired")),
    ))
    return render(request, "wellbeing/agency_list.html", {
        "form": form, "agencies": agencies, "filtered": any(filters.values()) if filters else False,
        "can_edit": actor.can(caps.MANAGE_SETUP),
    })


def _agency_form_page(request: HttpRequest, actor: Actor, agency: Agency | None) -> HttpResponse:
    actor.require(caps.MANAGE_SETUP)
    initial = {} if agency is None else {f: getattr(agency, f) for f in services.AGENCY_FIELDS}
    form = AgencyForm(request.POST or None, initial=initial or {"is_active": True})

    def save(data):
        saved = services.agency_save(actor=actor, agency=agency, **data)
        return reverse("wellbeing:agencies"), f"{saved.name} saved in the agency directory."
    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "wellbeing/agency_form.html", {
        "form": form, "agency": agency, "title": f"Edit {agency.name}" if agency else "Add an agency",
        "cancel_url": reverse("wellbeing:agencies"),
    }, status=400 if request.method == "POST" else 200)


@login_required
def agency_new(request: HttpRequest) -> HttpResponse:
    return _agency_form_page(request, _member(request), None)


@login_required
def agency_edit(request: HttpRequest, agency_id: int) -> HttpResponse:
    actor = _member(request)
    return _agency_form_page(request, actor, selectors.access_agency(actor, agency_id))
