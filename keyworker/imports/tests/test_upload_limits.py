"""Uploads built to exhaust memory or time are refused with a message before they are read (finding 7).

Each case is a small generated file (a workbook kept small by compression) with the limits set low, so the test is
fast; the benchmark (bench/bench_uploads.py) runs the full-size files and measures peak memory.
"""

import codecs
import time
import tracemalloc

import pytest

from keyworker.core.errors import RuleViolation
from keyworker.imports.reading import read_table

from . import files
from .conftest import sample

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


@pytest.fixture
def low_limits(settings):
    settings.KEYWORKER_UPLOAD_MAX_MB = 2
    settings.KEYWORKER_UPLOAD_MAX_ROWS = 50
    settings.KEYWORKER_UPLOAD_MAX_COLUMNS = 20
    settings.KEYWORKER_UPLOAD_MAX_CELL_CHARS = 100
    settings.KEYWORKER_UPLOAD_MAX_CELLS = 5000
    settings.KEYWORKER_UPLOAD_MAX_UNZIPPED_MB = 4
    settings.KEYWORKER_UPLOAD_MAX_SHARED_STRINGS_MB = 1
    return settings


def refused(name: str, data: bytes, words: str) -> None:
    with pytest.raises(RuleViolation, match=words) as caught:
        read_table(name, data)
    assert caught.value.field == "file"


# Workbooks ----------------------------------------------------------------------------------------------------------


def test_one_row_of_many_cells_is_refused_before_openpyxl_builds_it(low_limits):
    """The 2.2 MB workbook of one 20-million-cell row took the server past 7 GB: now it is refused at the row's
    16,385th cell, unread, in little memory."""
    bomb = files.one_row_bomb(cells=2_000_000)
    assert len(bomb) < 100_000
    low_limits.KEYWORKER_UPLOAD_MAX_UNZIPPED_MB = 50
    low_limits.KEYWORKER_UPLOAD_MAX_CELLS = 10_000_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        refused("bomb.xlsx", bomb, "more than 16,384 cells")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024 and time.perf_counter() - started < 10


def test_a_row_of_many_cells_within_excels_columns_is_refused_by_the_cell_limit(low_limits):
    row = b'<row r="1">' + b"<c><v>1</v></c>" * 6000 + b"</row>"
    refused("wide.xlsx", files.rezip(files.workbook([["a", "b"]]), {SHEET: files.sheet_xml(row)}), "more than 5,000 cells")


def test_a_huge_declared_dimension_is_not_trusted(low_limits):
    """A sheet declaring 16,384 columns and a million rows, with two real rows, reads as the two rows."""
    body = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>Forename</t></is></c><c r="B1" t="inlineStr"><is><t>Surname'
            b'</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Amy</t></is></c><c r="B2" t="inlineStr">'
            b"<is><t>Smith</t></is></c></row>")
    data = files.rezip(files.workbook([["x"]]), {SHEET: files.sheet_xml(body, dimension="A1:XFD1048576")})
    table = read_table("big.xlsx", data)
    assert table.headers == ["Forename", "Surname"] and table.rows == [["Amy", "Smith"]]


def test_a_row_numbered_past_the_limit_is_refused_without_reading_the_rows_between(low_limits):
    body = b'<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row><row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    data = files.rezip(files.workbook([["x"]]), {SHEET: files.sheet_xml(body)})
    refused("far.xlsx", data, "more than 50 rows")


def test_more_rows_than_the_limit_are_refused_while_the_sheet_is_scanned(low_limits):
    data = files.workbook([["Forename", "Surname"]] + [["Amy", "Smith"]] * 200)
    refused("long.xlsx", data, "more than 50 rows")


def test_a_shared_strings_part_that_unzips_past_its_limit_is_refused(low_limits):
    """The 1 MB workbook with a 1 GB shared string ran 41 s to a 500; a small one here (5 MB unzipped, 1 MB allowed)."""
    bomb = files.shared_strings_bomb(chars=5 * 1024 * 1024)
    assert len(bomb) < 50_000
    started = time.perf_counter()
    refused("strings.xlsx", bomb, "unzips to more than")
    assert time.perf_counter() - started < 2


def test_a_zip_header_that_understates_a_part_does_not_help(low_limits):
    """The central directory says 1 KB; the part really unzips to 5 MB: refused as soon as it passes what it declared."""
    bomb = files.lie_about_size(files.shared_strings_bomb(chars=5 * 1024 * 1024), STRINGS, 1024)
    refused("liar.xlsx", bomb, "damaged")


def test_the_total_unzipped_size_is_limited(low_limits):
    """Four sheets of 0.9 MB each, each within the limit of 3 MB, together past it."""
    low_limits.KEYWORKER_UPLOAD_MAX_UNZIPPED_MB = 3
    filler = files.sheet_xml(b"<!-- " + b"x " * 450_000 + b"-->")
    sheets = {f"xl/worksheets/sheet{i}.xml": filler for i in range(2, 6)}
    refused("many.xlsx", files.rezip(files.workbook([["a", "b"]]), sheets), "unzips to more than 3 MB")


def test_a_workbook_part_with_a_dtd_is_refused(low_limits):
    evil = (b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<sst xmlns="' + files.MAIN_NS.encode() + b'" count="1" uniqueCount="1"><si><t>&b;</t></si></sst>')
    data = files.rezip(files.workbook([["Forename", "Surname"], ["Amy", "Smith"]]), {STRINGS: evil})
    refused("dtd.xlsx", data, "declares XML entities")


def test_a_workbook_part_in_utf16_is_refused(low_limits):
    sheet = files.sheet_xml(b'<row r="1"><c r="A1"><v>1</v></c></row>').replace(b'encoding="UTF-8"', b'encoding="UTF-16"')
    utf16 = codecs.BOM_UTF16_LE + sheet.decode().encode("utf-16-le")
    refused("utf16.xlsx", files.rezip(files.workbook([["a", "b"]]), {SHEET: utf16}), "encoding Excel does not write")


def test_a_cell_longer_than_the_limit_is_refused_with_its_line(low_limits):
    data = files.workbook([["Forename", "Surname"], ["Amy", "Smith"], ["Ben", "x" * 101]])
    refused("long-cell.xlsx", data, "Line 3 has a cell longer than 100 characters")


def test_more_columns_than_the_limit_are_refused(low_limits):
    data = files.workbook([[f"C{i}" for i in range(25)], ["x"] * 25])
    refused("wide.xlsx", data, "more than 20 columns")


def test_a_valid_workbook_still_reads_within_the_limits(low_limits):
    low_limits.KEYWORKER_UPLOAD_MAX_COLUMNS = 40
    table = read_table("children_good.xlsx", sample("children_good.xlsx"))
    assert len(table.rows) == 20 and table.headers[0] == "Legal Forename"


def test_a_password_protected_or_damaged_zip_says_so(low_limits):
    data = bytearray(files.workbook([["a", "b"], ["c", "d"]]))
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1  # the encrypted flag
    refused("locked.xlsx", bytes(data), "protected with a password")


# CSV ----------------------------------------------------------------------------------------------------------------


def test_csv_rows_columns_lines_and_cells_are_limited(low_limits):
    refused("rows.csv", b"Forename,Surname\n" + b"Amy,Smith\n" * 80, "more than 50 rows")
    refused("cols.csv", b"Forename,Surname\nAmy,Smith\n" + b"x," * 30 + b"x\n", "Line 3 has more than 20 columns")
    refused("cell.csv", b"Forename,Surname\nAmy," + b"x" * 101 + b"\n", "Line 2 has a cell longer than 100")
    refused("line.csv", b"Forename,Surname\n" + b"," * 3000 + b"\n", "Line 2 is longer than")
    low_limits.KEYWORKER_UPLOAD_MAX_ROWS = 10_000
    refused("cells.csv", b"Forename,Surname\n" + b"a,b,c,d,e,f,g,h,i,j\n" * 600, "more than 5,000 cells")


def test_a_csv_cell_past_the_csv_modules_own_limit_says_which_limit(settings):
    refused("huge.csv", b"Forename,Surname\nAmy,\"" + b"x" * 200_000 + b"\"\n", "cell longer than 10,000 characters")


@pytest.mark.parametrize(("encoding", "prefix"), [
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""), ("utf-32-le", codecs.BOM_UTF32_LE), ("cp1252", b""),
])
def test_csv_encodings_are_read(encoding, prefix):
    text = "Forename,Surname,Note\nZoë,Brontë,£5 – paid\n"
    table = read_table("x.csv", prefix + text.encode(encoding))
    assert table.rows == [["Zoë", "Brontë", "£5 – paid"]]


def test_a_csv_in_an_encoding_we_cannot_read_says_so():
    refused("x.csv", b"Forename,Surname\nAmy,Sm\x81th\n", "Save it again as “CSV UTF-8”")
    refused("x.csv", codecs.BOM_UTF16_LE + "Forename,Surname\n".encode("utf-16-le") + b"\x00", "UTF-16")


def test_a_file_past_the_size_limit_is_refused_unread(low_limits):
    refused("big.csv", b"Forename,Surname\n" + b"Amy,Smith\n" * 250_000, "larger than 2 MB")


def test_parts_openpyxl_reads_whole_are_small_while_parts_it_never_opens_may_be_large(low_limits):
    good = files.workbook([["Forename", "Surname"], ["Amy", "Smith"]])
    styles = files.parts(good)["xl/styles.xml"].replace(b"</styleSheet>", b"<!--" + b" x" * 700_000 + b"--></styleSheet>")
    refused("styles.xlsx", files.rezip(good, {"xl/styles.xml": styles}), "unzips to more than")
    pivot = b'<?xml version="1.0"?><pivotCacheRecords>' + b'<r><n v="1"/></r>' * 150_000 + b"</pivotCacheRecords>"
    data = files.rezip(good, {"xl/pivotCache/pivotCacheRecords1.xml": pivot})
    assert read_table("pivot.xlsx", data).rows == [["Amy", "Smith"]]
