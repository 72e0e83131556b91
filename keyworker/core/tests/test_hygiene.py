"""Input hygiene: spreadsheet formulas neutralised, names in NFC without hidden characters, dates that can be true."""

import csv
import datetime as dt
import io
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from keyworker.core.dates import date_problem
from keyworker.core.names import clean_name
from keyworker.core.spreadsheets import csv_writer, safe_cell, xlsx_append

ZOE_COMPOSED = "Zo\u00eb"
ZOE_DECOMPOSED = "Zoe\u0308"


@pytest.mark.parametrize("cell", ["=1+1", "+44 7700", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(cell):
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Alfie", "", "O'Neil", " =x", 5, -5, 2.5, None, dt.date(2026, 1, 1)])
def test_other_cells_are_untouched(cell):
    assert safe_cell(cell) == cell


def test_the_csv_writer_and_the_xlsx_helper_neutralise_every_row():
    buf = io.StringIO()
    csv_writer(buf).writerows([["=cmd|' /C calc'!A0", "ok", -3]])
    assert next(csv.reader(io.StringIO(buf.getvalue()))) == ["'=cmd|' /C calc'!A0", "ok", "-3"]

    class Sheet:
        rows: list = []

        def append(self, row):
            self.rows.append(row)

    sheet = Sheet()
    xlsx_append(sheet, ["@x", 1])
    assert sheet.rows == [["'@x", 1]]


def test_names_are_kept_in_nfc():
    assert clean_name(ZOE_DECOMPOSED) == ZOE_COMPOSED
    assert clean_name(f"  {ZOE_DECOMPOSED} ") == ZOE_COMPOSED
    assert clean_name("Siobhán Ó Briain") == "Siobhán Ó Briain"


@pytest.mark.parametrize("bad", [
    "Al\nfie", "Al\tfie", "Al\rfie", "Al\x00fie", "Al\x7ffie", "Al\u2028fie",  # control characters, line separator
    *[f"Al{chr(c)}fie" for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]],  # direction overrides, isolates
    "Al\u200bfie", "Al\u200cfie", "Al\u200dfie", "\ufeffAlfie", "Al\u2060fie",  # zero-width characters
])
def test_hidden_and_control_characters_are_refused(bad):
    with pytest.raises(ValidationError):
        clean_name(bad)


def test_dates_before_1900_or_after_next_year_cannot_be_true():
    today = dt.date(2026, 11, 18)
    assert date_problem(dt.date(1899, 12, 31), today=today) == "Enter a date in 1900 or later (check the year)."
    assert date_problem(dt.date(1900, 1, 1), today=today) is None
    assert date_problem(dt.date(2027, 12, 31), today=today) is None
    assert "Fri 31 December 2027" in date_problem(dt.date(2028, 1, 1), today=today)
    assert date_problem(None, today=today) is None


def test_the_decomposed_form_is_really_different_bytes():
    assert ZOE_DECOMPOSED != ZOE_COMPOSED and unicodedata.normalize("NFC", ZOE_DECOMPOSED) == ZOE_COMPOSED
