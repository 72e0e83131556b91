"""The demo: a school family's short conversation, one carer's message waiting on the demo key worker's My week."""

import pytest

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import User
from keyworker.contacts.demo import MESSAGES_KEY_WORKER_EMAIL
from keyworker.contacts.message_reads import waiting_for_reply
from keyworker.contacts.models import PortalMessage
from keyworker.core import clock as kw_clock
from keyworker.demo import builder
from keyworker.standards.models import Obligation

pytestmark = pytest.mark.django_db


def test_the_demo_key_worker_has_a_message_waiting(clock):
    builder.build()
    key_worker = actor_for(User.objects.get(email=MESSAGES_KEY_WORKER_EMAIL))
    panel = waiting_for_reply(key_worker, kw_clock.today())
    assert panel is not None and len(panel.rows) == 1
    family_id = panel.rows[0].message.family_id
    assert PortalMessage.objects.filter(family_id=family_id).count() == 3
    assert Obligation.objects.filter(family_id=family_id, standard__clause="SCH-11").exists()
