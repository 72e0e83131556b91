"""Import services: upload, map, check, confirm and run; all or nothing; permissions; progress in the background."""

import pytest
from django.core.exceptions import PermissionDenied

from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.imports import services
from keyworker.imports.models import ImportJob, ImportStatus
from keyworker.people.models import Carer, Child, Family, KeyAspects

from .conftest import sample

pytestmark = pytest.mark.django_db


def counts():
    return Family.objects.count(), Carer.objects.count(), Child.objects.count(), KeyAspects.objects.count()


def upload(world, name, kind="children", staff=None, data=None):
    actor = world.actor(staff or world.admin_office)
    job = services.import_upload(actor=actor, setting=world.school, kind=kind, name=name, data=data or sample(name))
    return actor, services.import_map(actor=actor, job=job, mapping=job.mapping)


def run(actor, job):
    return services.import_run(actor=actor, job=services.import_confirm(actor=actor, job=job))


def test_children_import_creates_families_carers_children_and_key_aspects(world):
    before = counts()
    actor, job = upload(world, "children_good.csv")
    assert job.status == ImportStatus.VALIDATED
    job = run(actor, job)
    assert job.status == ImportStatus.DONE and job.progress == job.row_count == 20
    assert services.import_summary(job) == "Imported 20 children in 14 families with 21 carers; 3 warnings"
    after = counts()
    assert [a - b for a, b in zip(after, before, strict=True)] == [14, 21, 20, 20]
    ada = Child.objects.get(legal_first_name="Adaeze")
    assert ada.preferred_name == "Ada" and ada.group == world.class_b and ada.setting == world.school
    assert ada.organisation_id == world.org.pk and str(ada.date_of_birth) == "2017-10-02"
    assert ada.key_aspects.medical_needs == "Asthma: inhaler in class" and ada.key_aspects.allergies == "Peanuts"
    assert ada.family.mis_reference == "HH-001" and ada.family.children.count() == 2
    ngozi = ada.family.carers.get(first_name="Ngozi")
    assert (ngozi.relationship, ngozi.contact_order, ngozi.preferred_contact_method) == ("mother", 1, "phone")
    tyler = Child.objects.get(legal_first_name="Tyler")
    assert tyler.has_ehcp and tyler.key_aspects.medical_needs == "Type 1 diabetes"
    rhys = Child.objects.get(legal_first_name="Rhys")
    assert rhys.upn_warning  # kept, with its warning
    event = AuditEvent.objects.get(event_type="import.children")
    assert event.actor == world.admin_office.user and event.organisation_id == world.org.pk
    assert "Imported 20 children" in event.summary


def test_import_is_all_or_nothing(world):
    before = counts()
    actor, job = upload(world, "children_bad.csv")
    assert job.status == ImportStatus.FAILED and job.error_count and "must be corrected" in job.message
    with pytest.raises(RuleViolation):
        services.import_confirm(actor=actor, job=job)
    assert counts() == before


def test_rows_that_turn_bad_before_the_import_stop_it_all(world):
    actor, job = upload(world, "children_good.csv")
    world.class_b.name = "Birch"  # the class was renamed after the check
    world.class_b.save()
    before = counts()
    job = run(actor, job)
    assert job.status == ImportStatus.FAILED and job.message.startswith("Nothing was imported")
    assert counts() == before
    assert any("“Beech” is not a class" in e for p in job.report["problems"] for e in p["errors"])


def test_children_joining_a_family_already_here(world):
    data = (f"Forename,Surname,DOB,Household,Contact 1 Forename\n"
            f"Ann,Adams,01/02/2019,{world.family_a.mis_reference},Someone\n").encode()
    actor, job = upload(world, "x.csv", data=data)
    carers = world.family_a.carers.count()
    job = run(actor, job)
    assert services.import_summary(job) == (
        "Imported 1 child in 0 families (and 1 family already here) with 0 carers; 2 warnings")
    assert "Joins The Adams family, already here" in job.report["problems"][0]["warnings"][1]
    assert world.family_a.children.filter(legal_first_name="Ann").exists()
    assert world.family_a.carers.count() == carers


def test_a_second_import_of_the_same_file_skips_every_child(world):
    actor, job = upload(world, "children_good.csv")
    run(actor, job)
    before = counts()
    actor, again = upload(world, "children_good.csv")
    assert again.skipped_count == 20 and again.child_count == 0
    again = run(actor, again)
    assert again.status == ImportStatus.DONE and counts() == before


def test_xlsx_import(world):
    actor, job = upload(world, "children_good.xlsx")
    assert job.report["counts"]["errors"] == 0
    job = run(actor, job)
    assert job.child_count == 20
    assert str(Child.objects.get(legal_first_name="Diya").date_of_birth) == "2018-01-21"


def test_database_refusal_leaves_nothing_and_fails_the_job(world, monkeypatch):
    actor, job = upload(world, "children_good.csv")
    job = services.import_confirm(actor=actor, job=job)
    before = counts()
    from django.db import IntegrityError

    def refuse(*args, **kwargs):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(KeyAspects.objects, "bulk_create", refuse)
    job = services.import_run(actor=actor, job=job)
    assert job.status == ImportStatus.FAILED and "database refused" in job.message
    assert counts() == before


def test_confirming_twice_runs_once(world):
    actor, job = upload(world, "children_good.csv")
    services.import_confirm(actor=actor, job=job)
    with pytest.raises(RuleViolation, match="cannot start"):
        services.import_confirm(actor=actor, job=ImportJob.objects.get(pk=job.pk))


def test_staff_import(world):
    from keyworker.accounts.models import GroupMembership, StaffMember, StaffRole, User

    # The file gives safeguarding roles: the headteacher's to give, not the admin office's.
    actor, job = upload(world, "staff.csv", kind="staff", staff=world.headteacher)
    assert job.status == ImportStatus.VALIDATED, job.report
    job = run(actor, job)
    assert services.import_summary(job) == "Imported 5 staff members"
    priti = StaffMember.objects.get(organisation=world.org, user__email="priti.shah@example.org")
    assert priti.job_title == "Deputy safeguarding lead" and priti.staff_code == "PSH"
    assert set(StaffRole.objects.filter(staff=priti).values_list("role__code", flat=True)) == {"teacher", "safeguarding_deputy"}
    assert list(GroupMembership.objects.filter(staff=priti).values_list("group__name", flat=True)) == ["Beech"]
    assert not User.objects.get(email="priti.shah@example.org").has_usable_password()
    tariq = StaffMember.objects.get(user__email="tariq.aziz@example.org")
    assert tariq.group_memberships.count() == 2
    assert AuditEvent.objects.filter(event_type="import.staff").count() == 1


def test_staff_import_invites_a_person_of_another_organisation_and_never_touches_their_account(world):
    from keyworker.accounts.models import StaffInvitation, StaffMember
    from keyworker.testing import PASSWORD

    data = f"Name,Email,Roles\nNot Otto,{world.outsider.user.email},teacher\n".encode()
    actor, job = upload(world, "x.csv", kind="staff", data=data)
    job = run(actor, job)
    assert job.status == ImportStatus.DONE
    assert StaffMember.objects.filter(user=world.outsider.user).count() == 1
    invitation = StaffInvitation.objects.get(user=world.outsider.user, organisation=world.org)
    assert [r.code for r in invitation.roles.all()] == ["teacher"]
    world.outsider.user.refresh_from_db()
    assert world.outsider.user.check_password(PASSWORD) and world.outsider.user.full_name == "Otto Outsider"


def test_an_import_gives_only_roles_the_importer_may_give(world):
    from keyworker.accounts.models import StaffMember

    data = b"Name,Email,Roles\nMallory,mallory@example.org,safeguarding_lead\nTed,ted@example.org,teacher\n"
    actor, job = upload(world, "x.csv", kind="staff", data=data)  # the admin office
    assert job.status == ImportStatus.FAILED
    assert "leader's or safeguarding role" in str(job.report) or "do not hold" in str(job.report)
    assert not StaffMember.objects.filter(user__email__in=["mallory@example.org", "ted@example.org"]).exists()
    actor, job = upload(world, "x.csv", kind="staff", data=data, staff=world.headteacher)
    assert run(actor, job).status == ImportStatus.DONE


def test_only_people_with_the_import_right(world):
    with pytest.raises(PermissionDenied):
        services.import_upload(actor=world.actor(world.ta_a), setting=world.school, kind="children", name="a.csv",
                               data=sample("children_good.csv"))
    with pytest.raises(RuleViolation):
        services.import_upload(actor=world.actor(world.outsider), setting=world.school, kind="children", name="a.csv",
                               data=sample("children_good.csv"))
    # The headteacher may; the command line runs as no one in particular.
    services.import_upload(actor=world.actor(world.headteacher), setting=world.school, kind="children", name="a.csv",
                           data=sample("children_good.csv"))
    services.import_upload(actor=None, setting=world.school, kind="children", name="a.csv",
                           data=sample("children_good.csv"))


def test_a_mapping_without_required_fields_is_refused(world):
    actor, job = upload(world, "children_good.csv")
    with pytest.raises(RuleViolation, match="date of birth"):
        services.import_map(actor=actor, job=job, mapping={"legal_first_name": 0, "legal_last_name": 1})


def test_large_files_run_in_the_background_with_progress(world, monkeypatch, django_capture_on_commit_callbacks):
    launched = []
    monkeypatch.setattr(services, "BACKGROUND_FROM_ROWS", 10)
    monkeypatch.setattr(services, "launch_in_background", lambda job_id, actor: launched.append(job_id))
    actor, job = upload(world, "children_good.csv")
    seen = []
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_start(actor=actor, job=job)
    assert job.status == ImportStatus.IMPORTING and launched == [job.pk]
    original = services.import_run

    def watching(**kwargs):
        return original(**kwargs, on_progress=lambda done, total: seen.append(services.live_progress(kwargs["job"])))

    monkeypatch.setattr(services, "import_run", watching)
    services.import_run_claimed(job.pk, actor)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.child_count == 20
    assert seen == sorted(seen) and seen[-1] == 20 and len(seen) > 3
    assert services.live_progress(job) == 20  # from the row, once the run is over


def test_a_background_run_that_crashes_ends_failed(world, monkeypatch):
    actor, job = upload(world, "children_good.csv")
    job = services.import_confirm(actor=actor, job=job)

    def crash(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "import_run", crash)
    services.import_run_claimed(job.pk, actor)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "stopped unexpectedly" in job.message
