"""Shortcuts for the data check tests."""

import datetime as dt

from keyworker.core import clock

from ..models import ConfirmationMethod
from ..services import Difference, datacheck_admin_confirm, datacheck_carer_confirm


def carer_confirm(world, child=None, staff=None, differences=(), **kwargs):
    child = child or world.child_a
    staff = staff or world.ta_a
    carer = kwargs.pop("carer", None) or child.family.carers.order_by("contact_order", "id").first()
    values = {"method": ConfirmationMethod.PHONE, "confirmed_on": clock.today(), "all_correct": not differences}
    values.update(kwargs)
    return datacheck_carer_confirm(actor=world.actor(staff), child=child, carer=carer,
                                   differences=[Difference(*d) for d in differences], **values)


def complete(world, child=None, staff=None):
    check = carer_confirm(world, child, staff)
    return datacheck_admin_confirm(actor=world.actor(world.admin_office), check=check)


def phone_key(carer) -> str:
    return f"carer.{carer.pk}.phone"


TODAY = dt.date(2026, 11, 18)
