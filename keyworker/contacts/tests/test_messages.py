"""Portal messages: a carer writes, the key worker (or a colleague covering) replies; waiting, overdue, out of hours,
read receipts, safeguarding flag, content-free e-mails, pages and scope."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from keyworker.contacts import message_reads
from keyworker.contacts.evidence import contacts_made
from keyworker.contacts.messages import message_reply, message_send, next_opening
from keyworker.contacts.models import Channel, ContactLog, Direction, PortalMessage
from keyworker.notifications.models import Delivery, Notification
from keyworker.notifications.services import deliveries_run
from keyworker.people.carer_access import access_for
from keyworker.people.models import Carer, ContactRestriction
from keyworker.testing import carer_account, make_child, make_family, portal_client

D = dt.date
SECRET = "Alfie had a rough night and the dog bit him"


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)  # London is on UTC in November


def carer_of(family) -> Carer:
    return Carer.objects.filter(family=family).order_by("id").first()


def send(world, text=SECRET, family=None):
    carer = carer_of(family or world.family_a)
    user = carer_account(carer)
    return message_send(access=access_for(user), family_id=carer.family_id, body=text)


def test_a_carers_message_is_a_contact_log_from_the_family_that_waits_on_my_week(world):
    m = send(world)
    contact = m.contact
    assert (contact.channel, contact.direction, contact.author_id, contact.carer_id) == (
        Channel.PORTAL_MESSAGE, Direction.FROM_FAMILY, None, carer_of(world.family_a).pk)
    panel = message_reads.waiting_for_reply(world.actor(world.ta_a), D(2026, 11, 18))
    assert [r.message.pk for r in panel.rows] == [m.pk] and panel.rows[0].reply_by == D(2026, 11, 20)
    assert message_reads.waiting_for_reply(world.actor(world.teacher_b), D(2026, 11, 18)) is None


def test_the_key_workers_notification_and_e_mail_never_carry_the_text(world):
    m = send(world)
    note = Notification.objects.get(recipient=world.ta_a.user, dedupe_key=f"message:{m.pk}")
    assert note.subject == f"You have a new message from a family at {world.school.name}"
    assert SECRET not in note.subject + note.body and "dog" not in note.body
    reply = message_reply(actor=world.actor(world.ta_a), family=world.family_a, carer=m.carer, body=SECRET)
    deliveries_run(now=utc(2026, 11, 18, 10, 31), worker_id="test")
    to_carer = [e for e in mail.outbox if e.to == [m.carer.user.email]]
    assert [e.subject for e in to_carer] == [f"You have a new message from {world.school.name}"]
    assert f"/family/messages/{world.family_a.pk}/" in to_carer[0].body and reply.pk
    assert len(mail.outbox) == 2 and all(SECRET not in e.subject + e.body for e in mail.outbox)


def test_a_reply_clears_the_waiting_item_counts_as_contact_and_the_carers_message_does_not(world):
    m = send(world)
    reply = message_reply(actor=world.actor(world.ta_a), family=world.family_a, carer=m.carer, body="Thanks, noted.")
    m.refresh_from_db()
    assert m.answered_by_id == reply.pk and m.read_at is not None
    assert message_reads.waiting_for_reply(world.actor(world.ta_a), D(2026, 11, 18)) is None
    refs = {r.ref for r in contacts_made(world.org.pk, D(2026, 11, 16), D(2026, 11, 20), {"min_words": 5})}
    # The reply counts (a message is itself what was said, however short); the carer's own message does not.
    assert refs == {f"contact:{reply.contact_id}"}


def test_overdue_after_two_school_days_across_a_weekend(world, clock):
    clock.move_to(utc(2026, 11, 20, 10, 0))  # Friday, in hours
    send(world)
    actor = world.actor(world.ta_a)
    row = message_reads.waiting_for_reply(actor, D(2026, 11, 24)).rows[0]
    assert row.reply_by == D(2026, 11, 24) and not row.overdue  # Monday and Tuesday are the two school days
    assert message_reads.waiting_for_reply(actor, D(2026, 11, 25)).rows[0].overdue


def test_without_term_dates_weekdays_count_not_calendar_days(world, clock):
    from keyworker.organisations.models import HalfTerm, Term

    Term.objects.filter(setting=world.school).delete()
    HalfTerm.objects.filter(setting=world.school).delete()
    clock.move_to(utc(2026, 11, 20, 10, 0))  # Friday
    send(world)
    actor = world.actor(world.ta_a)
    row = message_reads.waiting_for_reply(actor, D(2026, 11, 23)).rows[0]
    assert row.reply_by == D(2026, 11, 24) and not row.overdue  # Monday and Tuesday, not Saturday and Sunday
    assert not message_reads.waiting_for_reply(actor, D(2026, 11, 24)).rows[0].overdue
    assert message_reads.waiting_for_reply(actor, D(2026, 11, 25)).rows[0].overdue


def test_the_number_of_days_is_the_policy_in_force_and_the_obligation_agrees(world, clock, client_for):
    from keyworker.standards import services
    from keyworker.standards.models import Obligation

    head = world.actor(world.headteacher)
    policy = services.policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=D(2026, 11, 18))
    v1 = services.current_version(policy)
    services.standard_update(actor=head, standard=v1.standards.get(clause="SCH-11"), cadence_n=3)
    # A version issued to take effect later, with another number: not in force yet, so not read.
    v2 = services.policy_version_create(actor=head, policy=policy, effective_from=D(2026, 12, 1), review_on=D(2027, 12, 1),
                                        comment="Five school days from December")
    services.standard_update(actor=head, standard=v2.standards.get(clause="SCH-11"), cadence_n=5)
    assert message_reads.reply_rule(world.org.pk) == message_reads.ReplyRule(3, "school")
    clock.move_to(utc(2026, 11, 20, 10, 0))  # Friday
    m = send(world)
    actor = world.actor(world.ta_a)
    panel = message_reads.waiting_for_reply(actor, D(2026, 11, 20))
    assert panel.days == 3 and panel.rows[0].reply_by == D(2026, 11, 25)  # Monday, Tuesday, Wednesday
    assert not message_reads.waiting_for_reply(actor, D(2026, 11, 25)).rows[0].overdue
    assert message_reads.waiting_for_reply(actor, D(2026, 11, 26)).rows[0].overdue
    ob = Obligation.objects.get(standard__clause="SCH-11", family=world.family_a, subject_key__endswith=m.ref)
    assert ob.due_on == D(2026, 11, 25)
    assert "Each is answered within 3 school days of reaching the school" in client_for(world.ta_a).get("/my-week/").content.decode()


def test_the_standard_counts_from_the_message_and_the_reply_meets_it(world, clock):
    from keyworker.standards.models import Obligation
    from keyworker.standards.services import policy_adopt

    policy_adopt(actor=world.actor(world.headteacher), organisation=world.org, template_code="school_key_worker",
                 effective_from=D(2026, 9, 1), review_on=D(2027, 9, 1))
    clock.move_to(utc(2026, 11, 20, 10, 0))
    m = send(world)
    ob = Obligation.objects.get(standard__clause="SCH-11", family=world.family_a)
    assert ob.due_on == D(2026, 11, 24) and ob.subject_key.endswith(m.ref)
    clock.move_to(utc(2026, 11, 25, 9, 0))
    from keyworker.standards.obligations import obligations_refresh

    obligations_refresh(organisation_id=world.org.pk, family_ids={world.family_a.pk}, as_of=D(2026, 11, 25))
    ob.refresh_from_db()
    assert ob.state == "overdue"
    message_reply(actor=world.actor(world.teacher_a), family=world.family_a, carer=m.carer, body="Sorry for the wait.")  # covering
    ob.refresh_from_db()
    m.refresh_from_db()
    assert (ob.state, ob.met_late, ob.evidence_ref) == ("met", True, f"contact:{m.answered_by.contact_id}")


def test_out_of_hours_the_carers_message_waits_for_the_next_opening(world, clock, client_for):
    clock.move_to(utc(2026, 11, 20, 18, 0))  # Friday evening
    m = send(world)
    assert m.deliver_at == utc(2026, 11, 23, 8, 0) and m.received_on == D(2026, 11, 23)
    delivery = Delivery.objects.get(notification__dedupe_key=f"message:{m.pk}")
    assert delivery.next_attempt_at == utc(2026, 11, 23, 8, 0)
    # The family page says when it reaches the setting, in the future tense until it has.
    page = client_for(world.ta_a).get(f"/contacts/messages/{world.family_a.pk}/").content.decode()
    assert "it reaches the setting Mon 23 November 2026" in page and "it reached the setting" not in page
    clock.move_to(utc(2026, 11, 23, 9, 0))
    page = client_for(world.ta_a).get(f"/contacts/messages/{world.family_a.pk}/").content.decode()
    assert "it reached the setting Mon 23 November 2026" in page


def test_out_of_hours_a_staff_reply_is_held_unless_sent_now(world, clock):
    m = send(world)
    clock.move_to(utc(2026, 11, 18, 19, 0))
    held = message_reply(actor=world.actor(world.ta_a), family=world.family_a, carer=m.carer, body="See you tomorrow.")
    now_ = message_reply(actor=world.actor(world.ta_a), family=world.family_a, carer=m.carer, body="Urgent: call me.",
                         send_now=True)
    assert held.deliver_at == utc(2026, 11, 19, 8, 0) and now_.deliver_at == utc(2026, 11, 18, 19, 0)
    access = access_for(m.carer.user)
    seen = [x.pk for x in message_reads.carer_conversation(access, world.family_a.pk, utc(2026, 11, 18, 19, 1))]
    assert seen == [m.pk, now_.pk]
    later = [x.pk for x in message_reads.carer_conversation(access, world.family_a.pk, utc(2026, 11, 19, 8, 0))]
    assert later == [m.pk, held.pk, now_.pk]


def test_next_opening_uses_the_term_calendar(world):
    assert next_opening(world.school, utc(2026, 11, 18, 7, 59)) == utc(2026, 11, 18, 8, 0)
    assert next_opening(world.school, utc(2026, 11, 18, 12, 0)) == utc(2026, 11, 18, 12, 0)
    assert next_opening(world.school, utc(2026, 11, 20, 17, 0)) == utc(2026, 11, 23, 8, 0)  # Friday 17:00: Monday
    # No school day left in the calendar entered (the last term ended): delivered at once rather than never.
    assert next_opening(world.school, utc(2026, 12, 18, 17, 0)) == utc(2026, 12, 18, 17, 0)


def test_read_receipts_both_ways(world, client_for):
    m = send(world)
    client_for(world.ta_a).get(reverse("contacts:messages", args=[world.family_a.pk]))
    m.refresh_from_db()
    assert m.read_by_id == world.ta_a.user_id and m.read_at is not None
    reply = message_reply(actor=world.actor(world.ta_a), family=world.family_a, carer=m.carer, body="Got it, thank you.")
    response = portal_client(m.carer).get(reverse("portal:messages", args=[world.family_a.pk]))
    assert response.status_code == 200 and b"Read " in response.content
    reply.refresh_from_db()
    assert reply.read_at is not None


def test_a_flagged_message_is_restricted_for_staff_but_the_carer_still_sees_it(world, client_for):
    m = send(world)
    client = client_for(world.ta_a)
    response = client.post(reverse("contacts:flag", args=[m.contact_id]),
                           {"safeguarding_category": "physical_abuse", "next": reverse("contacts:messages", args=[world.family_a.pk])})
    assert response.status_code == 302 and response.url == reverse("contacts:messages", args=[world.family_a.pk])
    m.contact.refresh_from_db()
    assert m.contact.is_restricted
    page = client.get(reverse("contacts:messages", args=[world.family_a.pk])).content.decode()
    assert SECRET not in page and "A restricted record exists" in page
    assert SECRET in portal_client(m.carer).get(reverse("portal:messages", args=[world.family_a.pk])).content.decode()


def test_pages_key_worker_covering_colleague_and_outsider(world, client_for):
    m = send(world)
    url = reverse("contacts:messages", args=[world.family_a.pk])
    page = client_for(world.ta_a).get(url)
    assert page.status_code == 200 and SECRET in page.content.decode()
    response = client_for(world.teacher_a).post(url, {"carer": m.carer_id, "body": "Covering for Kim: all fine."})
    assert response.status_code == 302
    assert PortalMessage.objects.get(from_family=False).contact.author_id == world.teacher_a.pk
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.ta_a).get(reverse("contacts:messages", args=[world.other_family.pk])).status_code == 404


def test_a_reply_with_nothing_written_says_so_on_the_field(world, client_for):
    m = send(world)
    response = client_for(world.ta_a).post(reverse("contacts:messages", args=[world.family_a.pk]), {"carer": m.carer_id, "body": " "})
    assert response.status_code == 400 and "Write your reply." in response.content.decode()


def test_portal_pages_as_the_carer_another_familys_carer_and_staff(world, client_for):
    carer_a, carer_b = carer_of(world.family_a), carer_of(world.family_b)
    url = reverse("portal:messages", args=[world.family_a.pk])
    client = portal_client(carer_a)
    assert client.get(reverse("portal:messages_index")).url == url  # one family: straight to it
    response = client.post(url, {"body": "Can we talk about the trip?"})
    assert response.status_code == 302
    assert PortalMessage.objects.get().contact.write_up == "Can we talk about the trip?"
    assert client.post(url, {"body": ""}).status_code == 400
    assert portal_client(carer_b).get(url).status_code == 404
    assert client_for(world.ta_a).get(url).status_code == 404


def test_the_portal_names_the_setting_not_a_school_for_a_nursery_and_out_of_hours(world, clock):
    from keyworker.enrolment.tests.helpers import make_nursery

    nursery = make_nursery(world)
    url = reverse("portal:messages", args=[nursery.family.pk])
    client = portal_client(nursery.carer)
    page = client.get(url).content.decode()
    assert "school" not in page.split("<main", 1)[1].split("</main>", 1)[0].lower()
    assert "on the days it is open" in page and "phone Little Acorns or call 999" in page
    clock.move_to(utc(2026, 11, 20, 18, 0))  # Friday evening (a new session: the first one has ended, idle)
    response = portal_client(nursery.carer).post(url, {"body": "Eli left his coat behind."}, follow=True)
    assert "so Little Acorns will see it when it opens, Mon 23 November 2026 at 08:00" in response.content.decode()
    # A school's carers still read "school days".
    assert "on school days" in portal_client(carer_of(world.family_a)).get(
        reverse("portal:messages", args=[world.family_a.pk])).content.decode()


def test_a_carer_of_two_families_chooses_and_a_no_contact_carer_has_no_access(world):
    carer_a = carer_of(world.family_a)
    user = carer_account(carer_a, "both@example.org")
    second = make_family(world.org, "The Dunn family")
    make_child(second, world.school, world.class_b)
    other = carer_of(second)
    carer_account(other, "both@example.org")
    client = portal_client(carer_a)
    page = client.get(reverse("portal:messages_index"))
    assert page.status_code == 200 and "The Dunn family" in page.content.decode()
    Carer.objects.filter(pk=other.pk).update(contact_restriction=ContactRestriction.NO_CONTACT)
    assert client.get(reverse("portal:messages", args=[second.pk])).status_code == 404
    assert user.is_carer


def test_the_carers_home_says_who_wrote(world):
    m = send(world)
    message_reply(actor=world.actor(world.ta_a), family=world.family_a, carer=m.carer, body="All fine today.")
    items = message_reads.home_items(access_for(m.carer.user), D(2026, 11, 18), utc(2026, 11, 18, 11, 0))
    assert [i.title for i in items] == ["New message from Kim Keyworker"]
    portal_client(m.carer).get(reverse("portal:messages", args=[world.family_a.pk]))
    assert message_reads.home_items(access_for(m.carer.user), D(2026, 11, 18), utc(2026, 11, 18, 11, 0)) == []


def test_a_portal_message_cannot_be_recorded_or_edited_as_a_contact(world):
    from keyworker.contacts.services import contact_edit, contact_record
    from keyworker.core.errors import RuleViolation

    with pytest.raises(RuleViolation):
        contact_record(actor=world.actor(world.ta_a), family=world.family_a, happened_on=D(2026, 11, 18),
                       channel=Channel.PORTAL_MESSAGE, tone="neutral", write_up="A message made up by hand here.")
    m = send(world)
    reply = message_reply(actor=world.actor(world.ta_a), family=world.family_a, carer=m.carer, body="Thank you.")
    with pytest.raises(RuleViolation):
        contact_edit(actor=world.actor(world.ta_a), contact=ContactLog.objects.get(pk=reply.contact_id),
                     happened_on=D(2026, 11, 18), channel=Channel.PHONE, tone="neutral", write_up="Changed what was said here.")


def _messages(world, n):
    for i in range(n):
        family = make_family(world.org, f"The Extra{i} family")
        make_child(family, world.school, world.class_a)
        from keyworker.testing import allocate

        allocate(family, world.school, world.ta_a)
        send(world, f"Message number {i}", family=family)
    for _ in range(n):
        send(world, "Another one")


@pytest.mark.parametrize("n", [1, 6])
def test_my_week_panel_and_the_family_page_in_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries, n):
    _messages(world, n)
    actor = world.actor(world.ta_a)
    with django_assert_max_num_queries(6):
        panel = message_reads.waiting_for_reply(actor, D(2026, 11, 18))
    assert len(panel.rows) == 2 * n
    client = client_for(world.ta_a)
    url = reverse("contacts:messages", args=[world.family_a.pk])
    client.get(url)
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200
    carer = carer_of(world.family_a)
    portal = portal_client(carer)
    with django_assert_max_num_queries(14):
        assert portal.get(reverse("portal:messages", args=[world.family_a.pk])).status_code == 200


def test_staff_contact_pages_and_the_timeline_show_a_carers_message(world, client_for):
    m = send(world, "Could we meet after school on Friday?")
    client = client_for(world.ta_a)
    detail = client.get(reverse("contacts:detail", args=[m.contact_id])).content.decode()
    assert f"{m.carer.full_name} (portal message)" in detail and reverse("contacts:edit", args=[m.contact_id]) not in detail
    assert client.get(reverse("contacts:list")).status_code == 200
    assert "Could we meet after school" in client.get(reverse("dashboard:timeline", args=[world.family_a.pk])).content.decode()


def test_a_carers_message_does_not_weigh_on_positivity(world):
    from keyworker.celebrations.positivity import last_tones

    send(world, "Just a quick question about lunch.")
    assert last_tones(world.org.pk, [world.family_a.pk], D(2026, 11, 18)) == {}


def test_the_clause_shows_in_compliance_and_the_evidence_pack(world, client_for, clock):
    from keyworker.standards.services import policy_adopt

    policy_adopt(actor=world.actor(world.headteacher), organisation=world.org, template_code="school_key_worker",
                 effective_from=D(2026, 9, 1), review_on=D(2027, 9, 1))
    m = send(world)
    message_reply(actor=world.actor(world.ta_a), family=world.family_a, carer=m.carer, body="Yes, that is fine.")
    clock.move_to(utc(2026, 11, 25, 10, 0))  # figures count obligations once their due date has come
    client = client_for(world.headteacher)
    page = client.get("/compliance/organisation/").content.decode()
    assert "Messages from families answered" in page
    assert "SCH-11" in client.get("/evidence-pack/").content.decode()


def test_a_message_needing_no_reply_stops_waiting_and_meets_the_standard(world, client_for):
    from keyworker.standards.models import Obligation
    from keyworker.standards.services import policy_adopt

    policy_adopt(actor=world.actor(world.headteacher), organisation=world.org, template_code="school_key_worker",
                 effective_from=D(2026, 9, 1), review_on=D(2027, 9, 1))
    m = send(world, "Thank you!")
    client = client_for(world.ta_a)
    response = client.post(reverse("contacts:message_no_reply", args=[m.pk]), {"next": "/my-week/"})
    assert response.status_code == 302 and response.url == "/my-week/"
    assert message_reads.waiting_for_reply(world.actor(world.ta_a), D(2026, 11, 18)) is None
    ob = Obligation.objects.get(standard__clause="SCH-11", family=world.family_a)
    assert (ob.state, ob.evidence_ref) == ("met", f"message:{m.pk}")
    # Once only; and outside scope the message does not exist.
    client.post(reverse("contacts:message_no_reply", args=[m.pk]))
    assert client_for(world.outsider).post(reverse("contacts:message_no_reply", args=[m.pk])).status_code == 404
