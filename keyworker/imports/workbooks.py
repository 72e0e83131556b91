"""Checking an uploaded .xlsx workbook (a ZIP of XML parts) before openpyxl opens it, so that it cannot exhaust memory.

openpyxl, even in read-only mode, builds each row whole before it can be cut to the columns wanted, and reads the
shared strings and styles whole. So before it runs, each part is checked from the ZIP's central directory (the
sizes it declares) and then stream-read with a cap (a part that unzips to more than it declared, or more than the
limit, is refused as soon as it passes it), counting the rows and the cells of each row on the way. Parts must be
UTF-8 (as Excel writes them) so that the count sees every tag, and may not declare a DTD.
"""

import io
import re
import zipfile
import zlib

from keyworker.core.errors import RuleViolation
from keyworker.core.uploads import EXCEL_MAX_COLUMNS, MB, UploadLimits

# A workbook has a few dozen parts; thousands are a ZIP built for something else.
MAX_PARTS = 2000
# Styles, the workbook, relationships, themes: small in any real workbook, and parsed whole by openpyxl.
OTHER_PART_MAX_BYTES = 10 * MB
WHOLE_PARTS = {"[content_types].xml", "xl/workbook.xml", "xl/styles.xml"}
# Text between two tags longer than this is not a cell (cells are checked against the cell limit once read).
MAX_TEXT_RUN = MB
CHUNK = 64 * 1024
# An element named c (a cell) or row, with or without a namespace prefix; the character after the name ends it.
_TAG = rb"<(?:[A-Za-z_][\w.\-]*:)?"
ROW_TAG = re.compile(_TAG + rb"row[\s/>]")
CELL_TAG = re.compile(_TAG + rb"c[\s/>]")
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")
_ASCII_COMPATIBLE = re.compile(r"(utf-?8|us-ascii|ascii|iso-8859-\d+|latin-?1|windows-125\d|cp125\d)", re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def _refuse(message: str) -> RuleViolation:
    return RuleViolation(message, rule="file", field="file")


def _damaged() -> RuleViolation:
    return _refuse("This Excel workbook is damaged or in a form we cannot read. Save it again as .xlsx or CSV.")


def _part_too_large(limits: UploadLimits) -> RuleViolation:
    return _refuse(f"This workbook unzips to more than {limits.max_unzipped_bytes // MB:,} MB, or has a part larger "
                   "than a workbook of that size would. Save it again as .xlsx, or split it into smaller files.")


def part_cap(name: str, limits: UploadLimits) -> int:
    """The most a part may unzip to: the shared strings and the small parts openpyxl reads whole have their own
    limits; the sheets (and parts read-only mode never opens, such as pivot caches) that of the whole workbook."""
    lower = name.lower()
    if lower.endswith("sharedstrings.xml"):
        return min(limits.max_shared_strings_bytes, limits.max_unzipped_bytes)
    if lower in WHOLE_PARTS or lower.endswith(".rels") or lower.startswith(("xl/theme/", "docprops/")):
        return min(OTHER_PART_MAX_BYTES, limits.max_shared_strings_bytes, limits.max_unzipped_bytes)
    return limits.max_unzipped_bytes


def check_workbook(data: bytes, limits: UploadLimits) -> None:
    """RuleViolation if the workbook would unzip, or expand in openpyxl, past the limits; nothing otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise _refuse("This is not an Excel workbook we can read. Save it as .xlsx or CSV and upload that.") from exc
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise _damaged()
        # First what the central directory declares: a workbook that says it is too large is refused unread.
        declared = 0
        for info in parts:
            if info.flag_bits & 0x1:
                raise _refuse("This workbook is protected with a password. Save a copy without one and upload that.")
            if info.file_size > part_cap(info.filename, limits):
                raise _part_too_large(limits)
            declared += info.file_size
        if declared > limits.max_unzipped_bytes:
            raise _part_too_large(limits)
        # Then what each part really unzips to, read a chunk at a time: a header that lies cannot help.
        budget = limits.max_unzipped_bytes
        for info in parts:
            budget -= _scan_part(archive, info, limits, budget)


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: UploadLimits, budget: int) -> int:
    """Stream one part through the checks; the bytes it unzipped to (0 for a part that is not XML)."""
    cap = min(part_cap(info.filename, limits), budget)
    scan: _XmlScan | None = None
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                if scan is None:
                    if not _looks_like_xml(chunk):
                        return 0  # an image or other binary part: openpyxl's read-only mode does not open it
                    scan = _XmlScan(info.filename, limits)
                size += len(chunk)
                if size > cap:
                    raise _part_too_large(limits)
                scan.feed(chunk)
    except RuleViolation:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise _damaged() from exc  # a bad CRC (a part longer than declared), an unknown compression
    if scan is not None:
        scan.close()
    return size


def _looks_like_xml(head: bytes) -> bool:
    """Whether an XML parser would take the part as XML (in any encoding): after byte order marks, NULs and spaces, a "<"."""
    start = head[:256]
    for bom in _BOMS:
        if start.startswith(bom):
            return True
    return start.replace(b"\x00", b"").lstrip().startswith(b"<")


class _XmlScan:
    """Counts rows and the cells of each row of an XML part, fed in chunks, and refuses what openpyxl must not see."""

    def __init__(self, name: str, limits: UploadLimits):
        self.name = name
        self.limits = limits
        self.started = False
        self.carry = b""        # an unfinished tag at the end of the last chunk
        self.text_run = 0       # bytes since the last "<"
        self.rows = 0
        self.row_cells = 0      # cells of the current row (or before any row)
        self.cells = 0

    def feed(self, chunk: bytes) -> None:
        if not self.started:
            self._check_encoding(chunk)
            self.started = True
        buf = self.carry + chunk
        if b"<!DOCTYPE" in buf or b"<!ENTITY" in buf:
            raise _refuse("This workbook declares XML entities, which Excel never writes: it was not read. "
                          "Save it again as .xlsx or CSV.")
        last_open = buf.rfind(b"<")
        if last_open != -1 and buf.find(b">", last_open) == -1:
            # The last tag continues in the next chunk: count it then, whole.
            body, self.carry = buf[:last_open], buf[last_open:]
            if len(self.carry) > MAX_TEXT_RUN:
                raise _damaged()
        else:
            body, self.carry = buf, b""
        self._count(body)
        first = body.find(b"<")
        self.text_run += len(body) if first == -1 else first
        if self.text_run > MAX_TEXT_RUN:
            raise self._cell_too_long()
        if first != -1:
            self.text_run = len(body) - body.rfind(b"<") - 1
        if self.carry:
            self.text_run = 0

    def close(self) -> None:
        if self.carry:
            self._count(self.carry + b" ")

    def _count(self, body: bytes) -> None:
        position = 0
        for row in ROW_TAG.finditer(body):
            self._add_cells(len(CELL_TAG.findall(body, position, row.start())))
            self.rows += 1
            self.row_cells = 0
            position = row.start()
            if self.rows > self.limits.max_rows + 20:
                raise _refuse(f"The file has more than {self.limits.max_rows:,} rows. Split it into smaller files.")
        self._add_cells(len(CELL_TAG.findall(body, position)))

    def _add_cells(self, n: int) -> None:
        if not n:
            return
        self.row_cells += n
        self.cells += n
        if self.row_cells > EXCEL_MAX_COLUMNS:
            raise _refuse(f"A row of this workbook has more than {EXCEL_MAX_COLUMNS:,} cells, more than Excel allows: "
                          "it was not read. Save it again as .xlsx or CSV.")
        if self.cells > self.limits.max_cells:
            raise _refuse(f"The sheet has more than {self.limits.max_cells:,} cells. Export only the rows and columns "
                          "you need, or split it into smaller files.")

    def _check_encoding(self, head: bytes) -> None:
        # Counting tags in the bytes is only sound for an encoding where "<" is the byte "<": UTF-8, as Excel writes.
        if head.startswith(_BOMS[1:]) or b"\x00" in head[:256]:
            raise self._not_utf8()
        declared = _DECLARED_ENCODING.search(head[:256])
        if declared and not _ASCII_COMPATIBLE.fullmatch(declared.group(1).decode("ascii")):
            raise self._not_utf8()

    def _not_utf8(self) -> RuleViolation:
        return _refuse("This workbook has parts in an encoding Excel does not write. Save it again as .xlsx or CSV.")

    def _cell_too_long(self) -> RuleViolation:
        return _refuse(f"The file has a cell longer than {self.limits.max_cell_chars:,} characters. "
                       "Check the export: a cell this long is not a name, date or note.")
