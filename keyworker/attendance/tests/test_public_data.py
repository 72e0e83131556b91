"""The rates agree with the Department for Education's published absence statistics and with the attendance
year data of real Common Transfer Files (read from ../shared/testdata when present; skipped otherwise)."""

import csv
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from keyworker.attendance.models import AttendanceSettings
from keyworker.attendance.selectors import Rates, band

TESTDATA = Path(__file__).resolve().parents[4] / "shared" / "testdata"
NATIONAL = TESTDATA / "attendance_stats" / "ees_absence_natcharacteristics_2012-13_to_2016-17.csv"
CTF_DIR = TESTDATA / "ctf"


def _int(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


@pytest.mark.skipif(not NATIONAL.exists(), reason="public test data not present")
def test_national_absence_rates_match_the_published_percentages():
    checked = 0
    with NATIONAL.open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            possible, authorised, unauthorised = (_int(row[k]) for k in ("sess_possible", "sess_authorised", "sess_unauthorised"))
            if not possible or authorised is None or unauthorised is None:
                continue  # suppressed cells
            rates = Rates(present=possible - authorised - unauthorised, authorised=authorised, unauthorised=unauthorised)
            for ours, theirs in ((rates.absence_pct, "sess_overall_percent"), (rates.authorised_pct, "sess_authorised_percent"),
                                 (rates.unauthorised_pct, "sess_unauthorised_percent")):
                published = row[theirs].strip()
                if published.replace(".", "", 1).isdigit():
                    assert abs(ours - Decimal(published)) <= Decimal("0.1"), (row["characteristic"], theirs, ours, published)
                    checked += 1
    assert checked > 100


@pytest.mark.skipif(not CTF_DIR.exists(), reason="public test data not present")
def test_ctf_year_data_gives_rates_and_bands():
    limits = AttendanceSettings()  # the national defaults, unsaved
    seen = 0
    for path in sorted(CTF_DIR.glob("*.xml")):
        for year in ET.parse(path).getroot().iter("YearData"):
            values = {k: _int(year.findtext(k) or "") for k in ("SessionsPossible", "SessionsAuthorised", "SessionsAttended",
                                                               "SessionsUnauthorised")}
            if None in values.values() or not values["SessionsPossible"]:
                continue
            rates = Rates(present=values["SessionsAttended"], authorised=values["SessionsAuthorised"],
                          unauthorised=values["SessionsUnauthorised"])
            assert rates.possible == values["SessionsPossible"], path.name
            expected = "" if rates.present * 100 > 90 * rates.possible else ("severe" if rates.present * 2 <= rates.possible else "persistent")
            assert band(rates, limits) == expected
            seen += 1
    assert seen >= 2
