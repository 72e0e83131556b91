"""The carers' annual review pages (section REVIEWS): the carer fills in "All about my family" and opens the booklet
once shared; another family's carer, a carer without parental responsibility and staff get 404."""

import datetime as dt

import pytest

from keyworker.core.extensions import COMING, TO_DO, carer_home_sources
from keyworker.people.carer_access import access_for
from keyworker.people.models import Carer
from keyworker.testing import carer_account, make_family, portal_client

from .. import reviews
from ..models import FamilyViewsState
from .review_helpers import TODAY, booked

pytestmark = pytest.mark.django_db


def _carer(family) -> Carer:
    return family.carers.order_by("contact_order", "id").first()


def test_the_carer_sees_the_review_and_fills_in_all_about_my_family(world):
    review = booked(world)
    client = portal_client(_carer(world.family_a))
    page = client.get("/family/reviews/")
    assert page.status_code == 200 and "Alfie's annual review" in page.content.decode()
    detail = client.get(f"/family/reviews/{review.pk}/").content.decode()
    assert "Fill in All about my family" in detail and "will share the pupil booklet" in detail
    url = f"/family/reviews/{review.pk}/all-about-my-family/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"going_well": "Alfie loves the sensory room", "save": "1"}).status_code == 302
    review.family_views.refresh_from_db()
    assert review.family_views.state == FamilyViewsState.IN_PROGRESS and review.family_views.written_by == "carer"
    # Saved answers come back on the form.
    assert "Alfie loves the sensory room" in client.get(url).content.decode()
    assert client.post(url, {"going_well": "Alfie loves the sensory room", "questions": "Transport?", "done": "1"}).status_code == 302
    review.family_views.refresh_from_db()
    assert review.family_views.state == FamilyViewsState.DONE
    too_long = client.post(url, {"hard": "x" * 3001, "done": "1"})
    assert too_long.status_code == 400 and "3000 characters" in too_long.content.decode()


def test_the_booklet_is_not_there_until_it_is_shared(world):
    review = booked(world)
    client = portal_client(_carer(world.family_a))
    assert client.get(f"/family/reviews/{review.pk}/booklet.pdf").status_code == 404
    reviews.review_booklet_share(actor=world.actor(world.ta_a), review=review, shared_with="Mum and Dad, at the review")
    response = client.get(f"/family/reviews/{review.pk}/booklet.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "Open the pupil booklet" in client.get(f"/family/reviews/{review.pk}/").content.decode()


def test_another_familys_carer_gets_404(world):
    review = booked(world)
    client = portal_client(_carer(world.family_b))
    for url in (f"/family/reviews/{review.pk}/", f"/family/reviews/{review.pk}/all-about-my-family/",
                f"/family/reviews/{review.pk}/booklet.pdf"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/family/reviews/{review.pk}/all-about-my-family/", {"going_well": "x", "done": "1"}).status_code == 404


def test_a_carer_without_parental_responsibility_gets_404(world):
    review = booked(world)
    family = world.family_a
    other = Carer.objects.create(organisation=world.org, family=family, first_name="Step", last_name="Parent",
                                 parental_responsibility=False, contact_order=5)
    client = portal_client(other)
    assert client.get(f"/family/reviews/{review.pk}/").status_code == 404
    assert client.get(f"/family/reviews/{review.pk}/all-about-my-family/").status_code == 404
    assert client.get("/family/reviews/").status_code == 404  # the section is closed to them


def test_staff_get_404_in_the_portal(world, client_for):
    review = booked(world)
    assert client_for(world.ta_a).get(f"/family/reviews/{review.pk}/").status_code == 404


def test_the_carers_home_shows_the_review_coming_and_all_about_my_family_to_do(world):
    review = booked(world)
    user = carer_account(_carer(world.family_a))
    access = access_for(user)
    now = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)
    coming = [i for s in carer_home_sources(COMING) if s.code.startswith("annual_reviews") for i in s.fetch(access, TODAY, now)]
    to_do = [i for s in carer_home_sources(TO_DO) if s.code.startswith("annual_reviews") for i in s.fetch(access, TODAY, now)]
    assert [i.title for i in coming] == ["Annual review for Alfie"] and coming[0].url == f"/family/reviews/{review.pk}/"
    # The meeting is on the home page once, as the review (not again as a plain appointment)...
    plain = [i for s in carer_home_sources(COMING) if s.code == "appointments" for i in s.fetch(access, TODAY, now)]
    assert review.appointment.invitees.filter(carer__user=user).exists() and plain == []
    # ...but a carer who does not see reviews (no parental responsibility) still sees the appointment they are invited to.
    carer = _carer(world.family_a)
    carer.parental_responsibility = False
    carer.save()
    limited = access_for(user)
    assert [i.title for s in carer_home_sources(COMING) if s.code == "appointments" for i in s.fetch(limited, TODAY, now)] == [
        "EHCP annual review at Test Primary"]
    carer.parental_responsibility = True
    carer.save()
    access = access_for(user)
    assert [i.title for i in to_do] == ["Fill in All about my family"]
    reviews.family_views_save_by_carer(access=access, review=review, answers=reviews.Answers(hopes="Friends"), done=True)
    assert not [i for s in carer_home_sources(TO_DO) if s.code.startswith("annual_reviews") for i in s.fetch(access, TODAY, now)]
    # Another family's carer has nothing of it.
    other = access_for(carer_account(_carer(make_family(world.org, "The Eve family"))))
    assert not [i for s in carer_home_sources() if s.code.startswith("annual_reviews") for i in s.fetch(other, TODAY, now)]


@pytest.mark.parametrize("extra", [0, 5])
def test_the_carers_pages_take_a_fixed_number_of_queries(world, django_assert_max_num_queries, extra):
    from keyworker.testing import make_child

    from .review_helpers import ehcp

    review = booked(world)
    carer = _carer(world.family_a)
    for n in range(extra):
        booked(world, ehcp(make_child(world.family_a, world.school, world.class_a, legal_first_name=f"Sib{n}")))
    client = portal_client(carer)
    with django_assert_max_num_queries(8):
        assert client.get("/family/reviews/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/family/reviews/{review.pk}/").status_code == 200
