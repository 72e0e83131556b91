"""Reading CSV and XLSX files whatever their encoding, separator or damage; unreadable files say why."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from keyworker.core.errors import RuleViolation
from keyworker.imports.reading import read_table

from .conftest import sample


def test_good_csv():
    t = read_table("children_good.csv", sample("children_good.csv"))
    assert t.headers[:3] == ["Legal Forename", "Legal Surname", "Preferred Forename"]
    assert len(t.rows) == 20 and t.lines[0] == 2 and t.lines[-1] == 21


def test_xlsx_keeps_real_dates():
    t = read_table("children_good.xlsx", sample("children_good.xlsx"))
    assert len(t.rows) == 20
    assert isinstance(t.rows[0][3], dt.datetime)


def test_latin1_semicolons_and_bom():
    latin = "Forename;Surname;DOB\nZoë;Brontë;01/02/2019\n".encode("cp1252")
    t = read_table("x.csv", latin)
    assert t.rows[0][:2] == ["Zoë", "Brontë"]
    bom = "\ufeffForename,Surname,DOB\nAmy,Smith,01/02/2019\n".encode()
    assert read_table("x.csv", bom).headers == ["Forename", "Surname", "DOB"]
    utf16 = "Forename\tSurname\tDOB\r\nAmy\tSmith\t01/02/2019\r\n".encode("utf-16")
    assert read_table("x.txt", utf16).rows == [["Amy", "Smith", "01/02/2019"]]


def test_title_rows_and_blank_lines_are_skipped_and_lines_kept():
    data = b"Pupil list,\n\nForename,Surname\nAmy,Smith\n,\nBen,Jones\n"
    t = read_table("x.csv", data)
    assert t.headers == ["Forename", "Surname"]
    assert t.rows == [["Amy", "Smith"], ["Ben", "Jones"]] and t.lines == [4, 6]


@pytest.mark.parametrize(("name", "data", "words"), [
    ("x.csv", b"", "empty"),
    ("x.csv", b"   \n\n", "empty"),
    ("x.csv", b"Forename,Surname,DOB\n", "no rows of data"),
    ("x.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    ("x.pdf", b"%PDF-1.4", "Choose a CSV file"),
    ("x.xls", b"\xd0\xcf\x11\xe0", "old Excel file"),
    ("x.xlsx", b"Forename,Surname\nAmy,Smith\n", "not an Excel workbook"),
    ("x.xlsx", b"PK\x03\x04garbage", "not an Excel workbook"),
])
def test_unreadable_files_say_why(name, data, words):
    with pytest.raises(RuleViolation, match=words):
        read_table(name, data)


def test_an_xlsx_named_csv_is_read_as_a_workbook():
    wb = Workbook()
    wb.active.append(["Forename", "Surname"])
    wb.active.append(["Amy", "Smith"])
    buf = io.BytesIO()
    wb.save(buf)
    assert read_table("export.csv", buf.getvalue()).rows == [["Amy", "Smith"]]


def test_too_many_rows_or_columns(settings):
    settings.KEYWORKER_UPLOAD_MAX_ROWS = 5
    data = "Forename,Surname\n" + "Amy,Smith\n" * 30
    with pytest.raises(RuleViolation, match="more than 5 rows"):
        read_table("x.csv", data.encode())
    wide = ",".join(f"C{i}" for i in range(501)) + "\n" + ",".join("x" * 501) + "\n"
    with pytest.raises(RuleViolation, match="more than 500 columns"):
        read_table("x.csv", wide.encode())
