"""The nightly MIS sync: a saved mapping's export imported unattended, writing only what changed, marking leavers,
stopping when too many would leave, refusing changed headings, reporting to the office; the worker's drop path."""

import csv
import datetime as dt
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from keyworker.core.models import AuditEvent
from keyworker.imports.models import SavedMapping
from keyworker.imports.reading import read_table
from keyworker.imports.sync import sync_from_drop_paths, sync_run
from keyworker.notifications.models import Notification
from keyworker.people.models import Child
from keyworker.testing import make_group, make_setting, make_staff

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 18)


@pytest.fixture
def school(world):
    setting = make_setting(world.org, name="Sync School")
    make_group(setting, "Ash", "Year 3")
    make_group(setting, "Beech", "Year 4")
    make_staff(world.org, setting, ["admin_office"], name="Olive Office")
    return setting


def run(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


def _rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO((FIXTURES / "children_good.csv").read_text())))


def _write(path, rows) -> str:
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return str(path)


def _first_import(world, school) -> None:
    out = run("children", str(FIXTURES / "children_good.csv"), "--organisation", world.org.slug, "--setting", "Sync School",
              "--save-mapping", "Nightly SIMS")
    assert "Columns saved as “Nightly SIMS”" in out


def test_a_night_with_three_changes_a_leaver_and_a_newcomer(world, school, tmp_path, clock):
    _first_import(world, school)
    rows = _rows()
    head, body = rows[0], rows[1:]
    col = {h: i for i, h in enumerate(head)}
    body[0][col["Reg Group"]] = "Beech"                   # Chidi moves class
    body[2][col["Legal Surname"]] = "Patel-Shah"          # Aarav's surname changes
    body[3][col["SEN Status"]] = "E"                      # Diya now has an EHCP
    gone = body.pop(5)                                    # a leaver
    newcomer = list(body[4])
    newcomer[col["Legal Forename"]], newcomer[col["UPN"]], newcomer[col["Adno"]] = "Zara", "", "A1999"
    body.append(newcomer)
    before_writes = Child.objects.filter(setting=school).count()
    out = run("children", _write(tmp_path / "tonight.csv", [head, *body]), "--organisation", world.org.slug,
              "--mapping", "nightly sims")
    assert "1 new child, 3 updated, 1 marked as leaving" in out
    assert "class: Ash → Beech" in out and "last name: Patel → Patel-Shah" in out and "EHCP: no → yes" in out
    assert f"Leaving: {gone[col['Legal Forename']]}" in out
    assert Child.objects.filter(setting=school).count() == before_writes + 1
    left = Child.objects.get(setting=school, mis_reference=gone[col["Adno"]])
    assert left.left_on == dt.date.today() or left.left_on is not None
    assert AuditEvent.objects.filter(event_type="child.synced").count() == 3
    assert Notification.objects.filter(kind="import.synced").exists()
    # The same file again: nothing changes, nothing is written twice.
    again = run("children", str(tmp_path / "tonight.csv"), "--organisation", world.org.slug, "--mapping", "Nightly SIMS")
    assert "0 new children, 0 updated, 0 marked as leaving" in again
    assert AuditEvent.objects.filter(event_type="child.synced").count() == 3


def test_a_partial_export_stops_and_asks_a_person(world, school, tmp_path):
    _first_import(world, school)
    rows = _rows()
    path = _write(tmp_path / "partial.csv", rows[:8])  # 7 of 20 pupils
    with pytest.raises(CommandError, match="would mark 13 of the 20 children on roll as leaving"):
        run("children", path, "--organisation", world.org.slug, "--mapping", "Nightly SIMS")
    assert not Child.objects.filter(setting=school, left_on__isnull=False).exists()
    out = run("children", path, "--organisation", world.org.slug, "--mapping", "Nightly SIMS", "--allow-leavers")
    assert "13 marked as leaving" in out


def test_headings_changed_since_the_mapping_was_saved(world, school, tmp_path):
    _first_import(world, school)
    rows = _rows()
    rows[0][rows[0].index("Reg Group")] = "Registration Group"
    with pytest.raises(CommandError, match="columns changed since the mapping “Nightly SIMS” was saved: “Reg Group”"):
        run("children", _write(tmp_path / "renamed.csv", rows), "--organisation", world.org.slug, "--mapping", "Nightly SIMS")
    with pytest.raises(CommandError, match="has no saved mapping “Weekly”"):
        run("children", _write(tmp_path / "x.csv", _rows()), "--organisation", world.org.slug, "--mapping", "Weekly")


def test_a_dry_run_writes_nothing(world, school, tmp_path):
    _first_import(world, school)
    rows = _rows()
    rows[1][rows[0].index("Reg Group")] = "Beech"
    saved = SavedMapping.objects.get(name="Nightly SIMS")
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    report = sync_run(saved=saved, table=read_table("x.csv", buf.getvalue().encode()), file_name="x.csv", as_of=TODAY,
                      dry_run=True)
    assert len(report.updated) == 1 and not report.written
    assert Child.objects.get(setting=school, mis_reference="A1001").group.name == "Ash"


def test_the_worker_imports_the_drop_path_once_per_new_file(world, school, tmp_path):
    _first_import(world, school)
    rows = _rows()
    rows[1][rows[0].index("Reg Group")] = "Beech"
    path = _write(tmp_path / "drop.csv", rows)
    SavedMapping.objects.filter(name="Nightly SIMS").update(drop_path=path)
    now = dt.datetime(2026, 11, 18, 2, tzinfo=dt.UTC)
    assert sync_from_drop_paths(organisation_id=world.org.pk, as_of=TODAY, now=now) >= 1
    assert Child.objects.get(setting=school, mis_reference="A1001").group.name == "Beech"
    assert sync_from_drop_paths(organisation_id=world.org.pk, as_of=TODAY, now=now) == 0  # the same file: not again
    assert SavedMapping.objects.get(name="Nightly SIMS").last_report["updated"]
