"""An organisation's short name (its slug): how the keyworker commands name it, suggested from its name."""

import re

from django.utils.text import slugify

from .models import Organisation

SLUG_MAX = 50
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug_suggest(name: str) -> str:
    """"St Mary's C of E Primary" -> "st-marys-c-of-e-primary" (at most SLUG_MAX characters)."""
    return slugify(name or "")[:SLUG_MAX].strip("-")


def slug_problem(slug: str, *, exclude_pk: int | None = None) -> str | None:
    """Why `slug` cannot be an organisation's short name, in words for the person typing it; None when it can."""
    if not slug:
        return "Enter a short name, e.g. oak-school."
    if len(slug) > SLUG_MAX:
        return f"A short name has at most {SLUG_MAX} characters (this one has {len(slug)})."
    if not _SLUG.match(slug):
        return ("Use only small letters (a to z), digits and hyphens between them, e.g. oak-school: "
                "it is typed in the keyworker commands.")
    taken = Organisation.objects.filter(slug__iexact=slug)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        return f"“{slug}” is already the short name of another organisation: choose another."
    return None
