"""The register codes come from a data migration; a transactional test elsewhere flushes them, so put them back."""

import pytest


@pytest.fixture(autouse=True)
def _england_codes(request):
    if "db" not in request.fixturenames and "world" not in request.fixturenames:
        return
    from keyworker.attendance.codes import codes_load, england_2024
    from keyworker.attendance.models import AttendanceCode

    request.getfixturevalue("db")
    if AttendanceCode.objects.filter(jurisdiction="england").count() != len(england_2024()):
        codes_load(jurisdiction="england", rows=england_2024())
