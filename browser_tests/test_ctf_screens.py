"""Common transfer file screens, for the office at tablet width: axe-core WCAG 2.2 A/AA, no sideways scrolling, a
screenshot each. The upload page, a bad file's message, the preview (new pupils, changes, warnings, not kept), the
preview of a file with errors, and the imported result."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser

CTF = Path(__file__).resolve().parent.parent / "keyworker" / "imports" / "fixtures" / "ctf"


def _upload(world, name: str, confirm: bool = False):
    from keyworker.imports.ctf_services import ctf_confirm, ctf_upload

    actor = world.actor(world.admin_office)
    done = ctf_upload(actor=actor, setting=world.school, name=name, data=(CTF / name).read_bytes())
    if confirm:
        done = ctf_confirm(actor=actor, upload=done)
    world.ctf_upload_id = done.pk


def _changes(world):
    _upload(world, "transfer_full.xml", confirm=True)
    _upload(world, "transfer_partial.xml")


def _bad_file(page: Page, world):
    page.get_by_label("Common transfer file").set_input_files(files=[{
        "name": "bomb.xml", "mimeType": "application/xml", "buffer": (CTF / "billion_laughs.xml").read_bytes(),
    }])
    page.locator("main").get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


def _preview(w):
    return f"/import/ctf/{w.ctf_upload_id}/"


SCREENS = [
    Screen("ctf-upload", "admin_office", lambda w: "/import/ctf/", "Import a common transfer file"),
    Screen("ctf-upload-bad-file", "admin_office", lambda w: "/import/ctf/", "Import a common transfer file", act=_bad_file),
    Screen("ctf-preview", "admin_office", _preview, "Check before importing",
           prepare=lambda w: _upload(w, "transfer_full.xml")),
    Screen("ctf-preview-changes", "headteacher", _preview, "Check before importing", prepare=_changes),
    Screen("ctf-preview-errors", "admin_office", _preview, "Check before importing",
           prepare=lambda w: _upload(w, "pupil_errors.xml")),
    Screen("ctf-imported", "admin_office", _preview, "Imported",
           prepare=lambda w: _upload(w, "transfer_full.xml", confirm=True)),
    Screen("ctf-upload-key-worker", "ta_a", lambda w: "/import/ctf/", None, status=403),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_ctf_screen(world, open_page, screen: Screen):
    check_screen(world, open_page, screen, "tablet")
