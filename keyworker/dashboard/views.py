"""Cross-domain staff pages: My families, all families in scope, a family with its key workers."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from keyworker.accounts import capabilities as caps
from keyworker.caseload.policies import can_allocate
from keyworker.caseload.selectors import allocation_history, my_families, with_key_workers
from keyworker.core import clock
from keyworker.core.exports import download_links, table_download, wanted
from keyworker.people.models import Family
from keyworker.people.policies import can_handle_data_rights, can_manage_people
from keyworker.people.selectors import access_family, families_visible_to, family_search, with_household

from .exports import FAMILY_COLUMNS, family_rows
from .timeline import family_timeline


def _member(request):
    if not request.actor.is_member:
        raise Http404
    return request.actor


@login_required
def my_families_view(request):
    actor = _member(request)
    families = list(my_families(actor).order_by("name", "id"))
    if fmt := wanted(request):
        return table_download(request, fmt, actor=actor, name="my-families", title="My families", columns=FAMILY_COLUMNS,
                              rows=family_rows(families), as_of=clock.today())
    return render(request, "dashboard/my_families.html", {"families": families, "downloads": download_links(request)})


@login_required
def family_list(request):
    actor = _member(request)
    actor.require(caps.VIEW_FAMILIES)
    q = request.GET.get("q", "").strip()[:100]
    qs = with_key_workers(with_household(family_search(families_visible_to(actor), q))).order_by("name", "id")
    if fmt := wanted(request):
        return table_download(request, fmt, actor=actor, name="families", title="Families", columns=FAMILY_COLUMNS,
                              rows=family_rows(qs), as_of=clock.today())
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "dashboard/family_list.html", {
        "page_obj": page, "q": q, "query_string": f"q={q}" if q else "", "can_add": can_manage_people(actor),
        "downloads": download_links(request),
    })


@login_required
def family_detail(request, family_id: int):
    actor = _member(request)
    family = access_family(actor, family_id)
    family = with_key_workers(with_household(Family.objects.filter(pk=family.pk))).get()
    return render(request, "dashboard/family_detail.html", {
        "family": family, "history": allocation_history(family),
        "can_edit": can_manage_people(actor), "can_allocate": can_allocate(actor),
        "restricted": [c for c in family.carers.all() if c.contact_restriction],
        "can_handle_data_rights": can_handle_data_rights(actor),
    })


@login_required
def family_timeline_view(request, family_id: int):
    """Everything that happened with the family, newest first: contacts, celebrations, changes, obligations met."""
    actor = _member(request)
    family = access_family(actor, family_id)
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    kinds = tuple(k for k in request.GET.getlist("kind") if k.isidentifier())[:10]
    page = family_timeline(actor, family, number, kinds)
    query = "&".join(f"kind={k}" for k in page.kinds)
    return render(request, "dashboard/family_timeline.html", {"family": family, "page": page, "query": query})
