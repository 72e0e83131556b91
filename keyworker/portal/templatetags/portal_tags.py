"""Template tags of the portal for staff pages: each carer's portal state on the family page, with the invite button."""

from django import template

from keyworker.accounts.access import Actor
from keyworker.people.models import Family

from .. import policies
from ..selectors import portal_states
from ..services import invitation_refusal

register = template.Library()


@register.inclusion_tag("portal/_family_portal.html", takes_context=True)
def family_portal(context, family: Family, actor: Actor) -> dict:
    """`{% family_portal family actor %}`: not invited / invited on … / last signed in …, per carer; two queries."""
    if actor is None or not getattr(actor, "is_member", False):
        return {"rows": []}
    carers = list(family.carers.all())
    for carer in carers:
        carer.organisation = actor.organisation  # the family is the actor's: no query per carer
    states = portal_states(carers)
    may = policies.may_invite(actor, family)
    rows = []
    for carer in carers:
        refusal = invitation_refusal(carer)
        rows.append({"carer": carer, "state": states[carer.pk], "refusal": refusal[1] if refusal else ""})
    return {"rows": rows, "may_invite": may, "family": family, "request": context.get("request"),
            "csrf_token": context.get("csrf_token")}
