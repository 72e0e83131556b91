"""The CSV and XLSX reader under generated input: whatever the bytes, a table or a RuleViolation in words, never
another exception; and what a table holds is bounded by the upload limits. Inputs it once failed on are examples."""

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from keyworker.core.errors import RuleViolation
from keyworker.core.uploads import upload_limits
from keyworker.imports.reading import read_table

from .conftest import FIXTURES

GOOD = (FIXTURES / "children_good.csv").read_bytes()


def _read(name: str, data: bytes) -> None:
    try:
        table = read_table(name, data)
    except RuleViolation as exc:
        assert exc.message
        return
    limits = upload_limits()
    assert len(table.rows) == len(table.lines) <= limits.max_rows
    assert len(table.headers) <= limits.max_columns


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
@example(b"\xff\xfe\x00\x00")          # a UTF-32 byte-order mark
@example(b"a,b\n\"unterminated")       # a quote never closed
@example(b"PK\x03\x04garbage")         # a ZIP signature that is not a workbook
@example("Name,Caf\xe9\n".encode("cp1252"))  # Windows-1252 text
def test_any_bytes_as_csv(data):
    _read("export.csv", data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_any_bytes_as_a_workbook(data):
    _read("export.xlsx", b"PK\x03\x04" + data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.sampled_from([b"\"", b",", b"\n", b"\r", b"\x00", b"\xff",
                                                                          b"=cmd|' /C calc'!A0", b"\xe2\x80\xae"])),
                max_size=10))
def test_a_real_export_damaged(changes):
    data = bytearray(GOOD)
    for at, junk in changes:
        data[at:at] = junk
    _read("export.csv", bytes(data))
