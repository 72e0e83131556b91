"""The checklists' pages: the new children and what is missing, a child's checklists (tick in, take back, bad input),
the manager's set-up, My week; 404 outside scope; a fixed number of queries whatever the number of new children."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyworker.testing import allocate, make_child, make_family

from ..checklists_services import checklist_item_add
from ..models_checklists import ChecklistItem, ChecklistTick, IntroductionSetup
from .checklists_helpers import MONDAY, make_care

pytestmark = pytest.mark.django_db


def test_the_key_person_sees_what_is_missing(world, client_for, clock):
    care = make_care(world, adopt=True)
    client = client_for(care.key_person)
    page = client.get(reverse("care:checklists")).content.decode()
    assert "Eli Evans" in page and "6 missing" in page and "Registration paperwork" in page
    page = client.get(reverse("care:checklists_child", args=[care.child.pk])).content.decode()
    assert "Enrolment checklist" in page and "First-week induction" in page
    assert "Due Fri 20 November 2026" in page  # the induction, due by the end of the first week
    week = client.get(reverse("week:my_week")).content.decode()
    assert "New children's checklists" in week and "first-week induction due Fri 20 November 2026" in week


def test_ticking_an_item_in_and_taking_it_back(world, client_for, clock):
    care = make_care(world)
    client = client_for(care.key_person)
    url = reverse("care:checklists_tick", args=[care.child.pk, "induction", "snack"])
    response = client.post(url, {"induction-snack-item": "snack", "induction-snack-done_on": "2026-11-17",
                                 "induction-snack-note": "Ate with the group"})
    assert response.status_code == 302
    tick = ChecklistTick.objects.get(child=care.child, item="snack")
    assert tick.done_on == dt.date(2026, 11, 17) and tick.note == "Ate with the group"
    page = client.get(reverse("care:checklists_child", args=[care.child.pk])).content.decode()
    assert "ticked by Kai Keyperson" in page
    client.post(reverse("care:checklists_untick", args=[care.child.pk, "induction", "snack"]))
    assert not ChecklistTick.objects.filter(child=care.child).exists()


def test_a_bad_date_is_shown_next_to_the_field(world, client_for, clock):
    care = make_care(world)
    client = client_for(care.key_person)
    url = reverse("care:checklists_tick", args=[care.child.pk, "enrolment", "paperwork"])
    response = client.post(url, {"enrolment-paperwork-item": "paperwork", "enrolment-paperwork-done_on": "2026-11-20"})
    assert response.status_code == 400
    assert "is in the future" in response.content.decode()
    response = client.post(url, {"enrolment-paperwork-item": "paperwork", "enrolment-paperwork-done_on": "2026-11-02"})
    assert response.status_code == 400 and "before Eli Evans started" in response.content.decode()
    response = client.post(url, {"enrolment-paperwork-item": "paperwork", "enrolment-paperwork-done_on": "31/02/2026"})
    assert response.status_code == 400 and "Enter a real date" in response.content.decode()
    assert not ChecklistTick.objects.exists()


def test_outsiders_get_404(world, client_for, clock):
    care = make_care(world)
    for staff in (world.outsider, care.other_room_staff):
        client = client_for(staff)
        assert client.get(reverse("care:checklists_child", args=[care.child.pk])).status_code == 404
        url = reverse("care:checklists_tick", args=[care.child.pk, "enrolment", "paperwork"])
        assert client.post(url, {"enrolment-paperwork-item": "paperwork",
                                 "enrolment-paperwork-done_on": "2026-11-17"}).status_code == 404
    assert "Eli Evans" not in client_for(world.outsider).get(reverse("care:checklists")).content.decode()


def test_the_manager_sets_up_the_settings_own_items(world, client_for, clock):
    care = make_care(world)
    client = client_for(care.manager)
    assert client.get(reverse("care:checklists_setup")).status_code == 200
    response = client.post(reverse("care:checklists_item_add"), {"setting": care.nursery.pk, "kind": "enrolment",
                                                                  "label": "Funding form signed", "required": "on",
                                                                  "asked_of": "new"})
    assert response.status_code == 302
    item = ChecklistItem.objects.get(setting=care.nursery)
    assert item.required and item.added_on == dt.date(2026, 11, 18)
    response = client.post(reverse("care:checklists_item_add"), {"setting": care.nursery.pk, "kind": "enrolment",
                                                                  "label": "funding form signed", "asked_of": "new"})
    assert response.status_code == 400 and "has an item of that name already" in response.content.decode()
    client.post(reverse("care:checklists_introducer"), {"setting": care.nursery.pk, "introduced_by": "assistant_manager"})
    assert IntroductionSetup.objects.get(setting=care.nursery).introduced_by == "assistant_manager"
    client.post(reverse("care:checklists_item_remove", args=[item.pk]))
    item.refresh_from_db()
    assert item.removed_on is not None


def test_the_manager_asks_a_new_item_of_the_children_who_started_already(world, client_for, clock):
    care = make_care(world, adopt=True)
    _grow(world, care, 2)
    client = client_for(care.manager)
    form = client.get(reverse("care:checklists_setup")).content.decode()
    assert "Ask this of children who start from today" in form
    assert "Also ask it of the children who started in the last 42 days" in form
    response = client.post(reverse("care:checklists_item_add"), {
        "setting": care.nursery.pk, "kind": "enrolment", "label": "Funding form signed", "required": "on",
        "asked_of": "started"}, follow=True)
    page = response.content.decode()
    assert "“Funding form signed” added: 3 children who have started already now have it on their checklist." in page
    assert "Asked of children who started from Thu 8 October 2026" in page
    item = ChecklistItem.objects.get(setting=care.nursery)
    assert (item.added_on, item.applies_from) == (dt.date(2026, 11, 18), dt.date(2026, 10, 8))
    response = client.post(reverse("care:checklists_item_add"), {
        "setting": care.nursery.pk, "kind": "induction", "label": "Nappy changing", "asked_of": "new"}, follow=True)
    assert "“Nappy changing” added: it applies to children who start from today." in response.content.decode()
    assert "Asked of children who started from Wed 18 November 2026" in response.content.decode()
    for asked_of in ("everyone", ""):
        refused = client.post(reverse("care:checklists_item_add"), {
            "setting": care.nursery.pk, "kind": "induction", "label": "Garden", "asked_of": asked_of})
        assert refused.status_code == 400 and "Choose who is asked: children who start from today" in refused.content.decode()
    child = client_for(care.key_person).get(reverse("care:checklists_child", args=[care.child.pk])).content.decode()
    assert "Funding form signed" in child and "Nappy changing" not in child


def test_only_the_manager_asks_an_item_of_the_children_who_started_already(world, client_for, clock):
    care = make_care(world)
    data = {"setting": care.nursery.pk, "kind": "enrolment", "label": "Funding form signed", "asked_of": "started"}
    assert client_for(care.key_person).post(reverse("care:checklists_item_add"), data).status_code == 404
    assert client_for(care.assistant).post(reverse("care:checklists_item_add"), data).status_code == 404
    assert client_for(world.outsider).post(reverse("care:checklists_item_add"), data).status_code == 404
    assert not ChecklistItem.objects.exists()


def test_only_the_manager_sets_up(world, client_for, clock):
    care = make_care(world)
    assert client_for(care.key_person).get(reverse("care:checklists_setup")).status_code == 404
    assert client_for(world.outsider).get(reverse("care:checklists_setup")).status_code == 404
    item = checklist_item_add(actor=world.actor(care.manager), setting=care.nursery, kind="induction", label="Garden")
    assert client_for(care.key_person).post(reverse("care:checklists_item_remove", args=[item.pk])).status_code == 404
    assert client_for(world.outsider).post(reverse("care:checklists_item_remove", args=[item.pk])).status_code == 404


def _grow(world, care, n):
    for _ in range(n):
        family = make_family(world.org)
        make_child(family, care.nursery, care.room, enrolled_on=MONDAY, date_of_birth=dt.date(2024, 1, 1))
        allocate(family, care.nursery, care.key_person)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_pages_use_a_fixed_number_of_queries(world, client_for, clock):
    care = make_care(world, adopt=True)
    checklist_item_add(actor=world.actor(care.manager), setting=care.nursery, kind="enrolment", label="Funding",
                       as_of=dt.date(2026, 9, 1))
    client = client_for(care.manager)
    checklist_item_add(actor=world.actor(care.manager), setting=care.nursery, kind="induction", label="Garden",
                       include_started=True)
    urls = [reverse("care:checklists"), reverse("care:checklists") + "?show=all", reverse("care:introductions"),
            reverse("week:my_week"), reverse("care:checklists_child", args=[care.child.pk]),
            reverse("care:checklists_setup")]
    _grow(world, care, 2)
    small = [_count(client, u) for u in urls]
    _grow(world, care, 20)
    for n in range(5):
        checklist_item_add(actor=world.actor(care.manager), setting=care.nursery, kind="enrolment", label=f"Form {n}",
                           include_started=n % 2 == 0)
    assert [_count(client, u) for u in urls] == small
