"""Every kind of record the product holds has a retention period: each kind registered by its app, its records past
retention listed set-based, the ones not yet past left alone, the destruction logged without content."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.celebrations.models import Celebration
from keyworker.contacts.models import ContactLog
from keyworker.core.models import AuditEvent
from keyworker.core.retention import retention_destroy, retention_kinds, retention_status
from keyworker.imports.models import CtfImport, ImportJob
from keyworker.people.models import KeyAspectChange
from keyworker.testing import make_child

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 18)
EXPECTED = {
    "attendance_marks", "child_protection_files", "sen_files", "contact_logs", "portal_messages",
    "key_aspect_changes", "data_checks", "corrections", "celebrations", "wellbeing_concerns", "meetings",
    "care_plans", "observations", "learning_targets", "homework", "transition_plans", "import_reports",
    "ctf_import_reports",
}


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


def contact_log(world, day):
    return ContactLog.objects.create(organisation=world.org, family=world.family_a, setting=world.school,
                                     author=world.ta_a, happened_on=day, channel="phone", tone="neutral",
                                     write_up="Talked about the trip.")


def celebration(world, day):
    return Celebration.objects.create(organisation=world.org, child=world.child_a, family=world.family_a,
                                      setting=world.school, kind="well_done_postcard", title="Reading",
                                      celebrated_on=day, recorded_by=world.ta_a)


def key_aspect_change(world, day):
    # Counted from the child's date of birth: `day` is the birth date of a child who has left.
    child = make_child(world.family_a, world.school, None, date_of_birth=day, enrolled_on=dt.date(1990, 9, 1))
    return KeyAspectChange.objects.create(organisation=world.org, child=child, field="allergies", before="",
                                          after="Peanuts", changed_at=_at(TODAY))


def import_job(world, day):
    job = ImportJob.objects.create(organisation=world.org, kind="families", setting=world.school,
                                   original_name="roll.csv", report={"rows": [{"name": "Ada Okafor"}]})
    ImportJob.objects.filter(pk=job.pk).update(created_at=_at(day))
    return job


def ctf_import(world, day):
    upload = CtfImport.objects.create(organisation=world.org, setting=world.school, original_name="t.xml",
                                      preview={"pupils": [{"name": "Ada Okafor"}]})
    CtfImport.objects.filter(pk=upload.pk).update(created_at=_at(day))
    return upload


MAKERS = {
    # kind: (make a record on a day, a day past retention on TODAY, a day not yet past)
    "contact_logs": (contact_log, dt.date(2020, 11, 17), dt.date(2020, 11, 18)),
    "celebrations": (celebration, dt.date(2019, 1, 1), dt.date(2024, 1, 1)),
    "key_aspect_changes": (key_aspect_change, dt.date(2001, 11, 17), dt.date(2001, 11, 18)),
    "import_reports": (import_job, dt.date(2025, 11, 1), dt.date(2025, 12, 1)),
    "ctf_import_reports": (ctf_import, dt.date(2025, 11, 1), dt.date(2025, 12, 1)),
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


@pytest.mark.parametrize("code", sorted(MAKERS))
def test_past_retention_is_listed_and_destroyed_without_keeping_content(world, code):
    make, past_day, kept_day = MAKERS[code]
    old, recent = make(world, past_day), make(world, kept_day)
    model = type(old)
    status = {s.kind.code: s for s in retention_status(world.org.pk, TODAY)}[code]
    assert status.past == 1, f"{code}: only the record past retention is listed"
    assert {s.kind.code: s for s in retention_status(world.other_org.pk, TODAY)}[code].past == 0
    n = retention_destroy(organisation_id=world.org.pk, kind_code=code, as_of=TODAY,
                          approved_by=world.headteacher.user, expected=1)
    assert n == 1 and not model.objects.filter(pk=old.pk).exists() and model.objects.filter(pk=recent.pk).exists()
    event = AuditEvent.objects.get(event_type="retention.destroyed", data__kind=code)
    assert event.actor == world.headteacher.user and set(event.data) == {"kind", "count", "years", "before", "as_of"}
    assert "Ada" not in event.summary and "Talked" not in event.summary and "Peanuts" not in event.summary
