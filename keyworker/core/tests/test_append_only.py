"""The audit log and the access logs cannot be changed or deleted by the application (SQLite and PostgreSQL)."""

import pytest
from django.db import DatabaseError, connection, transaction

from keyworker.accounts.models import User
from keyworker.contacts.models import AccessRoute, Channel, ContactAccess, ContactLog
from keyworker.core import append_only, clock
from keyworker.core.audit import audit_record
from keyworker.core.models import AuditEvent
from keyworker.people.models import KeyAspectsAccess, KeyAspectsRoute
from keyworker.people.services import key_aspects_access_record
from keyworker.safeguarding import services as sg_services
from keyworker.safeguarding.models import AccessRoute as SgRoute
from keyworker.safeguarding.models import ConcernAccess

TABLES = ["core_auditevent", "contacts_contactaccess", "safeguarding_concernaccess", "people_keyaspectsaccess"]


def _refused(action) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        action()


@pytest.mark.parametrize("table", TABLES)
def test_every_log_table_has_both_triggers(db, table):
    assert append_only.installed(table) == {"UPDATE", "DELETE"}


def test_an_audit_row_cannot_be_updated_or_deleted_through_the_orm(world):
    event = audit_record(organisation_id=world.org.pk, actor=world.headteacher.user, event_type="test.done",
                         summary="Something happened")
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="Nothing happened"))
    event.summary = "Nothing happened"
    _refused(event.save)
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    _refused(event.delete)
    assert AuditEvent.objects.get(pk=event.pk).summary == "Something happened"


def test_an_audit_row_cannot_be_updated_or_deleted_with_raw_sql(world):
    event = audit_record(organisation_id=world.org.pk, actor=None, event_type="test.done", summary="Something happened")
    with connection.cursor() as cursor:
        _refused(lambda: cursor.execute("UPDATE core_auditevent SET summary = %s WHERE id = %s", ["x", event.pk]))
        _refused(lambda: cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk]))
        _refused(lambda: cursor.execute("DELETE FROM core_auditevent"))
    assert AuditEvent.objects.filter(pk=event.pk, summary="Something happened").exists()


def test_access_log_rows_cannot_be_changed_or_deleted(world):
    actor = world.actor(world.teacher_a)
    key_aspects_access_record(actor=actor, children=[world.child_a], route=KeyAspectsRoute.PAGE)
    sg_services.concern_access_record(actor=world.actor(world.safeguarding_lead), child=world.child_a,
                                      route=SgRoute.PAGE, detail="chronology")
    for model in (KeyAspectsAccess, ConcernAccess):
        row = model.objects.get()
        _refused(lambda model=model, row=row: model.objects.filter(pk=row.pk).update(route="api"))
        _refused(row.delete)
        with connection.cursor() as cursor:
            _refused(lambda cursor=cursor, table=model._meta.db_table: cursor.execute(f"DELETE FROM {table}"))  # noqa: S608
        assert model.objects.filter(pk=row.pk).exists()


def test_deleting_a_child_keeps_the_access_logs_of_their_records(world):
    child = world.child_a
    key_aspects_access_record(actor=world.actor(world.teacher_a), children=[child], route=KeyAspectsRoute.PAGE)
    sg_services.concern_access_record(actor=world.actor(world.safeguarding_lead), child=child, route=SgRoute.PAGE,
                                      detail="chronology")
    contact = ContactLog.objects.create(
        organisation=world.org, family=child.family, setting=child.setting, author=world.teacher_a,
        happened_on=clock.today(), channel=Channel.PHONE, write_up="Spoke about the trip.",
        safeguarding_category="neglect", flagged_at=clock.now(),
    )
    contact.children.add(child)
    ContactAccess.objects.create(organisation=world.org, contact=contact, staff=world.safeguarding_lead,
                                 route=AccessRoute.PAGE, description=f"Contact {contact.pk}")
    child_id, name, contact_id = child.pk, str(child), contact.pk

    contact.delete()
    child.delete()

    assert KeyAspectsAccess.objects.filter(child_id=child_id, description=name).count() == 1
    assert ConcernAccess.objects.filter(child_id=child_id).count() == 1
    assert ContactAccess.objects.filter(contact_id=contact_id, description=f"Contact {contact_id}").count() == 1


def test_deleting_a_person_keeps_who_they_were_in_the_audit_log(world):
    user = User.objects.create(email="gone@example.org", full_name="Gone Person")
    event = audit_record(organisation_id=world.org.pk, actor=user, event_type="test.done", summary="Something")
    user_id = user.pk
    user.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_id == user_id


def test_an_operator_can_lift_the_triggers_and_they_come_back(world):
    event = audit_record(organisation_id=world.org.pk, actor=None, event_type="test.done", summary="Something")
    with append_only.lifted(["core_auditevent"]):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert append_only.installed("core_auditevent") == {"UPDATE", "DELETE"}
    assert set(TABLES) <= set(append_only.protected_tables())
