"""What apps above this one add to an organisation's set-up, without this app importing them.

- Callbacks run when an organisation is created, inside its transaction, as `callback(organisation)` (the
  accounts app creates the default roles).
- Links on the Setup page to pages of other apps, each shown only to those its `shown(actor)` lets follow it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

OrganisationCreated = Callable[[Any], None]

_ON_ORGANISATION_CREATED: dict[str, OrganisationCreated] = {}


def register_organisation_created(code: str, callback: OrganisationCreated) -> None:
    """Add (or replace) the callback named `code`; registering twice keeps one."""
    _ON_ORGANISATION_CREATED[code] = callback


def on_organisation_created(organisation) -> None:
    for _, callback in sorted(_ON_ORGANISATION_CREATED.items()):
        callback(organisation)


@dataclass(frozen=True)
class SetupLink:
    code: str
    order: int                          # after the Setup page's own links, in this order
    label: str
    url_name: str
    shown: Callable[[Any], bool]        # (actor) -> whether this person may follow it


_SETUP_LINKS: dict[str, SetupLink] = {}


def register_setup_link(link: SetupLink) -> None:
    _SETUP_LINKS[link.code] = link


def setup_links_for(actor) -> list[tuple[str, str]]:
    """(label, url) of the registered links this person may follow, in order."""
    links = sorted(_SETUP_LINKS.values(), key=lambda link: (link.order, link.code))
    return [(link.label, reverse(link.url_name)) for link in links if link.shown(actor)]
