"""The staff pages of care plans and the carers' pages in the portal: the right persona, outsiders (404), bad input
with a message next to the field, and a fixed number of queries whatever the number of children."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyworker.testing import portal_client

from ..models_plans import CarePlan, CarePlanComment, CarePlanReview, CarePlanSetup, ChildChose
from ..plans_services import (
    care_plan_comment_add,
    care_plan_review_record,
    care_plan_save,
    care_plan_setup_save,
)
from .plans_helpers import SECTIONS, add_children, make_club

pytestmark = pytest.mark.django_db


def _plan(world, club, child=None):
    return care_plan_save(actor=world.actor(club.key_contact), child=child or club.child, sections=SECTIONS,
                          as_of=dt.date(2026, 9, 10))


def test_the_key_contact_sees_the_plan_the_next_review_and_the_rule_that_set_it(world, client_for):
    club = make_club(world)
    _plan(world, club)
    body = client_for(club.key_contact).get(reverse("care:plan", args=[club.child.pk])).content.decode()
    assert "Personal care plan of Gina Grant" in body and "blue inhaler in the red bag" in body
    assert "Overdue" in body and "within 28 days of starting" in body  # Scotland: never reviewed since starting
    assert reverse("care:plan_review", args=[club.child.pk]) in body
    listing = client_for(club.manager).get(reverse("care:plans")).content.decode()
    assert "Gina Grant" in listing and "Review overdue" in listing


def test_outsiders_get_404(world, client_for):
    club = make_club(world)
    _plan(world, club)
    for staff in (world.outsider, world.teacher_a):
        client = client_for(staff)
        for name in ("care:plan", "care:plan_edit", "care:plan_review", "care:plan_history"):
            assert client.get(reverse(name, args=[club.child.pk])).status_code == 404, (staff, name)
        assert client.post(reverse("care:plan_review", args=[club.child.pk]), {}).status_code == 404
    # A school child has no care plan page.
    assert client_for(world.headteacher).get(reverse("care:plan", args=[world.child_a.pk])).status_code == 404


def test_write_a_new_version_and_see_what_changed_in_the_history(world, client_for):
    club = make_club(world)
    _plan(world, club)
    client = client_for(club.key_contact)
    data = {**SECTIONS, "interests": "Football and swimming", "summary": "Swimming lessons", "significant_change": ""}
    response = client.post(reverse("care:plan_edit", args=[club.child.pk]), data)
    assert response.status_code == 302
    body = client.get(reverse("care:plan_history", args=[club.child.pk])).content.decode()
    assert "Version 2 (current)" in body and "Changed: My interests." in body and "Football and swimming" in body
    assert "Version 1" in body
    same = client.post(reverse("care:plan_edit", args=[club.child.pk]), data)
    assert same.status_code == 400 and "Nothing changed" in same.content.decode()


def test_record_a_review_the_child_chose_another_staff_member(world, client_for):
    club = make_club(world)
    _plan(world, club)
    client = client_for(club.key_contact)
    form = client.get(reverse("care:plan_review", args=[club.child.pk])).content.decode()
    assert "Their key contact" in form and "Olly Other" in form
    data = {**SECTIONS, "reviewed_on": "2026-11-17", "child_chose": "staff", "chosen_staff": club.other_staff.pk,
            "done_by": club.other_staff.pk, "notes": "She asked for Olly"}
    response = client.post(reverse("care:plan_review", args=[club.child.pk]), data)
    assert response.status_code == 302
    review = CarePlanReview.objects.get(child=club.child)
    assert (review.child_chose, review.chosen_staff, review.plan_changed) == (ChildChose.STAFF, club.other_staff, False)
    body = client.get(reverse("care:plan", args=[club.child.pk])).content.decode()
    assert "Olly Other" in body and "No change" in body


def test_a_review_form_with_bad_input_says_what_is_wrong_next_to_each_field(world, client_for):
    from keyworker.testing import make_staff

    club = make_club(world)
    _plan(world, club)
    stranger = make_staff(world.org, world.school, ["teacher"], name="School Teacher")
    client = client_for(club.key_contact)
    url = reverse("care:plan_review", args=[club.child.pk])
    future = client.post(url, {**SECTIONS, "reviewed_on": "2026-12-01", "child_chose": "staff", "done_by": club.key_contact.pk})
    body = future.content.decode()
    assert future.status_code == 400 and "cannot be in the future" in body and "Choose the staff member the child chose" in body
    before = client.post(url, {**SECTIONS, "reviewed_on": "2026-09-01", "child_chose": "key_worker", "done_by": club.key_contact.pk})
    assert before.status_code == 400 and "cannot be dated before it" in before.content.decode()
    outside = client.post(url, {**SECTIONS, "reviewed_on": "2026-11-17", "child_chose": "staff", "chosen_staff": stranger.pk,
                                "done_by": club.key_contact.pk})
    assert outside.status_code == 400 and "The child chooses a staff member of Thistle Club" in outside.content.decode()
    junk = client.post(url, {"reviewed_on": "31/02/2026", "child_chose": "nonsense"})
    assert junk.status_code == 400 and "Enter a real date" in junk.content.decode()
    assert not CarePlanReview.objects.exists()


def test_the_key_contact_sees_due_reviews_and_requests_on_my_week(world, client_for):
    club = make_club(world)
    _plan(world, club)
    care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=dt.date(2026, 10, 1),
                            child_chose=ChildChose.KEY_WORKER)
    care_plan_comment_add(link=club.carer, child=club.child, body="Please review the sleep routine", asks_review=True)
    body = client_for(club.key_contact).get(reverse("week:my_week")).content.decode()
    assert "Personal care plans" in body and "The family asked for a review" in body
    assert "the family asked for a review (within 14 days of asking)" in body


def test_a_carer_reads_the_plan_and_asks_for_a_review(world):
    club = make_club(world)
    _plan(world, club)
    client = portal_client(club.carer)
    listing = client.get(reverse("portal:care_plans")).content.decode()
    assert "Gina's care plan" in listing
    url = reverse("portal:care_plan", args=[club.child.pk])
    page = client.get(url).content.decode()
    assert "Her dog Biscuit" in page and "Care plans" in client.get(reverse("portal:home")).content.decode()
    empty = client.post(url, {"body": ""})
    assert empty.status_code == 400 and "Write your comment." in empty.content.decode()
    response = client.post(url, {"body": "Could we talk about sleep?", "asks_review": "on"})
    assert response.status_code == 302
    comment = CarePlanComment.objects.get()
    assert comment.asks_review and CarePlan.objects.get(child=club.child).review_requested_on == dt.date(2026, 11, 18)
    staff_page = client.get(url).content.decode()
    assert "Review asked for" in staff_page


def test_carers_of_another_family_and_limited_carers_get_404(world):
    club = make_club(world)
    other = make_club(world, name="Other Club")
    _plan(world, club)
    url = reverse("portal:care_plan", args=[club.child.pk])
    for carer in (other.carer, club.no_pr):
        client = portal_client(carer)
        assert client.get(url).status_code == 404
        assert client.post(url, {"body": "Hello"}).status_code == 404
    assert not CarePlanComment.objects.exists()
    assert "Care plans" not in portal_client(club.no_pr).get(reverse("portal:home")).content.decode()


def test_the_manager_chooses_the_review_days_on_the_set_up_page(world, client_for):
    club = make_club(world)
    other = make_club(world, name="Other Club")
    for c in (club, other):
        _plan(world, c)
        care_plan_review_record(actor=world.actor(c.key_contact), child=c.child, reviewed_on=dt.date(2026, 10, 1),
                                child_chose=ChildChose.KEY_WORKER)
        care_plan_comment_add(link=c.carer, child=c.child, body="Please review it", asks_review=True)
    client = client_for(club.manager)
    page = client.get(reverse("care:checklists_setup")).content.decode()
    assert "Care plan reviews" in page and "Set in law" in page and "SSI 2011/210, regulation 5" in page
    assert "within 28 days of the child starting, and a review at least every 6 months" in page
    assert "Days to review a plan after the family asks for a review" in page
    assert "Days to review a plan after a significant change" in page
    response = client.post(reverse("care:checklists_review_days"), {"setting": club.setting.pk, "request_days": "7",
                                                                    "change_days": "10"}, follow=True)
    assert ("Care plan reviews at Thistle Club: when a family asks, within 7 days; after a significant change, within "
            "10 days.") in response.content.decode()
    assert (CarePlanSetup.objects.get(setting=club.setting).request_days, CarePlanSetup.objects.count()) == (7, 1)
    client = client_for(club.key_contact)
    body = client.get(reverse("care:plan_review", args=[club.child.pk])).content.decode()
    assert "Due by Wed 25 November 2026 (the family asked for a review (within 7 days of asking))" in body
    assert "within 10 days" in client.get(reverse("care:plan_edit", args=[club.child.pk])).content.decode()
    assert "the family asked for a review (within 7 days of asking)" in client.get(reverse("week:my_week")).content.decode()
    portal = portal_client(club.carer).get(reverse("portal:care_plan", args=[club.child.pk])).content.decode()
    assert "within 7 days" in portal
    other_page = client_for(other.key_contact).get(reverse("care:plan_review", args=[other.child.pk])).content.decode()
    assert "Due by Wed 2 December 2026 (the family asked for a review (within 14 days of asking))" in other_page


def test_bad_review_days_are_shown_next_to_each_field(world, client_for):
    club = make_club(world)
    client = client_for(club.manager)
    url = reverse("care:checklists_review_days")
    for request_days, change_days in (("0", "29"), ("seven", "")):
        response = client.post(url, {"setting": club.setting.pk, "request_days": request_days, "change_days": change_days})
        body = response.content.decode()
        assert response.status_code == 400
        assert body.count("Enter a whole number of days from 1 to 28, for example 14.") >= 2
        assert 'id="id_request_days"' in body and 'aria-invalid="true"' in body
    assert not CarePlanSetup.objects.exists()


def test_only_who_sets_up_the_setting_chooses_the_review_days(world, client_for):
    club = make_club(world)
    data = {"setting": club.setting.pk, "request_days": "7", "change_days": "7"}
    for staff in (club.key_contact, club.other_staff, world.outsider, world.teacher_a):
        assert client_for(staff).post(reverse("care:checklists_review_days"), data).status_code == 404, staff
    assert not CarePlanSetup.objects.exists()
    assert "Choose your setting's review days" not in client_for(club.key_contact).get(reverse("care:plans")).content.decode()
    assert "Choose your setting's review days" in client_for(club.manager).get(reverse("care:plans")).content.decode()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow(world, club, n):
    for child in add_children(club, n):
        _plan(world, club, child)
        care_plan_review_record(actor=world.actor(club.key_contact), child=child, reviewed_on=dt.date(2026, 10, 1),
                                child_chose=ChildChose.STAFF, chosen_staff=club.other_staff)
        care_plan_comment_add(link=child.family.carers.first(), child=child, body="Thanks", asks_review=True)


def test_pages_use_a_fixed_number_of_queries(world, client_for):
    club = make_club(world)
    _plan(world, club)
    _grow(world, club, 2)
    urls = [reverse("care:plans"), reverse("week:my_week")]
    plan_urls = [reverse(n, args=[club.child.pk]) for n in ("care:plan", "care:plan_history", "care:plan_review")]
    care_plan_setup_save(actor=world.actor(club.manager), setting=club.setting, request_days=7, change_days=7)
    client = client_for(club.key_contact)
    small = {u: _count(client, u) for u in urls + plan_urls}
    _grow(world, club, 20)
    for i in range(10):  # more versions, reviews and comments on one plan
        care_plan_save(actor=world.actor(club.key_contact), child=club.child, sections={**SECTIONS, "interests": f"Football {i}"})
        care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=dt.date(2026, 11, 18),
                                child_chose=ChildChose.KEY_WORKER)
        care_plan_comment_add(link=club.carer, child=club.child, body=f"Comment {i}")
    large = {u: _count(client, u) for u in urls + plan_urls}
    assert large == small
    carer = portal_client(club.carer)
    portal_url = reverse("portal:care_plan", args=[club.child.pk])
    assert _count(carer, portal_url) <= 20
