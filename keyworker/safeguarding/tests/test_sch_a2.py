"""SCH-A2: while a family has an open safeguarding concern, only a teacher may become its key worker."""

import pytest

from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.caseload.services import allocation_assign, allocation_end
from keyworker.core.errors import RuleViolation
from keyworker.safeguarding import services

from .helpers import confirmed, raise_concern

pytestmark = pytest.mark.django_db


def _unallocate(world):
    current = KeyWorkerAllocation.objects.get(family=world.family_a, ends_at__isnull=True)
    allocation_end(actor=world.actor(world.headteacher), allocation=current, reason="Moving classes")


def test_a_teaching_assistant_is_refused_while_a_concern_is_open(world):
    concern = raise_concern(world)
    _unallocate(world)
    head = world.actor(world.headteacher)
    with pytest.raises(RuleViolation) as refused:
        allocation_assign(actor=head, family=world.family_a, setting=world.school, staff=world.ta_a, reason="Back")
    assert refused.value.rule == "teacher_for_child_protection"
    assert "SCH-A2" in refused.value.message and "Zebedee" not in refused.value.message
    allocation_assign(actor=head, family=world.family_a, setting=world.school, staff=world.teacher_a, reason="SCH-A2")

    services.concern_close(actor=world.actor(world.safeguarding_lead), concern=concern,
                           summary="Referred to children's services; no further action and the family is supported.")
    allocation_assign(actor=head, family=world.family_a, setting=world.school, staff=world.ta_a, reason="Concern closed")
    assert KeyWorkerAllocation.objects.get(family=world.family_a, ends_at__isnull=True).staff_id == world.ta_a.pk


def test_another_family_is_not_affected(world):
    raise_concern(world)
    current = KeyWorkerAllocation.objects.filter(family=world.family_b, ends_at__isnull=True).first()
    if current:
        allocation_end(actor=world.actor(world.headteacher), allocation=current, reason="Moving classes")
    allocation_assign(actor=world.actor(world.headteacher), family=world.family_b, setting=world.school,
                      staff=world.safeguarding_lead, reason="Class B TA")


def test_the_child_page_and_the_author_of_a_flagged_contact_lead_to_raising_a_concern(world, client_for):
    import datetime as dt

    from keyworker.contacts.services import contact_record

    client = client_for(world.ta_a)
    html = client.get(f"/families/children/{world.child_a.pk}/").content.decode()
    assert f'href="/safeguarding/raise/?child={world.child_a.pk}"' in html
    assert client.get(f"/safeguarding/raise/?child={world.child_a.pk}").status_code == 200
    contact = contact_record(actor=world.actor(world.ta_a), family=world.family_a, happened_on=dt.date(2026, 11, 17),
                             channel="phone", tone="concern", safeguarding_category="physical_abuse",
                             write_up="Mum said Alfie has bruises on his arm from the weekend.")
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert f'href="/safeguarding/raise/?contact={contact.pk}"' in html and "bruises" not in html
    assert client.get(f"/safeguarding/raise/?contact={contact.pk}").status_code == 200
    team = confirmed(client_for(world.safeguarding_lead)).get(f"/contacts/{contact.pk}/").content.decode()
    assert f'href="/safeguarding/raise/?contact={contact.pk}"' in team
