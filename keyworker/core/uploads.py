"""Limits on uploaded files, read from the settings, and the upload handler that stops an oversized file mid-request.

Every reader of an uploaded file (imports, attendance marks, transfer files) takes its limits from `upload_limits()`
so that one set of settings bounds the size, rows, columns, cells and unzipped size of whatever is uploaded.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

MB = 1024 * 1024
# Excel's own limits: a row with more cells, or a sheet with more rows, was not written by a spreadsheet.
EXCEL_MAX_COLUMNS = 16_384


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_rows: int
    max_columns: int
    max_cell_chars: int
    max_cells: int
    max_unzipped_bytes: int
    max_shared_strings_bytes: int

    @property
    def max_mb(self) -> int:
        return max(1, self.max_bytes // MB)

    @property
    def max_line_chars(self) -> int:
        """A CSV line longer than this cannot hold max_columns cells of max_cell_chars (with quotes and separators)."""
        return self.max_columns * (self.max_cell_chars + 3)


def upload_limits(*, max_rows: int | None = None, max_cells: int | None = None) -> UploadLimits:
    """The limits in force now (tests change them with `settings`); `max_rows` and `max_cells` for readers with their
    own (the attendance marks file: a million narrow rows)."""
    return UploadLimits(
        max_bytes=settings.KEYWORKER_UPLOAD_MAX_MB * MB,
        max_rows=max_rows if max_rows is not None else settings.KEYWORKER_UPLOAD_MAX_ROWS,
        max_columns=settings.KEYWORKER_UPLOAD_MAX_COLUMNS,
        max_cell_chars=settings.KEYWORKER_UPLOAD_MAX_CELL_CHARS,
        max_cells=max_cells if max_cells is not None else settings.KEYWORKER_UPLOAD_MAX_CELLS,
        max_unzipped_bytes=settings.KEYWORKER_UPLOAD_MAX_UNZIPPED_MB * MB,
        max_shared_strings_bytes=settings.KEYWORKER_UPLOAD_MAX_SHARED_STRINGS_MB * MB,
    )


def too_large_message(limits: UploadLimits | None = None) -> str:
    limits = limits or upload_limits()
    return f"The file is larger than {limits.max_mb} MB. Split it into smaller files."


class BoundedUploadHandler(FileUploadHandler):
    """First of the upload handlers: drops a file as soon as it passes KEYWORKER_UPLOAD_MAX_MB.

    Without it a file of any size is written to a temporary file before the view can look at it. The dropped file's
    field is named in `request.upload_refused`, so the page can say why rather than "choose a file".
    """

    def new_file(self, field_name: str, *args, **kwargs) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.received = 0
        self.max_bytes = upload_limits().max_bytes

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            if self.request is not None:
                refused = getattr(self.request, "upload_refused", None)
                if refused is None:
                    refused = self.request.upload_refused = {}
                refused[self.field_name] = too_large_message()
            raise SkipFile  # the parser reads past the rest of this file without keeping it
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler keeps the file


def upload_refusal(request: HttpRequest, field: str = "file") -> str:
    """Why the upload handler dropped the file of `field`, or ""."""
    return (getattr(request, "upload_refused", None) or {}).get(field, "")
