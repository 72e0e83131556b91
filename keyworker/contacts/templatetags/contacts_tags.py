"""Template tags of contact logs: a family's recent contacts, for pages of other apps."""

from django import template

from keyworker.accounts.access import Actor
from keyworker.people.models import Family

from ..selectors import recent_contacts as recent_contacts_for

register = template.Library()


@register.inclusion_tag("contacts/_recent.html")
def recent_contacts(family: Family, actor: Actor) -> dict:
    """`{% recent_contacts family actor %}`: the last 5 contacts of the family the actor may see, in one query."""
    contacts = recent_contacts_for(actor, family) if actor is not None and getattr(actor, "is_member", False) else []
    return {"family": family, "contacts": contacts}
