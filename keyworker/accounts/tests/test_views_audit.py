"""The audit log pages: search for leaders, CSV export for the data protection officer, 404 for everyone else."""

import csv
import datetime as dt
import importlib
import io

import pytest
from django.apps import apps
from django.urls import reverse

from keyworker.accounts import capabilities as caps
from keyworker.accounts.models import Role
from keyworker.core.audit import audit_record
from keyworker.core.models import AuditEvent
from keyworker.people.services import child_update

SEARCH, EXPORT = reverse("audit:search"), reverse("audit:export")


@pytest.fixture
def events(world):
    audit_record(organisation_id=world.org.pk, actor=world.teacher_a.user, event_type="contact.recorded",
                 summary="Contact with the Adams family recorded")
    audit_record(organisation_id=world.org.pk, actor=world.admin_office.user, event_type="child.updated",
                 summary='=HYPERLINK("http://evil.example","click")')
    audit_record(organisation_id=world.other_org.pk, actor=world.outsider.user, event_type="child.updated",
                 summary="Another organisation's secret")
    return world


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_headteacher_searches_by_person_event_date_and_words(events, client_for):
    client = client_for(events.headteacher)
    page = client.get(SEARCH)
    assert page.status_code == 200
    assert "Contact with the Adams family recorded" in page.content.decode()
    assert "Another organisation" not in page.content.decode()

    by_person = client.get(SEARCH, {"person": events.teacher_a.user_id}).context["page_obj"]
    assert [e.event_type for e in by_person] == ["contact.recorded"]
    assert by_person[0].actor_label == events.teacher_a.user.full_name
    by_event = client.get(SEARCH, {"event_type": "child.updated"}).context["page_obj"]
    assert {e.summary for e in by_event} == {'=HYPERLINK("http://evil.example","click")'}
    by_words = client.get(SEARCH, {"q": "adams"}).context["page_obj"]
    assert len(by_words) == 1
    today = dt.date(2026, 11, 18)
    assert len(client.get(SEARCH, {"date_from": today, "date_to": today}).context["page_obj"]) >= 2
    assert len(client.get(SEARCH, {"date_from": today + dt.timedelta(days=1)}).context["page_obj"]) == 0


def test_a_backwards_date_range_is_a_field_message_not_an_error_page(events, client_for):
    response = client_for(events.headteacher).get(SEARCH, {"date_from": "2026-11-18", "date_to": "2026-11-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["date_to"] == ["The end date is before the start date."]


def test_the_log_is_paged(events, client_for):
    for n in range(60):
        audit_record(organisation_id=events.org.pk, actor=None, event_type="test.bulk", summary=f"Bulk {n}")
    client = client_for(events.headteacher)
    first = client.get(SEARCH, {"event_type": "test.bulk"})
    assert len(first.context["page_obj"]) == 50 and first.context["page_obj"].has_next()
    second = client.get(SEARCH, {"event_type": "test.bulk", "page": 2})
    assert len(second.context["page_obj"]) == 10


def test_edits_show_before_and_after(world, client_for):
    child_update(actor=world.actor(world.admin_office), child=world.child_a, preferred_name="Alf")
    event = AuditEvent.objects.get(event_type="child.updated")
    assert event.data == {"before": {"preferred_name": ""}, "after": {"preferred_name": "Alf"}}
    page = client_for(world.headteacher).get(SEARCH).content.decode()
    assert "Before and after" in page and "After: Alf" in page


def test_the_data_protection_officer_exports_csv_with_formulas_neutralised(events, client_for):
    response = client_for(events.headteacher).get(EXPORT, {"event_type": "child.updated"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert [r["summary"] for r in rows] == ["'=HYPERLINK(\"http://evil.example\",\"click\")"]
    assert rows[0]["who"] == events.admin_office.user.full_name
    exported = AuditEvent.objects.get(event_type="audit.exported")  # the export is itself in the log
    assert exported.actor_id == events.headteacher.user_id and exported.data == {"event_type": "child.updated"}


def test_admin_office_searches_but_cannot_export(events, client_for):
    client = client_for(events.admin_office)
    assert client.get(SEARCH).status_code == 200
    assert "Export these entries" not in client.get(SEARCH).content.decode()
    assert client.get(EXPORT).status_code == 404


@pytest.mark.parametrize("persona", ["teacher_a", "ta_a", "safeguarding_lead"])
def test_others_get_404(events, client_for, persona):
    client = client_for(getattr(events, persona))
    assert client.get(SEARCH).status_code == 404
    assert client.get(EXPORT).status_code == 404


def test_another_organisations_headteacher_sees_only_their_own_log(events, client_for):
    client = client_for(events.outsider)
    seen = {e.organisation_id for e in client.get(SEARCH).context["page_obj"]}
    assert seen == {events.other_org.pk}
    assert "Another organisation's secret" in [r["summary"] for r in _csv(client.get(EXPORT))]
    assert "Contact with the Adams family recorded" not in client.get(EXPORT).getvalue().decode()
    # Asking for one of our people shows nothing of ours: the person is not a choice there.
    assert client.get(SEARCH, {"person": events.teacher_a.user_id}).status_code == 400


def test_signed_out_people_are_sent_to_sign_in(client, db):
    assert client.get(SEARCH).status_code == 302


def test_headteachers_and_managers_are_data_protection_officers_by_default(world):
    assert caps.AUDIT_EXPORT in Role.objects.get(organisation=world.org, code="headteacher").capabilities
    assert caps.AUDIT_EXPORT in Role.objects.get(organisation=world.org, code="manager").capabilities
    assert caps.AUDIT_EXPORT not in Role.objects.get(organisation=world.org, code="teacher").capabilities


def test_the_data_migration_gives_existing_roles_the_capability(world):
    role = Role.objects.get(organisation=world.org, code="headteacher")
    role.capabilities = [c for c in role.capabilities if c != caps.AUDIT_EXPORT]
    role.save()
    teacher = Role.objects.get(organisation=world.org, code="teacher")
    migration = importlib.import_module("keyworker.accounts.migrations.0003_audit_export_capability")
    migration.grant(apps, None)
    role.refresh_from_db()
    teacher.refresh_from_db()
    assert caps.AUDIT_EXPORT in role.capabilities and caps.AUDIT_EXPORT not in teacher.capabilities
