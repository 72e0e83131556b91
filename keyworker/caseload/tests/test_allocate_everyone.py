"""Allocating everyone at once: the proposal for a setting, the page a leader changes and applies with one reason,
the service (all or nothing, a message per row, families allocated meanwhile skipped), and their query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.caseload import services
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.caseload.selectors import setting_proposal
from keyworker.caseload.services import RowsRefused, allocation_assign_many
from keyworker.core.audit import AuditEvent
from keyworker.core.errors import RuleViolation
from keyworker.people.models import Child, Family, ProtectionStatus
from keyworker.testing import allocate, make_child, make_family, make_group, make_staff

pytestmark = pytest.mark.django_db

URL = "/allocation/everyone/"


def current(family, setting):
    return KeyWorkerAllocation.objects.filter(family=family, setting=setting, ends_at__isnull=True)


def _rows(proposal):
    return {r.family.pk: r for r in proposal.rows}


# The proposal -----------------------------------------------------------------------------------------------------


def test_the_proposal_takes_the_least_loaded_of_the_class_team(world):
    """Cole (Ash): Tara holds no family, Kim holds the Adams family, so Tara is proposed; both are offered."""
    proposal = setting_proposal(world.actor(world.headteacher), world.school)
    [row] = proposal.rows
    assert row.family == world.family_unallocated
    assert row.proposed == world.teacher_a and row.caseload_after == 1
    assert row.options == [world.teacher_a, world.ta_a]


def test_siblings_in_two_classes_get_one_key_worker_from_one_of_them(world):
    family = make_family(world.org, "The Dunn family")
    make_child(family, world.school, world.class_a)
    make_child(family, world.school, world.class_b)
    rows = _rows(setting_proposal(world.actor(world.headteacher), world.school))
    assert rows[family.pk].proposed in {world.teacher_a, world.ta_a, world.teacher_b, world.safeguarding_lead}
    assert set(rows[family.pk].options) == {world.teacher_a, world.ta_a, world.teacher_b, world.safeguarding_lead}


def test_under_child_protection_only_teachers_are_proposed_and_offered(world):
    make_child(world.family_unallocated, world.school, world.class_a, protection_status=ProtectionStatus.CHILD_IN_NEED)
    [row] = setting_proposal(world.actor(world.headteacher), world.school).rows
    assert row.child_protection and row.options == [world.teacher_a] and row.proposed == world.teacher_a


def test_a_family_no_one_can_take_is_listed_with_why(world):
    empty = make_group(world.school, "Class 4")
    family = make_family(world.org, "The Eve family")
    make_child(family, world.school, empty)
    row = _rows(setting_proposal(world.actor(world.headteacher), world.school))[family.pk]
    assert row.proposed is None and row.options == []
    assert row.reason == "Class 4 has no teacher or teaching assistant on its team."


def _many(world, n: int, classes) -> list[Family]:
    """`n` families without a key worker, spread over `classes`, a few with siblings in the next class."""
    families = Family.objects.bulk_create(
        [Family(organisation=world.org, name=f"The Many{i:04} family", mis_reference=f"M{i}") for i in range(n)]
    )
    children = []
    for i, f in enumerate(families):
        group = classes[i % len(classes)]
        children.append(Child(organisation_id=world.org.pk, family=f, setting=world.school, group=group,
                              legal_first_name=f"Kid{i}", legal_last_name="Many", date_of_birth=dt.date(2018, 1, 1),
                              enrolled_on=dt.date(2024, 9, 1),
                              protection_status=ProtectionStatus.CHILD_PROTECTION_PLAN if i % 7 == 3 else ProtectionStatus.NONE))
        if i % 4 == 0:
            children.append(Child(organisation_id=world.org.pk, family=f, setting=world.school,
                                  group=classes[(i + 1) % len(classes)], legal_first_name=f"Sib{i}", legal_last_name="Many",
                                  date_of_birth=dt.date(2020, 1, 1), enrolled_on=dt.date(2024, 9, 1)))
    Child.objects.bulk_create(children)
    return families


def _grow_classes(world, n: int):
    classes = [make_group(world.school, f"Class {i}") for i in range(n)]
    for g in classes:
        make_staff(world.org, world.school, ["teacher"], [g])
        make_staff(world.org, world.school, ["teaching_assistant"], [g])
    return classes


def test_proposing_for_300_families_takes_as_many_queries_as_for_30(world):
    actor = world.actor(world.headteacher)
    classes = _grow_classes(world, 10)
    _many(world, 30, classes)
    with CaptureQueriesContext(connection) as small:
        assert len(setting_proposal(actor, world.school).rows) == 31
    _many(world, 270, classes)
    with CaptureQueriesContext(connection) as large:
        proposal = setting_proposal(actor, world.school)
    assert len(proposal.rows) == 301
    assert len(large.captured_queries) == len(small.captured_queries) <= 8
    # Balanced within each class team: 300 families (and siblings' second classes) over 20 people.
    loads = [proposal.loads[s.pk] for r in proposal.rows if r.family.name.startswith("The Many") for s in r.options]
    assert max(loads) - min(loads) <= 2
    assert all(r.proposed for r in proposal.rows)
    assert all(r.proposed.pk in r.teacher_ids for r in proposal.rows if r.child_protection)


def test_applying_300_rows_takes_as_many_queries_as_30(world, monkeypatch):
    actor = world.actor(world.headteacher)
    classes = _grow_classes(world, 10)
    refreshed = []
    monkeypatch.setattr(services, "_refresh_obligations", lambda org, ids, setting, actor: refreshed.append(set(ids)))
    counts = []
    for n in (30, 300):
        _many(world, n, classes)
        proposal = setting_proposal(actor, world.school)
        choices = {r.family.pk: r.proposed.pk for r in proposal.rows}
        with CaptureQueriesContext(connection) as ctx:
            result = allocation_assign_many(actor=actor, setting=world.school, choices=choices, reason="First day")
        assert len(result.allocated) == len(choices)
        counts.append(len(ctx.captured_queries))
    # Bulk inserts go in batches of the database's largest statement (SQLite: 999 parameters, so a few more for 300
    # rows); nothing is read or written row by row.
    assert counts[1] == counts[0] if connection.vendor == "postgresql" else counts[1] <= counts[0] + 6, counts
    assert [len(ids) for ids in refreshed] == [31, 300]  # once per apply, for all its families


# The service -------------------------------------------------------------------------------------------------------


def test_applying_allocates_audits_and_refreshes_obligations_once(world, monkeypatch):
    other = make_family(world.org, "The Dunn family")
    make_child(other, world.school, world.class_b)
    calls = []
    real = services._refresh_obligations
    monkeypatch.setattr(services, "_refresh_obligations", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    result = allocation_assign_many(
        actor=world.actor(world.headteacher), setting=world.school, reason="First day of term",
        choices={world.family_unallocated.pk: world.ta_a.pk, other.pk: world.teacher_b.pk},
    )
    assert {(a.family_id, a.staff_id) for a in result.allocated} == {(world.family_unallocated.pk, world.ta_a.pk), (other.pk, world.teacher_b.pk)}
    a = current(world.family_unallocated, world.school).get()
    assert a.reason == "First day of term" and a.allocated_by == world.headteacher.user
    assert calls == [{world.family_unallocated.pk, other.pk}]
    assert AuditEvent.objects.filter(event_type="allocation.assigned", object_id=a.pk).exists()
    assert AuditEvent.objects.filter(event_type="allocation.assigned_many", data__reason="First day of term").exists()


def test_a_refused_row_saves_nothing_and_names_the_row(world):
    other = make_family(world.org, "The Dunn family")
    make_child(other, world.school, world.class_b)
    with pytest.raises(RowsRefused) as exc:
        allocation_assign_many(
            actor=world.actor(world.headteacher), setting=world.school, reason="First day",
            choices={world.family_unallocated.pk: world.teacher_b.pk, other.pk: world.teacher_b.pk},
        )
    assert list(exc.value.rows) == [world.family_unallocated.pk]
    assert "not on the class team" in exc.value.rows[world.family_unallocated.pk]
    assert not current(other, world.school).exists() and not current(world.family_unallocated, world.school).exists()


def test_a_stale_row_is_refused_a_staff_member_who_left(world):
    world.teacher_a.is_active = False
    world.teacher_a.save()
    with pytest.raises(RowsRefused) as exc:
        allocation_assign_many(actor=world.actor(world.headteacher), setting=world.school, reason="First day",
                               choices={world.family_unallocated.pk: world.teacher_a.pk})
    assert "has left" in exc.value.rows[world.family_unallocated.pk]


def test_a_teaching_assistant_for_a_family_under_child_protection_is_refused(world):
    make_child(world.family_unallocated, world.school, world.class_a, protection_status=ProtectionStatus.CHILD_PROTECTION_PLAN)
    with pytest.raises(RowsRefused) as exc:
        allocation_assign_many(actor=world.actor(world.headteacher), setting=world.school, reason="First day",
                               choices={world.family_unallocated.pk: world.ta_a.pk})
    assert "must be a teacher (SCH-A2)" in exc.value.rows[world.family_unallocated.pk]


def test_another_organisations_family_or_staff_is_not_found(world):
    with pytest.raises(RowsRefused) as exc:
        allocation_assign_many(actor=world.actor(world.headteacher), setting=world.school, reason="First day",
                               choices={world.other_family.pk: world.ta_a.pk, world.family_unallocated.pk: world.outsider.pk})
    assert exc.value.rows == {world.other_family.pk: "No such family.", world.family_unallocated.pk: "No such staff member."}


def test_a_family_allocated_meanwhile_is_skipped_with_a_message(world):
    other = make_family(world.org, "The Dunn family")
    make_child(other, world.school, world.class_b)
    allocate(world.family_unallocated, world.school, world.ta_a)
    result = allocation_assign_many(
        actor=world.actor(world.headteacher), setting=world.school, reason="First day",
        choices={world.family_unallocated.pk: world.teacher_a.pk, other.pk: world.teacher_b.pk},
    )
    assert [a.family_id for a in result.allocated] == [other.pk]
    [(family, message)] = result.skipped
    assert family == world.family_unallocated and "Kim Keyworker" in message and "left as it is" in message
    assert current(world.family_unallocated, world.school).get().staff == world.ta_a


def test_a_reason_is_required_and_only_leaders_apply(world):
    with pytest.raises(RuleViolation) as exc:
        allocation_assign_many(actor=world.actor(world.headteacher), setting=world.school, reason=" ",
                               choices={world.family_unallocated.pk: world.ta_a.pk})
    assert exc.value.rule == "reason"
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        allocation_assign_many(actor=world.actor(world.ta_a), setting=world.school, reason="First day",
                               choices={world.family_unallocated.pk: world.ta_a.pk})
    assert not current(world.family_unallocated, world.school).exists()


# The page ----------------------------------------------------------------------------------------------------------


def test_the_allocation_page_links_to_it(world, client_for):
    html = client_for(world.headteacher).get("/allocation/").content.decode()
    assert f'href="{URL}?setting={world.school.pk}"' in html


def test_the_leader_sees_the_proposal_changes_a_row_and_applies_it(world, client_for):
    client = client_for(world.headteacher)
    html = client.get(f"{URL}?setting={world.school.pk}").content.decode()
    assert "The Cole family" in html and "Cara Cole (Ash)" in html
    assert f'<option value="{world.teacher_a.pk}" selected>Tara Teacher (proposed)</option>' in html
    assert f'<option value="{world.ta_a.pk}">Kim Keyworker</option>' in html and "Leave unallocated" in html
    assert "Ben Teacher</option>" not in html  # not on Ash's team
    r = client.post(f"{URL}?setting={world.school.pk}", {
        "setting": world.school.pk, "family": [world.family_unallocated.pk],
        f"staff-{world.family_unallocated.pk}": world.ta_a.pk, "reason": "First day of term",
    })
    assert r.status_code == 302 and r.url == f"{URL}?setting={world.school.pk}"
    assert current(world.family_unallocated, world.school).get().staff == world.ta_a
    html = client.get(r.url).content.decode()
    assert "1 family now has a key worker." in html
    assert "Every family in Test Primary has a key worker." in html


def test_leave_unallocated_keeps_the_family_waiting(world, client_for):
    other = make_family(world.org, "The Dunn family")
    make_child(other, world.school, world.class_b)
    r = client_for(world.headteacher).post(URL, {
        "setting": world.school.pk, "family": [world.family_unallocated.pk, other.pk],
        f"staff-{world.family_unallocated.pk}": "", f"staff-{other.pk}": world.teacher_b.pk, "reason": "First day",
    })
    assert r.status_code == 302
    assert not current(world.family_unallocated, world.school).exists()
    assert current(other, world.school).get().staff == world.teacher_b


def test_without_a_reason_nothing_is_saved_and_the_choices_are_kept(world, client_for):
    r = client_for(world.headteacher).post(URL, {
        "setting": world.school.pk, "family": [world.family_unallocated.pk],
        f"staff-{world.family_unallocated.pk}": world.ta_a.pk, "reason": "",
    })
    assert r.status_code == 400
    html = r.content.decode()
    assert "There is a problem" in html
    assert f'<option value="{world.ta_a.pk}" selected>Kim Keyworker</option>' in html
    assert not current(world.family_unallocated, world.school).exists()


def test_a_tampered_row_is_shown_with_its_error_and_nothing_is_saved(world, client_for):
    other = make_family(world.org, "The Dunn family")
    make_child(other, world.school, world.class_b)
    r = client_for(world.headteacher).post(URL, {
        "setting": world.school.pk, "family": [world.family_unallocated.pk, other.pk],
        f"staff-{world.family_unallocated.pk}": world.teacher_b.pk, f"staff-{other.pk}": world.teacher_b.pk,
        "reason": "First day",
    })
    assert r.status_code == 400
    html = r.content.decode()
    assert "1 row cannot be saved as chosen, so nothing was saved" in html
    assert 'class="row--error"' in html and "Ben Teacher is not on the class team" in html
    assert not current(other, world.school).exists()


def test_a_family_under_child_protection_is_never_offered_a_teaching_assistant(world, client_for):
    make_child(world.family_unallocated, world.school, world.class_a, protection_status=ProtectionStatus.CHILD_PROTECTION_PLAN)
    html = client_for(world.headteacher).get(URL).content.decode()
    assert "Child protection: teacher only" in html and "Tara Teacher (proposed)" in html
    assert "Kim Keyworker</option>" not in html


def test_a_family_no_one_can_take_shows_why(world, client_for):
    family = make_family(world.org, "The Eve family")
    make_child(family, world.school, make_group(world.school, "Class 4"))
    html = client_for(world.headteacher).get(URL).content.decode()
    assert "Class 4 has no teacher or teaching assistant on its team." in html


def test_an_outsider_gets_404_and_a_key_worker_is_refused(world, client_for):
    assert client_for(world.outsider).get(f"{URL}?setting={world.school.pk}").status_code == 404
    r = client_for(world.outsider).post(f"{URL}?setting={world.school.pk}", {
        "setting": world.school.pk, "family": [world.family_unallocated.pk],
        f"staff-{world.family_unallocated.pk}": world.ta_a.pk, "reason": "Mine now",
    })
    assert r.status_code == 404
    assert client_for(world.ta_a).get(URL).status_code in (403, 404)
    assert not current(world.family_unallocated, world.school).exists()


def test_the_empty_state(world, client_for):
    allocate(world.family_unallocated, world.school, world.ta_a)
    html = client_for(world.headteacher).get(URL).content.decode()
    assert "Every family in Test Primary has a key worker." in html and "<select" not in html.split("<main")[-1]
