"""Reading an uploaded CSV or XLSX export into a header row and data rows, whatever its encoding or separator."""

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from keyworker.core.errors import RuleViolation

CSV_EXTENSIONS = {".csv", ".txt", ".tsv"}
XLSX_EXTENSIONS = {".xlsx", ".xlsm"}
ACCEPTED_EXTENSIONS = CSV_EXTENSIONS | XLSX_EXTENSIONS
MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_COLUMNS = 500
MAX_ROWS = 100_000

Cell = str | dt.date | dt.datetime | float | int | None


@dataclass
class Table:
    """The header row and the data rows; `lines[i]` is the line (spreadsheet row) of `rows[i]`."""

    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def unreadable(message: str) -> RuleViolation:
    return RuleViolation(message, rule="file", field="file")


def _too_many_rows() -> RuleViolation:
    return unreadable(f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files.")


def check_extension(name: str) -> str:
    suffix = PurePath(name or "").suffix.lower()
    if suffix == ".xls":
        raise unreadable("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload that.")
    if suffix not in ACCEPTED_EXTENSIONS:
        raise unreadable("Choose a CSV file (.csv) or an Excel workbook (.xlsx).")
    return suffix


def read_table(name: str, data: bytes) -> Table:
    """The table in the file, or RuleViolation saying in plain words why it cannot be read."""
    suffix = check_extension(name)
    if not data or not data.strip():
        raise unreadable("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise unreadable(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into smaller files.")
    if data[:2] == b"PK" or suffix in XLSX_EXTENSIONS:
        raw = _xlsx_rows(data)
    else:
        raw = _csv_rows(data)
    return _table(raw)


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # Excel's "Unicode text" export is UTF-16 with a byte order mark.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise unreadable("The file's text could not be read.") from exc
    if b"\x00" in data[:65536]:
        raise unreadable("This does not look like a CSV file: it contains binary data. Export the report as CSV or .xlsx.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # Windows exports (SIMS) with £, é, ’
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _csv_rows(data: bytes) -> list[tuple[int, list[Cell]]]:
    text = _decode(data)
    sample = text[:65536]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > len(sample) / 100:
        raise unreadable("This does not look like a CSV file. Export the report as CSV or .xlsx.")
    rows: list[tuple[int, list[Cell]]] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        for n, row in enumerate(reader, start=1):
            if n > MAX_ROWS + 20:
                raise _too_many_rows()
            rows.append((n, list(row)))
    except csv.Error as exc:
        raise unreadable(f"The CSV file could not be read near line {len(rows) + 1}: {exc}.") from exc
    return rows


def _xlsx_rows(data: bytes) -> list[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise unreadable("This is not an Excel workbook we can read. Save it as .xlsx or CSV and upload that.") from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise unreadable("The workbook has no sheets.")
        rows: list[tuple[int, list[Cell]]] = []
        # A sheet formatted to its last column would otherwise yield 16,384 cells a row.
        width = sheet.max_column
        max_col = min(width, MAX_COLUMNS + 1) if width else MAX_COLUMNS + 1
        for n, values in enumerate(sheet.iter_rows(values_only=True, max_col=max_col), start=1):
            if n > MAX_ROWS + 20:
                raise _too_many_rows()
            cells = [_xlsx_cell(v) for v in values]
            while cells and cells[-1] is None:
                cells.pop()
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


def _table(raw: list[tuple[int, list[Cell]]]) -> Table:
    """The first row with two or more filled cells is the header (exports may start with a title row)."""
    header_at = None
    for i, (_, row) in enumerate(raw[:20]):
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
    if len(header_row) > MAX_COLUMNS:
        raise unreadable(f"The file has more than {MAX_COLUMNS} columns. Export only the columns you need.")
    headers = [_header_text(c) for c in header_row]
    table = Table(headers=headers)
    for line, row in raw[header_at + 1:]:
        if all(_blank(c) for c in row):
            continue
        table.rows.append(row)
        table.lines.append(line)
    if not table.rows:
        raise unreadable("The file has column headings but no rows of data.")
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
