"""One date format on screen, the glossary's: "Tue 3 March 2026", and "3/3/2026" in tables."""

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template

from keyworker.core.dates import in_table, on_screen

ROOT = Path(__file__).resolve().parents[2]
# Formats a template may ask for: the named ones, and machine formats for form values and <time datetime>.
ALLOWED = {"DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT", "Y-m-d", "c", "F Y",
           "j M"}  # "j M": a chart axis's week ticks, where a whole date does not fit
# Python that writes dates for machines, not for people: spreadsheet cells read back as text, the audit CSV.
MACHINE = {"imports/reading.py", "accounts/audit_log.py"}


def test_the_settings_and_helpers_write_the_glossarys_dates():
    assert (settings.DATE_FORMAT, settings.SHORT_DATE_FORMAT) == ("D j F Y", "j/n/Y")
    day = dt.date(2026, 3, 3)
    assert on_screen(day) == "Tue 3 March 2026" and in_table(day) == "3/3/2026"
    html = Template('{{ d|date }} · {{ d|date:"SHORT_DATE_FORMAT" }}').render(Context({"d": day}))
    assert html == "Tue 3 March 2026 · 3/3/2026"


def test_an_aware_time_is_written_on_the_day_it_is_in_london():
    late = dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)  # 00:30 on 1 July in London
    assert on_screen(late) == "Wed 1 July 2026"


def test_no_template_writes_dates_its_own_way():
    odd = []
    for path in ROOT.glob("*/templates/**/*.html"):
        for fmt in re.findall(r"""\|date:["']([^"']+)["']""", path.read_text()):
            if fmt not in ALLOWED:
                odd.append(f"{path.relative_to(ROOT)}: {fmt}")
    assert odd == []


def test_no_message_writes_dates_its_own_way():
    odd = []
    pattern = re.compile(r"\{[^{}]+:(%d/%m/%Y|%A %-d %B|%-d %B|%d %b %Y|%-d %b %Y)")
    for path in ROOT.glob("*/**/*.py"):
        rel = str(path.relative_to(ROOT))
        if "/tests/" in rel or "/migrations/" in rel or rel in MACHINE:
            continue
        if pattern.search(path.read_text()):
            odd.append(rel)
    assert odd == []
