"""A setting's term dates from an iCalendar file (upload, preview, import) and as a feed for calendar apps."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.core.requests import member

from .models import Setting
from .policies import require_manage_setup
from .term_dates_ical import (
    MAX_BYTES,
    CalendarFileError,
    TermDatesPlan,
    term_dates_clashes,
    term_dates_feed,
    term_dates_import,
    term_dates_read,
)

PLAN_SALT = "keyworker.term-dates.plan"
FEED_SALT = "keyworker.term-dates.feed"
PLAN_MAX_AGE = 60 * 60  # the preview's plan is good for an hour


class TermDatesFileForm(forms.Form):
    file = forms.FileField(label="iCalendar file (.ics)", help_text="Your local authority's term dates, as an iCalendar or .ics file.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: a calendar of term dates "
                                        "is far smaller. Check that this is the right file.")
        return upload


def feed_token(setting: Setting) -> str:
    return signing.dumps(setting.pk, salt=FEED_SALT)


def _setting(request: HttpRequest, setting_id: int):
    actor = member(request)
    if actor is None:
        raise Http404
    setting = Setting.objects.filter(organisation_id=actor.organisation_id, pk=setting_id).first()
    if setting is None:
        raise Http404("No such setting")
    return actor, setting


@login_required
def term_dates_import_page(request: HttpRequest, setting_id: int) -> HttpResponse:
    """Step 1: choose the file; step 2: the preview, nothing written; step 3: import it all, or nothing."""
    actor, setting = _setting(request, setting_id)
    require_manage_setup(actor)
    back = reverse("organisations:setting", args=[setting.pk]) + "#term"
    form = TermDatesFileForm()
    context: dict = {"setting": setting, "form": form, "back": back}
    if request.method == "POST" and "plan" in request.POST:
        try:
            data = signing.loads(request.POST["plan"], salt=PLAN_SALT, max_age=PLAN_MAX_AGE)
            if data.get("setting") != setting.pk:
                raise signing.BadSignature
            plan = TermDatesPlan.from_data(data)
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            messages.error(request, "This preview has expired or was changed. Choose the file again.")
            return redirect("organisations:term_dates_import", setting_id=setting.pk)
        try:
            done = term_dates_import(actor=actor, setting=setting, plan=plan)
        except RuleViolation as exc:
            messages.error(request, exc.message)
            return redirect("organisations:term_dates_import", setting_id=setting.pk)
        messages.success(request, f"Imported {done.terms} terms, {done.half_terms} half terms and {done.closures} holidays "
                                  f"and INSET days for {setting}, from {on_screen(done.starts_on)} to {on_screen(done.ends_on)}.")
        return redirect(back)
    if request.method == "POST":
        form = TermDatesFileForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                plan = term_dates_read(form.cleaned_data["file"].read(), jurisdiction=setting.jurisdiction)
            except CalendarFileError as exc:
                form.add_error("file", str(exc))
            else:
                context.update(plan=plan, clashes=term_dates_clashes(setting, plan),
                               signed_plan=signing.dumps({**plan.as_data(), "setting": setting.pk}, salt=PLAN_SALT,
                                                         compress=True))
                context["n_half_terms"] = sum(len(t.half_terms) for t in plan.terms)
    return render(request, "organisations/term_dates_import.html", context, status=200)


@login_required
def term_dates_download(request: HttpRequest, setting_id: int) -> HttpResponse:
    """The setting's term dates as an .ics file, for any staff member of the organisation."""
    _, setting = _setting(request, setting_id)
    return _ics(setting, attachment=True)


def term_dates_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The public feed address of a setting's term dates (term dates are not personal: anyone with the address may
    subscribe). An address that was not issued is a 404."""
    try:
        setting_id = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        raise Http404("No such calendar") from None
    setting = Setting.objects.filter(pk=setting_id).first()
    if setting is None:
        raise Http404("No such calendar")
    return _ics(setting, attachment=False)


def _ics(setting: Setting, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(term_dates_feed(setting), content_type="text/calendar; charset=utf-8")
    if attachment:
        response["Content-Disposition"] = f'attachment; filename="term-dates-{setting.pk}.ics"'
    response["Cache-Control"] = "private, max-age=3600"
    return response
