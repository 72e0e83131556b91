"""Contact log pages: record a contact from My week, the list with filters (family, key worker, class, tone, channel,
dates), one contact with its revisions, void, flag as a safeguarding concern (a restricted record)."""

from collections.abc import Sequence
from functools import cached_property
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.accounts import restricted
from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.conflicts import EditConflict, conflict_context
from keyworker.core.dates import on_screen
from keyworker.core.exports import download_links, table_download, wanted
from keyworker.core.forms import form_submit
from keyworker.core.requests import int_param as _int
from keyworker.core.requests import member as _member
from keyworker.core.requests import safe_next as _safe_next
from keyworker.organisations.models import Group
from keyworker.people.models import Carer, Child, Family
from keyworker.people.selectors import access_family, families_visible_to
from keyworker.standards.selectors import week_of

from . import policies, selectors, services
from .evidence import CONTACT_LOG
from .forms import ContactFilterForm, ContactForm, FlagForm, VoidForm, initial_for
from .models import CHANNEL_MEETS_PREFERENCE, AccessRoute, Channel, ContactLog

PAGE_SIZE = 25
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts up to COUNT_CAP + 1 contacts: a school's whole year is hundreds of thousands, and counting them all
    on every page would cost more than the page. Older contacts are found with the date filters."""

    counted = None  # the filtered queryset without joins, to count

    @cached_property
    def count(self) -> int:
        return (self.counted if self.counted is not None else self.object_list)[:COUNT_CAP + 1].count()


def _preferred_channel(carers: list[Carer]) -> str:
    for method in (c.preferred_contact_method for c in carers):
        for channel, methods in CHANNEL_MEETS_PREFERENCE.items():
            if method in methods:
                return channel
    return ""


def _form_context(family: Family, carers: list[Carer], restricted: list[Carer]) -> dict:
    first = carers[0] if carers else None
    return {"family": family, "restricted": restricted, "preferred_carer": first,
            "preferred": first.get_preferred_contact_method_display() if first else ""}


def _carer_from(form: ContactForm, actor: Actor, known: Sequence[Carer] = ()) -> tuple[Carer | None, bool]:
    """The chosen carer (any carer of the organisation: the service checks family and restriction); False when unknown.
    One of `known` (the family's carers, read for the form already) is taken from there, without a query."""
    carer_id = form.cleaned_data.get("carer")
    if not carer_id:
        return None, True
    carer = next((c for c in known if c.pk == carer_id), None)
    if carer is not None:
        return carer, True
    carer = Carer.objects.filter(pk=carer_id, organisation_id=actor.organisation_id).first()
    if carer is None:
        form.add_error("carer", "Choose one of the carers listed.")
        return None, False
    return carer, True


def _chooser(request: HttpRequest, actor: Actor) -> HttpResponse:
    mine = families_visible_to(actor).filter(allocations__staff=actor.staff, allocations__ends_at__isnull=True).distinct()
    return render(request, "contacts/choose_family.html", {"families": list(mine.order_by("name", "id")[:200])})


@login_required
def contact_new(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    raw = request.POST.get("family") or request.GET.get("family")
    if not raw:
        return _chooser(request, actor)
    family_id = _int(raw)
    if family_id is None:
        raise Http404("No such family")
    family = access_family(actor, family_id)
    actor.seen_family_ids.add(family.pk)  # in scope: recording it need not read the scope again
    carers, restricted = selectors.contactable_carers(family)
    children = list(Child.objects.filter(family_id=family.pk).select_related("setting").order_by("date_of_birth", "id"))
    today = clock.today()
    earlier = _earlier_period(request, today)
    initial = {"happened_on": None if earlier else today, "channel": _preferred_channel(carers), "carer": carers[0].pk if carers else ""}
    if len(children) == 1:
        initial["children"] = [children[0].pk]
    wanted = (request.POST.get("absence") or request.GET.get("absence") or "")[:40]
    absences = selectors.recent_absences(family, children, today, wanted)
    if any(ref == wanted for ref, _, _ in absences):  # from My week's "Record the follow-up": that absence, that child
        initial["absence"] = wanted
        initial["children"] = [next(c.pk for ref, c, _ in absences if ref == wanted)]
    form = ContactForm(request.POST or None, initial=initial, carers=carers, children=children, today=today, absences=absences)

    def record(data: dict) -> tuple[str, str] | None:
        carer, ok = _carer_from(form, actor, known=[*carers, *restricted])
        if not ok:
            return None
        absence_child, absence_on = form.chosen_absence()
        contact = services.contact_record(
            actor=actor, family=family, happened_on=data["happened_on"], channel=data["channel"], tone=data["tone"],
            write_up=data["write_up"], direction=data["direction"], carer=carer, children=data["children"],
            follow_up=data["follow_up"], follow_up_on=data["follow_up_on"], safeguarding_category=form.category(),
            absence_child=absence_child, absence_on=absence_on, attended=[c.setting for c in children],
        )
        return _safe_next(request) or reverse("week:my_week"), _recorded_message(contact)

    done = form_submit(request, form, record)
    if done is not None:
        return done
    status = 400 if request.method == "POST" else 200
    return render(request, "contacts/contact_form.html", {
        **_form_context(family, carers, restricted), "form": form, "title": f"Log contact with {family.name}",
        "earlier": earlier, "next": _safe_next(request), "cancel_url": _safe_next(request) or reverse("week:my_week"),
    }, status=status)


def _earlier_period(request: HttpRequest, today):
    """(first, last day) of an ended period the contact is recorded for (`?from=&to=`, from My week's "Log contact"
    on an earlier week still in its grace), or None: then the form asks for the contact's real date, not today."""
    import datetime as dt

    try:
        first = dt.date.fromisoformat((request.GET.get("from") or "")[:10])
        last = dt.date.fromisoformat((request.GET.get("to") or "")[:10])
    except ValueError:
        return None
    return (first, last) if today - dt.timedelta(days=366) < first <= last < today else None


def _recorded_message(contact: ContactLog) -> str:
    if contact.is_restricted:
        return (f"Contact with {contact.family.name} recorded as a safeguarding concern: the safeguarding team has been "
                "told, and only they can read it now.")
    text = f"Contact with {contact.family.name} recorded"
    if contact.absence_child_id:
        text += f" as the follow-up of {contact.absence_child.display_name}'s absence on {on_screen(contact.absence_on)}"
    # The update that followed the record says whether the week's contact is met (no query), unless it left that
    # week's obligation alone (a period settled before it ran): then it is read.
    refreshed = getattr(contact, "refreshed", None)
    met = refreshed.met(CONTACT_LOG, contact.family_id, contact.happened_on) if refreshed is not None else None
    if met is None:
        met = selectors.weekly_contact_met(contact.family, contact.happened_on)
    if met:
        monday = week_of(clock.today(contact.setting.time_zone))[0]
        text += (": weekly contact met for this week" if contact.happened_on >= monday
                 else f": weekly contact met for the week of {on_screen(contact.happened_on)}")
    text += "."
    if not contact.used_preferred_method:
        text += " Not their preferred method."
    return text



EXPORT_COLUMNS = ["Date", "Family", "Children", "How", "Direction", "Tone", "Write-up", "Follow-up", "Follow-up by", "By",
                  "Void"]
EXPORT_CHUNK = 2000


def _export_rows(actor: Actor, qs):
    """Every contact of the filtered list, a chunk at a time (a fixed number of queries per chunk). A restricted record
    gives its date and family only, as on the page; a safeguarding concern's words never leave in a download."""
    done = 0
    while True:
        chunk = list(qs[done:done + EXPORT_CHUNK])
        if not chunk:
            return
        selectors.mark_readable(actor, chunk, always=True)
        for c in chunk:
            if not c.readable:
                yield [c.happened_on, c.family.name, "", "", "", "", "Restricted: ask the safeguarding lead", "", "", "", c.is_voided]
                continue
            words = (f"Safeguarding concern: {c.get_safeguarding_category_display()} (read it in Keyworker)"
                     if c.is_restricted else c.write_up)
            yield [c.happened_on, c.family.name, "; ".join(ch.display_name for ch in c.children.all()),
                   c.get_channel_display(), c.get_direction_display(), c.get_tone_display(), words,
                   "" if c.is_restricted else c.follow_up, c.follow_up_on, str(c.author) if c.author_id else c.recorded_by,
                   c.is_voided]
        done += len(chunk)
        if len(chunk) < EXPORT_CHUNK:
            return

@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    """Contacts the actor may see, newest first, filtered; a family's, a key worker's or a class's contacts are
    this list with `family=`, `staff=` or `class=` (links from the table lead there)."""
    actor = _member(request)
    form = ContactFilterForm(request.GET or None)
    filters: dict = {}
    family = staff = group = None
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        if filters.get("family"):
            family = families_visible_to(actor).filter(pk=filters["family"]).first()
            if family is None:
                raise Http404("No such family")
        if filters.get("staff"):
            staff = selectors.staff_for_filter(actor, filters["staff"])
        if filters.get("class"):
            group = selectors.group_for_filter(actor, filters["class"])
    qs = selectors.contacts_filter(
        selectors.contacts_for_list(actor), tone=filters.get("tone", ""), channel=filters.get("channel", ""),
        family_id=filters.get("family"), date_from=filters.get("date_from"), date_to=filters.get("date_to"),
        staff_id=filters.get("staff"), group_id=filters.get("class"), actor=actor,
    )
    if fmt := wanted(request):
        return table_download(request, fmt, actor=actor, name="contacts", title="Contacts", columns=EXPORT_COLUMNS,
                              rows=_export_rows(actor, selectors.with_details(qs.order_by("-happened_on", "-created_at", "-id"))),
                              as_of=clock.today())
    paginator = CappedPaginator(selectors.with_details(qs.order_by("-happened_on", "-created_at", "-id")), PAGE_SIZE)
    paginator.counted = qs
    page = paginator.get_page(request.GET.get("page"))
    query = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items()}
    return render(request, "contacts/contact_list.html", {
        "form": form, "page_obj": page, "capped": paginator.count > COUNT_CAP, "contacts": selectors.mark_readable(actor, list(page.object_list), always=True),
        "family": family, "staff": staff, "group": group, "me": actor.staff,
        "my_groups": list(Group.objects.filter(pk__in=sorted(actor.group_ids)).order_by("name")) if actor.group_ids else [],
        "query_string": urlencode(query), "filtered": bool(filters), "downloads": download_links(request),
    })


@login_required
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = _member(request)
    contact = selectors.access_contact(actor, contact_id)
    return _detail_page(request, actor, contact, None)


def _detail_page(request: HttpRequest, actor: Actor, contact: ContactLog, void_form: VoidForm | None, status: int = 200,
                 flag_form: FlagForm | None = None) -> HttpResponse:
    selectors.mark_readable(actor, [contact])
    if not contact.readable:
        # A restricted record: that it exists and whom to talk to, nothing of what it says.
        is_author = actor.staff is not None and actor.staff.pk == contact.author_id
        return render(request, "contacts/contact_restricted.html", {"contact": contact, "is_author": is_author}, status=status)
    if contact.is_restricted:
        if not restricted.is_confirmed(request):
            # The one rule for restricted records: confirm it is you (password, second factor) every 15 minutes.
            services.contact_access_record(actor=actor, contact=contact, route=AccessRoute.PAGE, allowed=False)
            return redirect(restricted.confirm_url(reverse("contacts:detail", args=[contact.pk])))
        services.contact_access_record(actor=actor, contact=contact, route=AccessRoute.PAGE)
    can_void = policies.can_void(actor, contact)
    is_author = actor.staff is not None and actor.staff.pk == contact.author_id
    can_flag = not contact.is_restricted and policies.may_flag(actor, contact)
    revisions = list(contact.revisions.select_related("edited_by"))
    accesses = list(contact.accesses.filter(allowed=True).select_related("staff__user")[:20]) if contact.is_restricted else []
    return render(request, "contacts/contact_detail.html", {
        "contact": contact, "revisions": revisions, "can_void": can_void, "accesses": accesses,
        "can_edit": not contact.is_voided and not contact.is_restricted and is_author and contact.channel != Channel.PORTAL_MESSAGE,
        "void_form": void_form or (VoidForm() if can_void else None),
        "flag_form": flag_form or (FlagForm() if can_flag else None),
    }, status=status)


@login_required
def contact_edit_view(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = _member(request)
    contact = selectors.access_contact(actor, contact_id)
    if actor.staff.pk != contact.author_id:
        raise PermissionDenied("Only the person who recorded a contact can edit it.")
    if contact.is_voided:
        messages.error(request, "This contact was voided, so it cannot be edited.")
        return redirect("contacts:detail", contact.pk)
    if contact.is_restricted:
        messages.error(request, "This contact is a safeguarding record, so it cannot be edited: talk to the safeguarding lead.")
        return redirect("contacts:detail", contact.pk)
    family = contact.family
    carers, restricted = selectors.contactable_carers(family)
    children = list(Child.objects.filter(family_id=family.pk).order_by("date_of_birth", "id"))
    form = ContactForm(request.POST or None, initial=initial_for(contact), carers=carers, children=children, today=clock.today(),
                       editing=True)
    conflict: dict = {}

    def edit(data: dict) -> tuple[str, str] | None:
        carer, ok = _carer_from(form, actor)
        if not ok:
            return None
        services.contact_edit(
            actor=actor, contact=contact, happened_on=data["happened_on"], channel=data["channel"], tone=data["tone"],
            write_up=data["write_up"], direction=data["direction"], carer=carer, children=data["children"],
            follow_up=data["follow_up"], follow_up_on=data["follow_up_on"], expected_version=data["version"],
        )
        return reverse("contacts:detail", args=[contact.pk]), f"Contact with {family.name} updated."

    try:
        done = form_submit(request, form, edit)
    except EditConflict as exc:
        saved = ContactForm(initial=initial_for(exc.record), carers=carers, children=children, today=clock.today(),
                            editing=True)
        done, conflict = None, conflict_context(form, saved, exc)
    if done is not None:
        return done
    return render(request, "contacts/contact_form.html", {
        **_form_context(family, carers, restricted), "form": form, "title": f"Edit contact with {family.name}",
        "editing": contact, "cancel_url": reverse("contacts:detail", args=[contact.pk]), **conflict,
    }, status=409 if conflict else 400 if request.method == "POST" else 200)


@login_required
@require_POST
def contact_void_view(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = _member(request)
    contact = selectors.access_contact(actor, contact_id)
    policies.require_void(actor, contact)
    form = VoidForm(request.POST)
    here = reverse("contacts:detail", args=[contact.pk])

    def void(data: dict) -> tuple[str, str]:
        services.contact_void(actor=actor, contact=contact, reason=data["reason"])
        return here, f"Contact with {contact.family.name} voided: it no longer counts as contact."

    done = form_submit(request, form, void, elsewhere=here)
    if done is not None:
        return done
    return _detail_page(request, actor, contact, form, status=400)


@login_required
@require_POST
def contact_flag_view(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Flag a contact as a safeguarding concern (its author, or the safeguarding team): one way, at once."""
    actor = _member(request)
    contact = selectors.access_contact(actor, contact_id)
    if contact.is_restricted:
        messages.info(request, "This contact is already flagged as a safeguarding concern.")
        return redirect("contacts:detail", contact.pk)
    if not policies.may_flag(actor, contact):
        raise PermissionDenied("Only the person who recorded a contact, or the safeguarding team, can flag it.")
    form = FlagForm(request.POST)

    def flag(data: dict) -> tuple[str, str]:
        services.contact_flag(actor=actor, contact=contact, category=data["safeguarding_category"])
        return (_safe_next(request) or reverse("contacts:detail", args=[contact.pk]), "Flagged as a safeguarding concern: the safeguarding "
                "team has been told, and only they can read this contact now.")

    done = form_submit(request, form, flag, names={"category": "safeguarding_category"})
    if done is not None:
        return done
    return _detail_page(request, actor, contact, None, status=400, flag_form=form)
