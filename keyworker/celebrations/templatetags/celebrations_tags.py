"""Template tags of celebrations: a family's recent celebrations, for pages of other apps (the family page)."""

from django import template

from keyworker.accounts.access import Actor
from keyworker.people.models import Family

from ..selectors import celebrations_visible_to

register = template.Library()


@register.inclusion_tag("celebrations/_recent.html")
def recent_celebrations(family: Family, actor: Actor, limit: int = 5) -> dict:
    """`{% recent_celebrations family actor %}`: the family's last celebrations that count, in one query."""
    rows = []
    if actor is not None and getattr(actor, "is_member", False):
        rows = list(celebrations_visible_to(actor).filter(family_id=family.pk, voided_at__isnull=True)
                    .select_related("child", "recorded_by__user")[:limit])
    return {"family": family, "celebrations": rows}
