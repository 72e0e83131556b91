"""The staff pages of annual reviews: the list, one review's checklist, booking, the steps, "All about my family"
written with the family, the pupil booklet; as the key worker, a leader, and an outsider (404)."""

import datetime as dt

import pytest

from keyworker.testing import make_child, make_family

from .. import reviews
from ..models import FamilyViewsState
from .review_helpers import booked, ehcp, open_review

pytestmark = pytest.mark.django_db


def test_the_key_worker_sees_the_checklist_with_each_step(world, client_for):
    review = booked(world)
    page = client_for(world.ta_a).get(f"/meetings/reviews/{review.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for words in ("Invitations sent", "Advice and papers circulated", "Key worker invited", "Mark invitations sent",
                  "Invite Kim Keyworker", "All about my family", "Not started", "Share with the family", "Overdue"):
        assert words in html, words
    # The meeting step's date is written once, under its label, like every other step's.
    assert "Review meeting held" in html and "Review meeting held by" not in html


def test_a_leader_sees_upcoming_overdue_and_children_without_a_review(world, client_for):
    booked(world)
    late = open_review(world, world.child_b, last=dt.date(2025, 10, 1))  # due by 1 October 2026: overdue
    family = make_family(world.org, "The Dee family")
    ehcp(make_child(family, world.school, world.class_a, legal_first_name="Dan", legal_last_name="Dee"))
    page = client_for(world.headteacher).get("/meetings/reviews/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Alfie Adams" in html and "Bella Brown" in html and "Dan Dee" in html and "Open the review" in html
    lists = page.context["lists"]
    assert [r.review.pk for r in lists.overdue] == [late.pk] and len(lists.upcoming) == 1


def test_an_outsider_gets_404_everywhere(world, client_for):
    review = booked(world)
    client = client_for(world.outsider)
    for url in (f"/meetings/reviews/{review.pk}/", f"/meetings/reviews/{review.pk}/booklet.pdf",
                f"/meetings/reviews/{review.pk}/all-about-my-family/", f"/meetings/reviews/children/{world.child_a.pk}/open/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/meetings/reviews/{review.pk}/step/", {"step": "papers"}).status_code == 404
    assert client.get("/meetings/reviews/").context["lists"].upcoming == []


def test_marking_a_step_and_inviting_the_key_worker_from_the_page(world, client_for):
    review = booked(world)
    client = client_for(world.ta_a)
    assert client.post(f"/meetings/reviews/{review.pk}/step/", {"step": "papers", "on": "2026-11-17"}).status_code == 302
    assert client.post(f"/meetings/reviews/{review.pk}/invite-key-worker/").status_code == 302
    review.refresh_from_db()
    assert review.papers_circulated_on == dt.date(2026, 11, 17) and review.key_worker_invited_on == dt.date(2026, 11, 18)
    # A date that cannot be right comes back as a message, not a 500.
    response = client.post(f"/meetings/reviews/{review.pk}/step/", {"step": "invitations", "on": "2026-13-45"}, follow=True)
    assert response.status_code == 200 and "Enter a real date" in response.content.decode()


def test_booking_the_meeting_from_the_page_with_errors_per_field(world, client_for):
    review = open_review(world)
    client = client_for(world.headteacher)
    bad = client.post(f"/meetings/reviews/{review.pk}/book/", {"day": "", "starts": "25:00", "minutes": "5"})
    assert bad.status_code == 400 and set(bad.context["form"].errors) == {"day", "starts", "minutes"}
    ok = client.post(f"/meetings/reviews/{review.pk}/book/", {"day": "2026-11-30", "starts": "14:00", "minutes": "60", "place": "Room 2"})
    assert ok.status_code == 302
    review.refresh_from_db()
    assert reviews.meeting_day(review) == dt.date(2026, 11, 30)
    assert client_for(world.ta_a).get(f"/meetings/reviews/{review.pk}/book/").status_code == 403


def test_the_key_worker_fills_in_all_about_my_family_with_the_family(world, client_for):
    review = booked(world)
    client = client_for(world.ta_a)
    url = f"/meetings/reviews/{review.pk}/all-about-my-family/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"going_well": "", "done": "1"}).status_code == 400
    assert client.post(url, {"going_well": "Loves swimming", "hopes": "Reading together", "done": "1"}).status_code == 302
    review.family_views.refresh_from_db()
    assert review.family_views.state == FamilyViewsState.DONE
    assert "Done" in client.get(f"/meetings/reviews/{review.pk}/").content.decode()


def test_the_booklet_opens_as_a_pdf_for_staff(world, client_for):
    review = booked(world)
    response = client_for(world.ta_a).get(f"/meetings/reviews/{review.pk}/booklet.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_week_panel_lists_the_key_workers_reviews(world):
    from ..reviews_panels import build

    booked(world)
    panel = build(world.actor(world.ta_a), dt.date(2026, 11, 18))
    assert panel is not None and [r.child.pk for r in panel.rows] == [world.child_a.pk] and panel.waiting_for_family == 1
    assert build(world.actor(world.teacher_b), dt.date(2026, 11, 18)) is None


@pytest.mark.parametrize("extra", [0, 6])
def test_the_list_and_the_review_page_take_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries, extra):
    review = booked(world)
    for n in range(extra):
        family = make_family(world.org, f"The Extra{n} family")
        child = ehcp(make_child(family, world.school, world.class_a, legal_first_name=f"Extra{n}"))
        booked(world, child)
    client = client_for(world.headteacher)
    client.get("/meetings/reviews/")  # warm the session
    with django_assert_max_num_queries(14):
        assert client.get("/meetings/reviews/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/meetings/reviews/{review.pk}/").status_code == 200


def test_an_obligations_button_leads_to_the_childs_review(world, client_for):
    review = booked(world)
    client = client_for(world.ta_a)
    assert client.get(f"/meetings/reviews/children/{world.child_a.pk}/")["Location"] == f"/meetings/reviews/{review.pk}/"
    assert client_for(world.outsider).get(f"/meetings/reviews/children/{world.child_a.pk}/").status_code == 404


def test_the_family_timeline_shows_the_booklet_shared(world):
    from ..reviews_panels import timeline

    review = booked(world)
    reviews.review_booklet_share(actor=world.actor(world.ta_a), review=review, shared_with="Mum")
    entries = timeline(world.actor(world.ta_a), world.family_a, 10)
    assert [e.label for e in entries] == ["Pupil booklet shared"] and entries[0].by == "Kim Keyworker"
    assert timeline(world.actor(world.outsider), world.family_a, 10) == []


def test_my_week_shows_the_reviews_coming_with_all_about_my_family(world, client_for):
    booked(world)
    html = client_for(world.ta_a).get("/my-week/").content.decode()
    assert "Annual reviews coming up" in html and "Alfie Adams" in html
    # Counted per review (one per child), not per family.
    assert "<strong>1</strong> review still without a finished" in html


def test_the_checklist_shows_all_about_my_family_state(world, client_for):
    review = booked(world)
    reviews.family_views_save(actor=world.actor(world.ta_a), review=review, answers=reviews.Answers(hard="Mornings"), done=False)
    html = client_for(world.headteacher).get(f"/meetings/reviews/{review.pk}/").content.decode()
    assert "review-step--due_soon" in html and "In progress" in html


def test_my_week_asks_the_key_worker_to_arrange_a_review_never_opened(world, client_for):
    ehcp(world.child_a, ehcp_issued_on=dt.date(2025, 12, 10))  # due by 10 December 2026, in 3 weeks
    html = client_for(world.ta_a).get("/my-week/").content.decode()
    assert "Arrange the annual review" in html and "due by Thu 10 December 2026; no review opened yet" in html
    assert "review still without a finished" not in html  # nothing to fill in before a cycle is opened
    # A leader opening it from there finds the date filled in from the child's record.
    opened = client_for(world.headteacher).get(f"/meetings/reviews/children/{world.child_a.pk}/", follow=True)
    assert opened.context["form"].initial["last_review_on"] == dt.date(2025, 12, 10)
    # Due further away than six weeks: not yet on My week.
    ehcp(world.child_a, ehcp_issued_on=dt.date(2026, 6, 1))
    assert "Arrange the annual review" not in client_for(world.ta_a).get("/my-week/").content.decode()


def test_the_reviews_page_says_when_no_date_is_known(world, client_for):
    ehcp(world.child_a, ehcp_issued_on=dt.date(2025, 10, 1))
    ehcp(world.child_b)
    page = client_for(world.headteacher).get("/meetings/reviews/")
    html = page.content.decode()
    lists = page.context["lists"]
    assert [(w.child.pk, w.due_by, w.overdue) for w in lists.without] == [
        (world.child_a.pk, dt.date(2026, 10, 1), True), (world.child_b.pk, None, False)]
    assert "Date not known" in html and "nor when it was last reviewed" in html
    assert f"/families/children/{world.child_b.pk}/edit/" in html
    assert "due by 1/10/2026" in html
    assert client_for(world.outsider).get("/meetings/reviews/").context["lists"].without == []


def test_the_child_page_takes_the_plans_dates_with_errors_per_field(world, client_for):
    from keyworker.core.testing import as_opened
    from keyworker.people.forms import ChildForm

    url = f"/families/children/{world.child_a.pk}/edit/"
    opened = as_opened(ChildForm(instance=world.child_a, organisation=world.org))
    bad = client_for(world.headteacher).post(url, {**opened, "has_ehcp": "on", "ehcp_issued_on": "2025-05-01",
                                                   "ehcp_last_reviewed_on": "2025-04-01"})
    assert bad.status_code == 400 and list(bad.context["form"].errors) == ["ehcp_last_reviewed_on"]
    ok = client_for(world.headteacher).post(url, {**opened, "has_ehcp": "on", "ehcp_issued_on": "2025-05-01"})
    assert ok.status_code == 302
    world.child_a.refresh_from_db()
    assert world.child_a.ehcp_issued_on == dt.date(2025, 5, 1)
    assert "issued Thu 1 May 2025" in client_for(world.headteacher).get(f"/families/children/{world.child_a.pk}/").content.decode()
    assert client_for(world.outsider).post(url, {**opened, "ehcp_issued_on": "2025-05-01"}).status_code == 404
