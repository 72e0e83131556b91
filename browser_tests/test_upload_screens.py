"""Refused uploads as a person sees them (finding 7): a workbook bomb on the import page, a transfer file with a DTD
on the attendance page; each a message by the file field, axe-core clean, at tablet width, with a screenshot."""

import pytest
from playwright.sync_api import expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser

BILLION_LAUGHS = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE CTfile [<!ENTITY a "lol">'
                  '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><CTfile>&b;</CTfile>')


def _upload_bomb(page, world):
    from keyworker.imports.tests import files

    page.get_by_label("File", exact=True).set_input_files(files=[{
        "name": "class-list.xlsx", "buffer": files.one_row_bomb(cells=200_000),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }])
    page.get_by_role("button", name="Upload and choose the columns").click()
    expect(page.get_by_text("more than 16,384 cells").first).to_be_visible()


def _upload_dtd(page, world):
    page.get_by_label("Transfer file (.xml)").set_input_files(files=[{
        "name": "transfer.xml", "buffer": BILLION_LAUGHS.encode("utf-16"), "mimeType": "application/xml",
    }])
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("declares a DTD or XML entities").first).to_be_visible()


SCREENS = [
    Screen("imports-refused-workbook", "admin_office", lambda w: "/import/", "Import from your MIS", act=_upload_bomb),
    Screen("attendance-import-ctf-refused", "admin_office", lambda w: "/attendance/import/ctf/",
           "Import attendance from a transfer file", act=_upload_dtd),
]


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
def test_screen(world, open_page, screen):
    check_screen(world, open_page, screen)
