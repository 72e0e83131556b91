"""Celebration pages as each persona: record, list, one celebration (share, void), positivity and its rule; outsiders get 404."""

import datetime as dt

import pytest

from keyworker.celebrations.models import Celebration, PositivityRule
from keyworker.celebrations.services import celebration_record
from keyworker.contacts.models import ContactLog
from keyworker.core import clock
from keyworker.core.models import AuditEvent
from keyworker.dashboard.timeline import family_timeline
from keyworker.testing import allocate, make_child, make_family

TODAY = dt.date(2026, 11, 18)


def record(world, staff=None, child=None, **kw):
    values = {"kind": "star_of_the_week", "title": "Helped a friend in class", "celebrated_on": TODAY}
    values.update(kw)
    return celebration_record(actor=world.actor(staff or world.ta_a), child=child or world.child_a, **values)


def post_new(client, world, **kw):
    data = {"family": world.family_a.pk, "child": world.child_a.pk, "kind": "well_done_postcard", "title": "Read aloud to the class",
            "celebrated_on": "2026-11-18", "shared_how": "", "shared_on": "", "points": "", "note": ""}
    data.update(kw)
    return client.post(f"/celebrations/new/?child={world.child_a.pk}", data)


# Record --------------------------------------------------------------------------------------------------

def test_chooser_lists_the_key_workers_children(world, client_for):
    r = client_for(world.ta_a).get("/celebrations/new/")
    html = r.content.decode()
    assert r.status_code == 200 and "Alfie Adams" in html and "Bella Brown" not in html


def test_record_page_prefilled_from_my_week(world, client_for):
    r = client_for(world.ta_a).get(f"/celebrations/new/?child={world.child_a.pk}&kind=dojo_points&next=/my-week/")
    assert r.status_code == 200
    form = r.context["form"]
    assert form.initial["child"] == world.child_a.pk and form.initial["kind"] == "dojo_points"
    assert "Record a celebration for Alfie Adams" in r.content.decode()


def test_record_from_a_family_with_two_children(world, client_for):
    amy = make_child(world.family_a, world.school, world.class_a, legal_first_name="Amy", legal_last_name="Adams")
    r = client_for(world.ta_a).get(f"/celebrations/new/?family={world.family_a.pk}")
    assert r.status_code == 200 and "child" not in r.context["form"].initial
    assert "Amy Adams" in r.content.decode()
    r = post_new(client_for(world.ta_a), world, child=amy.pk)
    assert r.status_code == 302 and Celebration.objects.get().child == amy


def test_record_and_share_from_the_page(world, client_for):
    client = client_for(world.ta_a)
    r = post_new(client, world, shared_how="messaging_app", next="/my-week/")
    assert r.status_code == 302 and r.url == "/my-week/"
    c = Celebration.objects.get()
    assert c.is_shared and c.contact.tone == "celebration"
    page = client.get(r.url).content.decode()
    assert "Well Done postcard for Alfie Adams recorded: shared with the family and logged as a celebration contact." in page


def test_record_page_errors_per_field(world, client_for):
    client = client_for(world.ta_a)
    r = post_new(client, world, title="  ", celebrated_on="2026-11-19", kind="")
    assert r.status_code == 400
    errors = r.context["form"].errors
    assert "title" in errors and "kind" in errors
    r = post_new(client, world, celebrated_on="2026-11-25")
    assert r.status_code == 400 and "cannot be in the future" in r.context["form"].errors["celebrated_on"][0]
    r = post_new(client, world, kind="dojo_points", points="")
    assert r.status_code == 400 and "Dojo Points" in r.context["form"].errors["points"][0]
    r = post_new(client, world, celebrated_on="not a date")
    assert r.status_code == 400 and "real date" in r.context["form"].errors["celebrated_on"][0]
    r = post_new(client, world, child=world.child_b.pk)
    assert r.status_code == 400 and "child" in r.context["form"].errors
    assert not Celebration.objects.exists()


def test_dojo_points_a_left_over_number_is_ignored(world, client_for):
    r = post_new(client_for(world.ta_a), world, kind="achievement", points="7")
    assert r.status_code == 302 and Celebration.objects.get().points is None


def test_record_page_outside_scope_is_404(world, client_for):
    assert client_for(world.teacher_b).get(f"/celebrations/new/?child={world.child_a.pk}").status_code == 404
    assert client_for(world.outsider).get(f"/celebrations/new/?family={world.family_a.pk}").status_code == 404
    assert client_for(world.outsider).get("/celebrations/new/?child=abc").status_code == 404
    r = post_new(client_for(world.outsider), world)
    assert r.status_code == 404 and not Celebration.objects.exists()


# List ----------------------------------------------------------------------------------------------------

def test_list_as_key_worker_and_leader(world, client_for):
    record(world)
    record(world, staff=world.teacher_b, child=world.child_b, kind="dojo_points", points=10, title="Great effort")
    html = client_for(world.ta_a).get("/celebrations/").content.decode()
    assert "Helped a friend in class" in html and "Great effort" not in html
    r = client_for(world.headteacher).get("/celebrations/")
    html = r.content.decode()
    assert "Helped a friend in class" in html and "10 Dojo Points" in html and "2 celebrations" in html
    assert "Positivity by key worker and class" in html


def test_list_filters(world, client_for):
    record(world)
    record(world, kind="well_done_postcard", title="Tidy work", celebrated_on=dt.date(2026, 10, 1))
    record(world, staff=world.teacher_b, child=world.child_b, title="Kind words")
    client = client_for(world.headteacher)
    titles = lambda r: [c.title for c in r.context["celebrations"]]  # noqa: E731
    assert titles(client.get("/celebrations/?kind=well_done_postcard")) == ["Tidy work"]
    assert titles(client.get("/celebrations/?date_from=2026-11-01")) == ["Kind words", "Helped a friend in class"]
    assert titles(client.get(f"/celebrations/?group={world.class_b.pk}")) == ["Kind words"]
    assert titles(client.get(f"/celebrations/?staff={world.ta_a.pk}")) == ["Helped a friend in class", "Tidy work"]
    assert set(titles(client.get(f"/celebrations/?key_worker={world.teacher_b.pk}"))) == {"Kind words"}
    assert set(titles(client_for(world.ta_a).get("/celebrations/?mine=1"))) == {"Helped a friend in class", "Tidy work"}
    r = client.get("/celebrations/?date_from=2026-12-01&date_to=2026-11-01")
    assert r.status_code == 200 and "date_to" in r.context["form"].errors
    assert client.get("/celebrations/?group=99999999").context["form"].errors
    assert client.get(f"/celebrations/?family={world.other_family.pk}").status_code == 404


def test_list_fixed_queries(world, client_for, django_assert_max_num_queries):
    client = client_for(world.headteacher)
    record(world)
    client.get("/celebrations/")
    with django_assert_max_num_queries(20) as few:
        client.get("/celebrations/")
    for i in range(30):
        fam = make_family(world.org)
        child = make_child(fam, world.school, world.class_b)
        allocate(fam, world.school, world.teacher_b)
        record(world, staff=world.teacher_b, child=child, title=f"Effort {i}", shared_how="phone" if i % 2 else "")
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get("/celebrations/")
    assert len(r.context["celebrations"]) == 25 and r.context["page_obj"].has_next()


# One celebration, share, void -----------------------------------------------------------------------------

def test_detail_share_as_key_worker(world, client_for):
    c = record(world)
    client = client_for(world.ta_a)
    r = client.get(f"/celebrations/{c.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and "Star of the week for Alfie Adams" in html and "Mark as shared" in html
    assert "Void celebration" not in html  # the author is not a leader
    r = client.post(f"/celebrations/{c.pk}/share/", {"shared_how": "face_to_face", "shared_on": "2026-11-18"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.is_shared and ContactLog.objects.get().pk == c.contact_id
    r = client.post(f"/celebrations/{c.pk}/share/", {"shared_how": "phone"})
    assert r.status_code == 302 and ContactLog.objects.count() == 1  # already shared: a message, no second contact


def test_share_errors_per_field(world, client_for):
    c = record(world)
    r = client_for(world.ta_a).post(f"/celebrations/{c.pk}/share/", {"shared_how": "", "shared_on": "2026-11-30"})
    assert r.status_code == 400 and "shared_how" in r.context["share_form"].errors
    r = client_for(world.ta_a).post(f"/celebrations/{c.pk}/share/", {"shared_how": "phone", "shared_on": "2026-11-30"})
    assert r.status_code == 400 and "future" in r.context["share_form"].errors["shared_on"][0]


def test_void_as_leader_and_403_for_the_author(world, client_for):
    c = record(world, shared_how="phone")
    r = client_for(world.ta_a).post(f"/celebrations/{c.pk}/void/", {"reason": "Wrong child"})
    assert r.status_code == 403
    client = client_for(world.deputy)
    assert "Void celebration" in client.get(f"/celebrations/{c.pk}/").content.decode()
    r = client.post(f"/celebrations/{c.pk}/void/", {"reason": ""})
    assert r.status_code == 400 and "reason" in r.context["void_form"].errors
    r = client.post(f"/celebrations/{c.pk}/void/", {"reason": "Recorded for the wrong child", "void_contact": "on"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.is_voided and c.contact.voided_at is not None
    assert "Void." in client.get(f"/celebrations/{c.pk}/").content.decode()


def test_detail_outsider_and_other_class_get_404(world, client_for):
    c = record(world)
    for staff in (world.outsider, world.teacher_b):
        client = client_for(staff)
        assert client.get(f"/celebrations/{c.pk}/").status_code == 404
        assert client.post(f"/celebrations/{c.pk}/share/", {"shared_how": "phone"}).status_code == 404
        assert client.post(f"/celebrations/{c.pk}/void/", {"reason": "Not mine at all"}).status_code == 404
    assert client_for(world.ta_a).get("/celebrations/999999/").status_code == 404


def test_timeline_entries(world):
    c = record(world, shared_how="email")
    record(world, kind="dojo_points", points=3, title="Quick work")
    page = family_timeline(world.actor(world.ta_a), world.family_a, kinds=("celebrations",))
    labels = [(e.label, e.tone) for e in page.entries]
    assert ("Star of the week", "good") in labels and ("3 Dojo Points", "good") in labels
    star = next(e for e in page.entries if e.label == "Star of the week")
    assert star.url == f"/celebrations/{c.pk}/" and "Shared with the family (e-mail)" in star.summary
    assert family_timeline(world.actor(world.teacher_b), world.family_a, kinds=("celebrations",)).entries == []


def test_timeline_page_lists_celebrations(world, client_for):
    record(world)
    html = client_for(world.ta_a).get(f"/families/{world.family_a.pk}/timeline/").content.decode()
    assert "Helped a friend in class" in html and "Celebrations" in html


# Positivity pages -------------------------------------------------------------------------------------------

def _contact(world, tone, author=None, family=None):
    return ContactLog.objects.create(
        organisation=world.org, family=family or world.family_a, setting=world.school, author=author or world.ta_a,
        happened_on=TODAY, channel="phone", tone=tone, write_up="Spoke with mum about the week.", created_at=clock.now(),
    )


def test_positivity_overview_as_leaders(world, client_for):
    for tone in ("concern", "concern", "positive"):
        _contact(world, tone)
    _contact(world, "celebration", author=world.teacher_b, family=world.family_b)
    for staff in (world.headteacher, world.deputy):
        r = client_for(staff).get("/celebrations/positivity/")
        assert r.status_code == 200
    html = r.content.decode()
    assert "Positivity in Test Primary" in html and "Positivity by key worker" in html and "Positivity by class" in html
    assert "Kim Keyworker" in html and "33%" in html and "The Adams family" in html
    assert "Change the positivity rule" in html
    assert '<figure class="positivity-chart"' in html and "<table>" in html


@pytest.mark.parametrize("persona", ["ta_a", "teacher_a", "admin_office", "safeguarding_lead"])
def test_positivity_overview_needs_the_capability(world, client_for, persona):
    assert client_for(getattr(world, persona)).get("/celebrations/positivity/").status_code == 403


def test_positivity_overview_other_setting_is_404(world, client_for):
    assert client_for(world.outsider).get(f"/celebrations/positivity/?setting={world.school.pk}").status_code == 404
    assert client_for(world.headteacher).get("/celebrations/positivity/?setting=x").status_code == 404


def test_positivity_overview_fixed_queries(world, client_for, django_assert_max_num_queries):
    client = client_for(world.headteacher)
    client.get("/celebrations/positivity/")
    with django_assert_max_num_queries(30) as few:
        client.get("/celebrations/positivity/")
    for _ in range(20):
        fam = make_family(world.org)
        make_child(fam, world.school, world.class_a)
        allocate(fam, world.school, world.ta_a)
        _contact(world, "concern", family=fam)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/celebrations/positivity/")


def test_positivity_rule_page(world, client_for):
    client = client_for(world.admin_office)  # setup capability, not a leader of allocations
    r = client.get("/celebrations/positivity/rule/")
    assert r.status_code == 200 and "The default rule is in use" in r.content.decode()
    r = client.post("/celebrations/positivity/rule/", {"threshold_percent": "101", "min_contacts": "0", "window": "days",
                                                      "window_days": "400"})
    assert r.status_code == 400
    assert set(r.context["form"].errors) == {"threshold_percent", "min_contacts", "window_days"}
    r = client.post("/celebrations/positivity/rule/", {"threshold_percent": "60", "min_contacts": "4", "window": "days",
                                                      "window_days": "28"})
    assert r.status_code == 302
    rule = PositivityRule.objects.get(organisation=world.org)
    assert (rule.threshold_percent, rule.min_contacts, rule.window, rule.window_days) == (60, 4, "days", 28)
    assert AuditEvent.objects.filter(event_type="positivity_rule.saved").exists()


@pytest.mark.parametrize("persona", ["ta_a", "teacher_a", "safeguarding_lead"])
def test_positivity_rule_page_needs_setup(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get("/celebrations/positivity/rule/").status_code == 403
    assert client.post("/celebrations/positivity/rule/", {"threshold_percent": "10", "min_contacts": "1", "window": "days",
                                                         "window_days": "7"}).status_code == 403
    assert not PositivityRule.objects.exists()


def test_outsider_sees_only_their_own_organisation(world, client_for):
    record(world)
    html = client_for(world.outsider).get("/celebrations/").content.decode()
    assert "Helped a friend in class" not in html
    client_for(world.outsider).post("/celebrations/positivity/rule/", {"threshold_percent": "70", "min_contacts": "3",
                                                                       "window": "half_term", "window_days": "42"})
    assert not PositivityRule.objects.filter(organisation=world.org).exists()
