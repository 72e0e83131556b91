"""Safeguarding pages: raise a concern (anyone), the team's dashboard, a concern, a child's chronology, search, the
access log, the child-protection file export, and the password check before restricted records are opened."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.accounts import restricted
from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.contacts.models import ContactLog
from keyworker.core import clock
from keyworker.core.forms import form_submit, service_call
from keyworker.core.requests import int_param as _int
from keyworker.core.requests import member as _member
from keyworker.people.models import Child
from keyworker.people.selectors import access_family

from . import exports, policies, selectors, services
from .forms import (
    CloseForm,
    ConcernForm,
    DateForm,
    EntryForm,
    SearchForm,
    StatusForm,
    TextForm,
    TransferForm,
)
from .models import AccessRoute, Concern, Entry, EntryKind

ENTRY_KINDS = ("action", "decision", "referral", "outcome")


FIELD_NAMES = {"happened_at": "happened_on"}


def _chronology_url(child: Child) -> str:
    return reverse("safeguarding:chronology", args=[child.pk])


def _team_child(request: HttpRequest, actor: Actor, child_id: int) -> Child:
    """A child whose chronology the actor reads; anyone else is told it does not exist (and the attempt is logged)."""
    child = selectors.child_in_organisation(actor, child_id)
    if not policies.is_team(actor, child.setting_id):
        services.concern_access_record(actor=actor, child=child, route=AccessRoute.PAGE, allowed=False, detail="chronology")
        raise Http404("No such record")
    return child


# Raising a concern --------------------------------------------------------------------------------------------


def _raise_context(actor: Actor, request: HttpRequest):
    """The subject child (fixed when raised from a child, chosen among the family's or any of the reporter's
    settings), the linked contact, and the choices for the other children."""
    source = request.POST if request.method == "POST" else request.GET
    reporter_children = selectors.children_for_reporter(actor).filter(left_on__isnull=True).select_related("group")
    contact = family = fixed = None
    if (contact_id := _int(source.get("contact"))) is not None:
        contact = ContactLog.objects.filter(pk=contact_id, organisation_id=actor.organisation_id).first()
        if contact is None or not contact.is_restricted or (
            not policies.can_link_contact(actor, contact)
        ):
            raise Http404("No such contact")
        family = contact.family
    elif (family_id := _int(source.get("family"))) is not None:
        family = access_family(actor, family_id)
    if (child_id := _int(source.get("child") if request.method == "GET" or not family else None)) is not None and not family:
        fixed = reporter_children.filter(pk=child_id).first()
        if fixed is None:
            raise Http404("No such child")
        family = fixed.family
    if family is not None:
        choices = reporter_children.filter(family_id=family.pk).order_by("date_of_birth", "id")
        if fixed is None and contact is not None:
            about = list(contact.children.values_list("id", flat=True))
            fixed = choices.filter(pk__in=about).first() if len(about) == 1 else None
    else:
        choices = reporter_children.order_by("legal_last_name", "legal_first_name", "id")
    return contact, family, fixed, choices, reporter_children


@login_required
def concern_raise(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    contact, family, fixed, choices, reporter_children = _raise_context(actor, request)
    setting = actor.settings().order_by("id").first()
    tz = (fixed.setting.time_zone if fixed else setting.time_zone if setting else "Europe/London")
    today = clock.today(tz)
    siblings = reporter_children.filter(family_id=family.pk).order_by("date_of_birth", "id") if family else None
    others = reporter_children.exclude(family_id=family.pk) if family else reporter_children
    initial = {"happened_on": today}
    if fixed is not None:
        initial["child"] = fixed.pk
    if contact is not None:
        initial["category"] = contact.safeguarding_category
        initial["happened_on"] = contact.happened_on
        if policies.is_team(actor, contact.setting_id):
            if not restricted.is_confirmed(request):
                return restricted.confirm_redirect(request)
            initial["what_happened"] = contact.write_up
    form = ConcernForm(request.POST or None, initial=initial, children=choices, siblings=siblings,
                       others=others.order_by("legal_last_name", "legal_first_name", "id"), tz=tz)
    form.fields["happened_on"].widget.attrs["max"] = today.isoformat()
    search = reverse("safeguarding:children_search")
    form.fields["others"].widget.attrs["data-search-url"] = f"{search}?not_family={family.pk}" if family else search
    if siblings is not None and len(form.fields["siblings"].queryset) < 2:
        del form.fields["siblings"]

    def save(data):
        concern = services.concern_raise(
            actor=actor, child=data["child"], category=data["category"], what_happened=data["what_happened"],
            happened_at=form.happened_at(), present=data["present"], lead_told=data["lead_told"], others=form.linked(),
            contact=contact,
        )
        return redirect("safeguarding:sent", concern.pk)
    if (done := form_submit(request, form, save, names=FIELD_NAMES)) is not None:
        return done
    return render(request, "safeguarding/raise.html", {
        "form": form, "family": family, "fixed": fixed, "contact": contact,
    }, status=400 if request.method == "POST" else 200)


@login_required
def children_search(request: HttpRequest) -> JsonResponse:
    """The "other pupils involved" picker's answers: children on roll whom the member of staff may name in a concern,
    by the words typed; nobody else's (an outsider gets 404, like every page of another organisation)."""
    actor = _member(request)
    query = (request.GET.get("q") or "").strip()[:80]
    found = selectors.children_matching(actor, query, not_family_id=_int(request.GET.get("not_family")))
    return JsonResponse({"results": [
        {"id": c.pk, "name": c.display_name, "label": f"{c.display_name} ({c.group.name})" if c.group_id else c.display_name}
        for c in found
    ]})


@login_required
def concern_sent(request: HttpRequest, concern_id: int) -> HttpResponse:
    """What the reporter sees afterwards: that it was sent, and whom to talk to. Nothing of what it says."""
    actor = _member(request)
    found = selectors.find_concern(actor, concern_id)
    concern = found.concern
    if not found.readable and concern.raised_by_id != actor.staff.pk:
        services.concern_access_record(actor=actor, concerns=[concern], route=AccessRoute.PAGE, allowed=False, detail="sent")
    names = selectors.talk_to(concern.organisation_id, [concern.setting_id]).get(concern.setting_id, [])
    return render(request, "safeguarding/sent.html", {
        "concern": concern, "is_reporter": concern.raised_by_id == actor.staff.pk, "team": found.readable,
        "talk_to": selectors.talk_to_text(names),
    })


# The password check -------------------------------------------------------------------------------------------


def confirm_password(request: HttpRequest) -> HttpResponse:
    """The confirmation moved to /accounts/confirm/ (one for every restricted record); old links still work."""
    return redirect(restricted.confirm_url(restricted.safe_next(request, reverse("safeguarding:dashboard"))))


def _unconfirmed(request: HttpRequest, actor: Actor, route: str = AccessRoute.PAGE, concerns=(), child=None,
                 back: str | None = None) -> HttpResponse | None:
    """The one rule (accounts.restricted): without a fresh confirmation, log the refused read and go to confirm."""
    if restricted.is_confirmed(request):
        return None
    services.concern_access_record(actor=actor, concerns=list(concerns), child=child, route=route, allowed=False,
                                   detail="confirmation required")
    if back is not None:
        return redirect(restricted.confirm_url(back))
    return restricted.confirm_redirect(request)


# The team's pages ---------------------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    if not policies.is_team(actor):
        names = selectors.talk_to(actor.organisation_id, actor.setting_ids)
        leads = sorted({n for ns in names.values() for n in ns})
        return render(request, "safeguarding/start.html", {"talk_to": selectors.talk_to_text(leads),
                                                           "actions": selectors.my_actions(actor), "today": clock.today()})
    setting = actor.settings().order_by("id").first()
    as_of = clock.today(setting.time_zone if setting else "Europe/London")
    board = selectors.dashboard(actor, as_of)
    if board.new_concerns:
        services.concern_access_record(actor=actor, concerns=board.new_concerns, route=AccessRoute.LIST, detail="dashboard")
    # What the actions say is chronology text: shown once the person has confirmed it is them (accounts.restricted).
    return render(request, "safeguarding/dashboard.html", {
        "board": board, "as_of": as_of, "actions": selectors.my_actions(actor), "confirmed": restricted.is_confirmed(request),
        "confirm_url": restricted.confirm_url(request.get_full_path()),
    })


@login_required
def concern_detail(request: HttpRequest, concern_id: int) -> HttpResponse:
    actor = _member(request)
    found = selectors.find_concern(actor, concern_id)
    concern = found.concern
    if not found.readable:
        services.concern_access_record(actor=actor, concerns=[concern], route=AccessRoute.PAGE, allowed=False)
        return render(request, "safeguarding/placeholder.html", {"talk_to": selectors.talk_to_text(found.talk_to)})
    return _concern_page(request, actor, concern)


def _concern_page(request, actor, concern, addendum_form=None, close_form=None, status=200) -> HttpResponse:
    back = reverse("safeguarding:concern", args=[concern.pk])
    if (refused := _unconfirmed(request, actor, concerns=[concern], back=back)) is not None:
        return refused
    services.concern_access_record(actor=actor, concerns=[concern], route=AccessRoute.PAGE)
    links = list(concern.links.select_related("child__group").order_by("child__legal_last_name", "child__legal_first_name"))
    return render(request, "safeguarding/concern.html", {
        "concern": concern, "links": links, "entries": selectors.concern_entries(concern),
        "accesses": list(concern.accesses.select_related("staff__user")[:20]),
        "addendum_form": addendum_form or TextForm(), "close_form": close_form or (CloseForm() if concern.is_open else None),
    }, status=status)


def _readable_concern(request: HttpRequest, concern_id: int) -> tuple[Actor, Concern]:
    actor = _member(request)
    found = selectors.find_concern(actor, concern_id)
    if not found.readable:
        services.concern_access_record(actor=actor, concerns=[found.concern], route=AccessRoute.PAGE, allowed=False)
        raise Http404("No such record")
    return actor, found.concern


@login_required
@require_POST
def concern_addendum(request: HttpRequest, concern_id: int) -> HttpResponse:
    actor, concern = _readable_concern(request, concern_id)
    form = TextForm(request.POST)

    def save(data):
        services.concern_addendum(actor=actor, concern=concern, text=data["text"])
        return reverse("safeguarding:concern", args=[concern.pk]), "Addendum added."
    if (done := form_submit(request, form, save, names=FIELD_NAMES)) is not None:
        return done
    return _concern_page(request, actor, concern, addendum_form=form, status=400)


@login_required
@require_POST
def concern_close(request: HttpRequest, concern_id: int) -> HttpResponse:
    actor, concern = _readable_concern(request, concern_id)
    form = CloseForm(request.POST)

    def save(data):
        services.concern_close(actor=actor, concern=concern, summary=data["text"])
        return reverse("safeguarding:concern", args=[concern.pk]), "Concern closed."
    if (done := form_submit(request, form, save, names=FIELD_NAMES)) is not None:
        return done
    return _concern_page(request, actor, concern, close_form=form, status=400)


def _team_staff(child: Child):
    return StaffMember.objects.filter(organisation_id=child.organisation_id, is_active=True).select_related("user").order_by(
        "user__full_name", "id")


@login_required
def chronology(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = _team_child(request, actor, child_id)
    return _chronology_page(request, actor, child)


def _chronology_page(request, actor, child, forms=None, status=200) -> HttpResponse:
    back = reverse("safeguarding:chronology", args=[child.pk])
    if (refused := _unconfirmed(request, actor, child=child, back=back)) is not None:
        return refused
    concerns, entries, lines = selectors.chronology(child)
    services.concern_access_record(actor=actor, concerns=concerns, child=child, route=AccessRoute.PAGE, detail="chronology")
    forms = forms or {}
    staff = _team_staff(child)
    entry_forms = [forms.get(k) or EntryForm(kind=k, concerns=concerns, staff=staff) for k in ENTRY_KINDS]
    transfers = [e for e in entries if e.kind == EntryKind.TRANSFER]
    today = clock.today(child.setting.time_zone)
    return render(request, "safeguarding/chronology.html", {
        "child": child, "concerns": concerns, "lines": lines, "entry_forms": entry_forms, "today": today,
        "status_form": forms.get("status") or StatusForm(initial={"status": child.protection_status}),
        "transfer_form": forms.get("transfer") or TransferForm(initial={"sent_on": today}),
        "transfers": transfers, "receipt_form": DateForm(initial={"on": today}),
        "flagged": selectors.flagged_allocations(child),
    }, status=status)


@login_required
@require_POST
def entry_add(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = _team_child(request, actor, child_id)
    kind = request.POST.get("kind", "")
    if kind not in ENTRY_KINDS:
        raise Http404("No such entry kind")
    concerns, _entries, _lines = selectors.chronology(child)
    form = EntryForm(request.POST, kind=kind, concerns=concerns, staff=_team_staff(child))

    def save(data):
        concern = next((c for c in concerns if c.pk == data.get("concern")), None)
        services.entry_add(
            actor=actor, child=child, kind=kind, text=data["text"], concern=concern, reason=data.get("reason", ""),
            assigned_to=data.get("assigned_to"), due_on=data.get("due_on"), agency=data.get("agency", ""),
            made_on=data.get("made_on"), reference=data.get("reference", ""), decision_due_on=data.get("decision_due_on"),
            follow_up_on=data.get("follow_up_on"),
        )
        return _chronology_url(child), f"{kind.capitalize()} added to the chronology."
    if (done := form_submit(request, form, save, names=FIELD_NAMES)) is not None:
        return done
    return _chronology_page(request, actor, child, forms={kind: form}, status=400)


@login_required
@require_POST
def status_change(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = _team_child(request, actor, child_id)
    form = StatusForm(request.POST)

    def save(data):
        _entry, flagged = services.protection_status_change(actor=actor, child=child, status=data["status"], reason=data["reason"])
        text = f"Protection status of {child.display_name} is now {child.get_protection_status_display().lower()}."
        if flagged:
            text += " The family's key worker must now be a teacher: the leaders have been told."
        return _chronology_url(child), text
    if (done := form_submit(request, form, save, names=FIELD_NAMES)) is not None:
        return done
    return _chronology_page(request, actor, child, forms={"status": form}, status=400)


def _team_entry(request: HttpRequest, entry_id: int) -> tuple[Actor, Entry]:
    actor = _member(request)
    entry = Entry.objects.select_related("child__setting").filter(pk=entry_id, organisation_id=actor.organisation_id).first()
    if entry is None:
        raise Http404("No such record")
    if entry.kind == EntryKind.ACTION and entry.assigned_to_id == actor.staff.pk:
        return actor, entry  # the member of staff the action was given to
    if not policies.is_team(actor, entry.child.setting_id):
        services.concern_access_record(actor=actor, child=entry.child, route=AccessRoute.PAGE, allowed=False, detail="entry")
        raise Http404("No such record")
    return actor, entry


@login_required
@require_POST
def entry_update(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Mark an action done, record a referral's answer, or confirm a file's receipt."""
    actor, entry = _team_entry(request, entry_id)
    form = DateForm(request.POST)
    if entry.kind == EntryKind.ACTION:
        service_call(request, lambda: services.action_done(actor=actor, entry=entry), success="Action marked done.")
    elif form.is_valid() and entry.kind == EntryKind.REFERRAL:
        service_call(request, lambda: services.referral_response(actor=actor, entry=entry, response_on=form.cleaned_data["on"]),
                     success="Answer to the referral recorded.")
    elif form.is_valid() and entry.kind == EntryKind.TRANSFER:
        service_call(request, lambda: services.transfer_receipt(actor=actor, entry=entry, receipt_on=form.cleaned_data["on"]),
                     success="Receipt confirmed.")
    else:
        messages.error(request, "Enter a real date, for example 18/11/2026.")
    if not policies.is_team(actor, entry.child.setting_id):
        return redirect("safeguarding:dashboard")
    return redirect("safeguarding:chronology", entry.child_id)


@login_required
@require_POST
def transfer(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = _team_child(request, actor, child_id)
    form = TransferForm(request.POST)

    def save(data):
        services.transfer_record(actor=actor, child=child, sent_on=data["sent_on"], sent_to=data["sent_to"])
        return _chronology_url(child), "File transfer recorded. Confirm receipt when the receiving school tells you."
    if (done := form_submit(request, form, save, names=FIELD_NAMES)) is not None:
        return done
    return _chronology_page(request, actor, child, forms={"transfer": form}, status=400)


@login_required
def export(request: HttpRequest, child_id: int, fmt: str) -> HttpResponse:
    """The child-protection file for the receiving school's safeguarding lead: PDF or JSON; the export is logged."""
    actor = _member(request)
    if fmt not in ("pdf", "json"):
        raise Http404("No such format")
    child = _team_child(request, actor, child_id)
    if (refused := _unconfirmed(request, actor, AccessRoute.EXPORT, child=child)) is not None:
        return refused
    concerns, entries, lines = selectors.chronology(child)
    services.concern_access_record(actor=actor, concerns=concerns, child=child, route=AccessRoute.EXPORT, detail=fmt)
    data = exports.child_protection_file(child, concerns, entries, lines, exported_by=actor.user.full_name)
    name = f"child-protection-file-{child.pk}"
    if fmt == "json":
        response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    else:
        response = HttpResponse(exports.pdf(data), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def search(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    if not policies.is_team(actor):
        services.concern_access_record(actor=actor, route=AccessRoute.SEARCH, allowed=False)
        raise Http404
    if (refused := _unconfirmed(request, actor, AccessRoute.SEARCH)) is not None:
        return refused
    form = SearchForm(request.GET or None)
    hits = None
    if form.is_bound and form.is_valid():
        q = form.cleaned_data["q"]
        hits = selectors.search(actor, q)
        services.concern_access_record(actor=actor, concerns=hits, route=AccessRoute.SEARCH, detail=q)
    return render(request, "safeguarding/search.html", {"form": form, "hits": hits},
                  status=400 if form.is_bound and not form.is_valid() else 200)


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    if not policies.is_team(actor):
        services.concern_access_record(actor=actor, route=AccessRoute.LIST, allowed=False, detail="access log")
        raise Http404
    if (refused := _unconfirmed(request, actor, AccessRoute.LIST, back=reverse("safeguarding:access_log"))) is not None:
        return refused
    page = Paginator(selectors.access_log(actor), 50).get_page(request.GET.get("page"))
    return render(request, "safeguarding/access_log.html", {"page_obj": page})
