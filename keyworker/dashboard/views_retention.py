"""Retention, for the data protection officer: each kind of record's period (lengthened if the organisation chose),
how many records are past it today, and "Destroy" once they approve, kind by kind."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from keyworker.core import clock
from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.core.requests import member
from keyworker.core.retention import retention_destroy, retention_rule_set, retention_status
from keyworker.people.policies import require_handle_data_rights


class RuleForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput, max_length=64)
    years = forms.IntegerField(label="Years", min_value=1, max_value=100)


@login_required
def retention_view(request: HttpRequest) -> HttpResponse:
    actor = member(request)
    require_handle_data_rights(actor)
    org_id = actor.organisation_id
    today = clock.today()
    errors: dict[str, str] = {}
    if request.method == "POST":
        kind = request.POST.get("kind", "")[:64]
        try:
            if request.POST.get("action") == "destroy":
                try:
                    expected = int(request.POST.get("expected", ""))
                except ValueError:
                    expected = -1
                n = retention_destroy(organisation_id=org_id, kind_code=kind, as_of=today, approved_by=actor.user,
                                      expected=expected)
                messages.success(request, f"Destroyed {n} record{'s' if n != 1 else ''}. The audit log says what kind, how "
                                          "many, when and who approved; nothing they said is kept.")
                return redirect("week:retention")
            form = RuleForm(request.POST)
            if not form.is_valid():
                errors[kind] = "; ".join(e for errs in form.errors.values() for e in errs)
            else:
                years = retention_rule_set(organisation_id=org_id, kind_code=kind, years=form.cleaned_data["years"],
                                           by=actor.user)
                messages.success(request, f"Saved: kept {years} years.")
                return redirect("week:retention")
        except RuleViolation as exc:
            if exc.field == "years":
                errors[kind] = exc.message
            else:
                messages.error(request, exc.message)
                return redirect("week:retention")
    rows = retention_status(org_id, today)
    history = (AuditEvent.objects.filter(organisation_id=org_id, event_type="retention.destroyed")
               .select_related("actor").order_by("-created_at")[:20])
    return render(request, "dashboard/retention.html", {
        "rows": rows, "today": today, "errors": errors, "history": history,
        "posted": request.POST if errors else None,
    }, status=400 if errors else 200)
