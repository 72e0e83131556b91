"""Allocation pages: unallocated families with candidates, caseload sizes, assign, reassign, refusals, caseloads."""

import pytest

from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.people.models import ProtectionStatus

pytestmark = pytest.mark.django_db


def test_leader_sees_unallocated_families_with_candidates_and_caseload_sizes(world, client_for):
    html = client_for(world.headteacher).get("/allocation/").content.decode()
    assert "3 families on roll; <strong>1</strong> without a key worker" in html
    assert "The Cole family" in html
    # Candidates: the class A team, teacher first.
    assert html.index("Tara Teacher") < html.index("Kim Keyworker")
    assert "Caseload sizes" in html and "Ben Teacher" in html


def test_allocating_from_the_list(world, client_for):
    client = client_for(world.headteacher)
    r = client.post(f"/allocation/families/{world.family_unallocated.pk}/", {
        "setting": world.school.pk, "staff": world.ta_a.pk, "reason": "First allocation", "next": "/allocation/",
    })
    assert r.status_code == 302 and r.url == "/allocation/"
    html = client.get("/allocation/").content.decode()
    assert "Every family at Test Primary has a key worker" in html


def test_a_refusal_names_the_rule(world, client_for):
    world.child_b.protection_status = ProtectionStatus.CHILD_PROTECTION_PLAN
    world.child_b.save()
    r = client_for(world.headteacher).post(f"/allocation/families/{world.family_b.pk}/", {
        "setting": world.school.pk, "staff": world.safeguarding_lead.pk, "reason": "Cover",
    })
    assert r.status_code == 400
    html = r.content.decode()
    assert "child-protection status or an open safeguarding concern, so the key worker must be a teacher (SCH-A2)" in html
    assert KeyWorkerAllocation.objects.get(family=world.family_b, ends_at__isnull=True).staff == world.teacher_b


def test_the_next_parameter_cannot_leave_the_site(world, client_for):
    r = client_for(world.headteacher).post(f"/allocation/families/{world.family_unallocated.pk}/", {
        "setting": world.school.pk, "staff": world.ta_a.pk, "reason": "First allocation", "next": "//evil.example/",
    })
    assert r.url.startswith(f"/allocation/families/{world.family_unallocated.pk}/")


def test_reassigning_shows_history_on_the_family(world, client_for):
    client = client_for(world.headteacher)
    client.post(f"/allocation/families/{world.family_a.pk}/", {"setting": world.school.pk, "staff": world.teacher_a.pk, "reason": "TA leaving"})
    html = client.get(f"/families/{world.family_a.pk}/").content.decode()
    assert "Key worker at Test Primary: <strong>Tara Teacher</strong>" in html
    assert "Ended: TA leaving" in html


def test_ending_an_allocation_needs_a_reason(world, client_for):
    client = client_for(world.headteacher)
    a = KeyWorkerAllocation.objects.get(family=world.family_a, ends_at__isnull=True)
    r = client.post(f"/allocation/allocations/{a.pk}/end/", {"reason": ""}, follow=True)
    assert "Give a reason" in r.content.decode()
    client.post(f"/allocation/allocations/{a.pk}/end/", {"reason": "Family moved away"})
    assert not KeyWorkerAllocation.objects.filter(family=world.family_a, ends_at__isnull=True).exists()


def test_an_outsider_cannot_end_our_allocation(world, client_for):
    a = KeyWorkerAllocation.objects.get(family=world.family_a, ends_at__isnull=True)
    assert client_for(world.outsider).post(f"/allocation/allocations/{a.pk}/end/", {"reason": "Because"}).status_code == 404
    assert KeyWorkerAllocation.objects.filter(pk=a.pk, ends_at__isnull=True).exists()


def test_reassigning_a_caseload_page_reports_outcomes(world, client_for):
    r = client_for(world.headteacher).post(f"/allocation/staff/{world.ta_a.pk}/reassign/", {"to_staff": "", "reason": "Leaving"})
    html = r.content.decode()
    assert "1 of 1 family moved" in html and "Moved" in html and "Tara Teacher" in html


def test_flagged_allocation_is_shown_to_leaders(world, client_for):
    from keyworker.caseload.services import child_protection_status_set

    child_protection_status_set(actor=None, child=world.child_a, status=ProtectionStatus.CHILD_PROTECTION_PLAN)
    html = client_for(world.headteacher).get("/allocation/").content.decode()
    assert "1 allocation must change to a teacher" in html and "The Adams family" in html


@pytest.mark.parametrize("query", ["?setting=abc", "?setting=999999", "?page=zzz", "?page=-3"])
def test_odd_query_strings_do_not_break_the_page(world, client_for, query):
    assert client_for(world.headteacher).get("/allocation/" + query).status_code in (200, 404)


def test_another_organisations_setting_is_404(world, client_for):
    from keyworker.organisations.models import Setting

    foreign = Setting.objects.get(organisation=world.other_org)
    assert client_for(world.headteacher).get(f"/allocation/?setting={foreign.pk}").status_code == 404


# The allocation pages agree: no teaching assistant for a family under child protection, no current key worker suggested.


def _options(html: str, select_name: str) -> str:
    start = html.index(f'name="{select_name}"')
    return html[start:html.index("</select>", start)]


def test_the_family_page_offers_no_teaching_assistant_under_child_protection(world, client_for):
    from keyworker.testing import make_child

    make_child(world.family_unallocated, world.school, world.class_a, protection_status=ProtectionStatus.CHILD_PROTECTION_PLAN)
    html = client_for(world.headteacher).get(f"/allocation/families/{world.family_unallocated.pk}/").content.decode()
    assert "Suggested: Tara Teacher." in html
    options = _options(html, "staff")
    assert "Tara Teacher" in options and "Kim Keyworker" not in options


def test_the_family_page_never_suggests_the_current_key_worker(world, client_for):
    html = client_for(world.headteacher).get(f"/allocation/families/{world.family_a.pk}/").content.decode()
    assert "Now: <strong>Kim Keyworker</strong>" in html
    assert "Suggested: Tara Teacher." in html
    assert "Kim Keyworker" not in _options(html, "staff")


def test_the_allocation_page_offers_no_teaching_assistant_under_child_protection(world, client_for):
    from keyworker.testing import make_child

    make_child(world.family_unallocated, world.school, world.class_a, protection_status=ProtectionStatus.CHILD_IN_NEED)
    html = client_for(world.headteacher).get("/allocation/").content.decode()
    options = _options(html, "staff")
    assert "Tara Teacher" in options and "Kim Keyworker" not in options


def test_reassigning_a_caseload_under_child_protection_offers_teachers_only(world, client_for):
    client = client_for(world.headteacher)
    html = client.get(f"/allocation/staff/{world.teacher_b.pk}/reassign/").content.decode()
    assert "Sam Safeguarding" in _options(html, "to_staff")  # a teaching assistant, while no one is under protection
    assert "Helen Head" not in _options(html, "to_staff") and "Ada Admin" not in _options(html, "to_staff")  # not key workers
    world.child_b.protection_status = ProtectionStatus.CHILD_PROTECTION_PLAN
    world.child_b.save()
    html = client.get(f"/allocation/staff/{world.teacher_b.pk}/reassign/").content.decode()
    options = _options(html, "to_staff")
    assert "Tara Teacher" in options and "Sam Safeguarding" not in options and "Kim Keyworker" not in options
    assert "only teachers are offered (SCH-A2)" in html
