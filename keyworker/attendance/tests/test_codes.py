"""The codes are data: England's 2024 set from the migration, another jurisdiction's loaded the same way."""

import pytest

from keyworker.attendance.codes import CodeRow, codes_load, england_2024
from keyworker.attendance.models import AttendanceCode, Category

pytestmark = pytest.mark.django_db


def test_england_2024_codes_are_loaded_with_their_categories():
    codes = {c.code: c for c in AttendanceCode.objects.filter(jurisdiction="england")}
    assert len(codes) == 34
    assert {c for c, v in codes.items() if v.category == Category.PRESENT} == {"/", "\\", "L", "K", "V", "P", "W", "B"}
    assert {c for c, v in codes.items() if v.category == Category.AUTHORISED} == {"C", "C1", "C2", "M", "J1", "S", "T", "R", "I", "E"}
    assert {c for c, v in codes.items() if v.category == Category.UNAUTHORISED} == {"G", "N", "O", "U"}
    not_possible = {c for c, v in codes.items() if v.category == Category.NOT_POSSIBLE}
    assert not_possible == {"D", "X", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#"}
    assert all(not codes[c].possible for c in not_possible)
    assert all(v.possible for c, v in codes.items() if c not in not_possible)
    # Retired in 2024.
    assert not ({"H", "J", "Y"} & codes.keys())


def test_england_rows_match_the_migration():
    assert [r.code for r in england_2024()] == list(
        AttendanceCode.objects.filter(jurisdiction="england").order_by("order").values_list("code", flat=True)
    )


def test_another_jurisdiction_is_added_as_data():
    n = codes_load(jurisdiction="scotland", rows=[
        CodeRow("01", "In school", Category.PRESENT), CodeRow("21", "Sickness", Category.AUTHORISED),
        CodeRow("30", "Unexplained", Category.UNAUTHORISED), CodeRow("41", "Not required", Category.NOT_POSSIBLE, True),
    ])
    assert n == 4
    scot = {c.code: c for c in AttendanceCode.objects.filter(jurisdiction="scotland")}
    assert scot["41"].possible is False  # not possible is never a possible session
    assert AttendanceCode.objects.filter(jurisdiction="england").count() == 34


def test_unknown_category_is_refused():
    with pytest.raises(ValueError):
        codes_load(jurisdiction="wales", rows=[CodeRow("Q9", "?", "maybe")])
