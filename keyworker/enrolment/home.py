"""What the carers' home shows as a thing to do: "Finish the enrolment form" (a form not yet sent, or sent back with
changes asked)."""

import datetime as dt

from django.urls import reverse

from keyworker.core.extensions import TO_DO, CarerHomeItem, CarerHomeSource, register_carer_home_source

from .selectors import carer_enrolments


def enrolment_items(access, as_of: dt.date, now: dt.datetime) -> list[CarerHomeItem]:
    out = []
    for row in carer_enrolments(access, as_of):
        if not row.carer_to_do:
            continue
        name = row.child.preferred_name or row.child.legal_first_name
        detail = ("The setting asked for changes: " + row.form.changes_note) if row.form and row.form.changes_note else (
            "Allergies, medical needs, outside agencies, family circumstances and consents: save and come back any time.")
        out.append(CarerHomeItem(TO_DO, f"Finish the enrolment form for {name}", None, detail,
                                 reverse("portal:forms_enrolment", args=[row.child.pk]), name, row.child.family_id))
    return out


def register() -> None:
    register_carer_home_source(CarerHomeSource("enrolment.portal", TO_DO, enrolment_items))
