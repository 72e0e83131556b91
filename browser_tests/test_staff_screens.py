"""Staff and roles screens: adding and editing staff, editing a role, answering an invitation to join.

Each at tablet width for the persona it is for: axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot.
"""

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _role(world, code):
    from keyworker.accounts.models import Role

    return Role.objects.get(organisation=world.org, code=code)


def _invite_outsider(world):
    from keyworker.accounts.services import staff_save

    staff_save(actor=world.actor(world.headteacher), organisation=world.org, full_name="Otto Outsider",
               email=world.outsider.user.email, setting=world.school, roles=[_role(world, "teacher")],
               groups=[world.class_b], job_title="Supply teacher")


def _add_existing_person(page: Page, world):
    page.get_by_label("Full name").fill("Otto Outsider")
    page.get_by_label("E-mail address").fill(world.outsider.user.email)
    page.get_by_label("Setting").select_option(label="Test Primary")
    page.get_by_label("Teacher", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("they have been invited")


def _accept(page: Page, world):
    page.get_by_role("button", name=f"Accept and join {world.org.name}").click()
    expect(page.get_by_role("status")).to_contain_text("You are now a staff member")


def _add_photo(page: Page, world):
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (500, 500), (236, 240, 244))
    ImageDraw.Draw(image).ellipse([50, 50, 450, 450], fill=(120, 60, 140))
    out = io.BytesIO()
    image.save(out, "PNG")
    page.get_by_label("Photo", exact=True).set_input_files({"name": "kim.png", "mimeType": "image/png",
                                                            "buffer": out.getvalue()})
    page.get_by_role("button", name="Add a photo").click()
    expect(page.get_by_role("status")).to_contain_text("The photo of Kim Keyworker is saved")
    expect(page.get_by_role("img", name="Photo of Kim Keyworker")).to_be_visible()


SCREENS = [
    Screen("staff-detail-photo", "headteacher", lambda w: f"/staff/{w.ta_a.pk}/", "Kim Keyworker", act=_add_photo),
    Screen("staff-add", "admin_office", lambda w: "/staff/new/", "Add a staff member"),
    Screen("staff-add-invited", "admin_office", lambda w: "/staff/new/", "Add a staff member", act=_add_existing_person),
    Screen("staff-edit-leader", "admin_office", lambda w: f"/staff/{w.headteacher.pk}/edit/", "Edit Helen Head"),
    Screen("staff-edit-by-headteacher", "headteacher", lambda w: f"/staff/{w.ta_a.pk}/edit/", "Edit Kim Keyworker"),
    Screen("role-edit-admin-office", "admin_office", lambda w: f"/setup/roles/{_role(w, 'teacher').pk}/", "Role: Teacher"),
    Screen("role-edit-leader-role", "admin_office", lambda w: f"/setup/roles/{_role(w, 'admin_office').pk}/", "Role: Admin office"),
    Screen("role-edit-headteacher", "headteacher", lambda w: f"/setup/roles/{_role(w, 'teacher').pk}/", "Role: Teacher"),
    Screen("invitations", "outsider", lambda w: "/accounts/invitations/", "Invitations to join as staff", prepare=_invite_outsider),
    Screen("invitations-accepted", "outsider", lambda w: "/accounts/invitations/", "Invitations to join as staff",
           prepare=_invite_outsider, act=_accept),
    Screen("invitations-none", "teacher_a", lambda w: "/accounts/invitations/", "Invitations to join as staff"),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_staff_screen(world, open_page, screen: Screen):
    check_screen(world, open_page, screen, "tablet")
