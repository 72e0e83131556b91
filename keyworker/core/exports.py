"""A list page as a download: the rows the page lists, with its filters applied (every page of them), as CSV or XLSX.

A list view builds its rows as usual, then asks `wanted(request)`; when the query string says `download=csv` or
`download=xlsx` it answers with `table_download(...)` instead of the page. Every cell goes through
`keyworker.core.spreadsheets`, so no text can run as a formula; each download is written to the audit log (what,
which filters, how many rows) before the file goes out. `download_links(request)` gives the page its two links,
with the page's own filters and without its page number.
"""

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.utils.text import slugify

from .audit import audit_record
from .replica import replica_reads
from .spreadsheets import csv_writer, xlsx_append

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class DownloadLinks:
    csv: str
    xlsx: str


def wanted(request: HttpRequest) -> str | None:
    """"csv" or "xlsx" when the page is asked for as a download; None for the page itself."""
    value = request.GET.get("download", "")
    return value if value in FORMATS else None


def download_links(request: HttpRequest) -> DownloadLinks:
    query = [(k, v) for k, values in request.GET.lists() for v in values if k not in {"page", "download"} and v]
    return DownloadLinks(*(("?" + urlencode([*query, ("download", fmt)])) for fmt in FORMATS))


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (int, float, dt.date)):
        return value
    return str(value)


def table_bytes(fmt: str, *, title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[bytes, int]:
    """The file's bytes and the number of rows written (the header not counted)."""
    n = 0
    if fmt == "csv":
        stream = io.StringIO()
        writer = csv_writer(stream)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
            n += 1
        # A byte-order mark, so that Excel opens UTF-8 names (é, ł, ñ) as they are.
        return ("\ufeff" + stream.getvalue()).encode("utf-8"), n
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        xlsx_append(sheet, [_cell(v) for v in row])
        n += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), n


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return (cleaned or "Export")[:31]


def table_download(request: HttpRequest, fmt: str, *, actor, name: str, title: str, columns: Sequence[str],
                   rows: Iterable[Sequence[Any]], as_of: dt.date | None = None) -> HttpResponse:
    """The download of a list: `name` is the file's stem (e.g. "families"), `title` the page's heading."""
    with replica_reads():  # the rows are read as the file is written: a download may read a moment behind
        data, n = table_bytes(fmt, title=title, columns=columns, rows=rows)
    filters = {k: v for k, v in request.GET.items() if k not in {"page", "download"} and v}
    audit_record(organisation_id=actor.organisation_id, actor=actor.user, event_type="export.downloaded",
                 summary=f"{title} downloaded as {fmt.upper()} ({n} row{'s' if n != 1 else ''})",
                 data={"list": name, "format": fmt, "rows": n, "filters": filters})
    response = HttpResponse(data, content_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE)
    stamp = f"-{as_of:%Y-%m-%d}" if as_of else ""
    response["Content-Disposition"] = f'attachment; filename="{slugify(name) or "export"}{stamp}.{fmt}"'
    return response
