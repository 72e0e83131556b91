"""Key worker pages of the standards engine: My week, one obligation with its history, waiving it."""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.dates import on_screen
from keyworker.core.exports import download_links, table_download, wanted
from keyworker.core.extensions import week_panels
from keyworker.core.forms import form_submit
from keyworker.standards import policies as standards_policies
from keyworker.standards.models import ObligationState
from keyworker.standards.obligations import obligation_waive
from keyworker.standards.selectors import (
    access_obligation,
    missed_summary,
    missed_this_half_term,
    my_week,
    obligation_action,
    obligation_history,
    obligation_meets,
    state_display,
)

from .exports import OBLIGATION_COLUMNS, obligation_rows
from .forms import WaiveForm
from .getting_started import banner_for


@dataclass
class FamilyCard:
    """One family's duties in a section of My week (or the key worker's own duties at a setting), in due order."""
    family: object | None
    setting: object
    contact: str
    rows: list = field(default_factory=list)


def family_cards(rows: list) -> list[FamilyCard]:
    """The rows of a section grouped per family, each card where its most urgent duty stands; no query."""
    cards: dict[tuple, FamilyCard] = {}
    for row in rows:
        o = row.obligation
        key = ("family", o.family_id) if o.family_id else ("own", o.setting_id)
        if key not in cards:
            cards[key] = FamilyCard(o.family if o.family_id else None, o.setting, row.family_contact)
        cards[key].rows.append(row)
    return list(cards.values())


def member(request: HttpRequest) -> Actor:
    if not request.actor.is_member:
        raise Http404
    return request.actor


def parse_as_of(request: HttpRequest) -> tuple[dt.date, str]:
    """The ?as_of= date (YYYY-MM-DD or 3/3/2026), or today with a message saying why the given one was not used."""
    today = clock.today()
    raw = request.GET.get("as_of", "").strip()[:20]
    if not raw:
        return today, ""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, fmt).date(), ""  # noqa: DTZ007 - a calendar date, no time of day
        except ValueError:
            continue
    return today, f"“{raw}” is not a date we understand, so this shows today. Write dates as 2026-11-18 or 18/11/2026."


def setting_kinds(actor: Actor) -> set[str]:
    """The kinds of the settings the actor works in: from their roles (no query), or every setting of the organisation
    for organisation-wide roles (one)."""
    if actor.has_organisation_scope:
        return set(actor.settings().values_list("kind", flat=True))
    return {r.setting.kind for r in actor.roles if r.setting_id is not None}


@login_required
def my_week_view(request: HttpRequest) -> HttpResponse:
    actor = member(request)
    as_of, as_of_error = parse_as_of(request)
    today = clock.today()
    week = my_week(actor, as_of, today=today)
    # What other apps add (briefings to acknowledge, families to celebrate...): each a fixed number of queries, and
    # only those of the kinds of setting the actor works in (no school panel for a nursery practitioner). What several
    # panels need (the key worker's families and children, term calendars) is read once for all of them.
    with actor.reads_shared():
        kinds = setting_kinds(actor)
        panels = [(p.template, built) for p in week_panels(kinds) if (built := p.build(actor, as_of)) is not None]
    this_week = "this week" if week.holds_today else "that week"
    return render(request, "dashboard/my_week.html", {
        "panels": panels, "missed": missed_summary(actor, min(as_of, today)), "getting_started": banner_for(actor, today),
        "week": week, "as_of": as_of, "as_of_error": as_of_error, "is_today": as_of == today,
        "sections": [
            ("overdue", "Overdue", "Oldest first: contact these families first.", family_cards(week.overdue), len(week.overdue)),
            ("due", f"Due {this_week}", f"Due by {on_screen(week.week_end)}.", family_cards(week.due_this_week), len(week.due_this_week)),
            ("later", "Coming up", f"Due after {this_week}.", family_cards(week.coming_up), len(week.coming_up)),
            ("done", f"Done {this_week}", f"Met between {on_screen(week.week_start)} and {on_screen(week.week_end)}.",
             family_cards(week.done_this_week), len(week.done_this_week)),
        ],
    })


MISSED_PAGE_SIZE = 50


@login_required
def missed_view(request: HttpRequest) -> HttpResponse:
    """The obligations missed this half term: the key worker's own, or (for leaders, `?scope=settings`) those of the
    settings they lead. Paginated, a fixed number of queries per page."""
    actor = member(request)
    as_of, as_of_error = parse_as_of(request)
    as_of = min(as_of, clock.today())
    scope = "settings" if request.GET.get("scope") == "settings" else "mine"
    if scope == "settings" and not actor.is_leader:
        raise Http404
    qs = (
        missed_this_half_term(actor, as_of, mine=scope == "mine")
        .select_related("standard", "family", "child", "setting", "responsible_staff__user")
        .order_by("-due_on", "family__name", "id")
    )
    if fmt := wanted(request):
        return table_download(request, fmt, actor=actor, name="missed", title="Missed this half term",
                              columns=OBLIGATION_COLUMNS, rows=obligation_rows(qs), as_of=as_of)
    page = Paginator(qs, MISSED_PAGE_SIZE).get_page(request.GET.get("page"))
    is_today = as_of == clock.today()
    query = {"scope": scope} if is_today else {"scope": scope, "as_of": as_of.isoformat()}
    return render(request, "dashboard/missed.html", {
        "page": page, "scope": scope, "query_string": urlencode(query), "as_of": as_of, "as_of_error": as_of_error,
        "is_today": is_today, "is_leader": actor.is_leader, "is_key_worker": actor.is_key_worker,
        "missed_state": state_display(ObligationState.MISSED), "downloads": download_links(request),
    })


def _obligation_page(request: HttpRequest, actor: Actor, obligation, form: WaiveForm | None, status: int = 200) -> HttpResponse:
    can_waive = standards_policies.can_waive(actor, obligation)
    action_label, action_url = obligation_action(obligation)
    return render(request, "dashboard/obligation.html", {
        "obligation": obligation, "state": state_display(obligation.state),
        "action_label": action_label, "action_url": action_url, "meets": obligation_meets(obligation),
        "events": [(e, state_display(e.from_state) if e.from_state else None, state_display(e.to_state))
                   for e in obligation_history(obligation)],
        "can_waive": can_waive, "form": form or (WaiveForm() if can_waive else None),
    }, status=status)


@login_required
def obligation_detail(request: HttpRequest, obligation_id: int) -> HttpResponse:
    actor = member(request)
    return _obligation_page(request, actor, access_obligation(actor, obligation_id), None)


@login_required
@require_POST
def obligation_waive_view(request: HttpRequest, obligation_id: int) -> HttpResponse:
    actor = member(request)
    obligation = access_obligation(actor, obligation_id)
    standards_policies.require_waive(actor, obligation)
    form = WaiveForm(request.POST)
    here = reverse("week:obligation", args=[obligation.pk])

    def waive(data: dict) -> tuple[str, str]:
        obligation_waive(actor=actor, obligation=obligation, reason=data["reason"])
        return here, f"Waived: {obligation.standard.heading} for {obligation.family.name}."

    done = form_submit(request, form, waive, elsewhere=here)
    if done is not None:
        return done
    return _obligation_page(request, actor, obligation, form, status=400)
