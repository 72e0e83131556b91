"""Marks straight into the register for tests (the services are tested on their own)."""

import datetime as dt

from keyworker.attendance.models import AttendanceCode, AttendanceMark
from keyworker.people.models import Child


def code(c: str, jurisdiction: str = "england") -> AttendanceCode:
    return AttendanceCode.objects.get(jurisdiction=jurisdiction, code=c)


def put(child: Child, day: dt.date, session: str, c: str) -> AttendanceMark:
    return AttendanceMark.objects.create(
        organisation_id=child.organisation_id, child=child, setting_id=child.setting_id, date=day, session=session, code=code(c)
    )


def put_many(child: Child, marks: list[tuple[dt.date, str, str]]) -> None:
    codes = {c.code: c for c in AttendanceCode.objects.filter(jurisdiction="england")}
    AttendanceMark.objects.bulk_create([
        AttendanceMark(organisation_id=child.organisation_id, child=child, setting_id=child.setting_id, date=d, session=s, code=codes[c])
        for d, s, c in marks
    ])
