"""The carer's forms in the portal: the half-termly check of the family's details (SCH-2), the enrolment form
(CC-P1) and their preferred contact method. Each page opens only for a family whose section the carer's access
opens (DATA_CHECK or FORMS: parental responsibility, no restriction); anything else is 404."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from keyworker.core import clock
from keyworker.core.errors import RuleViolation
from keyworker.datachecks import carer_side
from keyworker.enrolment import selectors as enrolment_selectors
from keyworker.enrolment import services as enrolment
from keyworker.enrolment.forms import EnrolmentAnswersForm
from keyworker.people.carer_access import DATA_CHECK, FORMS
from keyworker.people.models import ContactMethod

from .access import carer_required, section_required

CHANGE = "change-"


def _link(request: HttpRequest, section: str, family_id: int):
    request.carer.require(section, family_id)
    link = request.carer.link_for(family_id)
    if link is None:
        raise Http404
    return link


@carer_required
@section_required(DATA_CHECK, FORMS)
def index(request: HttpRequest) -> HttpResponse:
    """The forms of each family the carer may fill in: details to check, enrolment forms, contact preference."""
    today = clock.today()
    access = request.carer
    due = {link.family_id for link in carer_side.families_due(access, today)}
    forms_by_family: dict[int, list] = {}
    for row in enrolment_selectors.carer_enrolments(access, today):
        forms_by_family.setdefault(row.child.family_id, []).append(row)
    families = [
        {"link": link, "due": link.family_id in due, "enrolments": forms_by_family.get(link.family_id, []),
         "data_check": access.may(DATA_CHECK, link.family_id), "forms": access.may(FORMS, link.family_id)}
        for link in access.links if access.may(DATA_CHECK, link.family_id) or access.may(FORMS, link.family_id)
    ]
    return render(request, "portal/forms_index.html", {"families": families})


@carer_required
def data_check(request: HttpRequest, family_id: int) -> HttpResponse:
    link = _link(request, DATA_CHECK, family_id)
    today = clock.today()
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    top_error = ""
    if request.method == "POST":
        fc = carer_side.family_check(link, today)
        keys = {i.key for i in fc.items}
        posted = {k[len(CHANGE):]: v for k, v in request.POST.items() if k.startswith(CHANGE) and k[len(CHANGE):] in keys}
        typed = {k: v for k, v in posted.items() if v.strip()}
        action = request.POST.get("action", "")
        if not fc.due and fc.in_term:
            # Confirmed already this half term: only changes now (a new phone number), for the office to accept.
            try:
                carer_side.datacheck_portal_correct(link=link, changes=typed, as_of=today)
            except carer_side.FieldErrors as exc:
                errors = exc.errors
            except RuleViolation as exc:
                top_error = exc.message
            else:
                messages.success(request, "Thank you: your changes are waiting for the office.")
                return redirect("portal:forms_data_check", family_id)
        elif action == "confirm" and typed:
            top_error = ("You typed some changes. To send them to the office, press “Send my changes”; to confirm "
                         "without them, clear what you typed.")
        elif action == "changes" and not typed:
            top_error = "Type what is different next to the detail that is wrong, then press “Send my changes”."
        elif action not in ("confirm", "changes"):
            top_error = "Choose “Confirm, this is right” or “Send my changes”."
        else:
            try:
                carer_side.datacheck_portal_confirm(link=link, changes=typed, as_of=today)
            except carer_side.FieldErrors as exc:
                errors = exc.errors
            except RuleViolation as exc:
                top_error = exc.message
            else:
                messages.success(request, "Thank you: your changes are waiting for the office." if typed
                                 else "Thank you for confirming your family's details.")
                return redirect("portal:forms_data_check", family_id)
    fc = carer_side.family_check(link, today)
    sections = []
    for p in fc.children:
        sections.append({"title": p.child.preferred_name or p.child.legal_first_name, "rows": _rows(p.items, posted, errors)})
    for c in fc.carers:
        sections.append({"title": "You" if c.own else c.carer.full_name, "rows": _rows(c.items, posted, errors)})
    status = 400 if (errors or top_error) else 200
    return render(request, "portal/forms_data_check.html", {
        "family": link.family, "fc": fc, "sections": sections, "errors": errors, "top_error": top_error,
        "error_rows": [r for s in sections for r in s["rows"] if r["error"]],
    }, status=status)


def _rows(items, posted, errors):
    return [{"item": i, "name": f"{CHANGE}{i.key}", "id": "f-" + i.key.replace(".", "-"), "value": posted.get(i.key, ""),
             "error": errors.get(i.key, ""), "multiline": i.field in ("address", "medical_needs", "allergies")}
            for i in items]


@carer_required
def enrolment_form(request: HttpRequest, child_id: int) -> HttpResponse:
    today = clock.today()
    child = enrolment_selectors.carer_child(request.carer, child_id, today)
    link = _link(request, FORMS, child.family_id)
    saved = enrolment_selectors.carer_enrolments(request.carer, today, child.family_id)
    current = next((r.form for r in saved if r.child.pk == child.pk), None)
    if request.method == "POST" and (current is None or current.carer_may_edit):
        form = EnrolmentAnswersForm(request.POST)
        if form.is_valid():
            send = request.POST.get("action") == "send"
            try:
                enrolment.enrolment_save(link=link, child=child, answers=form.cleaned_data)
                if send:
                    enrolment.enrolment_send(link=link, child=child)
            except enrolment.FieldErrors as exc:
                for name, message in exc.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            except RuleViolation as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Sent to the setting: they will look at it and tell you if anything needs changing."
                                 if send else "Saved. You can come back and finish it any time.")
                return redirect("portal:forms_enrolment", child.pk)
        current = enrolment_selectors.carer_enrolments(request.carer, today, child.family_id)
        current = next((r.form for r in current if r.child.pk == child.pk), None)
        return render(request, "portal/forms_enrolment.html", {"child": child, "form": form, "saved": current}, status=400)
    form = EnrolmentAnswersForm(initial=EnrolmentAnswersForm.initial_from(current))
    return render(request, "portal/forms_enrolment.html", {"child": child, "form": form, "saved": current})


@carer_required
def contact_preference(request: HttpRequest, family_id: int) -> HttpResponse:
    link = _link(request, FORMS, family_id)
    error = ""
    if request.method == "POST":
        try:
            enrolment.contact_preference_set(link=link, method=request.POST.get("method", ""))
        except RuleViolation as exc:
            error = exc.message
        else:
            messages.success(request, "Saved: we will contact you this way when we can.")
            return redirect(reverse("portal:forms_contact", args=[family_id]))
    link.refresh_from_db(fields=["preferred_contact_method"])
    return render(request, "portal/forms_contact.html", {
        "family": link.family, "link": link, "choices": ContactMethod.choices, "error": error,
        "chosen": request.POST.get("method", link.preferred_contact_method),
    }, status=400 if error else 200)
