"""Small generated files for the upload tests and the benchmark: good workbooks, and workbooks built to exhaust memory
(kept small by compression), written part by part with zipfile."""

import io
import struct
import zipfile

from openpyxl import Workbook

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def rezip(data: bytes, replace: dict[str, bytes | None], level: int = 9) -> bytes:
    """The workbook with some parts replaced (or, with None, removed)."""
    members = parts(data)
    for name, content in replace.items():
        if content is None:
            members.pop(name, None)
        else:
            members[name] = content
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buf.getvalue()


def sheet_xml(body: bytes, dimension: str = "A1:B2") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}">'
            f'<dimension ref="{dimension}"/><sheetData>').encode() + body + b"</sheetData></worksheet>"


def _stream_zip(name: str, chunks, other: dict[str, bytes]) -> bytes:
    """A ZIP whose part `name` is written from `chunks` without holding it whole (a bomb of hundreds of MB)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for other_name, content in other.items():
            z.writestr(other_name, content)
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w") as part:
            for chunk in chunks:
                part.write(chunk)
    return buf.getvalue()


def one_row_bomb(cells: int = 20_000_000) -> bytes:
    """A workbook whose sheet is one row of `cells` empty cells (20 million: about 2 MB zipped, 80 MB unzipped)."""
    base = parts(workbook([["Forename", "Surname"], ["Amy", "Smith"]]))
    sheet = "xl/worksheets/sheet1.xml"
    others = {k: v for k, v in base.items() if k != sheet}
    head = sheet_xml(b"", dimension="A1:XFD1").split(b"<sheetData>")[0] + b'<sheetData><row r="1">'
    block = b"<c/>" * 100_000

    def chunks():
        yield head
        for _ in range(cells // 100_000):
            yield block
        yield b"</row></sheetData></worksheet>"

    return _stream_zip(sheet, chunks(), others)


def shared_strings_bomb(chars: int = 1024 * 1024 * 1024) -> bytes:
    """A workbook whose shared strings part is one string of `chars` characters (a gigabyte: about 1 MB zipped)."""
    base = parts(workbook([["Forename", "Surname"], ["Amy", "Smith"]]))
    name = "xl/sharedStrings.xml"
    others = {k: v for k, v in base.items() if k != name}
    block = b"A" * (1024 * 1024)

    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'.encode()
        for _ in range(chars // len(block)):
            yield block
        yield b"</t></si></sst>"

    return _stream_zip(name, chunks(), others)


def lie_about_size(data: bytes, name: str, declared: int) -> bytes:
    """The ZIP with the uncompressed size of `name` rewritten to `declared` in both its headers."""
    raw = bytearray(data)
    encoded = name.encode()
    local = raw.find(b"PK\x03\x04")
    while local != -1:
        name_len = struct.unpack_from("<H", raw, local + 26)[0]
        if raw[local + 30:local + 30 + name_len] == encoded:
            struct.pack_into("<I", raw, local + 22, declared)
        local = raw.find(b"PK\x03\x04", local + 4)
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46:central + 46 + name_len] == encoded:
            struct.pack_into("<I", raw, central + 24, declared)
        central = raw.find(b"PK\x01\x02", central + 4)
    return bytes(raw)


def children_export(rows: int) -> bytes:
    """A children export of `rows` rows as an MIS writes it, as .xlsx."""
    header = ["Legal Forename", "Legal Surname", "Preferred Forename", "Date of Birth", "Gender", "UPN", "Year",
              "Class", "Address", "Primary Contact Name", "Primary Contact Relationship", "Primary Contact Phone",
              "Primary Contact Email", "Home Language", "SEN", "Medical"]
    body = [[f"Child{i}", f"Family{i // 2}", "", f"{1 + i % 28:02d}/0{1 + i % 9}/2018", "F" if i % 2 else "M",
             "", "Year 2", "Class 1", f"{i} High Street, Leeds LS1 {i % 9}AB", f"Carer{i // 2} Family{i // 2}",
             "Mother", f"07700 9{i:05d}", f"carer{i}@example.org", "English", "N", ""] for i in range(rows)]
    return workbook([header, *body])
