"""The carer's own data check in the portal: what they see, their confirmation, and their corrections landing in the
admin office's queue (never in the record until the office applies them)."""

import pytest

from keyworker.core.audit import AuditEvent
from keyworker.core.extensions import carer_home_sources
from keyworker.people.carer_access import access_for
from keyworker.people.models import Carer, ContactRestriction
from keyworker.testing import carer_account, make_child

from ..carer_side import FieldErrors, datacheck_portal_confirm, families_due, family_check
from ..models import CheckState, ConfirmationMethod, Correction, CorrectionState, DataCheck
from ..selectors import waiting_corrections
from ..services import correction_apply, datacheck_admin_confirm
from .helpers import TODAY, carer_confirm

pytestmark = pytest.mark.django_db


def _link(world):
    carer = world.family_a.carers.first()
    carer_account(carer)
    return Carer.objects.select_related("family").get(pk=carer.pk)


def test_the_carer_sees_their_family_and_the_other_carers_the_organisation_allows(world):
    link = _link(world)
    other = Carer.objects.create(organisation=world.org, family=world.family_a, first_name="Pat", last_name="Adams",
                                 phone="07700 900555", address="1 Other Street", contact_order=2)
    Carer.objects.create(organisation=world.org, family=world.family_a, first_name="Ray", last_name="Restricted",
                         phone="07700 900666", contact_restriction=ContactRestriction.COURT_ORDER, contact_order=3)
    fc = family_check(link, TODAY)
    keys = {i.key for i in fc.items}
    assert f"carer.{link.pk}.address" in keys and f"carer.{other.pk}.phone" in keys
    assert f"carer.{other.pk}.address" not in keys  # another carer's address is never shown
    assert not any("Restricted" in i.label for i in fc.items)  # a restricted carer is not shown at all
    child = world.child_a.pk
    assert f"key_aspects.{child}.allergies" in keys and f"child.{child}.date_of_birth" in keys and f"child.{child}.group" not in keys
    assert fc.due and [c.own for c in fc.carers] == [True, False]


def test_confirming_all_correct_records_the_carers_confirmation_on_each_child(world):
    link = _link(world)
    sibling = make_child(world.family_a, world.school, world.class_a, legal_first_name="Amy")
    checks = datacheck_portal_confirm(link=link, changes={}, as_of=TODAY)
    assert {c.child_id for c in checks} == {world.child_a.pk, sibling.pk}
    check = DataCheck.objects.get(child=world.child_a)
    assert check.state == CheckState.AWAITING_ADMIN and check.carer_method == ConfirmationMethod.PORTAL
    assert check.carer_all_correct and check.carer_recorded_by is None and check.carer_id == link.pk
    assert AuditEvent.objects.filter(event_type="datacheck.portal_confirmed", actor=link.user).exists()
    assert families_due(access_for(link.user), TODAY) == []
    # The admin office confirms as for any carer's confirmation: the check is complete (SCH-2 evidence).
    done = datacheck_admin_confirm(actor=world.actor(world.admin_office), check=check)
    assert done.state == CheckState.COMPLETE and done.completed_on == TODAY


def test_a_phone_correction_lands_in_the_office_queue_and_not_in_the_record(world):
    link = _link(world)
    key = f"carer.{link.pk}.phone"
    datacheck_portal_confirm(link=link, changes={key: "07700 900999"}, as_of=TODAY)
    link.refresh_from_db()
    assert link.phone == "07700 900123"
    queue = list(waiting_corrections(world.actor(world.admin_office)))
    assert [(c.field, c.proposed_value, c.proposed_by_carer_id, c.proposed_by_id) for c in queue] == [
        ("phone", "07700 900999", link.pk, None)]
    assert "(carers' portal)" in queue[0].proposer
    fc = family_check(link, TODAY)
    assert [c.state for c in fc.corrections] == [CorrectionState.PROPOSED] and not fc.due


def test_an_address_change_never_reaches_the_record_until_the_office_accepts_it(world):
    link = _link(world)
    key = f"carer.{link.pk}.address"
    datacheck_portal_confirm(link=link, changes={key: "2 New Road\nTown"}, as_of=TODAY)
    link.refresh_from_db()
    assert link.address == ""
    correction = Correction.objects.get(field="address")
    correction_apply(actor=world.actor(world.admin_office), correction=correction)
    link.refresh_from_db()
    assert link.address == "2 New Road\nTown"
    assert AuditEvent.objects.filter(event_type="datacheck.correction_applied", object_id=link.pk).exists()


def test_child_corrections_go_to_that_childs_check(world):
    link = _link(world)
    sibling = make_child(world.family_a, world.school, world.class_a, legal_first_name="Amy")
    datacheck_portal_confirm(link=link, changes={f"key_aspects.{sibling.pk}.allergies": "Peanuts",
                                                 f"child.{world.child_a.pk}.preferred_name": "Alf"}, as_of=TODAY)
    got = {(c.child_id, c.data_check.child_id, c.field, c.proposed_value) for c in Correction.objects.all()}
    assert got == {(sibling.pk, sibling.pk, "allergies", "Peanuts"), (world.child_a.pk, world.child_a.pk, "preferred_name", "Alf")}
    check = DataCheck.objects.get(child=sibling)
    assert check.snapshot["child.legal_first_name"] == "Amy" and f"carer.{link.pk}.phone" in check.snapshot
    assert not check.carer_all_correct and DataCheck.objects.get(child=world.child_a).carer_all_correct is False


def test_each_bad_field_gets_its_own_message(world):
    link = _link(world)
    with pytest.raises(FieldErrors) as exc:
        datacheck_portal_confirm(link=link, changes={
            f"carer.{link.pk}.email": "not an address", f"child.{world.child_a.pk}.date_of_birth": "yesterday",
            f"carer.{link.pk}.phone": "07700 900123",  # what is held already
            "carer.999999.phone": "1",
        }, as_of=TODAY)
    errors = exc.value.as_dict()
    assert set(errors) == {f"carer.{link.pk}.email", f"child.{world.child_a.pk}.date_of_birth", f"carer.{link.pk}.phone", "carer.999999.phone"}
    assert not DataCheck.objects.filter(carer_confirmed_at__isnull=False).exists()


def test_twice_is_refused_and_a_key_worker_confirmation_counts(world):
    link = _link(world)
    carer_confirm(world)  # the key worker recorded a carer's confirmation by phone
    with pytest.raises(Exception, match="already confirmed"):
        datacheck_portal_confirm(link=link, changes={}, as_of=TODAY)


def test_a_carer_without_parental_responsibility_cannot_confirm(world):
    link = _link(world)
    Carer.objects.filter(pk=link.pk).update(parental_responsibility=False)
    link.refresh_from_db()
    from django.http import Http404

    with pytest.raises(Http404):
        datacheck_portal_confirm(link=link, changes={}, as_of=TODAY)
    assert families_due(access_for(link.user), TODAY) == []


def test_the_carers_home_asks_to_check_the_details_while_due(world):
    link = _link(world)
    source = next(s for s in carer_home_sources() if s.code == "datachecks.portal")
    items = source.fetch(access_for(link.user), TODAY, None)
    assert [i.title for i in items] == ["Check your family's details"]
    assert items[0].url == f"/family/forms/{world.family_a.pk}/details/"
    datacheck_portal_confirm(link=link, changes={}, as_of=TODAY)
    assert source.fetch(access_for(link.user), TODAY, None) == []


def test_the_carers_check_takes_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(link):
        access = access_for(link.user)
        with CaptureQueriesContext(connection) as q:
            families_due(access, TODAY)
            family_check(link, TODAY)
        return len(q)

    small_link = _link(world)
    datacheck_portal_confirm(link=small_link, changes={f"carer.{small_link.pk}.phone": "07700 900999"}, as_of=TODAY)
    big = world.family_b.carers.first()
    carer_account(big)
    big = Carer.objects.select_related("family").get(pk=big.pk)
    for i in range(6):
        make_child(world.family_b, world.school, world.class_b, legal_first_name=f"Sib{i}")
        Carer.objects.create(organisation=world.org, family=world.family_b, first_name=f"Extra{i}", last_name="Brown")
    datacheck_portal_confirm(link=big, changes={f"carer.{big.pk}.phone": "07700 900999",
                                                       f"key_aspects.{world.child_b.pk}.allergies": "Milk"},
                             as_of=TODAY)
    assert count(big) == count(small_link) <= 9
