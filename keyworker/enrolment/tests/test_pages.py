"""Staff pages of enrolment forms: the list (incomplete, waiting for review), a form, accept, ask for changes; the
family page shows "enrolment incomplete". Outsiders and school staff without the family get 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.people.models import KeyAspects
from keyworker.testing import make_child, make_family

from ..models import FormState
from ..services import enrolment_save, enrolment_send
from .helpers import ANSWERS, make_nursery

pytestmark = pytest.mark.django_db


@pytest.fixture
def nursery(world):
    return make_nursery(world)


def _sent(nursery):
    enrolment_save(link=nursery.carer, child=nursery.child, answers=ANSWERS)
    return enrolment_send(link=nursery.carer, child=nursery.child)


def test_the_manager_sees_incomplete_enrolments_and_forms_to_review(world, nursery, client_for):
    client = client_for(nursery.manager)
    html = client.get("/enrolment/").content.decode()
    assert "Eli Evans" in html and "Not started" in html
    form = _sent(nursery)
    html = client.get("/enrolment/?state=sent").content.decode()
    assert "Eli Evans" in html and "Waiting for review" in html
    html = client.get(f"/enrolment/{form.pk}/").content.decode()
    assert "Peanuts: EpiPen in the bag" in html and "Accept the form" in html


def test_the_family_page_says_enrolment_incomplete(world, nursery, client_for):
    html = client_for(nursery.key_person).get(f"/families/{nursery.family.pk}/").content.decode()
    assert "Enrolment incomplete" in html and "Not started" in html
    # A school family shows no enrolment section.
    assert "Enrolment forms" not in client_for(world.ta_a).get(f"/families/{world.family_a.pk}/").content.decode()


def test_the_key_person_accepts_the_form(world, nursery, client_for):
    form = _sent(nursery)
    client = client_for(nursery.key_person)
    response = client.post(f"/enrolment/{form.pk}/accept/")
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.state == FormState.ACCEPTED
    assert KeyAspects.objects.get(child=nursery.child).allergies == "Peanuts: EpiPen in the bag"
    assert "Accepted" in client.get(f"/enrolment/{form.pk}/").content.decode()
    # A second accept says why, it does not fail.
    response = client.post(f"/enrolment/{form.pk}/accept/", follow=True)
    assert response.status_code == 200 and "only a form sent by the family" in response.content.decode()


def test_asking_for_changes_needs_a_note(world, nursery, client_for):
    form = _sent(nursery)
    client = client_for(nursery.manager)
    response = client.post(f"/enrolment/{form.pk}/ask-changes/", {"note": ""})
    assert response.status_code == 400 and 'class="error-message"' in response.content.decode()
    response = client.post(f"/enrolment/{form.pk}/ask-changes/", {"note": "Please add the EpiPen dose"})
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.state == FormState.CHANGES_ASKED and form.changes_note == "Please add the EpiPen dose"


@pytest.mark.parametrize("persona", ["outsider", "teacher_a"])
def test_others_get_404(world, nursery, client_for, persona):
    form = _sent(nursery)
    client = client_for(getattr(world, persona))
    assert client.get(f"/enrolment/{form.pk}/").status_code == 404
    assert client.get(f"/enrolment/children/{nursery.child.pk}/").status_code == 404
    assert client.post(f"/enrolment/{form.pk}/accept/").status_code == 404
    assert client.post(f"/enrolment/{form.pk}/ask-changes/", {"note": "Change it"}).status_code == 404
    assert "Eli Evans" not in client.get("/enrolment/?state=").content.decode()
    form.refresh_from_db()
    assert form.state == FormState.SENT


def test_the_list_takes_a_fixed_number_of_queries(world, nursery, client_for):
    client = client_for(nursery.manager)

    def count():
        with CaptureQueriesContext(connection) as q:
            assert client.get("/enrolment/?state=").status_code == 200
        return len(q)

    small = count()
    for i in range(6):
        family = make_family(world.org, f"The Kid{i} family")
        make_child(family, nursery.setting, nursery.room, legal_first_name=f"Kid{i}")
    _sent(nursery)
    assert count() == small


def test_my_week_shows_forms_to_review_to_the_key_person(world, nursery, client_for):
    from ..panels import build

    panel = build(world.actor(nursery.key_person), nursery.child.enrolled_on)
    assert panel is not None and panel.incomplete == 1 and panel.to_review == []
    _sent(nursery)
    panel = build(world.actor(nursery.key_person), nursery.child.enrolled_on)
    assert [r.child for r in panel.to_review] == [nursery.child]
    html = client_for(nursery.key_person).get("/my-week/").content.decode()
    assert "Review the enrolment form" in html and "Enrolment incomplete for" in html
    assert build(world.actor(world.ta_a), nursery.child.enrolled_on) is None  # a school key worker: nothing
