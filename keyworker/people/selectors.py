"""Reads of families, children and carers, always scoped to the acting user."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor

from .models import Carer, Child, Family, KeyAspectChange
from .scope import family_filter


def families_visible_to(actor: Actor) -> QuerySet[Family]:
    return Family.objects.filter(family_filter(actor))


def children_visible_to(actor: Actor) -> QuerySet[Child]:
    return Child.objects.filter(organisation_id=actor.organisation_id, family__in=families_visible_to(actor).values("id"))


def carers_visible_to(actor: Actor) -> QuerySet[Carer]:
    return Carer.objects.filter(organisation_id=actor.organisation_id, family__in=families_visible_to(actor).values("id"))


def families_in_setting(actor: Actor, setting) -> QuerySet[Family]:
    """The families the actor may see with a child on the roll of `setting`."""
    on_roll = Child.objects.filter(setting=setting, left_on__isnull=True).values("family_id")
    return families_visible_to(actor).filter(id__in=on_roll)


def with_household(qs: QuerySet[Family]) -> QuerySet[Family]:
    """Children (with class and setting) and carers in two more queries, whatever the number of families."""
    return qs.prefetch_related(
        Prefetch("children", queryset=Child.objects.select_related("group", "setting").order_by("date_of_birth")),
        Prefetch("carers", queryset=Carer.objects.order_by("contact_order", "id")),
    )


def access_family(actor: Actor, family_id: int) -> Family:
    """The family if the actor may see it; otherwise it does not exist (404)."""
    family = families_visible_to(actor).filter(pk=family_id).first()
    if family is None:
        raise Http404("No such family")
    return family


def access_child(actor: Actor, child_id: int) -> Child:
    child = children_visible_to(actor).select_related("family", "setting", "group").filter(pk=child_id).first()
    if child is None:
        raise Http404("No such child")
    return child


def access_carer(actor: Actor, carer_id: int) -> Carer:
    carer = carers_visible_to(actor).select_related("family").filter(pk=carer_id).first()
    if carer is None:
        raise Http404("No such carer")
    return carer


def family_search(qs: QuerySet[Family], text: str) -> QuerySet[Family]:
    text = (text or "").strip()
    if not text:
        return qs
    child_match = Child.objects.filter(
        Q(legal_first_name__icontains=text) | Q(legal_last_name__icontains=text) | Q(preferred_name__icontains=text) | Q(upn__iexact=text)
    ).values("family_id")
    carer_match = Carer.objects.filter(Q(first_name__icontains=text) | Q(last_name__icontains=text)).values("family_id")
    return qs.filter(Q(name__icontains=text) | Q(id__in=child_match) | Q(id__in=carer_match))


def key_aspect_history(child: Child) -> QuerySet[KeyAspectChange]:
    return child.key_aspect_changes.select_related("changed_by").order_by("-changed_at", "-id")
