import datetime as dt

import pytest
from django.urls import reverse

from keyworker.core import clock
from keyworker.core.extensions import carer_home_sources
from keyworker.people.carer_access import access_for
from keyworker.people.models import Carer
from keyworker.targets import services
from keyworker.targets.models import HomeNote, ShareMethod
from keyworker.testing import carer_account, portal_client

from .helpers import homework, target

pytestmark = pytest.mark.django_db


def _carer(world) -> Carer:
    return world.family_a.carers.order_by("id").first()


def _shared(world):
    t = target(world)
    services.targets_share(actor=world.actor(world.ta_a), child=world.child_a, method=ShareMethod.PORTAL)
    return t


def test_family_sees_shared_targets_and_sends_a_note_from_home(world):
    target(world, what="Not shared")
    client = portal_client(_carer(world))
    page = client.get(reverse("portal:targets_child", args=[world.child_a.pk]))
    assert page.status_code == 200 and "Not shared" not in page.content.decode()
    t = _shared(world)
    page = client.get(reverse("portal:targets_child", args=[world.child_a.pk]))
    body = page.content.decode()
    assert "Read a chapter book on my own" in body and "Read together for ten minutes" in body
    page = client.post(reverse("portal:targets_child", args=[world.child_a.pk]), {"text": "", "target": ""})
    assert page.status_code == 400 and "How is it going at home?" in page.content.decode()
    page = client.post(reverse("portal:targets_child", args=[world.child_a.pk]), {"text": "Reading every night", "target": t.pk})
    assert page.status_code == 302
    note = HomeNote.objects.get()
    assert note.target_id == t.pk and note.carer_id == _carer(world).pk
    assert client.get(reverse("portal:targets")).status_code == 200


def test_carer_of_another_family_gets_404(world):
    _shared(world)
    client = portal_client(world.family_b.carers.first())
    assert client.get(reverse("portal:targets_child", args=[world.child_a.pk])).status_code == 404
    assert client.post(reverse("portal:targets_child", args=[world.child_a.pk]), {"text": "x"}).status_code == 404
    assert client.get(reverse("portal:homework_child", args=[world.child_a.pk])).status_code == 404


def test_limited_carer_does_not_see_targets_or_homework(world):
    _shared(world)
    carer = _carer(world)
    Carer.objects.filter(pk=carer.pk).update(parental_responsibility=False)
    client = portal_client(carer)
    assert client.get(reverse("portal:targets_child", args=[world.child_a.pk])).status_code == 404
    assert client.get(reverse("portal:homework_child", args=[world.child_a.pk])).status_code == 404


def test_family_sees_homework_with_feedback(world):
    hw = homework(world)
    services.homework_feedback_give(actor=world.actor(world.teacher_a), homework=hw, child_id=world.child_a.pk, feedback="Super spelling")
    page = portal_client(_carer(world)).get(reverse("portal:homework_child", args=[world.child_a.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "Spellings week 3" in body and "Super spelling" in body and "Test them on three evenings" in body


def test_carer_home_items(world):
    _shared(world)
    homework(world, title="Due soon", due_on=clock.today() + dt.timedelta(days=2))
    homework(world, title="Far off", due_on=clock.today() + dt.timedelta(days=30))
    carer = _carer(world)
    access = access_for(carer_account(carer))
    items = [i for s in carer_home_sources() if s.code.startswith("targets.") for i in s.fetch(access, clock.today(), clock.now())]
    titles = [i.title for i in items]
    assert "Alfie's learning targets" in titles and "Homework for Alfie: Due soon" in titles
    assert not any("Far off" in t for t in titles)
    page = portal_client(carer).get(reverse("portal:home"))
    assert "Alfie&#x27;s learning targets" in page.content.decode()
