"""Wellbeing pages per persona: the raise form, one concern (follow-up, referral response, close), the list, the
leaders' board (and its fixed number of queries), the directory and its editing, My week's panel, the timeline."""

import datetime as dt

import pytest
from django.urls import reverse

from keyworker.testing import make_family
from keyworker.wellbeing.models import Agency, ConcernStatus, WellbeingConcern, WellbeingFollowUp

from .helpers import NOTICED, TODAY, follow_up, make_agency, raise_concern

NOT_SAFEGUARDING = "If you think a child is at risk of harm, raise a safeguarding concern instead"


def _raise_data(world, **kw):
    data = {"family": world.family_a.pk, "what_noticed": NOTICED, "areas": ["money", "housing"], "indicators": ["healthy"],
            "children": [world.child_a.pk], "noticed_on": "2026-11-18"}
    data.update(kw)
    return data


def test_raise_form_says_it_is_not_the_safeguarding_route(world, client_for):
    r = client_for(world.teacher_a).get(reverse("wellbeing:new"), {"family": world.family_a.pk})
    body = r.content.decode()
    assert r.status_code == 200 and NOT_SAFEGUARDING in body and "Safe" in body and "Alfie Adams" in body
    assert f'href="/safeguarding/raise/?family={world.family_a.pk}"' in body


def test_raise_from_the_form(world, client_for):
    r = client_for(world.teacher_a).post(reverse("wellbeing:new"), _raise_data(world))
    concern = WellbeingConcern.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("wellbeing:concern", args=[concern.pk])
    assert concern.areas == ["housing", "money"] and list(concern.children.all()) == [world.child_a]


@pytest.mark.parametrize(("change", "message"), [
    ({"what_noticed": "Sad."}, "Write at least a sentence"),
    ({"areas": []}, "Choose at least one thing the family may be struggling with"),
    ({"indicators": []}, "Choose at least one wellbeing indicator"),
    ({"indicators": ["happy"]}, "Choose from the list."),
    ({"noticed_on": "31/02/2026"}, "Enter a real date"),
    ({"noticed_on": "2026-11-30"}, "cannot be in the future"),
    ({"children": ["abc"]}, "Choose children of this family."),
])
def test_raise_errors_next_to_the_field(world, client_for, change, message):
    r = client_for(world.ta_a).post(reverse("wellbeing:new"), _raise_data(world, **change))
    assert r.status_code == 400 and message in r.content.decode() and not WellbeingConcern.objects.exists()


def test_raise_chooser_and_scope(world, client_for):
    r = client_for(world.teacher_b).get(reverse("wellbeing:new"))
    assert r.status_code == 200 and "The Brown family" in r.content.decode() and "The Adams family" not in r.content.decode()
    assert client_for(world.teacher_b).get(reverse("wellbeing:new"), {"family": world.family_a.pk}).status_code == 404
    assert client_for(world.outsider).get(reverse("wellbeing:new"), {"family": world.family_a.pk}).status_code == 404
    assert client_for(world.ta_a).get(reverse("wellbeing:new"), {"family": "x"}).status_code == 404


@pytest.mark.parametrize(("persona", "status"), [
    ("headteacher", 200), ("deputy", 200), ("key_worker", 200), ("teacher_a", 200),  # teacher_a raised it
    ("teacher_b", 404), ("admin_office", 404), ("safeguarding_lead", 404), ("outsider", 404),
])
def test_concern_page_per_persona(world, client_for, persona, status):
    concern = raise_concern(world, staff=world.teacher_a)
    r = client_for(world.personas[persona]).get(reverse("wellbeing:concern", args=[concern.pk]))
    assert r.status_code == status
    if status == 200:
        assert NOTICED in r.content.decode() and NOT_SAFEGUARDING in r.content.decode()


def test_record_signposting_and_a_referral_from_the_page(world, client_for):
    concern = raise_concern(world)
    agency = make_agency(world)
    client = client_for(world.ta_a)
    url = reverse("wellbeing:follow_up", args=[concern.pk])
    r = client.post(url, {"kind": "signposting", "agency": agency.pk, "how": "leaflet", "told_family": "on"})
    assert r.status_code == 302
    r = client.post(url, {"kind": "referral", "agency": agency.pk})
    assert r.status_code == 400 and "Record whether the family agreed to the referral." in r.content.decode()
    r = client.post(url, {"kind": "referral", "agency": agency.pk, "consent_given": "no"})
    assert r.status_code == 400 and "needs the family&#x27;s consent" in r.content.decode()
    r = client.post(url, {"kind": "referral", "agency": agency.pk, "consent_given": "yes", "reference": "EH-1",
                          "follow_up_on": "2026-12-02"})
    assert r.status_code == 302
    referral = WellbeingFollowUp.objects.get(kind="referral")
    body = client.get(reverse("wellbeing:concern", args=[concern.pk])).content.decode()
    assert "Waiting for the agency" in body and "EH-1" in body and "Brookfield Food Bank" in body
    r = client.post(reverse("wellbeing:response", args=[referral.pk]), {f"r{referral.pk}-response": "accepted"})
    assert r.status_code == 302
    referral.refresh_from_db()
    assert referral.response == "accepted"


def test_follow_up_errors_and_scope(world, client_for):
    concern = raise_concern(world)
    url = reverse("wellbeing:follow_up", args=[concern.pk])
    r = client_for(world.ta_a).post(url, {"kind": "family_contact", "note": "Rang."})
    assert r.status_code == 400 and "Write at least a sentence" in r.content.decode()
    r = client_for(world.ta_a).post(url, {"kind": "signposting", "agency": "999999"})
    assert r.status_code == 400 and "Choose an agency from the directory." in r.content.decode()
    assert client_for(world.teacher_b).post(url, {"kind": "family_contact", "note": NOTICED}).status_code == 404
    assert client_for(world.outsider).post(url, {"kind": "family_contact", "note": NOTICED}).status_code == 404
    assert client_for(world.ta_a).get(url).status_code == 405


def test_close_from_the_page(world, client_for):
    concern = raise_concern(world, staff=world.teacher_a)
    url = reverse("wellbeing:close", args=[concern.pk])
    data = {"outcome": "support_in_place", "summary": "Food bank vouchers and a referral to Citizens Advice are in place."}
    assert client_for(world.teacher_a).post(url, data).status_code == 403  # the reporter neither leads nor is key worker
    body = client_for(world.teacher_a).get(reverse("wellbeing:concern", args=[concern.pk])).content.decode()
    assert "Close the concern" not in body
    r = client_for(world.headteacher).post(url, {"outcome": "support_in_place", "summary": "Done."})
    assert r.status_code == 400 and "Write a summary" in r.content.decode()
    assert client_for(world.headteacher).post(url, data).status_code == 302
    assert WellbeingConcern.objects.get().status == ConcernStatus.CLOSED


def test_concern_list_is_scoped(world, client_for):
    raise_concern(world, staff=world.teacher_a)
    raise_concern(world, staff=world.teacher_b, family=world.family_b)
    assert "The Adams family" in client_for(world.ta_a).get(reverse("wellbeing:concerns")).content.decode()
    body = client_for(world.teacher_b).get(reverse("wellbeing:concerns")).content.decode()
    assert "The Brown family" in body and "The Adams family" not in body
    body = client_for(world.admin_office).get(reverse("wellbeing:concerns")).content.decode()
    assert "No open wellbeing concerns you can see" in body
    assert client_for(world.outsider).get(reverse("wellbeing:concerns")).content.decode().count("The Adams family") == 0


# The board -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), [
    ("headteacher", 200), ("deputy", 200), ("key_worker", 403), ("teacher_b", 403), ("admin_office", 403),
    ("safeguarding_lead", 403),
])
def test_board_is_for_leaders(world, client_for, persona, status):
    assert client_for(world.personas[persona]).get(reverse("wellbeing:board")).status_code == status


def test_board_content(world, client_for, clock):
    agency = make_agency(world)
    old = raise_concern(world, noticed_on=dt.date(2026, 11, 2), indicators=["safe", "healthy"])
    follow_up(world, old, kind="referral", agency=agency, consent_given=True, reference="REF-9",
              follow_up_on=dt.date(2026, 11, 20))
    raise_concern(world, staff=world.teacher_b, family=world.family_b, indicators=["included"])
    closed = raise_concern(world, family=world.family_a, indicators=["achieving"])
    from keyworker.wellbeing.services import concern_close

    concern_close(actor=world.actor(world.headteacher), concern=closed, outcome="resolved",
                  summary="Things are better at home now, mum says.")
    r = client_for(world.headteacher).get(reverse("wellbeing:board"))
    board = r.context["board"]
    assert [o.age for o in board.open] == [16, 0]
    assert [b.count for b in board.bands] == [1, 0, 1, 0]
    counts = {i.code: i.count for i in board.indicators}
    assert counts["safe"] == 1 and counts["healthy"] == 1 and counts["included"] == 1 and counts["achieving"] == 0
    assert [r.reference for r in board.referrals] == ["REF-9"]
    assert {row.concern.family.name for row in board.due} == {"The Adams family", "The Brown family"}
    assert [c.pk for c in board.closed] == [closed.pk]
    body = r.content.decode()
    assert "<caption id=\"indicators-caption\">" in body and "Closed this half term (Autumn 2" in body
    filtered = client_for(world.headteacher).get(reverse("wellbeing:board"), {"indicator": "included"}).context["board"]
    assert [o.concern.family.name for o in filtered.open] == ["The Brown family"]
    r = client_for(world.headteacher).get(reverse("wellbeing:board"), {"indicator": "happy"})
    assert r.status_code == 200 and "Choose from the list." in r.content.decode()


def _many(world, n):
    agency = Agency.objects.filter(organisation=world.org).first() or make_agency(world)
    for i in range(n):
        family = make_family(world.org, f"The Many{i} family")
        from keyworker.testing import make_child

        make_child(family, world.school, world.class_a)
        concern = raise_concern(world, staff=world.headteacher, family=family, indicators=["safe", "nurtured"])
        follow_up(world, concern, staff=world.headteacher, kind="referral", agency=agency, consent_given=True,
                  follow_up_on=TODAY + dt.timedelta(days=3))


def _count(client, url, django_assert_max_num_queries, n=18):
    with django_assert_max_num_queries(n) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_board_and_lists_use_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    _many(world, 1)
    client = client_for(world.headteacher)
    urls = [reverse("wellbeing:board"), reverse("wellbeing:concerns"), reverse("wellbeing:agencies")]
    one = [_count(client, u, django_assert_max_num_queries) for u in urls]
    _many(world, 19)
    twenty = [_count(client, u, django_assert_max_num_queries) for u in urls]
    assert one == twenty


def test_concern_page_uses_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    concern = raise_concern(world)
    follow_up(world, concern)
    client = client_for(world.ta_a)
    url = reverse("wellbeing:concern", args=[concern.pk])
    one = _count(client, url, django_assert_max_num_queries, 25)
    agency = make_agency(world)
    for _ in range(19):
        follow_up(world, concern, kind="referral", agency=agency, consent_given=True, follow_up_on=TODAY + dt.timedelta(days=5))
    assert _count(client, url, django_assert_max_num_queries, 25) == one


# The agency directory ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["headteacher", "key_worker", "teacher_b", "admin_office", "safeguarding_lead"])
def test_everyone_in_the_organisation_reads_the_directory(world, client_for, persona):
    make_agency(world)
    r = client_for(world.personas[persona]).get(reverse("wellbeing:agencies"))
    assert r.status_code == 200 and "Brookfield Food Bank" in r.content.decode()


def test_outsiders_do_not_see_the_directory(world, client_for):
    make_agency(world)
    r = client_for(world.outsider).get(reverse("wellbeing:agencies"))
    assert "Brookfield Food Bank" not in r.content.decode()
    agency = Agency.objects.get()
    assert client_for(world.outsider).get(reverse("wellbeing:agency_edit", args=[agency.pk])).status_code == 404


def test_search_by_need_and_area(world, client_for):
    make_agency(world)
    make_agency(world, "Northgate Young Carers", service="Support for young carers", areas=["caring"], area_covered="Northgate")
    make_agency(world, "Old Service", service="Closed", areas=["caring"], is_active=False)
    client = client_for(world.ta_a)

    def names(**params):
        return [a.name for a in client.get(reverse("wellbeing:agencies"), params).context["agencies"]]

    assert names() == ["Brookfield Food Bank", "Northgate Young Carers"]
    assert names(area="caring") == ["Northgate Young Carers"]
    assert names(area="caring", retired="on") == ["Northgate Young Carers", "Old Service"]
    assert names(q="food") == ["Brookfield Food Bank"]
    assert names(place="northgate") == ["Brookfield Food Bank", "Northgate Young Carers"]
    assert client.get(reverse("wellbeing:agencies"), {"area": "weather"}).status_code == 200


@pytest.mark.parametrize(("persona", "status"), [("headteacher", 200), ("admin_office", 200), ("key_worker", 403),
                                                 ("teacher_b", 403), ("safeguarding_lead", 403)])
def test_directory_editing_needs_setup(world, client_for, persona, status):
    agency = make_agency(world)
    client = client_for(world.personas[persona])
    assert client.get(reverse("wellbeing:agency_new")).status_code == status
    assert client.get(reverse("wellbeing:agency_edit", args=[agency.pk])).status_code == status
    r = client.post(reverse("wellbeing:agency_edit", args=[agency.pk]), {"name": "Renamed", "service": "Food", "phone": "01632 960001"})
    assert r.status_code == (302 if status == 200 else 403)


def test_add_an_agency_with_errors_per_field(world, client_for):
    client = client_for(world.admin_office)
    r = client.post(reverse("wellbeing:agency_new"), {"name": "Brookfield Bereavement Support", "service": "Support after a death",
                                                      "email": "nope"})
    assert r.status_code == 400 and "Enter an e-mail address like help@example.org." in r.content.decode()
    r = client.post(reverse("wellbeing:agency_new"), {"name": "Brookfield Bereavement Support", "service": "Support after a death",
                                                      "areas": ["bereavement"], "phone": "01632 960020", "is_active": "on"})
    assert r.status_code == 302 and Agency.objects.get().areas == ["bereavement"]


# My week and the timeline ------------------------------------------------------------------------------------


def test_my_week_panel(world, client_for, clock):
    concern = raise_concern(world, staff=world.teacher_a)
    body = client_for(world.ta_a).get(reverse("week:my_week")).content.decode()
    assert "Wellbeing follow-ups" in body and "First follow-up due Mon 23 November" in body
    follow_up(world, concern, kind="referral", agency=make_agency(world), consent_given=True, follow_up_on=dt.date(2026, 11, 20))
    body = client_for(world.ta_a).get(reverse("week:my_week")).content.decode()
    assert "Follow-up due Fri 20 November" in body
    clock.shift(dt.timedelta(days=3))
    body = client_for(world.ta_a).get(reverse("week:my_week")).content.decode()
    assert "Overdue" in body
    assert "Wellbeing follow-ups" not in client_for(world.teacher_b).get(reverse("week:my_week")).content.decode()


def test_my_week_panel_leaves_out_follow_ups_due_later(world, client_for):
    concern = raise_concern(world)
    follow_up(world, concern, follow_up_on=dt.date(2026, 12, 10))
    assert "Wellbeing follow-ups" not in client_for(world.ta_a).get(reverse("week:my_week")).content.decode()


def test_timeline_entries_only_for_readers_of_the_concern(world, client_for):
    concern = raise_concern(world, staff=world.teacher_a)
    follow_up(world, concern, kind="referral", agency=make_agency(world), consent_given=True, follow_up_on=dt.date(2026, 12, 2))
    url = reverse("dashboard:timeline", args=[world.family_a.pk])
    body = client_for(world.ta_a).get(url).content.decode()
    assert "Wellbeing concern" in body and "Referred to an agency: Brookfield Food Bank" in body
    # The admin office sees the family but not its wellbeing concerns.
    body = client_for(world.admin_office).get(url).content.decode()
    assert "Wellbeing concern" not in body and "Brookfield Food Bank" not in body


def test_board_filters_by_setting(world, client_for):
    from keyworker.testing import make_child, make_group, make_setting

    juniors = make_setting(world.org, name="Test Juniors")
    family = make_family(world.org, "The Elm family")
    make_child(family, juniors, make_group(juniors, "Elm", "Year 5"))
    raise_concern(world, staff=world.headteacher, family=family)
    raise_concern(world)
    client = client_for(world.headteacher)
    both = client.get(reverse("wellbeing:board")).context["board"]
    assert {o.concern.family.name for o in both.open} == {"The Elm family", "The Adams family"}
    only = client.get(reverse("wellbeing:board"), {"setting": juniors.pk}).context["board"]
    assert [o.concern.family.name for o in only.open] == ["The Elm family"]
    r = client.get(reverse("wellbeing:board"), {"setting": "999999"})
    assert r.status_code == 200 and "Choose one of the settings listed." in r.content.decode()
