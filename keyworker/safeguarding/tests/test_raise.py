import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.contacts.services import contact_record
from keyworker.core import clock
from keyworker.core.errors import RuleViolation
from keyworker.notifications.models import Notification
from keyworker.safeguarding.models import Concern, ConcernChild
from keyworker.testing import make_child

from .helpers import PRESENT, WORDS, raise_concern


def test_any_member_of_staff_raises_a_concern_and_the_team_is_told_without_the_content(world):
    concern = raise_concern(world)
    assert concern.setting_id == world.school.pk and concern.family_id == world.family_a.pk
    assert list(ConcernChild.objects.filter(concern=concern).values_list("child_id", flat=True)) == [world.child_a.pk]
    told = Notification.objects.filter(kind="safeguarding.concern")
    recipients = {n.recipient_id for n in told}
    assert recipients == {world.headteacher.user_id, world.deputy.user_id, world.safeguarding_lead.user_id}
    for n in told:
        assert n.subject == "Safeguarding concern: Physical abuse, from Kim Keyworker"
        assert not n.digest and n.deliveries.exists()
        for secret in ("Zebedee", "spoon", "Alfie", "Adams", "Quill"):
            assert secret not in n.subject and secret not in n.body
        assert n.link == f"/safeguarding/concerns/{concern.pk}/"


def test_the_reporter_on_the_team_is_not_told_of_their_own_concern(world):
    raise_concern(world, staff=world.safeguarding_lead)
    assert not Notification.objects.filter(kind="safeguarding.concern", recipient=world.safeguarding_lead.user).exists()


def test_siblings_and_other_pupils_are_linked(world):
    sibling = make_child(world.family_a, world.school, world.class_b, legal_first_name="Amy")
    concern = raise_concern(world, staff=world.teacher_a, others=[sibling, world.child_b, world.child_a])
    assert set(ConcernChild.objects.filter(concern=concern).values_list("child_id", flat=True)) == {
        world.child_a.pk, sibling.pk, world.child_b.pk}


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"text": "Bruise"}, "what_happened"),
    ({"text": "   "}, "what_happened"),
    ({"happened_at": FUTURE}, "happened_at") if (FUTURE := dt.datetime(2026, 11, 19, tzinfo=dt.UTC)) else None,
    ({"happened_at": dt.datetime(2019, 1, 1, tzinfo=dt.UTC)}, "happened_at"),
    ({"category": "gossip"}, "category"),
    ({"present": "x" * 301}, "present"),
])
def test_refusals_name_the_field(world, kwargs, field):
    with pytest.raises(RuleViolation) as exc:
        raise_concern(world, **kwargs)
    assert exc.value.field == field
    assert not Concern.objects.exists()


def test_children_of_another_organisation_or_setting_are_refused(world):
    other_child = world.other_family.children.get()
    with pytest.raises(RuleViolation) as exc:
        raise_concern(world, child=other_child)
    assert exc.value.field == "child"
    with pytest.raises(RuleViolation) as exc:
        raise_concern(world, others=[other_child])
    assert exc.value.field == "others"


def test_outsider_cannot_raise_on_this_organisation(world):
    with pytest.raises(RuleViolation):
        raise_concern(world, staff=world.outsider)


def _flagged_contact(world, staff):
    return contact_record(actor=world.actor(staff), family=world.family_a, happened_on=clock.today(), channel="phone",
                          tone="concern", write_up="Mum said Alfie has not eaten since Friday at all.", carer=None,
                          children=[world.child_a], safeguarding_category="neglect")


def test_a_concern_links_the_flagged_contact_it_comes_from(world):
    contact = _flagged_contact(world, world.ta_a)
    concern = raise_concern(world, contact=contact, category="neglect")
    assert concern.contact_id == contact.pk
    with pytest.raises(PermissionDenied):
        raise_concern(world, staff=world.teacher_a, contact=contact)


def test_sch_a2_a_concern_flags_a_teaching_assistant_key_worker_and_tells_the_leaders(world):
    raise_concern(world)
    allocation = KeyWorkerAllocation.objects.get(family=world.family_a, ends_at__isnull=True)
    assert allocation.needs_teacher_since is not None
    told = Notification.objects.filter(kind="safeguarding.key_worker")
    assert {n.recipient_id for n in told} == {world.headteacher.user_id, world.deputy.user_id}
    n = told.first()
    assert "Tara Teacher" in n.body and "Zebedee" not in n.body
    # A family whose key worker is a teacher is not flagged.
    raise_concern(world, child=world.child_b)
    assert KeyWorkerAllocation.objects.get(family=world.family_b, ends_at__isnull=True).needs_teacher_since is None


# The page ------------------------------------------------------------------------------------------------------


def _post(client, world, **extra):
    data = {"child": world.child_a.pk, "category": "physical_abuse", "what_happened": WORDS, "happened_on": "2026-11-18",
            "happened_time": "09:15", "present": PRESENT, "lead_told": "on", **extra}
    return client.post(f"/safeguarding/raise/?child={world.child_a.pk}", data)


def test_raise_page_from_a_child(world, client_for):
    client = client_for(world.ta_a)
    page = client.get(f"/safeguarding/raise/?child={world.child_a.pk}")
    assert page.status_code == 200
    assert "Raise a safeguarding concern" in page.content.decode()
    response = _post(client, world)
    concern = Concern.objects.get()
    assert response.status_code == 302 and response.url == f"/safeguarding/concerns/{concern.pk}/sent/"
    assert concern.lead_told and concern.happened_at == dt.datetime(2026, 11, 18, 9, 15, tzinfo=dt.UTC)
    sent = client.get(response.url).content.decode()
    assert "Sent to the safeguarding team" in sent and "Sam Safeguarding" in sent
    for secret in ("Zebedee", "spoon", "Quill"):
        assert secret not in sent


def test_raise_page_errors_are_per_field(world, client_for):
    client = client_for(world.ta_a)
    response = _post(client, world, what_happened="Bruise", happened_on="2026-11-20", category="")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"what_happened", "category"}
    response = _post(client, world, happened_on="2026-11-20")
    assert response.status_code == 400 and "future" in response.context["form"].errors["happened_on"][0]
    response = _post(client, world, happened_on="yesterday", child="abc")
    assert response.status_code == 400
    assert not Concern.objects.exists()


def test_raise_page_from_a_family_offers_its_children(world, client_for):
    sibling = make_child(world.family_a, world.school, world.class_a, legal_first_name="Amy")
    client = client_for(world.teacher_a)
    page = client.get(f"/safeguarding/raise/?family={world.family_a.pk}")
    assert page.status_code == 200
    assert set(page.context["form"].fields["child"].queryset) == {world.child_a, sibling}
    response = client.post("/safeguarding/raise/", {"family": world.family_a.pk, "child": sibling.pk, "category": "neglect",
                                                     "what_happened": WORDS, "happened_on": "2026-11-18", "happened_time": "08:50",
                                                     "siblings": [world.child_a.pk]})
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.child_id == sibling.pk
    assert set(concern.links.values_list("child_id", flat=True)) == {sibling.pk, world.child_a.pk}


def test_raise_page_from_a_flagged_contact_is_prefilled(world, client_for):
    contact = _flagged_contact(world, world.ta_a)
    client = client_for(world.ta_a)
    page = client.get(f"/safeguarding/raise/?contact={contact.pk}")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["category"] == "neglect" and form.initial["child"] == world.child_a.pk
    assert "what_happened" not in form.initial  # the reporter does not read a restricted record back
    response = client.post("/safeguarding/raise/", {"contact": contact.pk, "child": world.child_a.pk, "category": "neglect",
                                                     "what_happened": WORDS, "happened_on": "2026-11-18", "happened_time": "08:50"})
    assert response.status_code == 302
    assert Concern.objects.get().contact_id == contact.pk
    assert client_for(world.teacher_a).get(f"/safeguarding/raise/?contact={contact.pk}").status_code == 404


def test_raise_page_outsider_and_other_children_are_404(world, client_for):
    assert client_for(world.outsider).get(f"/safeguarding/raise/?child={world.child_a.pk}").status_code == 404
    assert client_for(world.outsider).get(f"/safeguarding/raise/?family={world.family_a.pk}").status_code == 404
    assert client_for(world.ta_a).get("/safeguarding/raise/?child=999999999").status_code == 404


def test_raise_page_without_a_child_lists_the_settings_children(world, client_for, django_assert_max_num_queries):
    client = client_for(world.teacher_b)
    with django_assert_max_num_queries(14):
        page = client.get("/safeguarding/raise/")
    assert page.status_code == 200
    assert world.child_a in page.context["form"].fields["child"].queryset


def test_a_blank_time_is_asked_for_not_replaced_by_the_time_of_sending(world, client_for):
    client = client_for(world.ta_a)
    response = _post(client, world, happened_time="")
    assert response.status_code == 400
    assert response.context["form"].errors["happened_time"] == ["Enter the time it happened, for example 10:15."]
    html = response.content.decode()
    assert 'href="#id_happened_time"' in html and "Time it happened: Enter the time it happened" in html
    assert not Concern.objects.exists()


def test_other_pupils_picker_searches_the_children_the_reporter_may_name(world, client_for):
    from keyworker.organisations.models import Setting

    other = make_child(world.other_family, Setting.objects.get(organisation=world.other_org), None, legal_first_name="Alfred")
    client = client_for(world.ta_a)
    page = client.get(f"/safeguarding/raise/?family={world.family_a.pk}").content.decode()
    assert f'data-search-url="/safeguarding/raise/children.json?not_family={world.family_a.pk}"' in page
    assert 'data-picker="children"' in page and "/static/safeguarding/picker.js" in page
    assert "<script>" not in page

    found = client.get("/safeguarding/raise/children.json", {"q": "al"}).json()["results"]
    assert [r["id"] for r in found] == [world.child_a.pk] and found[0]["label"] == "Alfie Adams (Ash)"
    assert other.pk not in [r["id"] for r in found]
    assert client.get("/safeguarding/raise/children.json", {"q": "bel bro"}).json()["results"][0]["name"] == "Bella Brown"
    assert client.get("/safeguarding/raise/children.json", {"q": "al", "not_family": world.family_a.pk}).json() == {"results": []}
    assert client.get("/safeguarding/raise/children.json", {"q": "  "}).json() == {"results": []}
    assert client_for(world.outsider).get("/safeguarding/raise/children.json", {"q": "al"}).json()["results"] == [
        {"id": other.pk, "name": "Alfred " + other.legal_last_name,
         "label": "Alfred " + other.legal_last_name}]


def test_the_picker_answers_in_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    client = client_for(world.ta_a)
    client.get("/safeguarding/raise/children.json", {"q": "a"})
    with django_assert_max_num_queries(8):
        assert client.get("/safeguarding/raise/children.json", {"q": "a"}).status_code == 200


def test_the_picker_is_for_members_only(world, client):
    assert client.get("/safeguarding/raise/children.json?q=al").status_code == 302  # signed out: to the sign-in page
