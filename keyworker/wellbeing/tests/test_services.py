"""Wellbeing services: raising a concern (validation per field, scope, who is told and what), follow-ups, signposting,
referrals and their responses, closing with an outcome, and the agency directory."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from keyworker.core.audit import AuditEvent
from keyworker.core.errors import RuleViolation
from keyworker.notifications.models import Delivery, Notification
from keyworker.testing import make_child
from keyworker.wellbeing.models import ConcernStatus, WellbeingFollowUp
from keyworker.wellbeing.selectors import concerns_visible_to
from keyworker.wellbeing.services import agency_save, concern_close, referral_response_record

from .helpers import NOTICED, TODAY, follow_up, make_agency, raise_concern


def test_raise_a_concern(world):
    concern = raise_concern(world, children=[world.child_a])
    assert concern.status == ConcernStatus.OPEN and concern.noticed_on == TODAY and concern.setting_id == world.school.pk
    assert concern.raised_by == world.ta_a and list(concern.children.all()) == [world.child_a]
    assert concern.indicators == ["healthy", "nurtured"] and concern.areas == ["money"]
    assert AuditEvent.objects.filter(event_type="wellbeing.concern_raised").count() == 1


def test_the_leadership_team_and_the_key_worker_are_told_without_the_detail(world):
    concern = raise_concern(world, staff=world.teacher_a)
    told = {n.recipient_id: n for n in Notification.objects.filter(kind="wellbeing.concern")}
    # Headteacher and deputy lead the school; the key worker owns the follow-up; the reporter is not told.
    assert set(told) == {world.headteacher.user_id, world.deputy.user_id, world.ta_a.user_id}
    n = told[world.headteacher.user_id]
    assert n.subject == "Wellbeing concern: The Adams family, from Tara Teacher"
    assert "The Adams family" in n.body and "Tara Teacher" in n.body and "gas bill" not in n.body and "hungry" not in n.body
    assert n.link == f"/wellbeing/concerns/{concern.pk}/" and not n.digest
    assert Delivery.objects.filter(notification__kind="wellbeing.concern").count() == 3  # e-mailed at once


def test_admin_office_and_other_teachers_are_not_told(world):
    raise_concern(world)
    told = set(Notification.objects.filter(kind="wellbeing.concern").values_list("recipient_id", flat=True))
    assert world.admin_office.user_id not in told and world.teacher_b.user_id not in told and world.ta_a.user_id not in told


@pytest.mark.parametrize(("change", "field", "rule"), [
    ({"what_noticed": ""}, "what_noticed", "what_noticed_short"),
    ({"what_noticed": "Seems sad."}, "what_noticed", "what_noticed_short"),
    ({"what_noticed": "x " * 3000}, "what_noticed", "what_noticed_long"),
    ({"areas": []}, "areas", "areas_required"),
    ({"areas": ["weather"]}, "areas", "areas_invalid"),
    ({"indicators": []}, "indicators", "indicators_required"),
    ({"indicators": ["happy"]}, "indicators", "indicators_invalid"),
    ({"noticed_on": dt.date(2026, 11, 19)}, "noticed_on", "future_date"),
    ({"noticed_on": dt.date(2025, 1, 1)}, "noticed_on", "old_date"),
    ({"noticed_on": "yesterday"}, "noticed_on", "date"),
])
def test_raise_validation_per_field(world, change, field, rule):
    with pytest.raises(RuleViolation) as err:
        raise_concern(world, **change)
    assert (err.value.field, err.value.rule) == (field, rule)


def test_children_must_be_of_the_family(world):
    with pytest.raises(RuleViolation) as err:
        raise_concern(world, children=[world.child_b])
    assert err.value.field == "children"


def test_only_families_you_can_see(world):
    for staff, family in [(world.teacher_b, world.family_a), (world.outsider, world.family_a), (world.ta_a, world.other_family)]:
        with pytest.raises(RuleViolation) as err:
            raise_concern(world, staff=staff, family=family)
        assert err.value.rule == "scope"


def test_who_sees_a_concern(world):
    concern = raise_concern(world, staff=world.teacher_a)
    seen = {name for name, staff in world.personas.items() if concerns_visible_to(world.actor(staff)).filter(pk=concern.pk).exists()}
    # Leaders, the key worker and the reporter; not the admin office, other teachers or the safeguarding lead.
    assert seen == {"headteacher", "deputy", "key_worker", "teacher_a"}


def test_follow_up_a_concern(world, clock):
    concern = raise_concern(world)
    clock.shift(dt.timedelta(days=1))
    f = follow_up(world, concern)
    concern.refresh_from_db()
    assert f.happened_on == TODAY + dt.timedelta(days=1) and not f.by_leader and f.family_id == world.family_a.pk
    assert concern.last_follow_up_on == f.happened_on and concern.follow_up_due_on is None


@pytest.mark.parametrize(("change", "field", "rule"), [
    ({"kind": "coffee"}, "kind", "kind"),
    ({"note": "Phoned."}, "note", "note_short"),
    ({"happened_on": dt.date(2026, 11, 17)}, "happened_on", "before_concern"),
    ({"happened_on": dt.date(2026, 11, 19)}, "happened_on", "future_date"),
    ({"kind": "signposting"}, "agency", "agency"),
    ({"kind": "referral"}, "agency", "agency"),
    ({"follow_up_on": TODAY}, "follow_up_on", "follow_up_before"),
    ({"follow_up_on": TODAY + dt.timedelta(days=400)}, "follow_up_on", "follow_up_far"),
])
def test_follow_up_validation_per_field(world, change, field, rule):
    concern = raise_concern(world)
    with pytest.raises(RuleViolation) as err:
        follow_up(world, concern, **change)
    assert (err.value.field, err.value.rule) == (field, rule)


def test_signposting_names_the_agency_and_how(world):
    concern = raise_concern(world)
    agency = make_agency(world)
    with pytest.raises(RuleViolation) as err:
        follow_up(world, concern, kind="signposting", agency=agency, note="")
    assert err.value.field == "how"
    f = follow_up(world, concern, kind="signposting", agency=agency, how="leaflet", told_family=True, note="")
    assert f.agency == agency and f.how == "leaflet" and f.told_family


def test_a_referral_needs_consent_and_a_follow_up_date(world):
    concern = raise_concern(world)
    agency = make_agency(world)
    base = {"kind": "referral", "agency": agency, "note": ""}
    for change, field, rule in [({}, "consent_given", "consent_required"),
                                ({"consent_given": False}, "consent_given", "consent_missing"),
                                ({"consent_given": True}, "follow_up_on", "follow_up_required")]:
        with pytest.raises(RuleViolation) as err:
            follow_up(world, concern, **base, **change)
        assert (err.value.field, err.value.rule) == (field, rule)
    due = TODAY + dt.timedelta(days=14)
    f = follow_up(world, concern, **base, consent_given=True, reference="EH-2231", follow_up_on=due)
    concern.refresh_from_db()
    assert f.reference == "EH-2231" and f.consent_given and concern.follow_up_due_on == due


def test_a_follow_up_on_or_after_the_date_owed_settles_it(world, clock):
    concern = raise_concern(world)
    due = TODAY + dt.timedelta(days=3)
    follow_up(world, concern, follow_up_on=due)
    concern.refresh_from_db()
    assert concern.follow_up_due_on == due
    follow_up(world, concern)  # today: before the date owed
    concern.refresh_from_db()
    assert concern.follow_up_due_on == due
    clock.shift(dt.timedelta(days=3))
    follow_up(world, concern)
    concern.refresh_from_db()
    assert concern.follow_up_due_on is None


def test_a_retired_or_foreign_agency_is_refused(world):
    concern = raise_concern(world)
    retired = make_agency(world, "Closed Service", is_active=False)
    with pytest.raises(RuleViolation) as err:
        follow_up(world, concern, kind="agency_contact", agency=retired)
    assert err.value.rule == "agency_retired"
    from keyworker.wellbeing.models import Agency

    foreign = Agency.objects.create(organisation=world.other_org, name="Elsewhere", service="Help")
    with pytest.raises(RuleViolation) as err:
        follow_up(world, concern, kind="agency_contact", agency=foreign)
    assert err.value.rule == "agency"


def test_a_leader_s_agency_contact_is_marked(world):
    concern = raise_concern(world)
    f = follow_up(world, concern, staff=world.headteacher, kind="agency_contact", agency=make_agency(world))
    assert f.by_leader


def test_outsiders_cannot_follow_up(world):
    concern = raise_concern(world)
    for staff in (world.teacher_b, world.admin_office, world.outsider):
        with pytest.raises(RuleViolation) as err:
            follow_up(world, concern, staff=staff)
        assert err.value.rule == "scope"


def test_referral_response(world):
    concern = raise_concern(world)
    f = follow_up(world, concern, kind="referral", agency=make_agency(world), consent_given=True,
                  follow_up_on=TODAY + dt.timedelta(days=7))
    with pytest.raises(RuleViolation) as err:
        referral_response_record(actor=world.actor(world.ta_a), follow_up=f, response="")
    assert err.value.field == "response"
    referral_response_record(actor=world.actor(world.ta_a), follow_up=f, response="accepted")
    f.refresh_from_db()
    assert f.response == "accepted" and f.responded_on == TODAY
    plain = follow_up(world, concern)
    with pytest.raises(RuleViolation):
        referral_response_record(actor=world.actor(world.ta_a), follow_up=plain, response="accepted")


def test_close_with_an_outcome(world):
    concern = raise_concern(world, staff=world.teacher_a)
    with pytest.raises(PermissionDenied):  # the reporter sees it but neither leads nor is key worker
        concern_close(actor=world.actor(world.teacher_a), concern=concern, outcome="resolved", summary="All sorted out now, thank you.")
    with pytest.raises(RuleViolation) as err:
        concern_close(actor=world.actor(world.ta_a), concern=concern, outcome="resolved", summary="Fine.")
    assert err.value.field == "summary"
    with pytest.raises(RuleViolation) as err:
        concern_close(actor=world.actor(world.ta_a), concern=concern, outcome="party", summary=NOTICED)
    assert err.value.field == "outcome"
    closed = concern_close(actor=world.actor(world.ta_a), concern=concern, outcome="support_in_place",
                           summary="The family is getting food bank vouchers and help with the bills.")
    assert closed.status == ConcernStatus.CLOSED and closed.closed_by == world.ta_a and closed.follow_up_due_on is None
    with pytest.raises(RuleViolation) as err:
        follow_up(world, closed)
    assert err.value.rule == "closed"


def test_a_family_with_children_in_two_settings_uses_the_reporters(world):
    from keyworker.testing import make_group, make_setting

    nursery = make_setting(world.org, kind="early_years", name="Nursery")
    make_child(world.family_a, nursery, make_group(nursery, "Room"))
    concern = raise_concern(world)
    assert concern.setting_id == world.school.pk


# The agency directory ------------------------------------------------------------------------------------------


def _agency(world, staff=None, **kw):
    values = {"name": "Northgate Citizens Advice", "service": "Advice on debt, benefits and housing", "areas": ["money", "housing"],
              "phone": "01632 960002", "email": "advice@example.org", "website": "example.org/advice", "area_covered": "Borough"}
    values.update(kw)
    return agency_save(actor=world.actor(staff or world.headteacher), **values)


def test_add_edit_and_retire_an_agency(world):
    agency = _agency(world)
    assert agency.website == "https://example.org/advice" and agency.areas == ["housing", "money"] and agency.is_active
    edited = agency_save(actor=world.actor(world.admin_office), agency=agency, name=agency.name, service=agency.service,
                         phone="01632 960003", is_active=False)
    assert edited.phone == "01632 960003" and not edited.is_active
    assert AuditEvent.objects.filter(event_type__startswith="wellbeing.agency_").count() == 2


@pytest.mark.parametrize(("change", "field", "rule"), [
    ({"name": " "}, "name", "name_required"),
    ({"service": ""}, "service", "service_required"),
    ({"areas": ["weather"]}, "areas", "areas"),
    ({"phone": "call us!"}, "phone", "phone"),
    ({"email": "not-an-email"}, "email", "email"),
    ({"website": "http://"}, "website", "website"),
    ({"phone": "", "email": "", "website": ""}, "phone", "contact_required"),
])
def test_agency_validation_per_field(world, change, field, rule):
    with pytest.raises(RuleViolation) as err:
        _agency(world, **change)
    assert (err.value.field, err.value.rule) == (field, rule)


def test_agency_names_are_unique_in_the_organisation(world):
    _agency(world)
    with pytest.raises(RuleViolation) as err:
        _agency(world, name="northgate citizens advice")
    assert err.value.rule == "name_taken"


def test_only_setup_may_edit_the_directory(world):
    for staff in (world.ta_a, world.teacher_a):
        with pytest.raises(PermissionDenied):
            _agency(world, staff=staff)


def test_follow_up_rows_keep_their_family(world):
    concern = raise_concern(world)
    follow_up(world, concern)
    assert WellbeingFollowUp.objects.get().family_id == world.family_a.pk


def test_a_setting_s_leadership_team_sees_and_is_told_about_its_own_setting_only(world):
    from keyworker.notifications.models import Notification
    from keyworker.testing import make_family, make_group, make_setting, make_staff

    juniors = make_setting(world.org, name="Test Juniors")
    room = make_group(juniors, "Elm", "Year 5")
    lead = make_staff(world.org, juniors, ["leadership_team"], name="Lena Lead")
    family = make_family(world.org, "The Elm family")
    make_child(family, juniors, room)
    theirs = raise_concern(world, staff=world.headteacher, family=family)
    ours = raise_concern(world)
    visible = set(concerns_visible_to(world.actor(lead)).values_list("id", flat=True))
    assert visible == {theirs.pk}
    assert Notification.objects.filter(recipient=lead.user, kind="wellbeing.concern").count() == 1
    assert ours.setting_id == world.school.pk and theirs.setting_id == juniors.pk
