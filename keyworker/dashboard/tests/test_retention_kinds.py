"""Every kind of record the product holds has a retention period: each kind registered by its app, its records past
retention listed set-based, the ones not yet past left alone, the destruction logged without content."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.accounts.models import StaffMember
from keyworker.attendance.codes import codes_load, england_2024
from keyworker.attendance.models import AttendanceCode, AttendanceMark
from keyworker.care.models_journals import Observation, ObservationChild, WowMoment
from keyworker.care.models_plans import CarePlan, CarePlanComment
from keyworker.celebrations.models import Celebration
from keyworker.contacts.models import ContactLog, PortalMessage
from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.core.retention import retention_destroy, retention_kinds, retention_status
from keyworker.datachecks.models import Correction, DataCheck, DataCheckEvent
from keyworker.imports.models import CtfImport, ImportJob
from keyworker.meetings.evenings_models import EveningSlot, ParentsEvening
from keyworker.meetings.models import AnnualReview, Appointment, FamilyViews, Invitee
from keyworker.organisations.models import HalfTerm, Organisation, Setting
from keyworker.people.models import Child, Family, KeyAspectChange
from keyworker.safeguarding.models import Concern, ConcernChild, Entry
from keyworker.targets.models import Homework, HomeworkReturn, LearningTarget, TargetReview
from keyworker.testing import add_calendar, make_child
from keyworker.transitions.models import TransitionPlan, TransitionVisit
from keyworker.wellbeing.models import WellbeingConcern, WellbeingFollowUp

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 18)
EXPECTED = {
    "attendance_marks", "child_protection_files", "sen_files", "contact_logs", "portal_messages",
    "key_aspect_changes", "data_checks", "corrections", "celebrations", "wellbeing_concerns", "meetings",
    "care_plans", "observations", "learning_targets", "homework", "transition_plans", "import_reports",
    "ctf_import_reports", "child_protection_entries", "parents_evenings", "wow_moments",
}


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


@dataclass
class Side:
    """Where a maker builds its record: the organisation under test, or the other one (which must stay untouched)."""

    org: Organisation
    school: Setting
    family: Family
    child: Child
    staff: StaffMember

    def half_term(self) -> HalfTerm:
        found = HalfTerm.objects.filter(setting=self.school).first()
        if found is None:
            add_calendar(self.school)
            found = HalfTerm.objects.filter(setting=self.school).first()
        return found

    def new_child(self, **fields) -> Child:
        return make_child(self.family, self.school, None, enrolled_on=dt.date(1990, 9, 1), **fields)


def side(world, *, other: bool = False) -> Side:
    if not other:
        return Side(world.org, world.school, world.family_a, world.child_a, world.ta_a)
    return Side(world.other_org, Setting.objects.get(organisation=world.other_org), world.other_family,
                Child.objects.get(family=world.other_family), world.outsider)


def contact_log(s, day):
    return ContactLog.objects.create(organisation=s.org, family=s.family, setting=s.school, author=s.staff,
                                     happened_on=day, channel="phone", tone="neutral", write_up="Talked about the trip.")


def celebration(s, day):
    return Celebration.objects.create(organisation=s.org, child=s.child, family=s.family, setting=s.school,
                                      kind="well_done_postcard", title="Reading", celebrated_on=day, recorded_by=s.staff)


def key_aspect_change(s, day):
    # Counted from the child's date of birth: `day` is the birth date of a child who has left.
    child = s.new_child(date_of_birth=day)
    return KeyAspectChange.objects.create(organisation=s.org, child=child, field="allergies", before="",
                                          after="Peanuts", changed_at=_at(TODAY))


def import_job(s, day):
    job = ImportJob.objects.create(organisation=s.org, kind="families", setting=s.school,
                                   original_name="roll.csv", report={"rows": [{"name": "Ada Okafor"}]})
    ImportJob.objects.filter(pk=job.pk).update(created_at=_at(day))
    return job


def ctf_import(s, day):
    upload = CtfImport.objects.create(organisation=s.org, setting=s.school, original_name="t.xml",
                                      preview={"pupils": [{"name": "Ada Okafor"}]})
    CtfImport.objects.filter(pk=upload.pk).update(created_at=_at(day))
    return upload


def attendance_mark(s, day):
    code = AttendanceCode.objects.filter(jurisdiction="england", code="/").first()
    if code is None:
        codes_load(jurisdiction="england", rows=england_2024())
        code = AttendanceCode.objects.get(jurisdiction="england", code="/")
    # A child of its own: one mark per child, day and session.
    return AttendanceMark.objects.create(organisation=s.org, child=s.new_child(), setting=s.school, date=day,
                                         session="AM", code=code)


def child_protection_file(s, day):
    # Counted from the child's date of birth: `day` is the birth date.
    child = s.new_child(date_of_birth=day)
    concern = Concern.objects.create(organisation=s.org, setting=s.school, child=child, family=s.family,
                                     category="neglect", what_happened="Ada came in hungry.", happened_at=_at(TODAY),
                                     raised_by=s.staff)
    ConcernChild.objects.create(organisation=s.org, concern=concern, child=child)
    Entry.objects.create(organisation=s.org, child=child, concern=concern, kind="action", text="Ada: talk to mum.")
    return concern


def child_protection_entry(s, day):
    # An entry of no concern (a change of protection status) in the chronology of a child born on `day`.
    child = s.new_child(date_of_birth=day)
    return Entry.objects.create(organisation=s.org, child=child, concern=None, kind="status", status_from="",
                                status_to="child_protection_plan", text="Ada: on a child protection plan.")


def sen_file(s, day):
    child = s.new_child(date_of_birth=day)
    review = AnnualReview.objects.create(organisation=s.org, child=child, family=s.family, setting=s.school,
                                         last_review_on=dt.date(2010, 3, 1), due_by=dt.date(2011, 3, 1))
    FamilyViews.objects.create(organisation=s.org, review=review, going_well="Ada reads every night.")
    return review


def portal_message(s, day):
    contact = ContactLog.objects.create(organisation=s.org, family=s.family, setting=s.school, author=None,
                                        happened_on=day, channel="portal_message", direction="from_family",
                                        tone="neutral", carer=s.family.carers.first(), write_up="Ada has a cold.")
    PortalMessage.objects.create(organisation=s.org, contact=contact, family=s.family, carer=s.family.carers.first(),
                                 setting=s.school, from_family=True, sent_at=_at(day), deliver_at=_at(day),
                                 received_on=day)
    return contact


def data_check(s, day):
    # A check without corrections (a check's corrections are their own kind, counted from when they were proposed).
    child = s.new_child()
    check = DataCheck.objects.create(organisation=s.org, child=child, family=s.family, setting=s.school,
                                     half_term=s.half_term(), snapshot={"name": "Ada Okafor"}, created_at=_at(day))
    DataCheckEvent.objects.create(organisation=s.org, data_check=check, kind="carer_confirmed", at=_at(day),
                                  summary="Ada's mother checked the data: all correct.")
    return check


def _correction(s, check, day):
    return Correction.objects.create(organisation=s.org, data_check=check, child=check.child, family=s.family,
                                     target="child", field="legal_first_name", label="First name",
                                     current_value="Adda", proposed_value="Ada", proposed_at=_at(day))


def correction(s, day):
    # Its check began with it, so the check is past retention when the correction is.
    check = data_check(s, day)
    return _correction(s, check, day)


def wellbeing_concern(s, day):
    concern = WellbeingConcern.objects.create(organisation=s.org, family=s.family, setting=s.school, raised_by=s.staff,
                                              noticed_on=day, what_noticed="Ada's family lost their flat.")
    WellbeingFollowUp.objects.create(organisation=s.org, concern=concern, family=s.family, kind="family_contact",
                                     happened_on=day, note="Talked to Ada's mum.", recorded_by=s.staff)
    return concern


def meeting(s, day):
    appointment = Appointment.objects.create(organisation=s.org, setting=s.school, kind="review_meeting",
                                             title="Review with Ada's family", family=s.family, child=s.child,
                                             starts_at=_at(day), ends_at=_at(day) + dt.timedelta(hours=1),
                                             notes="Ada is settling.")
    Invitee.objects.create(organisation=s.org, appointment=appointment, kind="staff", staff=s.staff)
    return appointment


def parents_evening(s, day):
    start = _at(day)
    evening = ParentsEvening.objects.create(organisation=s.org, setting=s.school, title="Autumn parents' evening",
                                            starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                            booking_opens_at=start - dt.timedelta(days=14),
                                            booking_closes_at=start - dt.timedelta(days=1))
    EveningSlot.objects.bulk_create([EveningSlot(organisation=s.org, evening=evening, staff=s.staff,
                                                 starts_at=start + dt.timedelta(minutes=10 * i),
                                                 ends_at=start + dt.timedelta(minutes=10 * (i + 1))) for i in range(3)])
    # One of them booked by Ada's family.
    EveningSlot.objects.filter(evening=evening, starts_at=start).update(
        family=s.family, child=s.child, carer=s.family.carers.first(), booked_at=start - dt.timedelta(days=7))
    return evening


def wow_moment(s, day):
    return WowMoment.objects.create(organisation=s.org, child=s.child, family=s.family, setting=s.school,
                                    carer=s.family.carers.first(), carer_name="Ada's mum", happened_on=day,
                                    text="Ada counted the stairs.", created_at=_at(day))


def care_plan(s, day):
    # Counted from the child's date of birth; one plan per child.
    child = s.new_child(date_of_birth=day)
    plan = CarePlan.objects.create(organisation=s.org, child=child, family=s.family, setting=s.school,
                                   created_at=_at(TODAY))
    CarePlanComment.objects.create(organisation=s.org, plan=plan, child=child, family=s.family, author_name="Ada",
                                   body="Ada needs help with buttons.", created_at=_at(TODAY), made_on=TODAY)
    return plan


def observation(s, day):
    obs = Observation.objects.create(organisation=s.org, setting=s.school, framework="eyfs", observed_on=day,
                                     text="Ada built a tower.", recorded_by=s.staff, created_at=_at(day),
                                     updated_at=_at(day))
    ObservationChild.objects.create(organisation=s.org, observation=obs, child=s.child, family=s.family, observed_on=day)
    return obs


def learning_target(s, day):
    target = LearningTarget.objects.create(organisation=s.org, child=s.child, family=s.family, setting=s.school,
                                           what="Ada: read to a friend", review_on=day + dt.timedelta(days=60),
                                           created_at=_at(day), updated_at=_at(day))
    TargetReview.objects.create(organisation=s.org, target=target, reviewed_on=day, progress="Ada read well.",
                                status="achieved", created_at=_at(day))
    return target


def homework(s, day):
    hw = Homework.objects.create(organisation=s.org, setting=s.school, child=s.child, title="Spellings",
                                 what_to_do="Ada: learn ten words.", set_on=day, due_on=day + dt.timedelta(days=7),
                                 created_at=_at(day))
    HomeworkReturn.objects.create(organisation=s.org, homework=hw, child=s.child, family=s.family, returned=True,
                                  marked_on=day, updated_at=_at(day))
    return hw


def transition_plan(s, day):
    # One plan per child.
    child = s.new_child()
    plan = TransitionPlan.objects.create(organisation=s.org, child=child, family=s.family, setting=s.school,
                                         destination_school="Ada's new school", created_at=_at(day), updated_at=_at(day))
    TransitionVisit.objects.create(organisation=s.org, plan=plan, family=s.family, child=child, starts_at=_at(day),
                                   ends_at=_at(day) + dt.timedelta(hours=2), created_at=_at(day), updated_at=_at(day))
    return plan


# Days on TODAY (2026-11-18): the last day past retention and the first not yet past, from each kind's anchor.
SIX_YEARS, THREE_YEARS = (dt.date(2020, 11, 17), dt.date(2020, 11, 18)), (dt.date(2023, 11, 17), dt.date(2023, 11, 18))
BORN_25, BORN_31 = (dt.date(2001, 11, 17), dt.date(2001, 11, 18)), (dt.date(1995, 11, 17), dt.date(1995, 11, 18))
MAKERS = {
    # kind: (make a record on a day, a day past retention on TODAY, a day not yet past)
    "contact_logs": (contact_log, *SIX_YEARS),
    "celebrations": (celebration, dt.date(2019, 1, 1), dt.date(2024, 1, 1)),
    "key_aspect_changes": (key_aspect_change, *BORN_25),
    "import_reports": (import_job, dt.date(2025, 11, 1), dt.date(2025, 12, 1)),
    "ctf_import_reports": (ctf_import, dt.date(2025, 11, 1), dt.date(2025, 12, 1)),
    "attendance_marks": (attendance_mark, *SIX_YEARS),  # the date of the entry + 6
    "child_protection_files": (child_protection_file, *BORN_25),  # date of birth + 25
    "child_protection_entries": (child_protection_entry, *BORN_25),  # date of birth + 25
    "sen_files": (sen_file, *BORN_31),  # date of birth + 31
    "portal_messages": (portal_message, *SIX_YEARS),  # the day sent + 6
    "data_checks": (data_check, *SIX_YEARS),  # the day the check began + 6
    "corrections": (correction, *SIX_YEARS),  # the day proposed + 6
    "wellbeing_concerns": (wellbeing_concern, dt.date(2001, 11, 17), dt.date(2001, 11, 18)),  # the day noticed + 25
    "meetings": (meeting, *SIX_YEARS),  # the day of the meeting + 6
    "parents_evenings": (parents_evening, *SIX_YEARS),  # the day of the evening + 6
    "wow_moments": (wow_moment, *THREE_YEARS),  # the day it happened + 3
    "care_plans": (care_plan, *BORN_25),  # date of birth + 25
    "observations": (observation, *THREE_YEARS),  # the day observed + 3
    "learning_targets": (learning_target, *THREE_YEARS),  # the day set + 3
    "homework": (homework, *THREE_YEARS),  # the day set + 3
    "transition_plans": (transition_plan, *SIX_YEARS),  # the day the plan was made + 6
}


def test_every_kind_of_record_is_registered_with_its_default_and_anchor():
    kinds = {k.code: k for k in retention_kinds()}
    assert EXPECTED <= set(kinds)
    for kind in kinds.values():
        assert kind.default_years >= 1 and kind.anchor and kind.source, kind.code
    assert "audit" not in " ".join(kinds), "audit and access logs are kept for the audit period, not destroyed"


def test_the_counts_of_every_kind_take_one_query_each(world):
    with CaptureQueriesContext(connection) as queries:
        status = retention_status(world.org.pk, TODAY)
    assert len(queries) == len(status) + 1 and all(s.past == 0 for s in status)
    assert all(str(world.org.pk) in q["sql"] for q in queries.captured_queries[1:]), "each count is the organisation's"


def test_every_kind_has_a_maker_here():
    assert set(MAKERS) == {k.code for k in retention_kinds()}


def _status(org_id, code, as_of=TODAY):
    return {s.kind.code: s for s in retention_status(org_id, as_of)}[code]


@pytest.mark.parametrize("code", sorted(MAKERS))
def test_past_retention_is_listed_and_destroyed_without_keeping_content(world, code):
    make, past_day, kept_day = MAKERS[code]
    here, there = side(world), side(world, other=True)
    old, recent = make(here, past_day), make(here, kept_day)
    theirs = make(there, past_day)
    model = type(old)
    assert _status(world.org.pk, code).past == 1, f"{code}: only the record past retention is listed"
    assert _status(world.other_org.pk, code).past == 1, f"{code}: each organisation counts its own"
    n = retention_destroy(organisation_id=world.org.pk, kind_code=code, as_of=TODAY,
                          approved_by=world.headteacher.user, expected=1)
    assert n == 1 and not model.objects.filter(pk=old.pk).exists(), f"{code}: the record past retention is destroyed"
    assert model.objects.filter(pk=recent.pk).exists(), f"{code}: the record not yet past is left alone"
    assert model.objects.filter(pk=theirs.pk).exists(), f"{code}: the other organisation's record is untouched"
    assert _status(world.org.pk, code).past == 0 and _status(world.other_org.pk, code).past == 1
    event = AuditEvent.objects.get(event_type="retention.destroyed", data__kind=code)
    assert event.organisation_id == world.org.pk and event.actor == world.headteacher.user
    assert set(event.data) == {"kind", "count", "years", "before", "as_of"}
    assert "Ada" not in event.summary and "Talked" not in event.summary and "Peanuts" not in event.summary


@pytest.mark.parametrize("code", sorted(MAKERS))
def test_destroying_many_records_of_a_kind_takes_as_many_queries_as_one(world, code):
    make, past_day, _ = MAKERS[code]
    here, counts = side(world), []
    for n in (1, 20):
        for _ in range(n):
            make(here, past_day)
        with CaptureQueriesContext(connection) as queries:
            assert retention_destroy(organisation_id=world.org.pk, kind_code=code, as_of=TODAY,
                                     approved_by=world.headteacher.user, expected=n) == n
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{code}: {counts[0]} queries for one record, {counts[1]} for twenty"


def test_the_page_shows_every_kind_with_its_count_in_a_fixed_number_of_queries(world, client_for):
    here = side(world)
    for code, (make, past_day, _) in MAKERS.items():
        make(here, past_day)
        if code in ("homework", "meetings"):
            make(here, past_day)
    client = client_for(world.headteacher)
    html = client.get("/retention/").content.decode()
    for kind in retention_kinds():
        card = html.split(f'id="kind-{kind.code}"')[1].split("</section>")[0]
        assert kind.label in card or kind.label.replace("'", "&#x27;") in card, kind.code
        many = kind.code in ("homework", "meetings")
        assert ("2 records</strong> are past retention" if many else "1 record</strong> is past retention") in card, kind.code
    with CaptureQueriesContext(connection) as few:
        client.get("/retention/")
    for code in ("homework", "meetings", "observations"):  # more destructions in the history: the same queries
        retention_destroy(organisation_id=world.org.pk, kind_code=code, as_of=TODAY, approved_by=world.headteacher.user,
                          expected=_status(world.org.pk, code).past)
    with CaptureQueriesContext(connection) as more:
        page = client.get("/retention/")
    assert "2 homework and its returns past retention destroyed" in page.content.decode()
    assert len(more) == len(few), [q["sql"] for q in more.captured_queries]


def test_a_data_check_waits_until_its_corrections_are_past_and_destroyed(world):
    # Proposed a month after the check began: the check is past retention before its correction is.
    here = side(world)
    check = data_check(here, dt.date(2020, 11, 1))
    later = _correction(here, check, dt.date(2020, 12, 1))
    assert _status(world.org.pk, "data_checks").past == 0, "destroying the check would destroy a correction not yet past"
    assert Correction.objects.filter(pk=later.pk).exists()
    as_of = dt.date(2026, 12, 2)
    assert _status(world.org.pk, "corrections", as_of).past == 1 and _status(world.org.pk, "data_checks", as_of).past == 0
    retention_destroy(organisation_id=world.org.pk, kind_code="corrections", as_of=as_of,
                      approved_by=world.headteacher.user, expected=1)
    assert _status(world.org.pk, "data_checks", as_of).past == 1
    retention_destroy(organisation_id=world.org.pk, kind_code="data_checks", as_of=as_of,
                      approved_by=world.headteacher.user, expected=1)
    assert not DataCheck.objects.filter(pk=check.pk).exists()


def test_a_concern_is_kept_while_any_child_it_involves_is_not_past_retention(world):
    here = side(world)
    concern = child_protection_file(here, dt.date(2000, 1, 1))
    younger = here.new_child(date_of_birth=dt.date(2003, 5, 1))  # 23 on TODAY: their file is kept
    ConcernChild.objects.create(organisation=world.org, concern=concern, child=younger)
    assert _status(world.org.pk, "child_protection_files").past == 0
    at_25 = dt.date(2028, 5, 2)
    assert _status(world.org.pk, "child_protection_files", at_25).past == 1


def test_a_concern_is_kept_while_an_entry_of_another_childs_chronology_hangs_on_it(world):
    here = side(world)
    concern = child_protection_file(here, dt.date(2000, 1, 1))
    younger = here.new_child(date_of_birth=dt.date(2003, 5, 1))
    Entry.objects.create(organisation=world.org, child=younger, concern=concern, kind="referral", text="Referred.")
    assert _status(world.org.pk, "child_protection_files").past == 0


def test_a_child_protection_file_is_kept_as_long_as_the_childs_sen_file(world):
    # Born 1997: past 25 on TODAY, not yet 31. The SEN file is kept to 31, and the child-protection file with it.
    here = side(world)
    concern = child_protection_file(here, dt.date(1997, 3, 1))
    AnnualReview.objects.create(organisation=world.org, child=concern.child, family=here.family, setting=here.school,
                                last_review_on=dt.date(2012, 3, 1), due_by=dt.date(2013, 3, 1))
    other = child_protection_file(here, dt.date(1997, 3, 1))  # no SEN file: destroyed at 25
    assert _status(world.org.pk, "child_protection_files").past == 1
    assert _status(world.org.pk, "sen_files").past == 0
    retention_destroy(organisation_id=world.org.pk, kind_code="child_protection_files", as_of=TODAY,
                      approved_by=world.headteacher.user, expected=1)
    assert Concern.objects.filter(pk=concern.pk).exists() and not Concern.objects.filter(pk=other.pk).exists()
    at_31 = dt.date(2028, 3, 2)
    retention_destroy(organisation_id=world.org.pk, kind_code="sen_files", as_of=at_31,
                      approved_by=world.headteacher.user, expected=1)
    assert _status(world.org.pk, "child_protection_files", at_31).past == 1


def test_an_sen_file_is_destroyed_with_the_meeting_of_its_review(world):
    here = side(world)
    review = sen_file(here, BORN_31[0])
    day = dt.datetime(2010, 3, 1, 10, tzinfo=dt.UTC)
    meeting_of_review = Appointment.objects.create(organisation=world.org, setting=here.school, kind="annual_review",
                                                   title="EHCP review", family=here.family, child=review.child,
                                                   starts_at=day, ends_at=day + dt.timedelta(hours=1),
                                                   notes="Ada's needs: speech and language.")
    AnnualReview.objects.filter(pk=review.pk).update(appointment=meeting_of_review)
    other = meeting(here, SIX_YEARS[1])  # a meeting not yet past retention, of no review
    assert _status(world.org.pk, "meetings").past == 0, "the review's meeting is the SEN file's, not a meeting's"
    retention_destroy(organisation_id=world.org.pk, kind_code="sen_files", as_of=TODAY,
                      approved_by=world.headteacher.user, expected=1)
    assert not Appointment.objects.filter(pk=meeting_of_review.pk).exists(), "the review's notes went with the file"
    assert Appointment.objects.filter(pk=other.pk).exists() and _status(world.org.pk, "meetings").past == 0


def test_destroyed_observations_take_their_photos_out_of_storage(world, settings, tmp_path,
                                                                 django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from keyworker.care.models_journals import ObservationPhoto

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    here = side(world)
    old, recent = observation(here, THREE_YEARS[0]), observation(here, THREE_YEARS[1])
    names = {}
    for obs in (old, recent):
        image = default_storage.save(f"journals/{world.org.pk}/{obs.pk}.jpg", ContentFile(b"jpeg"))
        thumb = default_storage.save(f"journals/{world.org.pk}/{obs.pk}-thumb.jpg", ContentFile(b"jpeg"))
        ObservationPhoto.objects.create(organisation=world.org, observation=obs, image=image, thumbnail=thumb, width=1,
                                        height=1, uploaded_at=_at(obs.observed_on))
        names[obs.pk] = (image, thumb)
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the destruction is committed
        retention_destroy(organisation_id=world.org.pk, kind_code="observations", as_of=TODAY,
                          approved_by=world.headteacher.user, expected=1)
    assert not any(default_storage.exists(n) for n in names[old.pk]), "a destroyed observation's photos are gone"
    assert all(default_storage.exists(n) for n in names[recent.pk])


def test_destroyed_wow_moments_take_their_photos_out_of_storage(world, settings, tmp_path,
                                                                django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    here, there = side(world), side(world, other=True)
    names = {}
    for wow in (wow_moment(here, THREE_YEARS[0]), wow_moment(here, THREE_YEARS[1]), wow_moment(there, THREE_YEARS[0])):
        image = default_storage.save(f"journals/{wow.organisation_id}/wow-{wow.pk}.jpg", ContentFile(b"jpeg"))
        thumb = default_storage.save(f"journals/{wow.organisation_id}/wow-{wow.pk}-thumb.jpg", ContentFile(b"jpeg"))
        WowMoment.objects.filter(pk=wow.pk).update(image=image, thumbnail=thumb)
        names[wow.pk] = (image, thumb)
    old, recent, theirs = names
    wow_moment(here, THREE_YEARS[0])  # one without a photo
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_destroy(organisation_id=world.org.pk, kind_code="wow_moments", as_of=TODAY,
                                 approved_by=world.headteacher.user, expected=2) == 2
    assert not any(default_storage.exists(n) for n in names[old]), "a destroyed wow moment's photo is gone"
    assert all(default_storage.exists(n) for n in names[recent] + names[theirs])


def test_a_parents_evening_is_destroyed_with_its_slots_and_bookings_not_the_meetings_booked(world):
    here = side(world)
    evening = parents_evening(here, SIX_YEARS[0])
    slot = EveningSlot.objects.get(evening=evening, family__isnull=False)
    booked = meeting(here, SIX_YEARS[0])  # the booking's meeting: a meeting with the family, kept as the meetings are
    EveningSlot.objects.filter(pk=slot.pk).update(appointment=booked)
    retention_destroy(organisation_id=world.org.pk, kind_code="parents_evenings", as_of=TODAY,
                      approved_by=world.headteacher.user, expected=1)
    assert not ParentsEvening.objects.filter(pk=evening.pk).exists()
    assert not EveningSlot.objects.filter(evening_id=evening.pk).exists(), "the slots and who booked them went too"
    assert Appointment.objects.filter(pk=booked.pk).exists() and _status(world.org.pk, "meetings").past == 1


def _linked_contact(s, day, kind):
    """A contact log (or portal message) on `day`, flagged for safeguarding and linked to a concern about a child
    whose file is kept (born 2015)."""
    contact = (contact_log if kind == "contact_logs" else portal_message)(s, day)
    ContactLog.objects.filter(pk=contact.pk).update(safeguarding_category="neglect", flagged_at=_at(day))
    child = s.new_child(date_of_birth=dt.date(2015, 1, 1))
    concern = Concern.objects.create(organisation=s.org, setting=s.school, child=child, family=s.family,
                                     category="neglect", what_happened="Ada came in hungry.", happened_at=_at(day),
                                     raised_by=s.staff, contact=contact)
    ConcernChild.objects.create(organisation=s.org, concern=concern, child=child)
    return contact, concern


@pytest.mark.parametrize("code", ["contact_logs", "portal_messages"])
def test_a_contact_linked_to_a_concern_is_kept_as_long_as_the_concern(world, code):
    make, past_day, kept_day = MAKERS[code]
    here, there = side(world), side(world, other=True)
    held, concern = _linked_contact(here, past_day, code)
    _linked_contact(here, kept_day, code)  # not yet past: neither listed nor counted as held
    plain = make(here, past_day)
    theirs, _ = _linked_contact(there, past_day, code)
    status = _status(world.org.pk, code)
    assert (status.past, status.held) == (1, 1), f"{code}: the linked contact is held, not listed"
    assert "linked to a child-protection concern" in " ".join(status.held_because)
    other = _status(world.other_org.pk, code)
    assert (other.past, other.held) == (0, 1), "each organisation's concerns hold its own contacts"
    retention_destroy(organisation_id=world.org.pk, kind_code=code, as_of=TODAY, approved_by=world.headteacher.user,
                      expected=1)
    assert not ContactLog.objects.filter(pk=plain.pk).exists()
    assert ContactLog.objects.filter(pk=held.pk).exists() and Concern.objects.get(pk=concern.pk).contact_id == held.pk
    assert ContactLog.objects.filter(pk=theirs.pk).exists()
    with pytest.raises(RuleViolation, match="past retention now: nothing was destroyed"):  # the held one cannot be destroyed by approving it
        retention_destroy(organisation_id=world.org.pk, kind_code=code, as_of=TODAY,
                          approved_by=world.headteacher.user, expected=1)
    # The concern goes when its child is 25 (approved as a child-protection file); the contact is then listed.
    at_25 = dt.date(2040, 1, 2)
    retention_destroy(organisation_id=world.org.pk, kind_code="child_protection_files", as_of=at_25,
                      approved_by=world.headteacher.user, expected=2)
    assert (_status(world.org.pk, code, at_25).past, _status(world.org.pk, code, at_25).held) == (2, 0)


@pytest.mark.parametrize("code", ["contact_logs", "portal_messages"])
def test_held_contacts_take_no_more_queries_to_count_or_to_leave_alone(world, code):
    make, past_day, _ = MAKERS[code]
    here, counts = side(world), []
    for n in (1, 20):
        for _ in range(n):
            _linked_contact(here, past_day, code)
            make(here, past_day)
        with CaptureQueriesContext(connection) as counting:
            status = retention_status(world.org.pk, TODAY)
        assert len(counting) == len(status) + 1
        # The held ones stay: one from the first round, with the twenty of the second.
        assert {s.kind.code: (s.past, s.held) for s in status}[code] == (n, 1 if n == 1 else 21)
        with CaptureQueriesContext(connection) as queries:
            assert retention_destroy(organisation_id=world.org.pk, kind_code=code, as_of=TODAY,
                                     approved_by=world.headteacher.user, expected=n) == n
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{code}: {counts[0]} queries for one record, {counts[1]} for twenty"


def test_the_page_says_how_many_contacts_are_held_and_why(world, client_for):
    here = side(world)
    _linked_contact(here, SIX_YEARS[0], "contact_logs")
    _linked_contact(here, SIX_YEARS[0], "contact_logs")
    html = client_for(world.headteacher).get("/retention/").content.decode()
    card = html.split('id="kind-contact_logs"')[1].split("</section>")[0]
    assert "None past retention" in card and "2 records</strong> past 6 years are kept, not destroyed" in card
    assert "linked to a child-protection concern" in card


def test_entries_of_no_concern_go_with_the_childs_file_once_its_concerns_are_destroyed(world):
    here = side(world)
    concern = child_protection_file(here, dt.date(2000, 1, 1))
    younger = here.new_child(date_of_birth=dt.date(2003, 5, 1))  # keeps the concern until 2028
    ConcernChild.objects.create(organisation=world.org, concern=concern, child=younger)
    status_change = Entry.objects.create(organisation=world.org, child=concern.child, kind="status",
                                         status_to="child_in_need", text="Child in need.")
    transfer = Entry.objects.create(organisation=world.org, child=concern.child, kind="transfer",
                                    sent_to="Ada's new school", text="File sent.")
    assert _status(world.org.pk, "child_protection_entries").past == 0, "the child's file is still partly kept"
    at_25 = dt.date(2028, 5, 2)
    assert _status(world.org.pk, "child_protection_entries", at_25).past == 0, "they wait for the concern"
    retention_destroy(organisation_id=world.org.pk, kind_code="child_protection_files", as_of=at_25,
                      approved_by=world.headteacher.user, expected=1)
    assert _status(world.org.pk, "child_protection_entries", at_25).past == 2, "the concern's own entry went with it"
    retention_destroy(organisation_id=world.org.pk, kind_code="child_protection_entries", as_of=at_25,
                      approved_by=world.headteacher.user, expected=2)
    assert not Entry.objects.filter(pk__in=[status_change.pk, transfer.pk]).exists()


def test_entries_of_no_concern_are_kept_as_long_as_the_childs_sen_file(world):
    here = side(world)
    entry = child_protection_entry(here, dt.date(1997, 3, 1))  # past 25, not yet 31
    AnnualReview.objects.create(organisation=world.org, child=entry.child, family=here.family, setting=here.school,
                                last_review_on=dt.date(2012, 3, 1), due_by=dt.date(2013, 3, 1))
    assert _status(world.org.pk, "child_protection_entries").past == 0
    at_31 = dt.date(2028, 3, 2)
    retention_destroy(organisation_id=world.org.pk, kind_code="sen_files", as_of=at_31,
                      approved_by=world.headteacher.user, expected=1)
    assert _status(world.org.pk, "child_protection_entries", at_31).past == 1
