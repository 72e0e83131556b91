"""Attendance import screens (marks, transfer files) and the childcare room register: axe-core, width, a screenshot."""

import datetime as dt
from pathlib import Path

import pytest

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser

WED = dt.date(2026, 11, 18)
CTF = Path(__file__).resolve().parent.parent / "keyworker" / "attendance" / "tests" / "fixtures" / "ctf_attendance.xml"


def _previous_years(world):
    from keyworker.attendance.ctf import ctf_attendance_import

    world.child_a.upn = "A123456789012"
    world.child_a.save(update_fields=["upn"])
    world.child_b.upn = "B123456789012"
    world.child_b.save(update_fields=["upn"])
    ctf_attendance_import(actor=world.actor(world.admin_office), name="hillview.xml", data=CTF.read_bytes())


def _nursery(world):
    from keyworker.attendance.sessions import SessionOutcome, care_register_save, care_session_book
    from keyworker.organisations.models import SettingKind
    from keyworker.testing import make_child, make_family, make_group, make_setting, make_staff

    setting = make_setting(world.org, kind=SettingKind.EARLY_YEARS, name="Little Acorns")
    world.room = make_group(setting, "Ducklings", year_group="")
    world.key_person = make_staff(world.org, setting, ["teaching_assistant"], [world.room], name="Pat Practitioner")
    names = [("Ivy", "Ash"), ("Leo", "Birch"), ("Mia", "Cedar"), ("Noah", "Elm")]
    children = [make_child(make_family(world.org), setting, world.room, legal_first_name=f, legal_last_name=last)
                for f, last in names]
    actor = world.actor(world.headteacher)
    for days_ago in range(0, 10):
        day = WED - dt.timedelta(days=days_ago)
        if day.weekday() < 5:
            booked = [care_session_book(actor=actor, child=c, date=day) for c in children]
            if days_ago:
                care_register_save(actor=actor, group=world.room, date=day, outcomes=[
                    SessionOutcome(b.pk, "absent", "ill") if (i + days_ago) % 7 == 0 else SessionOutcome(b.pk, "attended")
                    for i, b in enumerate(booked)])


SCREENS = [
    Screen("attendance-import-ctf", "admin_office", lambda w: "/attendance/import/ctf/",
           "Import attendance from a transfer file"),
    Screen("attendance-child-previous-years", "headteacher", lambda w: f"/attendance/children/{w.child_a.pk}/",
           "Attendance: Alfie Adams", prepare=_previous_years),
    Screen("attendance-room-sessions", "key_person", lambda w: f"/attendance/rooms/{w.room.pk}/sessions/",
           "Sessions: Ducklings", prepare=_nursery),
]


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
def test_screen(world, open_page, screen):
    check_screen(world, open_page, screen)
