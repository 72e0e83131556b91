"""The getting-started checklist: progress and what is missing, for leaders only, in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.accounts.models import StaffMember
from keyworker.dashboard.getting_started import checklist_for
from keyworker.notifications.models import Notification
from keyworker.organisations.hooks import setup_links_for
from keyworker.organisations.models import Term
from keyworker.standards.services import policy_adopt_builtin
from keyworker.testing import allocate, make_child, make_family, make_group, make_setting, make_staff

pytestmark = pytest.mark.django_db
URL = "/getting-started/"
AS_OF = dt.date(2026, 11, 18)


def step(checklist, key):
    return next(s for s in checklist.steps if s.key == key)


def test_the_leader_sees_progress_and_what_is_missing_with_numbers(world, client_for):
    # The world's school: terms, two classes with teachers, staff and children; no policy; one family unallocated.
    response = client_for(world.headteacher).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "5 of 7 done" in page and 'max="7" value="5"' in page
    assert "2 classes, 0 without a teacher." in page
    assert "1 family without a key worker, of 3." in page
    assert "No policy for school settings yet: adopt the built-in one." in page
    assert "3 children in 3 families, each with a carer." in page
    assert "/policies/" in page and "/allocation/" in page
    checklist = response.context["checklist"]
    assert [s.key for s in checklist.steps if not s.done] == ["policy", "allocate"]


def test_a_fresh_setting_says_what_to_do_and_offers_the_typical_year(world, client_for):
    new = make_setting(world.org, name="New Juniors")
    make_group(new, "Elm")
    client = client_for(world.headteacher)
    page = client.get(URL).content.decode()
    assert "New Juniors:</strong> No term dates yet" in page
    assert "Copy a typical English school year (2026/27) to adjust" in page
    assert "New Juniors:</strong> 1 class, 1 without a teacher." in page
    assert "New Juniors:</strong> No children on roll yet." in page
    assert "New Juniors:</strong> 0 members of staff, none who can be a key worker yet." in page
    assert "/import/?kind=staff&amp;hold=1" in page

    response = client.post(f"/setup/settings/{new.pk}/typical-year/", {"next": URL}, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert Term.objects.filter(setting=new).count() == 3
    assert "New Juniors:</strong> 3 terms entered, up to 23 July 2027." in response.content.decode()


def test_held_sign_in_emails_are_counted_and_sent_from_the_last_step(world, client_for):
    StaffMember.objects.filter(pk__in=[world.teacher_a.pk, world.ta_a.pk]).update(sign_in_email_held=True)
    for staff in (world.teacher_a, world.ta_a):
        staff.user.set_unusable_password()
        staff.user.save()
    client = client_for(world.headteacher)
    page = client.get(URL).content.decode()
    assert "2 sign-in e-mails held until you invite everyone." in page
    assert "Send the sign-in e-mails to 2 members of staff" in page
    response = client.post(URL + "invite/", follow=True)
    assert "Sign-in e-mails sent to 2 members of staff." in response.content.decode()
    assert Notification.objects.filter(kind="account.password_set").count() == 2
    assert not StaffMember.objects.filter(sign_in_email_held=True).exists()
    response = client.post(URL + "invite/", follow=True)
    assert "Every member of staff has had their sign-in e-mail already." in response.content.decode()
    assert Notification.objects.filter(kind="account.password_set").count() == 2


@pytest.mark.parametrize("persona", ["key_worker", "teacher_a", "admin_office", "safeguarding_lead"])
def test_others_find_no_such_page(world, client_for, persona):
    client = client_for(world.personas[persona])
    assert client.get(URL).status_code == 404
    assert client.post(URL + "invite/").status_code == 404


def test_another_organisations_leader_sees_only_theirs(world, client_for):
    page = client_for(world.outsider).get(URL).content.decode()
    assert "Test Primary" not in page and "The Adams family" not in page
    checklist = client_for(world.outsider).get(URL).context["checklist"]
    assert [s.name for s in checklist.settings] == ["Other Primary"]
    assert "1 class, 1 without a teacher." in page  # their Oak class has no team
    assert client_for(world.outsider).post(f"/setup/settings/{world.school.pk}/typical-year/").status_code == 404


def test_linked_from_setup_for_leaders_and_a_banner_on_my_week_while_incomplete(world, client_for):
    assert ("Getting started: what is left to set up", URL) in setup_links_for(world.actor(world.headteacher))
    assert ("Getting started: what is left to set up", URL) not in setup_links_for(world.actor(world.admin_office))
    page = client_for(world.headteacher).get("/my-week/").content.decode()
    assert "Getting started: 5 of 7 done" in page and "Next: <strong>Adopt your key worker policy</strong>" in page
    assert "Getting started" not in client_for(world.ta_a).get("/my-week/").content.decode()


def test_complete_when_everything_is_done(world, client_for):
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=AS_OF)
    allocate(world.family_unallocated, world.school, world.ta_a)
    checklist = checklist_for(world.actor(world.headteacher), AS_OF)
    assert checklist.complete, [(s.key, [line.text for line in s.missing]) for s in checklist.steps]
    page = client_for(world.headteacher).get(URL).content.decode()
    assert "7 of 7 done" in page and "Everything is set up" in page
    assert "Getting started" not in client_for(world.headteacher).get("/my-week/").content.decode()


def _grow(world, n: int) -> None:
    setting = make_setting(world.org, name=f"Annexe {n}")
    group = make_group(setting, f"Room {n}")
    worker = make_staff(world.org, setting, ["teacher"], [group])
    for _ in range(n):
        family = make_family(world.org)
        make_child(family, setting, group)
        allocate(family, setting, worker)


def test_a_fixed_number_of_queries_whatever_the_size(world):
    actor = world.actor(world.headteacher)
    with CaptureQueriesContext(connection) as small:
        checklist_for(actor, AS_OF)
    for n in (3, 5, 8):
        _grow(world, n)
    actor = world.actor(world.headteacher)
    with CaptureQueriesContext(connection) as large:
        checklist = checklist_for(actor, AS_OF)
    assert len(checklist.settings) == 4
    assert len(large) == len(small) <= 10


def test_the_page_takes_the_same_number_of_queries_whatever_the_size(world, client_for):
    client = client_for(world.headteacher)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    for n in (4, 6):
        _grow(world, n)
    with CaptureQueriesContext(connection) as large:
        page = client.get(URL).content.decode()
    assert "Annexe 6:</strong> 6 children in 6 families, each with a carer." in page
    assert len(large) == len(small)


def test_a_leader_without_set_up_or_import_rights_sees_no_link_that_would_refuse_them(world, client_for):
    member = make_staff(world.org, world.school, ["leadership_team"])
    html = client_for(member).get(URL).content.decode()
    assert "Getting started" in html and "of 7 done" in html
    assert 'href="/import/' not in html and f'href="/setup/settings/{world.school.pk}/' not in html
    assert 'href="/allocation/' in html  # they allocate key workers
