"""Safeguarding flag: a flagged contact is a restricted record. Who reads it, who sees only that it exists, who is told."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from keyworker.contacts.models import AccessRoute, ContactAccess, ContactLog
from keyworker.contacts.services import contact_edit, contact_flag, contact_record, contact_void
from keyworker.core.errors import RuleViolation
from keyworker.notifications.models import Delivery, Notification
from keyworker.notifications.services import deliveries_run
from keyworker.testing import api_client_with_token, confirmed_session

TODAY = dt.date(2026, 11, 18)
SECRET = "Alfie showed bruises on both arms and said he was scared to go home tonight."
PLACEHOLDER = "A restricted record exists. Talk to the safeguarding lead, Sam Safeguarding."

# For a contact with family A (key worker ta_a, class A): what each persona of the world may do.
TEAM = {"headteacher", "deputy", "safeguarding_lead"}            # read it in full
SEE_THAT_IT_EXISTS = {"teacher_a", "key_worker", "admin_office"}  # family A is theirs to see; not the record
NOT_FOUND = {"teacher_b", "outsider"}                            # family A does not exist for them
PERSONAS = sorted(TEAM | SEE_THAT_IT_EXISTS | NOT_FOUND)


def _record(world, staff=None, **kw):
    values = {"happened_on": TODAY, "channel": "phone", "tone": "concern", "write_up": SECRET}
    values.update(kw)
    return contact_record(actor=world.actor(staff or world.ta_a), family=world.family_a, **values)


@pytest.fixture
def flagged(world):
    return _record(world, safeguarding_category="physical_abuse", children=[world.child_a])


def _api(staff):
    """A token issued with a second factor just now, as a script reading concerns would get one."""
    return api_client_with_token(staff)


# Flagging ----------------------------------------------------------------------------------------------------


def test_flag_at_recording_time_restricts_and_tells_the_team(world, flagged):
    assert flagged.is_restricted and flagged.safeguarding_category == "physical_abuse"
    assert flagged.flagged_by == world.ta_a.user
    told = Notification.objects.filter(kind="contacts.safeguarding")
    assert {n.recipient for n in told} == {world.headteacher.user, world.deputy.user, world.safeguarding_lead.user}
    for n in told:
        assert not n.digest and n.link == f"/contacts/{flagged.pk}/"
        assert "Physical abuse" in n.subject and "Kim Keyworker" in n.subject
        assert "Physical abuse" in n.body and "Kim Keyworker" in n.body
        for text in (n.subject, n.body):
            assert "bruises" not in text and "Adams" not in text and "Alfie" not in text
    # At once, by e-mail as well: a delivery per team member waits for the worker now, not for the digest.
    assert Delivery.objects.filter(notification__in=told).count() == 3


def test_team_emails_name_category_and_sender_only(world, flagged, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deliveries_run(now=dt.datetime(2026, 11, 18, 10, 31, tzinfo=dt.UTC), worker_id="test")
    sent = [m for m in mail.outbox if "Safeguarding concern" in m.subject]
    assert {m.to[0] for m in sent} == {world.headteacher.user.email, world.deputy.user.email, world.safeguarding_lead.user.email}
    for message in sent:
        assert "Physical abuse" in message.subject and "Kim Keyworker" in message.subject
        assert f"/contacts/{flagged.pk}/" in message.body
        assert "bruises" not in message.body and "Adams" not in message.body and "Alfie" not in message.body


def test_team_of_another_setting_is_not_told(world):
    from keyworker.testing import make_setting, make_staff

    other = make_setting(world.org, name="Other Site")
    other_lead = make_staff(world.org, other, ["safeguarding_lead"], name="Olga Otherlead")
    contact = _record(world, safeguarding_category="neglect")
    assert not Notification.objects.filter(recipient=other_lead.user).exists()
    assert Notification.objects.filter(recipient=world.safeguarding_lead.user, link=f"/contacts/{contact.pk}/").exists()


def test_author_in_the_team_is_not_told_about_their_own_flag(world):
    _record(world, staff=world.headteacher, safeguarding_category="neglect")
    assert not Notification.objects.filter(recipient=world.headteacher.user).exists()
    assert Notification.objects.filter(kind="contacts.safeguarding").count() == 2


def test_author_flags_later_once_and_for_good(world):
    contact = _record(world)
    assert not Notification.objects.exists()
    flagged = contact_flag(actor=world.actor(world.ta_a), contact=contact, category="emotional_abuse")
    assert flagged.is_restricted and Notification.objects.filter(kind="contacts.safeguarding").count() == 3
    with pytest.raises(RuleViolation) as exc:
        contact_flag(actor=world.actor(world.ta_a), contact=flagged, category="neglect")
    assert exc.value.rule == "already_flagged"
    assert ContactLog.objects.get(pk=contact.pk).safeguarding_category == "emotional_abuse"


def test_only_author_or_team_flags(world):
    contact = _record(world)
    with pytest.raises(PermissionDenied):
        contact_flag(actor=world.actor(world.teacher_a), contact=contact, category="neglect")
    contact_flag(actor=world.actor(world.safeguarding_lead), contact=contact, category="neglect")
    assert ContactLog.objects.get(pk=contact.pk).is_restricted


@pytest.mark.parametrize("category", ["", "bullying", None, 7])
def test_unknown_category_refused(world, category):
    contact = _record(world)
    with pytest.raises(RuleViolation) as exc:
        contact_flag(actor=world.actor(world.ta_a), contact=contact, category=category)
    assert exc.value.field == "safeguarding_category"
    if category:
        with pytest.raises(RuleViolation):
            _record(world, safeguarding_category=category)


def test_restricted_contact_cannot_be_edited_and_void_needs_the_team(world, flagged):
    from keyworker.testing import make_staff

    with pytest.raises(RuleViolation) as exc:
        contact_edit(actor=world.actor(world.ta_a), contact=flagged, happened_on=TODAY, channel="phone", tone="neutral",
                     write_up="Changing the record of a safeguarding concern now.")
    assert exc.value.rule == "restricted"
    leader = make_staff(world.org, world.school, ["leadership_team"], name="Lee Leader")
    with pytest.raises(PermissionDenied):
        contact_void(actor=world.actor(leader), contact=flagged, reason="Recorded against the wrong family")
    contact_void(actor=world.actor(world.headteacher), contact=flagged, reason="Recorded against the wrong family")


def test_flagged_contact_still_counts_as_contact(world, flagged):
    from keyworker.contacts.evidence import contacts_made

    assert [r.ref for r in contacts_made(world.org.pk, TODAY, TODAY, {})] == [f"contact:{flagged.pk}"]


# Who sees what, per persona --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_per_persona(world, client_for, flagged, persona):
    staff = world.personas[persona]
    client = confirmed_session(client_for(staff))
    listing = client.get("/contacts/")
    detail = client.get(f"/contacts/{flagged.pk}/")
    family = client.get(f"/families/{world.family_a.pk}/")
    timeline = client.get(f"/families/{world.family_a.pk}/timeline/")
    family_list = client.get(f"/contacts/?family={world.family_a.pk}")
    bodies = [r.content.decode() for r in (listing, detail, family, timeline, family_list)]
    if persona in NOT_FOUND:
        assert flagged.pk not in {c.pk for c in listing.context["contacts"]}
        assert detail.status_code == family.status_code == timeline.status_code == family_list.status_code == 404
    elif persona in SEE_THAT_IT_EXISTS:
        assert all(r.status_code == 200 for r in (listing, detail, family, timeline, family_list))
        for body in bodies:
            assert PLACEHOLDER in body, persona
            assert "bruises" not in body and "Physical abuse" not in body
        assert not ContactAccess.objects.exists()
    else:
        assert all(r.status_code == 200 for r in (listing, detail, family, timeline, family_list))
        assert SECRET in bodies[1] and "Safeguarding concern: Physical abuse" in bodies[1]
        # Lists and the timeline say what it is; the content is read on the record, where the read is logged.
        for body in (bodies[0], bodies[2], bodies[3], bodies[4]):
            assert "Safeguarding concern: Physical abuse" in body and "bruises" not in body
        access = ContactAccess.objects.get()
        assert access.staff == staff and access.contact == flagged and access.route == AccessRoute.PAGE
        assert access.organisation_id == world.org.pk


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_per_persona(world, flagged, persona):
    staff = world.personas[persona]
    client = _api(staff)
    listing = client.get("/api/v1/contacts/")
    detail = client.get(f"/api/v1/contacts/{flagged.pk}/")
    rows = {row["id"]: row for row in listing.json()["results"]}
    if persona in NOT_FOUND:
        assert flagged.pk not in rows and detail.status_code == 404
        return
    assert listing.status_code == detail.status_code == 200
    row, record = rows[flagged.pk], detail.json()
    assert row["restricted"] is True and row["write_up"] is None and row["follow_up"] is None
    assert "bruises" not in listing.content.decode()
    if persona in SEE_THAT_IT_EXISTS:
        for data in (row, record):
            assert data["write_up"] is None and data["tone"] is None and data["channel"] is None and data["children"] is None
            assert data["safeguarding_category"] is None and data["author"] is None
            assert data["talk_to"] == "Sam Safeguarding" and data["family"] == world.family_a.pk
        assert "bruises" not in detail.content.decode()
        assert not ContactAccess.objects.exists()
    else:
        assert row["safeguarding_category"] == "physical_abuse" and row["talk_to"] is None and row["tone"] == "concern"
        assert record["write_up"] == SECRET and record["tone"] == "concern" and record["children"] == [world.child_a.pk]
        access = ContactAccess.objects.get()
        assert access.staff == staff and access.route == AccessRoute.API


def test_every_read_by_the_team_is_logged(world, client_for, flagged):
    client = confirmed_session(client_for(world.safeguarding_lead))
    for _ in range(3):
        client.get(f"/contacts/{flagged.pk}/")
    _api(world.headteacher).get(f"/api/v1/contacts/{flagged.pk}/")
    assert ContactAccess.objects.filter(contact=flagged).count() == 4
    assert list(ContactAccess.objects.values_list("route", flat=True).order_by("id")) == ["page"] * 3 + ["api"]
    body = client.get(f"/contacts/{flagged.pk}/").content.decode()
    assert "Who has read this record" in body and "Helen Head" in body


def test_unflagged_reads_are_not_logged(world, client_for):
    contact = _record(world, write_up="Told mum about the reading award this week.")
    client_for(world.headteacher).get(f"/contacts/{contact.pk}/")
    assert not ContactAccess.objects.exists()


def test_author_sees_only_the_placeholder_after_saving(world, client_for):
    client = client_for(world.ta_a)
    response = client.post(f"/contacts/new/?family={world.family_a.pk}", {
        "family": world.family_a.pk, "channel": "phone", "tone": "concern", "write_up": SECRET, "direction": "from_school",
        "happened_on": "2026-11-18", "carer": "", "safeguarding": "on", "safeguarding_category": "neglect",
        "next": f"/families/{world.family_a.pk}/",
    }, follow=True)
    body = response.content.decode()
    assert "recorded as a safeguarding concern: the safeguarding team has been told" in body
    assert PLACEHOLDER in body and "bruises" not in body
    contact = ContactLog.objects.get()
    assert contact.safeguarding_category == "neglect"
    assert "bruises" not in client.get(f"/contacts/{contact.pk}/").content.decode()
    assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 302


def test_record_form_shows_the_flag_and_checks_the_category(world, client_for):
    client = client_for(world.ta_a)
    page = client.get(f"/contacts/new/?family={world.family_a.pk}").content.decode()
    assert "This is a safeguarding concern" in page and 'name="safeguarding_category"' in page
    data = {"family": world.family_a.pk, "channel": "phone", "tone": "concern", "write_up": SECRET, "direction": "from_school",
            "happened_on": "2026-11-18", "carer": ""}
    r = client.post(f"/contacts/new/?family={world.family_a.pk}", {**data, "safeguarding": "on"})
    assert r.status_code == 400 and "Choose the kind of safeguarding concern" in r.content.decode()
    r = client.post(f"/contacts/new/?family={world.family_a.pk}", {**data, "safeguarding_category": "neglect"})
    assert r.status_code == 400 and "Tick this box to flag a safeguarding concern" in r.content.decode()
    r = client.post(f"/contacts/new/?family={world.family_a.pk}", {**data, "safeguarding": "on", "safeguarding_category": "x"})
    assert r.status_code == 400
    assert not ContactLog.objects.exists()


def test_flag_later_from_the_contact_page(world, client_for):
    contact = _record(world, write_up="Mum said things at home have been difficult lately.")
    client = client_for(world.ta_a)
    assert "Flag as a safeguarding concern" in client.get(f"/contacts/{contact.pk}/").content.decode()
    assert client.post(f"/contacts/{contact.pk}/flag/", {"safeguarding_category": ""}).status_code == 400
    r = client.post(f"/contacts/{contact.pk}/flag/", {"safeguarding_category": "domestic_abuse"}, follow=True)
    body = r.content.decode()
    assert "the safeguarding team has been told" in body and PLACEHOLDER in body and "difficult lately" not in body
    assert Notification.objects.filter(kind="contacts.safeguarding").count() == 3
    # Others may not flag it (the teacher of the class sees the family, but did not record it).
    other = _record(world, write_up="Dad asked about the trip and the lunch money.")
    assert client_for(world.teacher_a).post(f"/contacts/{other.pk}/flag/", {"safeguarding_category": "neglect"}).status_code == 403
    assert client_for(world.teacher_b).post(f"/contacts/{other.pk}/flag/", {"safeguarding_category": "neglect"}).status_code == 404
    assert client_for(world.outsider).post(f"/contacts/{other.pk}/flag/", {"safeguarding_category": "neglect"}).status_code == 404
    assert client_for(world.ta_a).get(f"/contacts/{other.pk}/flag/").status_code == 405
    assert not ContactLog.objects.get(pk=other.pk).is_restricted


def test_tone_filter_does_not_tell_a_restricted_records_tone(world, client_for, flagged):
    other = _record(world, write_up="Talked to dad about reading at home.", tone="positive")
    shown = {c.pk for c in client_for(world.teacher_a).get("/contacts/?tone=concern").context["contacts"]}
    assert shown == set()
    shown = {c.pk for c in client_for(world.teacher_a).get("/contacts/?tone=positive").context["contacts"]}
    assert shown == {other.pk}
    shown = {c.pk for c in client_for(world.safeguarding_lead).get("/contacts/?tone=concern").context["contacts"]}
    assert shown == {flagged.pk}
    rows = _api(world.teacher_a).get("/api/v1/contacts/?tone=concern").json()["results"]
    assert rows == []


def test_no_lead_in_the_setting_names_another_team_member(world, client_for, flagged):
    from keyworker.accounts.models import StaffRole

    StaffRole.objects.filter(staff=world.safeguarding_lead, role__code="safeguarding_lead").delete()
    body = client_for(world.ta_a).get(f"/contacts/{flagged.pk}/").content.decode()
    assert "A restricted record exists. Talk to the safeguarding lead, Dev Deputy." in body


def test_api_flag_and_void(world, flagged):
    contact = _record(world, write_up="Mum said things at home have been difficult lately.")
    r = _api(world.teacher_a).post(f"/api/v1/contacts/{contact.pk}/flag/", {"safeguarding_category": "neglect"}, format="json")
    assert r.status_code == 403
    r = _api(world.ta_a).post(f"/api/v1/contacts/{contact.pk}/flag/", {"safeguarding_category": "bullying"}, format="json")
    assert r.status_code == 400 and "safeguarding_category" in r.json()["errors"]
    r = _api(world.ta_a).post(f"/api/v1/contacts/{contact.pk}/flag/", {"safeguarding_category": "neglect"}, format="json")
    assert r.status_code == 200 and r.json()["restricted"] is True and r.json()["write_up"] is None
    assert r.json()["talk_to"] == "Sam Safeguarding"
    r = _api(world.ta_a).post(f"/api/v1/contacts/{contact.pk}/flag/", {"safeguarding_category": "neglect"}, format="json")
    assert r.status_code == 400 and r.json()["rule"] == "already_flagged"
    r = _api(world.ta_a).patch(f"/api/v1/contacts/{contact.pk}/", {"tone": "neutral"}, format="json")
    assert r.status_code == 400 and r.json()["rule"] == "restricted"
    r = _api(world.headteacher).post(f"/api/v1/contacts/{flagged.pk}/void/", {"reason": "Duplicate of another record"}, format="json")
    assert r.status_code == 200 and r.json()["voided"] is True


def test_demo_history_is_deterministic_and_flags_some_concerns(world):
    from keyworker.contacts import demo

    first = demo.contacts_demo_history(organisation=world.org, today=TODAY, seed=7)
    rows = list(ContactLog.objects.order_by("id").values_list("family_id", "happened_on", "tone", "write_up"))
    ContactLog.objects.all().delete()
    assert demo.contacts_demo_history(organisation=world.org, today=TODAY, seed=7) == first > 0
    assert list(ContactLog.objects.order_by("id").values_list("family_id", "happened_on", "tone", "write_up")) == rows
    # Small worlds may have no safeguarding concern: the flagged ones are concerns with a category and a flag time.
    for contact in ContactLog.objects.filter(flagged_at__isnull=False):
        assert contact.tone == "concern" and contact.safeguarding_category and contact.flagged_by_id
