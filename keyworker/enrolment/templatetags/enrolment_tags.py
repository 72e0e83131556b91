"""Template tags of enrolment: a family's enrolment forms, for the family page (another app's page)."""

from django import template

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.people.models import Family

from ..selectors import family_enrolments

register = template.Library()


@register.inclusion_tag("enrolment/_family.html")
def family_enrolment(family: Family, actor: Actor) -> dict:
    """`{% family_enrolment family actor %}`: each child in a childcare setting with its form's state, in one query
    (the family page has its children); nothing for a school-only family. The page has already found the family in the actor's scope."""
    rows = []
    if actor is not None and getattr(actor, "is_member", False) and family.organisation_id == actor.organisation_id:
        rows = family_enrolments(list(family.children.all()), clock.today())
    return {"rows": rows}
