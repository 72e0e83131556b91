"""The busiest pages use a fixed number of queries, whatever the size of the organisation.

Each page is built at a small size, measured, then grown tenfold (families in the caseload and in the
unallocated list, siblings, carers, classes, staff, allocation history, key aspect changes) and measured
again: the number of queries must not change, and stays under a ceiling.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.people.models import Carer, ContactRestriction, KeyAspectChange, ProtectionStatus
from keyworker.testing import allocate, make_child, make_family, make_group, make_staff

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30


def _grow(world, n: int) -> None:
    """Add `n` of everything that a page lists."""
    org, school = world.org, world.school
    classes = [make_group(school) for _ in range(max(1, n // 3))]
    team = [make_staff(org, school, [role], [g]) for g in classes for role in ("teacher", "teaching_assistant")]
    for i in range(n):
        # A family in Kim Keyworker's caseload: two children (one in a new class) and two carers.
        mine = make_family(org, carers=2)
        make_child(mine, school, world.class_a)
        make_child(mine, school, classes[i % len(classes)], year_group="Year 5")
        allocate(mine, school, world.ta_a)
        # A family with no key worker yet, whose children are in classes A and B (so it has candidates).
        waiting = make_family(org, carers=2)
        make_child(waiting, school, world.class_a,
                   protection_status=ProtectionStatus.CHILD_IN_NEED if i % 3 == 0 else ProtectionStatus.NONE)
        make_child(waiting, school, world.class_b)
        # A family allocated to someone else (the rest of the organisation); some must change to a teacher.
        other = make_family(org, carers=1)
        make_child(other, school, classes[i % len(classes)])
        held = allocate(other, school, team[(2 * i + i % 2) % len(team)])
        if i % 2:
            held.needs_teacher_since = clock.now()
            held.save(update_fields=["needs_teacher_since"])
        # More siblings and carers for the families shown on their own pages, history and key aspect changes.
        for family in (world.family_a, world.family_unallocated):
            make_child(family, school, classes[i % len(classes)], legal_first_name=f"Sib{i}")
        _add_carer(world.family_a, i)
        past = team[i % len(team)]
        for family in (world.family_a, world.family_unallocated):
            KeyWorkerAllocation.objects.create(
                organisation_id=org.pk, family=family, setting=school, staff=past, reason=f"Earlier {i}",
                starts_at=clock.now() - dt.timedelta(days=400 - i), ends_at=clock.now() - dt.timedelta(days=300 - i),
                end_reason="Staff change", allocated_by=past.user, ended_by=team[(i + 1) % len(team)].user,
            )
        KeyAspectChange.objects.create(
            organisation_id=org.pk, child=world.child_a, field="medical_needs", before="", after=f"Note {i}",
            changed_by=team[i % len(team)].user, changed_at=clock.now() - dt.timedelta(days=i + 1),
        )


def _add_carer(family, i: int) -> None:
    Carer.objects.create(
        organisation_id=family.organisation_id, family=family, first_name=f"Extra{i}", last_name="Adams",
        contact_order=i + 2, contact_restriction=ContactRestriction.COURT_ORDER if i % 2 else ContactRestriction.NONE,
    )


PAGES = {
    # name: (persona attribute, url from the world, most queries allowed). The ceiling is the count measured
    # when written plus 2; 7 of them are paid by every page (session, user, the actor's membership, roles and
    # class teams, the notifications badge, the organisation switcher). Leaders pay one more: django-otp loads
    # the second-factor device their session proved.
    "my_families": ("ta_a", lambda w: "/families/", 13),
    "family_list": ("headteacher", lambda w: "/families/all/", 14),
    "family_detail": ("headteacher", lambda w: f"/families/{w.family_a.pk}/", 18),  # +1 each: the carers' portal state, upcoming appointments and enrolment forms, one query each
    "family_detail_key_worker": ("ta_a", lambda w: f"/families/{w.family_a.pk}/", 17),
    "child_profile": ("ta_a", lambda w: f"/families/children/{w.child_a.pk}/", 13),
    "allocation": ("headteacher", lambda w: "/allocation/", 22),
    "family_allocation": ("headteacher", lambda w: f"/allocation/families/{w.family_unallocated.pk}/", 18),
    "allocate_everyone": ("headteacher", lambda w: "/allocation/everyone/", 18),
    "staff_list": ("headteacher", lambda w: "/staff/", 13),
    "staff_detail": ("headteacher", lambda w: f"/staff/{w.ta_a.pk}/", 16),
}


def _count(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("page", list(PAGES))
def test_query_count_does_not_grow_with_the_organisation(page, world, client_for):
    persona, url_of, ceiling = PAGES[page]
    client = client_for(getattr(world, persona))
    url = url_of(world)
    _grow(world, SMALL)
    client.get(url)  # warm-up: per-process caches
    small, _ = _count(client, url)
    _grow(world, LARGE - SMALL)
    large, html = _count(client, url)
    assert large == small, f"{page}: {small} queries with {SMALL} of everything, {large} with {LARGE}"
    assert large <= ceiling, f"{page}: {large} queries (ceiling {ceiling})"
    _check_content(page, world, html)


def _check_content(page: str, world, html: str) -> None:
    """The larger page really shows the rows that were added."""
    if page in {"my_families", "staff_detail"}:
        assert html.count('class="card"') >= LARGE + 1
    elif page == "family_list":
        assert "Page 1 of" in html
    elif page.startswith("family_detail"):
        assert html.count("Earlier ") == LARGE and html.count("/families/children/") >= LARGE + 1
    elif page == "child_profile":
        assert html.count("Note ") == LARGE and html.count("Sib") >= LARGE
    elif page == "allocation":
        # A full page of unallocated families, each with a choice of key workers.
        assert html.count('<select name="staff"') == 25
        assert "Caseload sizes" in html
        flagged = sum(i % 2 for i in range(SMALL)) + sum(i % 2 for i in range(LARGE - SMALL))
        assert f"{flagged} allocations must change to a teacher" in html
    elif page == "family_allocation":
        assert "Suggested:" in html and html.count("Earlier ") == LARGE
    elif page == "allocate_everyone":
        # Every family without a key worker (none is paged out), each with its choice of key workers.
        assert html.count('<select name="staff-') == LARGE + 1
    elif page == "staff_list":
        assert html.count('<a href="/staff/') >= 7 + 2 * (LARGE // 3)  # each person and their caseload (the bar's Staff is on Setup)
