"""Parts of a common transfer file that another app keeps: it registers here how to check, import and export them.

The attendance app keeps a CTF's attendance summaries (Attendance/YearData) and registers its reader, its import
and the rows a leaver's CTF carries, in its AppConfig.ready(); the CTF import calls them without importing that
app. Without a registration the section is listed as not kept.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CtfAttendance:
    # (a CTF document) -> [(UPN, problems)] per pupil, as the attendance app reads the file
    check: Callable[[bytes], list[tuple[str, list[str]]]]
    # (actor, file name, document) -> years written; raises RuleViolation when nothing may be written
    write: Callable[[Any, str, bytes], int]
    # (child) -> the YearData a leaver's CTF carries: year, school_name, school_urn, school_la_estab, possible,
    # attended, authorised, unauthorised
    for_child: Callable[[Any], list[dict[str, Any]]]


_ATTENDANCE: list[CtfAttendance] = []


def register_ctf_attendance(section: CtfAttendance) -> None:
    _ATTENDANCE[:] = [section]


def ctf_attendance() -> CtfAttendance | None:
    return _ATTENDANCE[0] if _ATTENDANCE else None
