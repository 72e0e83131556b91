"""Attendance pages: the class register (for a tablet), a child's year at a glance, a class's rates, the "N" marks
the office must replace, and the import of marks from the MIS."""

import datetime as dt
from collections import defaultdict
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from keyworker.core import clock
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.core.exports import download_links, table_download, wanted
from keyworker.core.forms import service_errors
from keyworker.core.uploads import too_large_message, upload_limits, upload_refusal
from keyworker.organisations.calendar import TermCalendar

from . import policies, selectors
from .challenge import outstanding_not_known
from .codes import NOT_YET_KNOWN, PRESENT_AM, PRESENT_PM
from .ctf import ctf_attendance_import, require_ctf_importer, summaries_for_child
from .forms import concern_values, parse_date, pattern_values, register_codes, thresholds_from, tier_inputs
from .importing import marks_import, require_importer
from .models import AttendanceCode, Category, Session
from .selectors import Range, Rates
from .services import MarkEntry, MarksRefused, codes_for, marks_record_bulk
from .trend import trend

MAX_RANGE_DAYS = 400


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = policies.member(request.actor)
    return render(request, "attendance/index.html", {
        "groups": policies.groups_for_register(actor), "is_office": policies.is_office(actor),
        "can_import": actor.can("imports.run"), "can_set_up": actor.can("setup.manage"),
    })


# The class register ------------------------------------------------------------------------------------------


def _code_groups(codes: list[AttendanceCode]) -> list[tuple[str, list[AttendanceCode]]]:
    grouped: dict[str, list[AttendanceCode]] = defaultdict(list)
    for c in codes:
        grouped[c.category].append(c)
    return [(Category(cat).label, grouped[cat]) for cat in Category.values if grouped[cat]]


@login_required
def register(request: HttpRequest, group_id: int) -> HttpResponse:
    actor = request.actor
    group = policies.access_group(actor, group_id)
    setting = group.setting
    today = clock.today(setting.time_zone)
    day = parse_date(request.POST.get("date") or request.GET.get("date")) or today
    session = (request.POST.get("session") or request.GET.get("session") or "").upper()
    if session not in Session.values:
        session = selectors.default_session(setting, clock.now())
    calendar = TermCalendar.for_setting(setting)
    school_day = calendar.is_school_day(day)
    codes = sorted(codes_for({setting.jurisdiction}).values(), key=lambda c: c.order)
    by_code = {c.code: c for c in codes}
    present = PRESENT_AM if session == Session.AM else PRESENT_PM
    children = selectors.register_children(group, day) if school_day and day <= today else []
    errors: dict[int, str] = {}
    general: list[str] = []
    chosen: dict[int, str] = {}
    reason = ""
    filled = None
    if request.method == "POST" and children and request.POST.get("fill") == "present":
        # "Mark all present" without the page's script: every pupil with no mark yet is shown as present, nothing is
        # saved; staff change the exceptions and save as usual.
        marks = selectors.register_marks(group, day, session)
        chosen = register_codes(request.POST, children)
        unmarked = [c for c in children if c.pk not in chosen and c.pk not in marks]
        chosen.update({c.pk: present for c in unmarked})
        filled = len(unmarked)
    elif request.method == "POST" and children:
        reason = request.POST.get("reason", "")[:300]
        chosen = register_codes(request.POST, children)
        entries = [MarkEntry(child, day, session, chosen[child.pk]) for child in children if child.pk in chosen]
        if not entries:
            general.append("Choose a mark for at least one child.")
        else:
            try:
                result = marks_record_bulk(actor=actor, entries=entries, reason=reason)
            except MarksRefused as exc:
                for p in exc.problems:
                    errors[entries[p.index].child.pk] = p.message
            except RuleViolation as exc:
                general.append(exc.message)
            else:
                messages.success(request, f"Register saved for {group.name}, {on_screen(day)} ({Session(session).label.lower()}): "
                                          f"{result.created} recorded, {result.changed} changed.")
                query = urlencode({"date": day.isoformat(), "session": session})
                return redirect(f"{reverse('attendance:register', args=[group.pk])}?{query}")
    marks = selectors.register_marks(group, day, session) if children else {}
    rows = []
    for child in children:
        mark = marks.get(child.pk)
        current = chosen.get(child.pk) or (mark.code.code if mark else "")
        rows.append({
            "child": child, "mark": mark, "current": current, "error": errors.get(child.pk),
            "other": current if current and current not in (present, NOT_YET_KNOWN) else "",
        })
    status = 400 if (errors or general) else 200
    return render(request, "attendance/register.html", {
        "group": group, "setting": setting, "day": day, "session": session, "sessions": Session.choices,
        "school_day": school_day, "why_not": calendar.describe(day), "future": day > today, "today": today,
        "rows": rows, "present": by_code.get(present), "not_known": by_code.get(NOT_YET_KNOWN),
        "code_groups": _code_groups(codes), "errors": errors, "general": general, "reason": reason,
        "marked": sum(1 for r in rows if r["mark"]), "filled": filled,
    }, status=status)


# Rates ---------------------------------------------------------------------------------------------------------


def _range(request: HttpRequest, calendar: TermCalendar, today: dt.date) -> tuple[Range, list[Range], str]:
    """The range asked for (a named period, or from/to), the named periods, and a message if the input was wrong."""
    named = selectors.periods(calendar, today)
    start, end = parse_date(request.GET.get("from")), parse_date(request.GET.get("to"))
    if start or end:
        if not (start and end):
            return named[-1], named, "Enter both dates of the range."
        if end < start:
            return named[-1], named, "The end of the range is before its start."
        if (end - start).days > MAX_RANGE_DAYS:
            return named[-1], named, f"Choose a range of {MAX_RANGE_DAYS} days or fewer."
        return Range("custom", f"{on_screen(start)} to {on_screen(end)}", start, end), named, ""
    key = request.GET.get("period") or "year"
    chosen = next((p for p in named if p.key == key), named[-1])
    return chosen, named, ""


RATE_COLUMNS = ["Child", "Class", "Possible sessions", "Present", "Authorised absence", "Unauthorised absence",
                "Attendance (%)", "Persistent or severe absence"]


def _rate_rows(rows: list[dict], group_name: str | None = None):
    """`group_name`: the class of every row (the class page); else each child's group, selected with it."""
    for row in rows:
        r, child = row["rates"], row["child"]
        yield [child.display_name, group_name if group_name is not None else (child.group.name if child.group_id else ""), r.possible, r.present,
               r.authorised, r.unauthorised, r.attendance_pct, {"severe": "Severe", "persistent": "Persistent"}.get(row["band"], "")]


@login_required
def class_overview(request: HttpRequest, group_id: int) -> HttpResponse:
    actor = request.actor
    group = policies.access_group(actor, group_id)
    setting = group.setting
    today = clock.today(setting.time_zone)
    calendar = TermCalendar.for_setting(setting)
    chosen, named, problem = _range(request, calendar, today)
    children = list(selectors.on_roll(
        selectors.Child.objects.filter(organisation_id=group.organisation_id, group_id=group.pk), chosen.start, chosen.end
    ).order_by("legal_last_name", "legal_first_name", "id"))
    rates = selectors.rates_by_child(group.organisation_id, [c.pk for c in children], chosen.start, chosen.end)
    limits = selectors.thresholds(group.organisation_id)
    rows = []
    total = Rates()
    for child in children:
        r = rates.get(child.pk, selectors.EMPTY)
        total = total + r
        rows.append({"child": child, "rates": r, "band": selectors.band(r, limits)})
    rows.sort(key=lambda row: (row["rates"].exact_attendance() is None, row["rates"].exact_attendance() or 0, row["child"].legal_last_name))
    if not problem and (fmt := wanted(request)):
        return table_download(request, fmt, actor=actor, name=f"attendance-{group.name}", title=f"Attendance {group.name}",
                              columns=RATE_COLUMNS, rows=_rate_rows(rows, group.name), as_of=chosen.end)
    year_start = calendar.school_year_start(today) or today.replace(month=9, day=1)
    return render(request, "attendance/class_overview.html", {
        "group": group, "rows": rows, "total": total, "chosen": chosen, "periods": named, "problem": problem,
        "limits": limits, "flagged": sum(1 for r in rows if r["band"]),
        "trend": trend(group.organisation_id, year_start, today, limits.persistent_at_or_below, limits.severe_at_or_below,
                       group_id=group.pk),
        "about": group.name, "downloads": download_links(request),
    }, status=400 if problem else 200)


def _months(start: dt.date, end: dt.date, marks_by_day: dict, calendar: TermCalendar, today: dt.date) -> list[dict]:
    """Months from start to end as weeks of Monday to Friday, each day with its marks (or why it is no school day)."""
    months = []
    first = start.replace(day=1)
    while first <= end:
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        weeks: list[list[dict | None]] = []
        day = first - dt.timedelta(days=first.weekday())
        while day < nxt:
            week = []
            for i in range(5):
                d = day + dt.timedelta(days=i)
                if d.month != first.month:
                    week.append(None)
                    continue
                school = calendar.is_school_day(d)
                sessions = []
                for session, label in (("AM", "Morning"), ("PM", "Afternoon")):
                    m = marks_by_day.get((d, session))
                    if m is None:
                        sessions.append((label, "·", "none", "no mark"))
                    else:
                        sessions.append((label, m.code.code, m.code.category if m.code.possible else "not_possible", m.code.meaning))
                week.append({"date": d, "sessions": sessions, "school": school, "why": "" if school else calendar.describe(d),
                             "future": d > today})
            if any(week):
                weeks.append(week)
            day += dt.timedelta(days=7)
        months.append({"first": first, "weeks": weeks})
        first = nxt
    return months


@login_required
def child_attendance(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = request.actor
    child = selectors.access_child_attendance(actor, child_id)
    setting = child.setting
    today = clock.today(setting.time_zone)
    calendar = TermCalendar.for_setting(setting)
    named = selectors.periods(calendar, today)
    year_start = calendar.school_year_start(today) or today.replace(month=9, day=1)
    year_terms = [t for t in calendar.terms if t.starts_on >= year_start]
    year_end = max([t.ends_on for t in year_terms if t.school_year == year_terms[0].school_year], default=today) if year_terms else today
    marks = selectors.child_marks(child, year_start, today)
    by_day = {(m.date, m.session): m for m in marks}
    limits = selectors.thresholds(child.organisation_id)
    summary = []
    for p in named:
        counts = {"present": 0, "authorised": 0, "unauthorised": 0, "not_possible": 0}
        for m in marks:
            if p.start <= m.date <= p.end:
                counts["not_possible" if not m.code.possible else m.code.category] += 1
        r = Rates(**counts)
        summary.append({"period": p, "rates": r, "band": selectors.band(r, limits)})
    used = sorted({m.code for m in marks}, key=lambda c: c.order)
    return render(request, "attendance/child.html", {
        "child": child, "summary": summary, "months": _months(year_start, year_end, by_day, calendar, today), "today": today,
        "marks": marks, "used_codes": used, "limits": limits, "categories": Category.choices,
        "can_record": policies.can_record_for(actor, child),
        "previous_years": summaries_for_child(child),
        "trend": trend(child.organisation_id, year_start, today, limits.persistent_at_or_below, limits.severe_at_or_below,
                       child_id=child.pk),
        "about": child.display_name,
    })


# The office ----------------------------------------------------------------------------------------------------


@login_required
def unexplained(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    policies.require_office(actor)
    setting_ids = None if actor.has_organisation_scope else set(actor.setting_ids)
    today = clock.today()
    limits = selectors.thresholds(actor.organisation_id)
    items = outstanding_not_known(actor, today, limits.replace_n_within_school_days, setting_ids)
    return render(request, "attendance/unexplained.html", {
        "items": items, "today": today, "days": limits.replace_n_within_school_days,
        "overdue": sum(1 for i in items if i.overdue),
    })


def _upload_page(request: HttpRequest, actor, *, run, choose: str, done, page: str, template: str) -> HttpResponse:
    """An all-or-nothing file import page: the upload checked, `run` imports it, a report per row when refused.

    The file is read in the request and never stored: Django removes its temporary copy when the request ends."""
    report = None
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        limits = upload_limits()
        if upload is None:
            error = upload_refusal(request) or choose
        elif upload.size > limits.max_bytes:
            error = too_large_message(limits)
        else:
            try:
                report = run(actor=actor, name=upload.name, data=upload.read())
            except RuleViolation as exc:
                error = exc.message
        if report is not None and report.ok:
            messages.success(request, done(report))
            return redirect(page)
    status = 400 if (error or (report and not report.ok)) else 200
    return render(request, template, {"report": report, "error": error}, status=status)


@login_required
def import_marks(request: HttpRequest) -> HttpResponse:
    actor = policies.member(request.actor)
    require_importer(actor)
    return _upload_page(
        request, actor, run=marks_import, choose="Choose a CSV file (.csv) or an Excel workbook (.xlsx).",
        done=lambda r: f"Imported {r.rows} rows: {r.created} marks recorded, {r.changed} changed, {r.unchanged} already recorded.",
        page="attendance:import", template="attendance/import.html",
    )



@login_required
def settings_edit(request: HttpRequest) -> HttpResponse:
    """The organisation's thresholds for persistent and severe absence, and the days allowed to replace an "N"."""

    from keyworker.accounts import capabilities as caps

    from .services import attendance_settings, attendance_settings_save

    actor = policies.member(request.actor)
    actor.require(caps.MANAGE_SETUP)
    current = attendance_settings(actor.organisation_id)
    values = {"persistent_at_or_below": str(current.persistent_at_or_below.normalize()),
              "severe_at_or_below": str(current.severe_at_or_below.normalize()),
              "replace_n_within_school_days": str(current.replace_n_within_school_days)}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, parsed, errors = thresholds_from(request.POST, values)
        if not errors and service_errors(lambda: attendance_settings_save(actor=actor, **parsed), errors,
                                         default="severe_at_or_below"):
            messages.success(request, "Attendance thresholds saved.")
            return redirect("attendance:settings")
    return render(request, "attendance/settings.html", {"values": values, "errors": errors},
                  status=400 if errors else 200)


@login_required
def concerns(request: HttpRequest) -> HttpResponse:
    """Children of a setting at or below the persistent-absence threshold, lowest first: what the key workers flag to
    the deputy head (SCH-5), for leaders and the office. Fixed queries whatever the number of children."""
    actor = request.actor
    policies.require_office(actor)
    settings = list(actor.settings().order_by("name", "id"))
    if not settings:
        raise Http404
    chosen_id = request.GET.get("setting", "")
    setting = next((s for s in settings if str(s.pk) == chosen_id), settings[0])
    today = clock.today(setting.time_zone)
    calendar = TermCalendar.for_setting(setting)
    chosen, named, problem = _range(request, calendar, today)
    on_roll = selectors.on_roll(
        selectors.Child.objects.filter(organisation_id=setting.organisation_id, setting_id=setting.pk), chosen.start, chosen.end
    )
    rates = selectors.rates_by_child(setting.organisation_id, on_roll, chosen.start, chosen.end)
    limits = selectors.thresholds(setting.organisation_id)
    flagged = {pk: r for pk, r in rates.items() if selectors.band(r, limits)}
    children = {c.pk: c for c in selectors.Child.objects.filter(pk__in=list(flagged)).select_related("group", "family")}
    rows = sorted(
        ({"child": children[pk], "rates": r, "band": selectors.band(r, limits)} for pk, r in flagged.items() if pk in children),
        key=lambda row: (row["rates"].exact_attendance(), row["child"].legal_last_name),
    )
    total = sum(rates.values(), Rates())
    if not problem and (fmt := wanted(request)):
        return table_download(request, fmt, actor=actor, name="attendance-concerns", title=f"Absence {setting.name}",
                              columns=RATE_COLUMNS, rows=_rate_rows(rows), as_of=chosen.end)
    return render(request, "attendance/concerns.html", {
        "setting": setting, "settings": settings, "rows": rows, "chosen": chosen, "periods": named, "problem": problem,
        "limits": limits, "total": total, "counted": len(rates), "severe": sum(1 for r in rows if r["band"] == "severe"),
        "downloads": download_links(request),
    }, status=400 if problem else 200)


# Escalation: attendance concerns, their action log, and the tiers ---------------------------------------------


def _escalation():
    from . import escalation

    return escalation


@login_required
def concern_list(request: HttpRequest) -> HttpResponse:
    """Attendance concerns for leaders (their settings) and key workers (their own children): filter by tier and by
    open or closed, highest tier and oldest follow-up first. Fixed queries whatever the number of concerns."""
    esc = _escalation()
    actor = policies.member(request.actor)
    if not (actor.is_leader or actor.is_key_worker):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only leaders and key workers can see attendance concerns.")
    tiers = esc.tiers_for(actor.organisation_id)
    status = request.GET.get("status", "open")
    if status not in ("open", "closed", "all"):
        status = "open"
    tier = request.GET.get("tier", "")
    qs = esc.concerns_visible_to(actor).select_related("child__group", "child__family", "setting")
    if status != "all":
        qs = qs.filter(status=status)
    if tier.isdigit():
        qs = qs.filter(tier_order=int(tier))
    concerns = list(qs.order_by("-tier_order", "follow_up_by", "child__legal_last_name", "id")[:500])
    return render(request, "attendance/concern_list.html", {
        "concerns": concerns, "tiers": tiers, "status": status, "tier": tier, "today": clock.today(),
        "can_set_up": actor.can("setup.manage"),
    })


@login_required
def concern_detail(request: HttpRequest, concern_id: int) -> HttpResponse:
    """A child's attendance concern: rate, tier history, pattern, action log; log an action; leaders close it."""
    esc = _escalation()
    actor = policies.member(request.actor)
    concern = esc.access_concern(actor, concern_id)
    today = clock.today(concern.setting.time_zone)
    errors: dict[str, str] = {}
    values = {"text": "", "happened_on": today.isoformat(), "follow_up_on": "", "outcome": ""}
    if request.method == "POST":
        what = request.POST.get("do", "action")
        values.update(concern_values(request.POST, values))

        def save():
            if what == "close":
                esc.concern_close(actor=actor, concern=concern, outcome=values["outcome"], today=today)
                messages.success(request, "Concern closed.")
                return
            follow = None
            if values["follow_up_on"]:
                follow = parse_date(values["follow_up_on"])
                if follow is None:
                    raise RuleViolation("Enter the follow-up date, for example 2026-11-25.", field="follow_up_on")
            esc.concern_action_add(actor=actor, concern=concern, text=values["text"], happened_on=parse_date(values["happened_on"]),
                                   follow_up_on=follow, today=today)
            messages.success(request, "Action logged.")
        if service_errors(save, errors, default="text"):
            return redirect("attendance:concern", concern.pk)
    actions = list(concern.actions.select_related("recorded_by").order_by("happened_on", "recorded_at", "id"))
    limits = selectors.thresholds(concern.organisation_id)
    calendar = TermCalendar.for_setting(concern.setting)
    year = selectors.period(calendar, today, "year")
    rates = selectors.rates_total(concern.organisation_id, year.start, year.end, child_id=concern.child_id) if year else None
    return render(request, "attendance/concern_detail.html", {
        "concern": concern, "child": concern.child, "actions": actions, "rates": rates, "year": year, "limits": limits,
        "history": [a for a in actions if a.kind in ("opened", "raised")], "errors": errors, "values": values,
        "can_close": esc.can_close(actor, concern), "today": today,
        "overdue": concern.status == "open" and concern.follow_up_by is not None and concern.follow_up_by < today,
    }, status=400 if errors else 200)


@login_required
def escalation_setup(request: HttpRequest) -> HttpResponse:
    """Leaders set the tiers (threshold, who is told, the follow-up and its days) and the patterns."""
    from keyworker.accounts import capabilities as caps

    esc = _escalation()
    actor = policies.member(request.actor)
    actor.require(caps.MANAGE_SETUP)
    tiers = esc.tiers_for(actor.organisation_id)
    rules = esc.escalation_settings(actor.organisation_id)
    roles = esc.role_choices(actor.organisation_id)
    rows = [esc.TierInput(t.name, str(t.at_or_below.normalize()), list(t.notify_roles), t.follow_up, str(t.follow_up_school_days))
            for t in tiers]
    patterns = {"minimum_sessions": str(rules.minimum_sessions), "recent_enabled": rules.recent_enabled,
                "recent_absences": str(rules.recent_absences), "recent_sessions": str(rules.recent_sessions),
                "weekday_enabled": rules.weekday_enabled, "weekday_weeks": str(rules.weekday_weeks)}
    errors: dict[str, str] = {}
    if request.method == "POST":
        rows = tier_inputs(request.POST)
        patterns = pattern_values(request.POST, patterns)
        if service_errors(lambda: esc.escalation_setup_save(actor=actor, tiers=rows, patterns=patterns), errors,
                          default="tier-0-name"):
            messages.success(request, "Escalation tiers saved.")
            return redirect("attendance:escalation_setup")
        rows = [r for r in rows if r.name.strip() or r.at_or_below.strip()]
    while len(rows) < min(len(rows) + 1, esc.MAX_TIERS):
        rows.append(esc.TierInput())
    return render(request, "attendance/concern_tiers.html", {
        "rows": [(i, r, {k: errors.get(f"tier-{i}-{k}") for k in ("name", "at_or_below", "notify_roles", "follow_up",
                                                                    "follow_up_school_days")}) for i, r in enumerate(rows)],
        "roles": roles, "patterns": patterns, "errors": errors,
    }, status=400 if errors else 200)


# Transfer files (CTF) --------------------------------------------------------------------------------------------


@login_required
def import_ctf(request: HttpRequest) -> HttpResponse:
    """Upload a Common Transfer File: each pupil's attendance by school year (Attendance/YearData)."""
    actor = policies.member(request.actor)
    require_ctf_importer(actor)
    return _upload_page(
        request, actor, run=ctf_attendance_import, choose="Choose a Common Transfer File (.xml).",
        done=lambda r: f"Attendance of {r.pupils} pupil{'s' if r.pupils != 1 else ''} imported: "
                       f"{r.created} school years added, {r.updated} updated.",
        page="attendance:import_ctf", template="attendance/import_ctf.html",
    )


# Childcare sessions ----------------------------------------------------------------------------------------------


@login_required
def room_sessions(request: HttpRequest, group_id: int) -> HttpResponse:
    """A childcare room's register for a day: the children booked, ticked attended or absent with a reason."""
    from . import sessions as care
    from .models import CareAbsenceReason, CareStatus

    actor = policies.member(request.actor)
    group = care.access_room(actor, group_id)
    today = clock.today(group.setting.time_zone)
    day = parse_date(request.POST.get("date") or request.GET.get("date")) or today
    errors: dict[int, str] = {}
    error = ""
    status = 200
    sessions = care.room_day(group, day)
    if request.method == "POST":
        outcomes = [care.SessionOutcome(s.pk, request.POST.get(f"status-{s.pk}", s.status), request.POST.get(f"reason-{s.pk}", ""),
                                   request.POST.get(f"note-{s.pk}", "")) for s in sessions]
        try:
            changed = care.care_register_save(actor=actor, group=group, date=day, outcomes=outcomes)
        except care.OutcomesRefused as exc:
            errors = {p.session_id: p.message for p in exc.problems}
            error = f"{len(errors)} session{'s' if len(errors) != 1 else ''} could not be recorded: nothing was saved."
            status = 400
        except RuleViolation as exc:
            error, status = exc.message, 400
        else:
            messages.success(request, f"Sessions recorded for {group.name}: {changed} changed.")
            return redirect(f"{reverse('attendance:room_sessions', args=[group.pk])}?{urlencode({'date': day.isoformat()})}")
    posted = request.POST if status == 400 else {}
    rates = care.session_rates(group.organisation_id, {s.child_id for s in sessions}, day - dt.timedelta(days=27), day)
    rows = [{
        "session": s, "rates": rates.get(s.child_id), "error": errors.get(s.pk, ""),
        "status": posted.get(f"status-{s.pk}", s.status), "reason": posted.get(f"reason-{s.pk}", s.absence_reason),
        "note": posted.get(f"note-{s.pk}", s.note),
    } for s in sessions]
    return render(request, "attendance/room_sessions.html", {
        "group": group, "day": day, "today": today, "rows": rows, "error": error, "future": day > today,
        "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1), "rate_from": day - dt.timedelta(days=27),
        "reasons": CareAbsenceReason.choices, "statuses": CareStatus,
    }, status=status)
