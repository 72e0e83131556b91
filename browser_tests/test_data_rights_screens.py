"""Data rights screens, as the data protection officer (the headteacher) at tablet width: a child's subject access
pack, a carer's, and erasing a carer's personal data (a reason too short first). axe-core, no sideways scrolling."""

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser


def _carer(world):
    return world.family_a.carers.first()


def _too_short(page: Page, world) -> None:
    page.get_by_label("Why").fill("asked")
    page.get_by_role("button", name="Erase the personal data").click()
    expect(page.locator("main")).to_contain_text("Say why")


def _old_marks(world) -> None:
    import datetime as dt

    from keyworker.attendance.codes import codes_load, england_2024
    from keyworker.attendance.models import AttendanceCode, AttendanceMark

    codes_load(jurisdiction="england", rows=england_2024())
    code = AttendanceCode.objects.get(jurisdiction="england", code="/")
    AttendanceMark.objects.create(organisation=world.org, child=world.child_a, setting=world.school, date=dt.date(2019, 9, 2),
                                  session="AM", code=code)


def _shorter(page: Page, world) -> None:
    page.get_by_text("Keep them longer (Attendance register entries)").click()
    page.get_by_label("Years from the date of the entry").fill("2")
    page.locator("#kind-attendance_marks").locator("..").get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("never shortened")


def _preparing(world) -> None:
    """A pack asked for and not yet prepared: the worker has not reached it."""
    from django.utils import timezone

    from keyworker.core.models import ExportJob

    world.export_job = ExportJob.objects.create(
        organisation_id=world.org.pk, requested_by=world.headteacher.user, kind="subject_access",
        params={"subject": "child", "id": world.child_a.pk, "family": world.family_a.pk, "as_of": "2026-11-18"},
        title="Subject access pack: Alfie Adams", created_at=timezone.now(), progress=40)


def _prepare_pack(page: Page, world) -> None:
    page.get_by_role("button", name="Prepare the pack (PDF and JSON)").click()
    expect(page.get_by_role("link", name="Download")).to_be_visible()


def _prepare_archive(page: Page, world) -> None:
    page.get_by_role("button", name="Prepare the archive").click()
    expect(page.get_by_role("link", name="Download")).to_be_visible()


SCREENS = [
    Screen("subject-access-child", "headteacher", lambda w: f"/families/children/{w.child_a.pk}/subject-access/",
           "Subject access: Alfie Adams"),
    Screen("subject-access-carer", "headteacher", lambda w: f"/families/carers/{_carer(w).pk}/subject-access/", None),
    Screen("carer-erase", "headteacher", lambda w: f"/families/carers/{_carer(w).pk}/erase/", None),
    Screen("carer-erase-reason", "headteacher", lambda w: f"/families/carers/{_carer(w).pk}/erase/", None, act=_too_short),
    Screen("family-data-protection", "headteacher", lambda w: f"/families/{w.family_a.pk}/", None),
    Screen("retention", "headteacher", lambda w: "/retention/", "Retention", prepare=_old_marks),
    Screen("retention-shorter", "headteacher", lambda w: "/retention/", "Retention", prepare=_old_marks, act=_shorter),
    Screen("export-preparing", "headteacher", lambda w: f"/exports/{w.export_job.pk}/", "Subject access pack: Alfie Adams",
           prepare=_preparing),
    Screen("subject-access-prepared", "headteacher", lambda w: f"/families/children/{w.child_a.pk}/subject-access/",
           "Subject access: Alfie Adams", act=_prepare_pack),
    Screen("organisation-archive", "headteacher", lambda w: "/exports/organisation/", None),
    Screen("organisation-archive-prepared", "headteacher", lambda w: "/exports/organisation/", None,
           act=_prepare_archive),
]


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
def test_data_rights_screen(world, open_page, screen: Screen):
    check_screen(world, open_page, screen, "tablet")


def test_a_pack_being_prepared_shows_its_progress_then_how_it_ended_without_reloading_by_the_clock(world, open_page):
    """The page asks how far the worker has got and updates the bar in place; once the worker is done it shows the
    finished page (here, the worker's failure with its message)."""
    from browser_tests.helpers import sign_in
    from keyworker.core.models import ExportJob, ExportStatus

    _preparing(world)
    page = open_page("tablet")
    sign_in(page, world.headteacher)
    page.goto(f"/exports/{world.export_job.pk}/")
    expect(page.get_by_role("status")).to_have_text("Being prepared: waiting for its turn. 40% done.")
    ExportJob.objects.filter(pk=world.export_job.pk).update(status=ExportStatus.RUNNING, progress=70)
    expect(page.get_by_role("status")).to_have_text("Being prepared. 70% done.", timeout=10_000)
    assert page.locator("#export-progress").evaluate("bar => bar.value") == 70
    ExportJob.objects.filter(pk=world.export_job.pk).update(status=ExportStatus.FAILED, message="The worker stopped.")
    expect(page.get_by_role("alert")).to_contain_text("The worker stopped.", timeout=10_000)
