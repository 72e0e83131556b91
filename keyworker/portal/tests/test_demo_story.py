"""The demo's carer story, in the built demo (built once for the module, at the suite's fixed time): the carer the demo
prints is the carer of the child whose annual review is 12 days ahead, with the key worker the demo prints; that key
worker has the build's phone reminder on My week. Then the carer's story with the test client: a sign-in link from
the outbox, the key worker on the home page, "All about my family" done, a phone number corrected (it waits in the
admin office's queue), an RSVP, a parents' evening slot booked and a message sent, which the key worker sees on My
week and answers from there."""

import datetime as dt
import re

import pytest
from django.test import Client

from keyworker.caseload.demo_story import DEMO_CARER_EMAIL, KEY_WORKER_EMAIL
from keyworker.core import clock
from keyworker.datachecks.models import Correction
from keyworker.demo import builder
from keyworker.meetings.evenings_models import EveningSlot
from keyworker.meetings.models import AnnualReview, FamilyViewsState, Invitee, Rsvp
from keyworker.meetings.models_reminders import AppointmentReminder
from keyworker.people.models import Carer, ContactMethod

from .helpers import last_link, sign_in_with

NEW_PHONE = "07700 900777"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module (in a transaction rolled back at its end): about half a minute."""
    from django.test import override_settings

    from conftest import built_once

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")), built_once(django_db_blocker, builder.build) as built:
        yield built


@pytest.fixture
def story(demo, db, clock):
    carer = Carer.objects.select_related("family").get(email=DEMO_CARER_EMAIL)
    key_worker = next(s for s in demo.sign_ins if s.role == "Key worker (teaching assistant)")
    return carer, key_worker


def _review_in_12_days(carer):
    today = clock.today()
    return (AnnualReview.objects.filter(family_id=carer.family_id, held_on__isnull=True,
                                        appointment__starts_at__date__gte=today + dt.timedelta(days=12),
                                        appointment__starts_at__date__lte=today + dt.timedelta(days=14))
            .select_related("child", "appointment").get())


def test_the_printed_carer_is_the_carer_of_the_review_in_12_days_with_the_printed_key_worker(demo, story):
    carer, key_worker = story
    assert key_worker.email == KEY_WORKER_EMAIL
    assert [s.email for s in demo.carer_sign_ins] == [DEMO_CARER_EMAIL]
    review = _review_in_12_days(carer)
    assert review.child.family_id == carer.family_id
    assert review.child.family.allocations.get(ends_at__isnull=True).staff.user.email == KEY_WORKER_EMAIL
    # The review's reminder, three days before, is an e-mail to the demo carer and a phone task for the other carer.
    assert carer.preferred_contact_method == ContactMethod.EMAIL and carer.parental_responsibility
    others = Carer.objects.filter(family_id=carer.family_id).exclude(pk=carer.pk)
    assert not others.exists() or others.order_by("contact_order", "id").first().preferred_contact_method == ContactMethod.PHONE
    # The build's reminders: the phone task is on the printed key worker's My week, for another of their families.
    task = AppointmentReminder.objects.select_related("key_worker__user").get(channel=ContactMethod.PHONE)
    assert task.key_worker.user.email == KEY_WORKER_EMAIL and task.appointment.family_id != carer.family_id


def test_the_carers_story_in_the_demo(demo, story, client_for):
    from keyworker.accounts.models import StaffMember

    carer, key_worker = story
    family_id = carer.family_id
    review = _review_in_12_days(carer)
    child = review.child.preferred_name or review.child.legal_first_name

    # Signs in by the link the worker e-mails.
    client = Client()
    client.post("/family/sign-in/", {"email": DEMO_CARER_EMAIL})
    assert sign_in_with(client, last_link(DEMO_CARER_EMAIL)).url == "/family/"

    # Sees their key worker, and the review coming up.
    home = client.get("/family/").content.decode()
    assert "Key worker" in home and key_worker.name in home
    assert f"Annual review for {child}" in home

    # Completes "All about my family".
    url = f"/family/reviews/{review.pk}/all-about-my-family/"
    assert client.get(url).status_code == 200
    answers = {"going_well": f"{child} loves the sensory room.", "hard": "Mornings are hard.",
               "hopes": "To make a friend in class.", "questions": "Can we talk about transport?", "done": "1"}
    assert client.post(url, answers).status_code == 302
    review.family_views.refresh_from_db()
    assert review.family_views.state == FamilyViewsState.DONE

    # Corrects a phone number: it waits in the admin office's queue, the record unchanged.
    details = f"/family/forms/{family_id}/details/"
    page = client.get(details).content.decode()
    data = {f"change-carer.{carer.pk}.phone": NEW_PHONE}
    if "Send my changes" in page:
        data["action"] = "changes"
    assert client.post(details, data).status_code == 302
    assert Correction.objects.filter(carer=carer, field="phone", proposed_value=NEW_PHONE, decided_at__isnull=True).exists()
    carer.refresh_from_db()
    assert carer.phone != NEW_PHONE
    office = StaffMember.objects.get(organisation=carer.organisation, user__email=next(
        s.email for s in demo.sign_ins if s.role == "Admin office"))
    assert NEW_PHONE in client_for(office).get("/data-checks/corrections/").content.decode()

    # RSVPs to the review meeting.
    invitee = Invitee.objects.get(appointment=review.appointment, carer=carer)
    assert client.post(f"/family/appointments/{invitee.pk}/answer/", {"rsvp": "yes"}).status_code == 302
    invitee.refresh_from_db()
    assert invitee.rsvp == Rsvp.YES

    # Books a parents' evening slot: the first free time offered on the evening's page.
    listing = client.get("/family/bookings/").content.decode()
    evening_id = re.search(r'href="/family/bookings/(\d+)/"', listing).group(1)
    page = client.get(f"/family/bookings/{evening_id}/").content.decode()
    form = re.search(r'action="/family/bookings/\d+/book/".*?name="child" value="(\d+)".*?name="staff" value="(\d+)"'
                     r'.*?name="slot" value="(\d+)"', page, re.S)
    booked = client.post(f"/family/bookings/{evening_id}/book/",
                         {"child": form.group(1), "staff": form.group(2), "slot": form.group(3)})
    assert booked.status_code == 302
    slot = EveningSlot.objects.get(pk=form.group(3))
    assert slot.family_id == family_id and slot.carer_id == carer.pk

    # Sends a message; the key worker sees it on My week and answers it from there.
    text = f"Thank you for the review papers. Could we meet before the review about {child}'s transport?"
    assert client.post(f"/family/messages/{family_id}/", {"body": text}).status_code == 302
    louise = StaffMember.objects.get(organisation=carer.organisation, user__email=KEY_WORKER_EMAIL)
    staff = client_for(louise)
    week = staff.get("/my-week/").content.decode()
    assert "Messages waiting for a reply" in week and "Could we meet before the review" in week
    assert f'<input type="hidden" name="carer" value="{carer.pk}">' in week
    reply = "Of course: I am free on Tuesday after school. See you then."
    answered = staff.post(f"/contacts/messages/{family_id}/", {"carer": carer.pk, "body": reply, "next": "/my-week/"})
    assert answered.status_code == 302 and answered.url == "/my-week/"
    assert "Could we meet before the review" not in staff.get("/my-week/").content.decode()
    assert "I am free on Tuesday after school" in client.get(f"/family/messages/{family_id}/").content.decode()
