import datetime as dt

import pytest
from django.urls import reverse

from keyworker.core import clock
from keyworker.targets import services
from keyworker.targets.models import HomeworkReturn, LearningTarget, ShareMethod, TargetSharing

from .helpers import homework, target

pytestmark = pytest.mark.django_db


def test_class_page_and_child_page_for_the_class_teacher(world, client_for):
    target(world)
    client = client_for(world.teacher_a)
    page = client.get(reverse("targets:index"))
    assert page.status_code == 200 and "Alfie Adams" in page.content.decode()
    page = client.get(reverse("targets:child", args=[world.child_a.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "Read a chapter book on my own" in body and "Not shared with the family yet" in body


def test_outsider_and_other_class_get_404(world, client_for):
    t = target(world)
    assert client_for(world.outsider).get(reverse("targets:child", args=[world.child_a.pk])).status_code == 404
    assert client_for(world.outsider).get(reverse("targets:target_edit", args=[t.pk])).status_code == 404
    hw = homework(world)
    assert client_for(world.outsider).get(reverse("targets:homework_detail", args=[hw.pk])).status_code == 404


def test_new_target_form_shows_a_message_per_field(world, client_for):
    client = client_for(world.teacher_a)
    page = client.post(reverse("targets:target_new", args=[world.child_a.pk]), {"what": "", "review_on": ""})
    body = page.content.decode()
    assert page.status_code == 400 and "Choose the day the target will be reviewed" in body
    page = client.post(reverse("targets:target_new", args=[world.child_a.pk]),
                       {"what": "Tie my shoelaces", "review_on": (clock.today() + dt.timedelta(days=30)).isoformat()})
    assert page.status_code == 302 and LearningTarget.objects.filter(what="Tie my shoelaces").exists()


def test_edit_and_review_pages(world, client_for):
    t = target(world)
    client = client_for(world.teacher_a)
    assert client.get(reverse("targets:target_edit", args=[t.pk])).status_code == 200
    page = client.post(reverse("targets:target_edit", args=[t.pk]), {"what": "Read aloud", "review_on": t.review_on.isoformat(), "version": 1})
    assert page.status_code == 302
    page = client.post(reverse("targets:target_review", args=[t.pk]), {"progress": "", "status": "working"})
    assert page.status_code == 400
    page = client.post(reverse("targets:target_review", args=[t.pk]),
                       {"progress": "Much better", "status": "achieved"})
    assert page.status_code == 302


def test_another_class_teacher_may_not_set_targets(world, client_for):
    client = client_for(world.teacher_b)
    assert client.get(reverse("targets:target_new", args=[world.child_b.pk])).status_code == 200
    # child_a is outside teacher_b's classes and caseload
    assert client.get(reverse("targets:target_new", args=[world.child_a.pk])).status_code == 404


def test_share_from_the_child_page(world, client_for):
    target(world)
    client = client_for(world.ta_a)
    page = client.post(reverse("targets:share", args=[world.child_a.pk]), {"method": ShareMethod.PORTAL})
    assert page.status_code == 302 and TargetSharing.objects.count() == 1
    page = client.post(reverse("targets:share", args=[world.child_a.pk]), {"method": "pigeon"})
    assert page.status_code == 400


def test_set_homework_and_the_class_view(world, client_for):
    client = client_for(world.teacher_a)
    assert client.get(reverse("targets:homework_new")).status_code == 200
    data = {"group": world.class_a.pk, "child": "", "title": "Times tables", "what_to_do": "Practise the 3s",
            "set_on": clock.today().isoformat(), "due_on": (clock.today() - dt.timedelta(days=2)).isoformat()}
    page = client.post(reverse("targets:homework_new"), data)
    assert page.status_code == 400 and "due before it was set" in page.content.decode()
    data["due_on"] = (clock.today() + dt.timedelta(days=3)).isoformat()
    page = client.post(reverse("targets:homework_new"), data)
    assert page.status_code == 302
    hw = world.class_a.homework.get()
    page = client.post(reverse("targets:homework_returns", args=[hw.pk]), {f"child-{world.child_a.pk}": "not_returned"})
    assert page.status_code == 302 and HomeworkReturn.objects.get().returned is False
    page = client.get(reverse("targets:homework_detail", args=[hw.pk]))
    body = page.content.decode()
    assert "record a contact" in body and f"/contacts/new/?family={world.family_a.pk}" in body
    page = client.post(reverse("targets:homework_feedback", args=[hw.pk, world.child_a.pk]), {"feedback": ""})
    assert page.status_code == 400
    page = client.post(reverse("targets:homework_feedback", args=[hw.pk, world.child_a.pk]), {"feedback": "Try again"})
    assert page.status_code == 302 and HomeworkReturn.objects.get().feedback == "Try again"
    assert client.get(reverse("targets:homework")).status_code == 200


def test_returns_for_a_child_outside_the_class_are_refused(world, client_for):
    hw = homework(world)
    client = client_for(world.teacher_a)
    page = client.post(reverse("targets:homework_returns", args=[hw.pk]), {f"child-{world.child_b.pk}": "returned"}, follow=True)
    assert "not in the class" in page.content.decode() and not HomeworkReturn.objects.exists()


def test_week_panel_lists_targets_due_for_review(world, client_for):
    t = target(world, review_on=clock.today() + dt.timedelta(days=2))
    page = client_for(world.teacher_a).get(reverse("week:my_week"))
    assert page.status_code == 200 and t.what in page.content.decode()


def test_homework_view_only_marks_for_the_class_team(world, client_for):
    hw = homework(world)
    services.homework_returns_mark(actor=world.actor(world.teacher_a), homework=hw, returned={world.child_a.pk: True})
    page = client_for(world.headteacher).get(reverse("targets:homework_detail", args=[hw.pk]))
    assert page.status_code == 200


def test_the_family_timeline_shows_sharing_and_notes_from_home(world, client_for):
    target(world)
    services.targets_share(actor=world.actor(world.ta_a), child=world.child_a, method=ShareMethod.PAPER)
    services.home_note_add(link=world.family_a.carers.first(), child=world.child_a, text="Going well")
    page = client_for(world.ta_a).get(reverse("dashboard:timeline", args=[world.family_a.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "Learning targets shared" in body and "Note from home" in body
