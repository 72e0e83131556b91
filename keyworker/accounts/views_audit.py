"""The audit log pages: leaders search who did what and when; the data protection officer exports it as CSV."""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from keyworker.core import clock
from keyworker.core.audit import audit_record

from . import audit_log
from .access import Actor
from .policies import can_export_audit, can_search_audit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditSearchForm(forms.Form):
    person = forms.ModelChoiceField(label="Person", queryset=None, required=False, empty_label="Anyone")
    event_type = forms.ChoiceField(label="Event", required=False)
    date_from = forms.DateField(label="From", required=False, widget=DATE)
    date_to = forms.DateField(label="To", required=False, widget=DATE)
    q = forms.CharField(label="Words in the summary", required=False, max_length=100)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = audit_log.people(actor)
        self.fields["person"].label_from_instance = lambda u: u.full_name or u.email
        self.fields["event_type"].choices = [("", "Any event"), *((t, t) for t in audit_log.event_types(actor))]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> audit_log.AuditFilters:
        d = self.cleaned_data
        return audit_log.AuditFilters(
            person=d["person"].pk if d.get("person") else None, event_type=d.get("event_type") or "",
            date_from=d.get("date_from"), date_to=d.get("date_to"), text=(d.get("q") or "").strip(),
        )


def _searcher(request: HttpRequest) -> Actor:
    actor = request.actor
    if not can_search_audit(actor):
        raise Http404  # the log's existence is not for everyone
    return actor


def _form(request: HttpRequest, actor: Actor) -> AuditSearchForm:
    return AuditSearchForm(request.GET or None, actor=actor)  # bound (and validated below) once anything is asked


@login_required
def audit_search(request: HttpRequest) -> HttpResponse:
    actor = _searcher(request)
    form = _form(request, actor)
    if form.is_bound and not form.is_valid():
        events, status = audit_log.audit_events_for(actor, audit_log.AuditFilters()).none(), 400
    else:
        events, status = audit_log.audit_events_for(actor, form.filters() if form.is_bound else audit_log.AuditFilters()), 200
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    page.object_list = audit_log.with_actor_names(list(page.object_list))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(request, "accounts/audit_log.html", {
        "form": form, "page_obj": page, "query_string": urlencode(query),
        "can_export": can_export_audit(actor), "filtered": bool(query),
    }, status=status)


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    actor = _searcher(request)
    if not can_export_audit(actor):
        raise Http404
    form = _form(request, actor)
    if form.is_bound and not form.is_valid():
        return audit_search(request)
    filters = form.filters() if form.is_bound else audit_log.AuditFilters()
    # The export is itself audited, before the file goes out.
    audit_record(organisation_id=actor.organisation_id, actor=actor.user, event_type="audit.exported",
                 summary="Audit log exported as CSV",
                 data={k: str(v) for k, v in filters.__dict__.items() if v not in (None, "") and k != "time_zone"})
    response = StreamingHttpResponse(audit_log.export_rows(audit_log.audit_events_for(actor, filters)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{clock.today():%Y-%m-%d}.csv"'
    return response
