"""Which families a member of staff may see. The rule is the caseload's (their own families, the settings and
classes they work in), registered when it starts, so this app needs no app above it to scope its reads.

A scope is `scope(actor) -> Q` on Family; deny by default: someone who is no member of staff sees no family.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

FamilyScope = Callable[[Any], Q]

_SCOPE: list[FamilyScope] = []


def register_family_scope(scope: FamilyScope) -> None:
    """Name the one rule for the families a member of staff sees (registering again replaces it)."""
    _SCOPE[:] = [scope]


def family_filter(actor: Any) -> Q:
    """A Q on Family selecting the families this person may see."""
    if not getattr(actor, "staff", None):
        return Q(pk__in=[])
    if not _SCOPE:
        raise ImproperlyConfigured("No app has registered which families a member of staff sees.")
    return _SCOPE[0](actor)
