"""Every CSV or XLSX the product writes goes through here, so no cell can run as a formula in a spreadsheet.

A cell starting with =, +, -, @, a tab or a carriage return is taken for a formula (or DDE) by Excel, LibreOffice
and Google Sheets: such text gets a leading apostrophe, which the spreadsheet shows as text. Numbers stay numbers.
"""

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


class SafeWriter:
    """`csv.writer` whose rows are neutralised first."""

    def __init__(self, stream: Any, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: Any, **options: Any) -> SafeWriter:
    return SafeWriter(stream, **options)


def xlsx_append(worksheet: Any, row: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet, neutralised the same way (openpyxl reads "=…" as a formula)."""
    worksheet.append(safe_row(row))
