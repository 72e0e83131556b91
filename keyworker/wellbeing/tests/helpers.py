"""Test helpers of the wellbeing app: an agency, a concern, a follow-up."""

import datetime as dt

from keyworker.wellbeing.models import Agency
from keyworker.wellbeing.services import concern_raise, follow_up_record

TODAY = dt.date(2026, 11, 18)
NOTICED = "Mum said she is struggling to pay the gas bill and the children seem hungry in the mornings."


def make_agency(world, name: str = "Brookfield Food Bank", **fields) -> Agency:
    values = {"service": "Emergency food parcels and help with bills", "areas": ["money"], "phone": "01632 960001",
              "area_covered": "Brookfield and Northgate"}
    values.update(fields)
    return Agency.objects.create(organisation=world.org, name=name, **values)


def raise_concern(world, staff=None, family=None, **kw):
    values = {"what_noticed": NOTICED, "areas": ["money"], "indicators": ["healthy", "nurtured"]}
    values.update(kw)
    return concern_raise(actor=world.actor(staff or world.ta_a), family=family or world.family_a, **values)


def follow_up(world, concern, staff=None, **kw):
    values = {"kind": "family_contact", "note": "Phoned mum, talked through the food bank and free school meals."}
    values.update(kw)
    return follow_up_record(actor=world.actor(staff or world.ta_a), concern=concern, **values)
