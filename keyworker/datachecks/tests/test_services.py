"""Services of the data checks: both confirmations, refusals, corrections applied through the people services."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from keyworker.core.audit import AuditEvent
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import HalfTerm
from keyworker.people.models import Carer, ContactRestriction, KeyAspectChange

from ..models import CheckState, Correction, CorrectionState, DataCheck, DataCheckEvent, EventKind
from ..services import correction_apply, correction_reject, datacheck_admin_confirm, datacheck_open
from .helpers import carer_confirm, complete, phone_key

pytestmark = pytest.mark.django_db


def _carer(world):
    return world.family_a.carers.order_by("contact_order", "id").first()


def test_both_confirmations_are_needed(world):
    check = carer_confirm(world)
    assert check.state == CheckState.AWAITING_ADMIN and check.completed_on is None
    assert check.half_term.name == "Autumn 2"
    assert check.snapshot[phone_key(_carer(world))] == "07700 900123"
    done = datacheck_admin_confirm(actor=world.actor(world.admin_office), check=check)
    assert done.state == CheckState.COMPLETE and done.completed_on == dt.date(2026, 11, 18)
    kinds = list(DataCheckEvent.objects.filter(data_check=check).values_list("kind", flat=True))
    assert kinds == [EventKind.CARER_CONFIRMED, EventKind.ADMIN_CONFIRMED, EventKind.COMPLETED]


def test_admin_office_cannot_confirm_before_the_carer(world):
    ht = HalfTerm.objects.get(setting=world.school, name="Autumn 2")
    check = datacheck_open(actor=world.actor(world.ta_a), child=world.child_a, half_term=ht)
    with pytest.raises(RuleViolation) as exc:
        datacheck_admin_confirm(actor=world.actor(world.admin_office), check=check)
    assert exc.value.rule == "carer_first"


def test_only_the_admin_office_confirms(world):
    check = carer_confirm(world)
    with pytest.raises(PermissionDenied):
        datacheck_admin_confirm(actor=world.actor(world.ta_a), check=check)


def test_no_contact_carer_is_refused(world):
    carer = _carer(world)
    carer.contact_restriction = ContactRestriction.NO_CONTACT
    carer.save()
    with pytest.raises(RuleViolation) as exc:
        carer_confirm(world, carer=carer)
    assert (exc.value.rule, exc.value.field) == ("no_contact", "carer")
    assert not DataCheck.objects.exists()


def test_carer_of_another_family_and_portal_are_refused(world):
    other = world.family_b.carers.first()
    with pytest.raises(RuleViolation) as exc:
        carer_confirm(world, carer=other)
    assert exc.value.field == "carer"
    with pytest.raises(RuleViolation) as exc:
        carer_confirm(world, method="portal")
    assert exc.value.field == "method"


def test_one_check_per_child_per_half_term(world):
    ht = HalfTerm.objects.get(setting=world.school, name="Autumn 2")
    first = datacheck_open(actor=world.actor(world.ta_a), child=world.child_a, half_term=ht)
    again = datacheck_open(actor=world.actor(world.teacher_a), child=world.child_a, half_term=ht)
    assert first.pk == again.pk
    carer_confirm(world)
    with pytest.raises(RuleViolation) as exc:
        carer_confirm(world, staff=world.teacher_a)
    assert exc.value.rule == "already_confirmed"
    assert DataCheck.objects.filter(child=world.child_a).count() == 1


def test_a_date_outside_a_half_term_is_refused(world):
    with pytest.raises(RuleViolation) as exc:
        carer_confirm(world, confirmed_on=dt.date(2026, 10, 28))  # the half-term holiday
    assert (exc.value.rule, exc.value.field) == ("no_half_term", "confirmed_on")
    with pytest.raises(RuleViolation) as exc:
        carer_confirm(world, confirmed_on=dt.date(2026, 11, 19))
    assert exc.value.field == "confirmed_on"


def test_all_correct_or_differences(world):
    with pytest.raises(RuleViolation) as exc:
        carer_confirm(world, all_correct=False)
    assert exc.value.field == "differences"
    with pytest.raises(RuleViolation) as exc:
        carer_confirm(world, differences=[(phone_key(_carer(world)), "07700 900999")], all_correct=True)
    assert exc.value.field == "all_correct"


@pytest.mark.parametrize(("key", "value", "field"), [
    ("carer.{carer}.email", "not an address", "differences.0.proposed_value"),
    ("child.date_of_birth", "31/02/2019", "differences.0.proposed_value"),
    ("child.group", "Nowhere", "differences.0.proposed_value"),
    ("carer.{carer}.relationship", "Cousin twice removed", "differences.0.proposed_value"),
    ("carer.{carer}.phone", "07700 900123", "differences.0.proposed_value"),  # what we hold already
    ("child.shoe_size", "12", "differences.0.field"),
    ("carer.{carer}.phone", "x" * 41, "differences.0.proposed_value"),
])
def test_differences_are_checked_field_by_field(world, key, value, field):
    with pytest.raises(RuleViolation) as exc:
        carer_confirm(world, differences=[(key.format(carer=_carer(world).pk), value)])
    assert exc.value.field == field


def test_a_new_phone_number_applied_lands_in_the_carers_history(world):
    carer = _carer(world)
    check = carer_confirm(world, differences=[(phone_key(carer), "07700 900456", "New mobile")])
    correction = Correction.objects.get(data_check=check)
    assert (correction.current_value, correction.proposed_value, correction.state) == ("07700 900123", "07700 900456", "proposed")
    with pytest.raises(RuleViolation) as exc:
        datacheck_admin_confirm(actor=world.actor(world.admin_office), check=check)
    assert exc.value.rule == "corrections_waiting"
    correction_apply(actor=world.actor(world.admin_office), correction=correction)
    carer.refresh_from_db()
    assert carer.phone == "07700 900456"
    correction.refresh_from_db()
    assert correction.state == CorrectionState.APPLIED and correction.decided_by == world.admin_office
    audit = AuditEvent.objects.filter(object_type="Carer", object_id=carer.pk).order_by("id")
    assert [a.event_type for a in audit] == ["carer.updated", "datacheck.correction_applied"]
    assert audit[0].data == {"before": {"phone": "07700 900123"}, "after": {"phone": "07700 900456"}}
    assert audit[0].actor == world.admin_office.user
    assert audit[1].summary.startswith("From the half-term data check")
    with pytest.raises(RuleViolation) as exc:
        correction_apply(actor=world.actor(world.admin_office), correction=correction)
    assert exc.value.rule == "already_decided"
    assert datacheck_admin_confirm(actor=world.actor(world.admin_office), check=check).is_complete


def test_key_aspects_and_child_corrections_go_through_the_people_services(world):
    check = carer_confirm(world, differences=[
        ("key_aspects.allergies", "Peanuts"), ("child.date_of_birth", "3/4/2018"), ("child.group", "beech"),
        (f"carer.{_carer(world).pk}.parental_responsibility", "no"),
    ])
    admin = world.actor(world.admin_office)
    for c in Correction.objects.filter(data_check=check).order_by("id"):
        correction_apply(actor=admin, correction=c)
    world.child_a.refresh_from_db()
    assert world.child_a.date_of_birth == dt.date(2018, 4, 3) and world.child_a.group == world.class_b
    change = KeyAspectChange.objects.get(child=world.child_a)
    assert (change.field, change.after, change.changed_by) == ("allergies", "Peanuts", world.admin_office.user)
    assert Carer.objects.get(pk=_carer(world).pk).parental_responsibility is False


def test_rejecting_needs_a_reason(world):
    check = carer_confirm(world, differences=[("child.legal_first_name", "Alfred")])
    correction = Correction.objects.get(data_check=check)
    admin = world.actor(world.admin_office)
    with pytest.raises(RuleViolation) as exc:
        correction_reject(actor=admin, correction=correction, reason=" ")
    assert exc.value.field == "reason"
    correction_reject(actor=admin, correction=correction, reason="Legal name must match the birth certificate")
    correction.refresh_from_db()
    assert correction.state == CorrectionState.REJECTED and correction.reason.startswith("Legal name")
    world.child_a.refresh_from_db()
    assert world.child_a.legal_first_name == "Alfie"


def test_key_workers_cannot_decide_corrections(world):
    check = carer_confirm(world, differences=[("child.legal_first_name", "Alfred")])
    correction = Correction.objects.get(data_check=check)
    with pytest.raises(PermissionDenied):
        correction_apply(actor=world.actor(world.ta_a), correction=correction)
    with pytest.raises(PermissionDenied):
        correction_reject(actor=world.actor(world.teacher_a), correction=correction, reason="Not so")


def test_wrong_scope_is_not_found(world):
    with pytest.raises(Http404):
        carer_confirm(world, child=world.child_b, staff=world.ta_a)  # class B is not the TA's
    other_child = world.other_family.children.get()
    with pytest.raises(Http404):
        carer_confirm(world, child=other_child, staff=world.headteacher)
    check = carer_confirm(world, differences=[("child.legal_first_name", "Alfred")])
    with pytest.raises(Http404):
        datacheck_admin_confirm(actor=world.actor(world.outsider), check=check)
    with pytest.raises(Http404):
        correction_apply(actor=world.actor(world.outsider), correction=Correction.objects.get(data_check=check))


def test_any_staff_member_in_scope_may_record_the_carers_confirmation(world):
    check = carer_confirm(world, staff=world.teacher_a)
    assert check.carer_recorded_by == world.teacher_a
    assert complete(world, child=world.child_b, staff=world.teacher_b).is_complete
