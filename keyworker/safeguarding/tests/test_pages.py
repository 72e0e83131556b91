import datetime as dt

import pytest

from keyworker.core import clock
from keyworker.notifications.models import Notification
from keyworker.safeguarding import services
from keyworker.safeguarding.models import ConcernAccess, ConcernState, Entry
from keyworker.testing import PASSWORD

from .helpers import WORDS, confirmed, raise_concern

TEAM = ("headteacher", "deputy", "safeguarding_lead")
NOT_TEAM = ("teacher_a", "ta_a", "teacher_b", "admin_office")


@pytest.mark.parametrize("persona", TEAM)
def test_the_team_reads_a_concern_after_confirming_the_password_and_the_read_is_logged(world, client_for, persona):
    concern = raise_concern(world)
    staff = getattr(world, persona)
    client = client_for(staff)
    response = client.get(f"/safeguarding/concerns/{concern.pk}/")
    assert response.status_code == 302 and response.url.startswith("/accounts/confirm/?next=")
    refused = ConcernAccess.objects.get()  # the refused read stays in the access log
    assert (refused.allowed, refused.detail) == (False, "confirmation required")
    page = client.get(response.url)
    assert page.status_code == 200 and "Confirm your password" in page.content.decode()
    back = client.post(response.url, {"password": PASSWORD, "next": f"/safeguarding/concerns/{concern.pk}/"})
    assert back.status_code == 302 and back.url == f"/safeguarding/concerns/{concern.pk}/"
    page = client.get(back.url)
    assert page.status_code == 200 and "Zebedee" in page.content.decode()
    access = ConcernAccess.objects.exclude(pk=refused.pk).get()  # the log is append-only: the refusal stays
    assert (access.staff_id, access.concern_id, access.route, access.allowed) == (staff.pk, concern.pk, "page", True)


def test_the_password_is_asked_again_after_15_minutes(world, client_for, clock):
    concern = raise_concern(world)
    client = confirmed(client_for(world.safeguarding_lead))
    assert client.get(f"/safeguarding/concerns/{concern.pk}/").status_code == 200
    clock.shift(dt.timedelta(minutes=16))
    assert client.get(f"/safeguarding/concerns/{concern.pk}/").status_code == 302


def test_wrong_passwords_are_limited(world, client_for):
    client = client_for(world.safeguarding_lead)
    for _ in range(5):
        response = client.post("/accounts/confirm/", {"password": "wrong"})
        assert response.status_code == 400
    response = client.post("/accounts/confirm/", {"password": PASSWORD})
    assert response.status_code == 429 and "Too many wrong tries" in response.content.decode()
    response = client.post("/accounts/confirm/", {"password": ""})
    assert response.status_code == 429


def test_the_confirm_page_does_not_redirect_off_site(world, client_for):
    client = client_for(world.safeguarding_lead)
    response = client.post("/accounts/confirm/", {"password": PASSWORD, "next": "https://evil.example/"})
    assert response.url == "/"


@pytest.mark.parametrize("persona", NOT_TEAM)
def test_others_see_a_placeholder_naming_the_lead_and_the_attempt_is_logged(world, client_for, persona):
    concern = raise_concern(world)
    client = confirmed(client_for(getattr(world, persona)))
    page = client.get(f"/safeguarding/concerns/{concern.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "A restricted record exists" in text and "Sam Safeguarding" in text
    for secret in ("Zebedee", "spoon", "Quill", "Alfie", "Physical abuse"):
        assert secret not in text
    access = ConcernAccess.objects.get()
    assert (access.allowed, access.concern_id, access.route) == (False, concern.pk, "page")


def test_outsider_gets_404(world, client_for):
    concern = raise_concern(world)
    client = confirmed(client_for(world.outsider))
    for url in (f"/safeguarding/concerns/{concern.pk}/", f"/safeguarding/concerns/{concern.pk}/sent/",
                f"/safeguarding/children/{world.child_a.pk}/", f"/safeguarding/children/{world.child_a.pk}/file.pdf"):
        assert client.get(url).status_code == 404, url
    # the outsider is on their own organisation's team: their search finds nothing of this one
    page = client.get("/safeguarding/search/?q=Zebedee")
    assert page.context["hits"] == [] and "Alfie" not in page.content.decode()


def test_addendum_and_closure_are_additions(world, client_for):
    concern = raise_concern(world)
    client = confirmed(client_for(world.safeguarding_lead))
    response = client.post(f"/safeguarding/concerns/{concern.pk}/addendum/", {"text": "Too short"})
    assert response.status_code == 400 and response.context["addendum_form"].errors["text"]
    response = client.post(f"/safeguarding/concerns/{concern.pk}/addendum/", {"text": "Correction: it was his cousin, not his uncle."})
    assert response.status_code == 302
    response = client.post(f"/safeguarding/concerns/{concern.pk}/close/", {"text": "Spoke to mum; referral made; no further action."})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.state == ConcernState.CLOSED and concern.what_happened == WORDS
    assert list(Entry.objects.order_by("id").values_list("kind", flat=True)) == ["addendum", "closure"]
    page = client.get(f"/safeguarding/concerns/{concern.pk}/").content.decode()
    assert "his cousin" in page and "Close the concern" not in page
    assert client_for(world.teacher_a).post(f"/safeguarding/concerns/{concern.pk}/addendum/",
                                            {"text": "Correction: it was his cousin, not his uncle."}).status_code == 404


def test_no_delete_anywhere(world, client_for):
    from django.contrib import admin

    from keyworker.safeguarding.models import Concern, ConcernAccess, ConcernChild

    for model in (Concern, ConcernAccess, ConcernChild, Entry):
        assert not admin.site.is_registered(model)
    concern = raise_concern(world)
    client = confirmed(client_for(world.headteacher))
    assert client.delete(f"/safeguarding/concerns/{concern.pk}/").status_code in (200, 405)
    assert Concern.objects.filter(pk=concern.pk).exists()


# Chronology ------------------------------------------------------------------------------------------------------


def test_chronology_for_the_team_with_actions_decisions_referrals_outcomes(world, client_for):
    concern = raise_concern(world)
    client = confirmed(client_for(world.safeguarding_lead))
    url = f"/safeguarding/children/{world.child_a.pk}/entries/"
    assert client.post(url, {"kind": "action", "concern": concern.pk, "text": "Speak to Alfie's mum at pick up today.",
                             "assigned_to": world.teacher_a.pk, "due_on": "2026-11-19"}).status_code == 302
    assert client.post(url, {"kind": "decision", "text": "Refer to children's services today.",
                             "reason": "A disclosure of physical harm by an adult."}).status_code == 302
    assert client.post(url, {"kind": "referral", "text": "Referral to the front door made by phone.", "agency": "childrens_services",
                             "made_on": "2026-11-18", "reference": "MASH-1234"}).status_code == 302
    assert client.post(url, {"kind": "outcome", "text": "Strategy meeting held; section 47 enquiry started."}).status_code == 302
    referral = Entry.objects.get(kind="referral")
    assert referral.decision_due_on == dt.date(2026, 11, 19) and referral.follow_up_on == dt.date(2026, 11, 19)
    # the assignee of the action is told, by link only
    n = Notification.objects.get(kind="safeguarding.action")
    assert n.recipient_id == world.teacher_a.user_id and "mum" not in n.body
    page = client.get(f"/safeguarding/children/{world.child_a.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    for words in ("Zebedee", "pick up today", "A disclosure of physical harm", "MASH-1234", "section 47"):
        assert words in text
    assert ConcernAccess.objects.filter(child=world.child_a, concern=concern, route="page", allowed=True).exists()


@pytest.mark.parametrize(("data", "field"), [
    ({"kind": "action", "text": "Speak to Alfie's mum at pick up.", "due_on": "2026-11-19"}, "assigned_to"),
    ({"kind": "action", "text": "Speak to Alfie's mum at pick up.", "assigned_to": "ASSIGNEE", "due_on": "2026-11-01"}, "due_on"),
    ({"kind": "decision", "text": "Refer to children's services today."}, "reason"),
    ({"kind": "referral", "text": "Referral to the front door made.", "made_on": "2026-11-18"}, "agency"),
    ({"kind": "referral", "text": "Referral to the front door made.", "agency": "police", "made_on": "2026-12-18"}, "made_on"),
    ({"kind": "outcome", "text": "Closed"}, "text"),
    ({"kind": "action", "text": "Speak to Alfie's mum at pick up.", "assigned_to": "banana", "due_on": "x"}, "assigned_to"),
])
def test_chronology_entries_refused_per_field(world, client_for, data, field):
    client = confirmed(client_for(world.safeguarding_lead))
    if data.get("assigned_to") == "ASSIGNEE":
        data = {**data, "assigned_to": world.teacher_a.pk}
    response = client.post(f"/safeguarding/children/{world.child_a.pk}/entries/", data)
    assert response.status_code == 400
    form = next(f for f in response.context["entry_forms"] if f.entry_kind == data["kind"])
    assert field in form.errors
    assert not Entry.objects.exists()


def test_actions_done_referral_answered(world, client_for):
    actor = world.actor(world.safeguarding_lead)
    action = services.entry_add(actor=actor, child=world.child_a, kind="action", text="Check attendance every morning this week.",
                                assigned_to=world.ta_a, due_on=dt.date(2026, 11, 20))
    referral = services.entry_add(actor=actor, child=world.child_a, kind="referral", text="Referral to early help made today.",
                                  agency="early_help", made_on=dt.date(2026, 11, 18))
    client = confirmed(client_for(world.safeguarding_lead))
    assert client.post(f"/safeguarding/entries/{action.pk}/").status_code == 302
    assert client.post(f"/safeguarding/entries/{referral.pk}/", {"on": "2026-11-18"}).status_code == 302
    action.refresh_from_db()
    referral.refresh_from_db()
    assert action.done_at is not None and referral.response_on == dt.date(2026, 11, 18)
    assert client_for(world.teacher_b).post(f"/safeguarding/entries/{action.pk}/").status_code == 404


def test_chronology_of_200_entries_in_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    actor = world.actor(world.safeguarding_lead)
    for i in range(40):
        raise_concern(world, text=f"Concern number {i}: Alfie came in hungry and cold again today.")
    concerns = list(__import__("keyworker.safeguarding.models", fromlist=["Concern"]).Concern.objects.all())
    for i in range(160):
        services.entry_add(actor=actor, child=world.child_a, kind=("action", "decision", "referral", "outcome")[i % 4],
                           text=f"Entry {i}: something was done about it today.", concern=concerns[i % 40],
                           reason="Because of what was said.", assigned_to=world.teacher_a, due_on=dt.date(2026, 11, 30),
                           agency="police", made_on=dt.date(2026, 11, 18))
    client = confirmed(client_for(world.safeguarding_lead))
    with django_assert_max_num_queries(25):
        page = client.get(f"/safeguarding/children/{world.child_a.pk}/")
    assert page.status_code == 200 and len(page.context["lines"]) == 200


@pytest.mark.parametrize("persona", (*NOT_TEAM, "outsider"))
def test_chronology_is_404_for_others_and_logged(world, client_for, persona):
    raise_concern(world)
    client = confirmed(client_for(getattr(world, persona)))
    assert client.get(f"/safeguarding/children/{world.child_a.pk}/").status_code == 404
    if persona != "outsider":
        assert ConcernAccess.objects.filter(allowed=False, child=world.child_a).exists()


# Protection status (SCH-A2) ------------------------------------------------------------------------------------


def test_status_set_from_the_chronology_flags_the_teaching_assistant_and_tells_the_leaders(world, client_for):
    client = confirmed(client_for(world.safeguarding_lead))
    response = client.post(f"/safeguarding/children/{world.child_a.pk}/status/",
                           {"status": "child_protection_plan", "reason": "Initial child protection conference held today."})
    assert response.status_code == 302
    world.child_a.refresh_from_db()
    assert world.child_a.protection_status == "child_protection_plan"
    told = Notification.objects.filter(kind="safeguarding.key_worker")
    assert {n.recipient_id for n in told} == {world.headteacher.user_id, world.deputy.user_id}
    assert "Tara Teacher" in told.first().body
    # the flag shows on the family page until a teacher is key worker
    family_page = client_for(world.headteacher).get(f"/families/{world.family_a.pk}/").content.decode()
    assert "The key worker must be a teacher" in family_page
    from keyworker.caseload.services import allocation_assign

    allocation_assign(actor=world.actor(world.headteacher), family=world.family_a, setting=world.school, staff=world.teacher_a,
                      reason="Child protection plan: teacher is key worker")
    family_page = client_for(world.headteacher).get(f"/families/{world.family_a.pk}/").content.decode()
    assert "The key worker must be a teacher" not in family_page
    # ending the status is an entry too
    response = client.post(f"/safeguarding/children/{world.child_a.pk}/status/",
                           {"status": "", "reason": "Plan ended at the review conference today."})
    assert response.status_code == 302
    assert list(Entry.objects.filter(kind="status").values_list("status_to", flat=True)) == ["child_protection_plan", ""]


def test_status_needs_a_reason_and_the_team(world, client_for):
    client = confirmed(client_for(world.safeguarding_lead))
    response = client.post(f"/safeguarding/children/{world.child_a.pk}/status/", {"status": "looked_after", "reason": "x"})
    assert response.status_code == 400 and response.context["status_form"].errors["reason"]
    assert client_for(world.teacher_a).post(f"/safeguarding/children/{world.child_a.pk}/status/",
                                            {"status": "", "reason": "Plan ended at the review conference."}).status_code == 404


# Dashboard, search, access log ----------------------------------------------------------------------------------


def test_dashboard_for_the_team(world, client_for, django_assert_max_num_queries):
    concern = raise_concern(world)
    actor = world.actor(world.safeguarding_lead)
    services.entry_add(actor=actor, child=world.child_a, kind="action", text="Check attendance every morning this week.",
                       assigned_to=world.ta_a, due_on=dt.date(2026, 11, 18))
    services.entry_add(actor=actor, child=world.child_a, kind="referral", text="Referral to children's services made.",
                       agency="childrens_services", made_on=dt.date(2026, 11, 16), reference="CS-77")
    world.child_b.protection_status = "child_in_need"
    world.child_b.save()
    client = client_for(world.safeguarding_lead)
    with django_assert_max_num_queries(20):
        page = client.get("/safeguarding/")
    text = page.content.decode()
    assert page.status_code == 200
    assert page.context["board"].new_concerns == [concern]
    assert "CS-77" in text and "Bella Brown" in text and "Child in need" in text and "Late" in text
    assert "Zebedee" not in text  # a list, not the record
    assert ConcernAccess.objects.filter(route="list", concern=concern).exists()
    confirmed(client).get(f"/safeguarding/concerns/{concern.pk}/")
    assert client.get("/safeguarding/").context["board"].new_concerns == []


@pytest.mark.parametrize("persona", NOT_TEAM)
def test_dashboard_for_others_is_a_start_page(world, client_for, persona):
    raise_concern(world)
    page = client_for(getattr(world, persona)).get("/safeguarding/")
    text = page.content.decode()
    assert page.status_code == 200 and "Raise a concern" in text and "Sam Safeguarding" in text
    assert "Alfie" not in text and "Physical" not in text


def test_overdue_actions_are_flagged_and_the_assignee_told(world, client_for, clock):
    actor = world.actor(world.safeguarding_lead)
    services.entry_add(actor=actor, child=world.child_a, kind="action", text="Check attendance every morning this week.",
                       assigned_to=world.ta_a, due_on=dt.date(2026, 11, 18))
    clock.shift(dt.timedelta(days=2))
    assert "Overdue" in client_for(world.safeguarding_lead).get("/safeguarding/").content.decode()
    assert services.overdue_actions_notify(organisation_id=world.org.pk, as_of=dt.date(2026, 11, 20)) == 1
    assert services.overdue_actions_notify(organisation_id=world.org.pk, as_of=dt.date(2026, 11, 20)) == 0
    n = Notification.objects.get(kind="safeguarding.action_overdue")
    assert n.recipient_id == world.ta_a.user_id and "attendance" not in n.body


def test_search_logs_every_hit(world, client_for):
    concern = raise_concern(world)
    raise_concern(world, child=world.child_b, text="Bella said she is scared to go home tonight.")
    client = client_for(world.safeguarding_lead)
    assert client.get("/safeguarding/search/?q=spoon").status_code == 302
    confirmed(client)
    page = client.get("/safeguarding/search/?q=spoon")
    assert page.status_code == 200 and page.context["hits"] == [concern]
    assert ConcernAccess.objects.filter(route="search", allowed=False, detail="confirmation required").count() == 1
    hit = ConcernAccess.objects.get(route="search", allowed=True)
    assert (hit.concern_id, hit.detail) == (concern.pk, "spoon")
    assert client.get("/safeguarding/search/?q=a").status_code == 400


@pytest.mark.parametrize("persona", NOT_TEAM)
def test_search_and_access_log_are_404_for_others(world, client_for, persona):
    raise_concern(world)
    client = confirmed(client_for(getattr(world, persona)))
    assert client.get("/safeguarding/search/?q=spoon").status_code == 404
    assert client.get("/safeguarding/access-log/").status_code == 404
    assert ConcernAccess.objects.filter(allowed=False, route="search").exists()


def test_access_log_page_for_the_team(world, client_for, django_assert_max_num_queries):
    concern = raise_concern(world)
    confirmed(client_for(world.teacher_a)).get(f"/safeguarding/concerns/{concern.pk}/")
    client = confirmed(client_for(world.safeguarding_lead))
    client.get(f"/safeguarding/concerns/{concern.pk}/")
    with django_assert_max_num_queries(12):
        page = client.get("/safeguarding/access-log/")
    text = page.content.decode()
    assert page.status_code == 200 and "Tara Teacher" in text and "Refused" in text and "Sam Safeguarding" in text


# Transfer ------------------------------------------------------------------------------------------------------


def test_transfer_export_and_receipt(world, client_for):
    concern = raise_concern(world)
    services.entry_add(actor=world.actor(world.safeguarding_lead), child=world.child_a, kind="decision", concern=concern,
                       text="Refer to children's services today.", reason="A disclosure of physical harm by an adult.")
    world.child_a.left_on = dt.date(2026, 11, 13)
    world.child_a.save()
    client = client_for(world.safeguarding_lead)
    board = client.get("/safeguarding/").context["board"]
    assert [t.child for t in board.transfers] == [world.child_a]
    assert board.transfers[0].due_on == dt.date(2026, 11, 20) and not board.transfers[0].overdue
    confirmed(client)
    pdf = client.get(f"/safeguarding/children/{world.child_a.pk}/file.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    data = client.get(f"/safeguarding/children/{world.child_a.pk}/file.json").json()
    assert data["child"]["legal_last_name"] == "Adams"
    assert data["concerns"][0]["what_happened"] == WORDS
    assert data["concerns"][0]["decisions"][0]["reasons"] == "A disclosure of physical harm by an adult."
    assert ConcernAccess.objects.filter(route="export", concern=concern).count() == 2
    assert client.get(f"/safeguarding/children/{world.child_a.pk}/file.exe").status_code == 404
    response = client.post(f"/safeguarding/children/{world.child_a.pk}/transfer/",
                           {"sent_to": "Hillside Primary, Mr Patel (DSL)", "sent_on": "2026-11-18"})
    assert response.status_code == 302
    sent = Entry.objects.get(kind="transfer")
    assert client.get("/safeguarding/").context["board"].transfers[0].sent == sent
    assert client.post(f"/safeguarding/entries/{sent.pk}/", {"on": "2026-11-18"}).status_code == 302
    assert client.get("/safeguarding/").context["board"].transfers == []
    assert client_for(world.admin_office).get(f"/safeguarding/children/{world.child_a.pk}/file.json").status_code == 404


def test_transfer_overdue_after_five_school_days(world, client_for):
    raise_concern(world)
    world.child_a.left_on = dt.date(2026, 11, 9)
    world.child_a.save()
    transfer = client_for(world.safeguarding_lead).get("/safeguarding/").context["board"].transfers[0]
    assert transfer.due_on == dt.date(2026, 11, 16) and transfer.overdue


def test_timeline_shows_a_placeholder_to_everyone_and_a_link_to_the_team(world, client_for):
    concern = raise_concern(world)
    for persona in ("ta_a", "teacher_a", "admin_office", "headteacher", "safeguarding_lead"):
        page = client_for(getattr(world, persona)).get(f"/families/{world.family_a.pk}/timeline/")
        text = page.content.decode()
        assert page.status_code == 200 and "A restricted record exists" in text, persona
        assert "Zebedee" not in text and "Physical abuse" not in text
        link = f"/safeguarding/concerns/{concern.pk}/"
        assert (link in text) == (persona in ("headteacher", "safeguarding_lead")), persona
    assert client_for(world.outsider).get(f"/families/{world.family_a.pk}/timeline/").status_code == 404
    _ = clock


def test_an_action_given_to_someone_outside_the_team_is_theirs_to_see_and_mark_done(world, client_for):
    concern = raise_concern(world)
    action = services.entry_add(actor=world.actor(world.safeguarding_lead), child=world.child_a, kind="action", concern=concern,
                                text="Check in with Alfie every morning this week.", assigned_to=world.teacher_a,
                                due_on=dt.date(2026, 11, 20))
    n = Notification.objects.get(kind="safeguarding.action")
    assert n.link == "/safeguarding/"
    client = client_for(world.teacher_a)
    page = client.get(n.link).content.decode()
    assert "Check in with Alfie every morning" in page and "Zebedee" not in page
    assert "Check in with Alfie" not in client_for(world.teacher_b).get("/safeguarding/").content.decode()
    assert client_for(world.teacher_b).post(f"/safeguarding/entries/{action.pk}/").status_code == 404
    client = client_for(world.teacher_a)
    response = client.post(f"/safeguarding/entries/{action.pk}/")
    assert response.status_code == 302 and response.url == "/safeguarding/"
    action.refresh_from_db()
    assert action.done_at is not None
    assert "Check in with Alfie" not in client.get("/safeguarding/").content.decode()


def test_reminders_command(world, clock):
    from django.core.management import call_command

    services.entry_add(actor=world.actor(world.safeguarding_lead), child=world.child_a, kind="action",
                       text="Check attendance every morning this week.", assigned_to=world.ta_a, due_on=dt.date(2026, 11, 18))
    clock.shift(dt.timedelta(days=1))
    call_command("safeguarding_reminders")
    assert Notification.objects.filter(kind="safeguarding.action_overdue", recipient=world.ta_a.user).count() == 1


def test_an_open_concern_keeps_the_sch_a2_flag_when_a_status_ends(world):
    from keyworker.caseload.models import KeyWorkerAllocation

    raise_concern(world)
    lead = world.actor(world.safeguarding_lead)
    services.protection_status_change(actor=lead, child=world.child_a, status="child_protection_plan",
                                      reason="Initial child protection conference held today.")
    services.protection_status_change(actor=lead, child=world.child_a, status="early_help",
                                      reason="Stepped down to early help at the review today.")
    assert KeyWorkerAllocation.objects.get(family=world.family_a, ends_at__isnull=True).needs_teacher_since is not None


def test_concern_page_in_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    concern = raise_concern(world, others=[world.child_b])
    lead = world.actor(world.safeguarding_lead)
    for i in range(30):
        services.concern_addendum(actor=lead, concern=concern, text=f"Addendum {i}: more was said about it at pick up.")
    client = confirmed(client_for(world.safeguarding_lead))
    with django_assert_max_num_queries(16):
        page = client.get(f"/safeguarding/concerns/{concern.pk}/")
    assert page.status_code == 200 and len(page.context["entries"]) == 30


def test_the_worker_cycle_tells_the_assignee_of_an_overdue_action_once(world, clock):
    from keyworker.standards.management.commands.worker import run_cycle

    actor = world.actor(world.safeguarding_lead)
    services.entry_add(actor=actor, child=world.child_a, kind="action", text="Check attendance every morning this week.",
                       assigned_to=world.ta_a, due_on=dt.date(2026, 11, 18))
    clock.shift(dt.timedelta(days=2))
    run_cycle(worker_id="w1")
    run_cycle(worker_id="w2")
    assert Notification.objects.filter(kind="safeguarding.action_overdue", recipient=world.ta_a.user).count() == 1
