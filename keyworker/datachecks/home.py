"""What the carers' home shows as a thing to do: "Check your family's details" when a data check of this half term
waits for a carer of the family."""

import datetime as dt

from django.urls import reverse

from keyworker.core.extensions import TO_DO, CarerHomeItem, CarerHomeSource, register_carer_home_source

from .carer_side import families_due


def data_check_items(access, as_of: dt.date, now: dt.datetime) -> list[CarerHomeItem]:
    return [
        CarerHomeItem(TO_DO, "Check your family's details", None,
                      f"Each half term we ask you to check what we hold about {link.family.name}: it takes a few minutes.",
                      reverse("portal:forms_data_check", args=[link.family_id]), "", link.family_id)
        for link in families_due(access, as_of)
    ]


def register() -> None:
    register_carer_home_source(CarerHomeSource("datachecks.portal", TO_DO, data_check_items))
