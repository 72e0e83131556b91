"""Template tags of meetings: a family's next appointments, for the family's page."""

from django import template

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.people.models import Family

from .. import policies
from ..selectors import family_upcoming

register = template.Library()


@register.inclusion_tag("meetings/_family_upcoming.html")
def upcoming_appointments(family: Family, actor: Actor) -> dict:
    """`{% upcoming_appointments family actor %}`: the family's next appointments the actor may see (two queries)."""
    member = actor is not None and getattr(actor, "is_member", False)
    return {"family": family, "appointments": family_upcoming(actor, family, clock.now()) if member else [],
            "can_arrange": member and policies.can_arrange(actor)}
