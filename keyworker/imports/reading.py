"""Reading an uploaded CSV or XLSX export into a header row and data rows, whatever its encoding or separator."""

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from keyworker.core.errors import RuleViolation
from keyworker.core.uploads import UploadLimits, too_large_message, upload_limits

from .workbooks import check_workbook

CSV_EXTENSIONS = {".csv", ".txt", ".tsv"}
XLSX_EXTENSIONS = {".xlsx", ".xlsm"}
ACCEPTED_EXTENSIONS = CSV_EXTENSIONS | XLSX_EXTENSIONS
# Rows before the header that may be a title ("Pupil list, printed on ...") and are not counted against the limit.
TITLE_ROWS = 20
SAMPLE_CHARS = 65536

Cell = str | dt.date | dt.datetime | float | int | None


@dataclass
class Table:
    """The header row and the data rows; `lines[i]` is the line (spreadsheet row) of `rows[i]`."""

    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def unreadable(message: str) -> RuleViolation:
    return RuleViolation(message, rule="file", field="file")


def too_many_rows(limits: UploadLimits) -> RuleViolation:
    return unreadable(f"The file has more than {limits.max_rows:,} rows. Split it into smaller files.")


def too_many_columns(limits: UploadLimits, line: int | None = None) -> RuleViolation:
    where = f"Line {line} has" if line is not None else "The file has"
    return unreadable(f"{where} more than {limits.max_columns:,} columns. Export only the columns you need.")


def cell_too_long(limits: UploadLimits, line: int | None = None) -> RuleViolation:
    where = f"Line {line} has" if line is not None else "The file has"
    return unreadable(f"{where} a cell longer than {limits.max_cell_chars:,} characters. "
                      "Check the export: a cell this long is not a name, date or note.")


def check_extension(name: str) -> str:
    suffix = PurePath(name or "").suffix.lower()
    if suffix == ".xls":
        raise unreadable("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload that.")
    if suffix not in ACCEPTED_EXTENSIONS:
        raise unreadable("Choose a CSV file (.csv) or an Excel workbook (.xlsx).")
    return suffix


def check_size(data: bytes, limits: UploadLimits) -> None:
    if not data or not data.strip():
        raise unreadable("The file is empty.")
    if len(data) > limits.max_bytes:
        raise unreadable(too_large_message(limits))


def is_workbook(name: str, data: bytes) -> bool:
    return data[:2] == b"PK" or PurePath(name or "").suffix.lower() in XLSX_EXTENSIONS


def read_table(name: str, data: bytes, *, limits: UploadLimits | None = None) -> Table:
    """The table in the file, or RuleViolation saying in plain words why it cannot be read.

    Every limit (size, rows, columns, cell length; for a workbook its unzipped parts) is checked before or while the
    file is read, so a file built to exhaust memory is refused with a message rather than read.
    """
    limits = limits or upload_limits()
    check_extension(name)
    check_size(data, limits)
    if is_workbook(name, data):
        raw = _xlsx_rows(data, limits)
    else:
        raw = list(csv_rows(data, limits))
    return _table(raw, limits)


def decode_text(data: bytes) -> str:
    """The text of a CSV export: UTF-8 (with or without a byte order mark), UTF-16 or UTF-32, or Windows cp1252."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            # Excel's "Unicode text" export is UTF-16 with a byte order mark.
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise unreadable(_bad_encoding(f"it starts as {encoding.upper().replace('-SIG', '')} text but is not")) from exc
    head = data[:4096]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and not head[0::2].count(0):
        encoding = "utf-16-le"  # UTF-16 without its byte order mark: every other byte is zero
    elif len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and not head[1::2].count(0):
        encoding = "utf-16-be"
    else:
        encoding = ""
    if encoding:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise unreadable(_bad_encoding("it looks like UTF-16 text but is not")) from exc
    if b"\x00" in data[:SAMPLE_CHARS]:
        raise unreadable("This does not look like a CSV file: it contains binary data. Export the report as CSV or .xlsx.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # Windows exports (SIMS) with £, é, ’
    except UnicodeDecodeError as exc:
        raise unreadable(_bad_encoding("its characters are neither UTF-8 nor Windows (cp1252) text")) from exc


def _bad_encoding(why: str) -> str:
    return f"The file's text could not be read: {why}. Save it again as “CSV UTF-8” and upload that."


def _bounded_lines(text: str, limits: UploadLimits) -> Iterator[str]:
    """The physical lines of the text, refusing one too long to be a row (a million separators on one line)."""
    longest = limits.max_line_chars
    for n, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > longest:
            raise unreadable(f"Line {n} is longer than {longest:,} characters. Export only the columns you need.")
        yield line


def csv_rows(data: bytes, limits: UploadLimits) -> Iterator[tuple[int, list[str]]]:
    """Each row of a CSV file with its line number, checked against the limits as it is read."""
    text = decode_text(data)
    sample = text[:SAMPLE_CHARS]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > len(sample) / 100:
        raise unreadable("This does not look like a CSV file. Export the report as CSV or .xlsx.")
    n = cells = 0
    try:
        for n, row in enumerate(csv.reader(_bounded_lines(text, limits), dialect), start=1):
            if n > limits.max_rows + TITLE_ROWS:
                raise too_many_rows(limits)
            cells += len(row)
            if cells > limits.max_cells:
                raise unreadable(f"The file has more than {limits.max_cells:,} cells. Export only the rows and columns "
                                 "you need, or split it into smaller files.")
            width = len(row)
            while width and not row[width - 1].strip():
                width -= 1
            if width > limits.max_columns:
                raise too_many_columns(limits, n)
            if any(len(cell) > limits.max_cell_chars for cell in row):
                raise cell_too_long(limits, n)
            yield n, row
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise cell_too_long(limits, n + 1) from exc
        raise unreadable(f"The CSV file could not be read near line {n + 1}: {exc}.") from exc


def _xlsx_rows(data: bytes, limits: UploadLimits) -> list[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    # Before openpyxl sees it: the parts' unzipped sizes, the cells of each row, no DTDs (see workbooks.py).
    check_workbook(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise unreadable("This is not an Excel workbook we can read. Save it as .xlsx or CSV and upload that.") from exc
    except Exception as exc:  # defusedxml's refusals, a damaged part: openpyxl can fail anywhere
        raise unreadable("This Excel workbook is damaged or in a form we cannot read. Save it again as .xlsx or CSV.") from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise unreadable("The workbook has no sheets.")
        rows: list[tuple[int, list[Cell]]] = []
        # Read-only mode streams the sheet a row at a time. The declared dimension (which may claim 16,384 columns
        # and a million rows, or fewer than there are) is dropped: each row is as long as its last cell, which the
        # check above has bounded.
        sheet.reset_dimensions()
        last_row = limits.max_rows + TITLE_ROWS
        for n, values in enumerate(sheet.iter_rows(values_only=True, max_row=last_row + 1), start=1):
            if n > last_row:
                raise too_many_rows(limits)
            cells = [_xlsx_cell(v) for v in values]
            while cells and cells[-1] is None:
                cells.pop()
            if len(cells) > limits.max_columns:
                raise too_many_columns(limits, n)
            if any(isinstance(c, str) and len(c) > limits.max_cell_chars for c in cells):
                raise cell_too_long(limits, n)
            rows.append((n, cells))
        return rows
    except RuleViolation:
        raise
    except Exception as exc:  # a damaged workbook can fail anywhere inside openpyxl
        raise unreadable("This Excel workbook is damaged or in a form we cannot read. Save it again as .xlsx or CSV.") from exc
    finally:
        workbook.close()


def _xlsx_cell(value: object) -> Cell:
    if value is None or isinstance(value, str | dt.date | dt.datetime):
        return value  # type: ignore[return-value]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _table(raw: list[tuple[int, list[Cell]]], limits: UploadLimits) -> Table:
    """The first row with two or more filled cells is the header (exports may start with a title row)."""
    header_at = None
    for i, (_, row) in enumerate(raw[:TITLE_ROWS]):
        if sum(1 for c in row if not _blank(c)) >= 2:
            header_at = i
            break
    if header_at is None:
        header_at = next((i for i, (_, row) in enumerate(raw) if any(not _blank(c) for c in row)), None)
    if header_at is None:
        raise unreadable("The file is empty.")
    header_row = raw[header_at][1]
    while header_row and _blank(header_row[-1]):
        header_row = header_row[:-1]
    if len(header_row) > limits.max_columns:
        raise too_many_columns(limits)
    headers = [_header_text(c) for c in header_row]
    table = Table(headers=headers)
    for line, row in raw[header_at + 1:]:
        if all(_blank(c) for c in row):
            continue
        table.rows.append(row)
        table.lines.append(line)
    if not table.rows:
        raise unreadable("The file has column headings but no rows of data.")
    if len(table.rows) > limits.max_rows:
        raise too_many_rows(limits)
    return table


def _header_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    return " ".join(str(cell).replace("\ufeff", "").split())


def cell_text(cell: Cell) -> str:
    """A cell as trimmed text (numbers without a trailing .0; dates as dd/mm/yyyy)."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, dt.datetime):
        cell = cell.date()
    if isinstance(cell, dt.date):
        return f"{cell:%d/%m/%Y}"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def sample_rows(table: Table, count: int = 3) -> list[list[str]]:
    width = len(table.headers)
    return [[cell_text(c) for c in row[:width]] for row in table.rows[:count]]
