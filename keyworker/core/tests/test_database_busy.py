"""SQLite holds under the worker; a database that is still busy answers "try again" (503), never a stack trace."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError

ROOT = Path(__file__).resolve().parents[3]


def skip_unless_the_suite_runs_on_sqlite() -> None:
    """A test that makes its own SQLite file runs once, with the suite on SQLite, not again beside PostgreSQL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("runs its own SQLite file: the suite on SQLite runs it")


def test_two_people_posting_beside_the_worker_on_a_sqlite_file_never_fail(tmp_path):
    """200 contact logs (half safeguarding concerns) from two threads while the worker loop runs: 0 failures."""
    skip_unless_the_suite_runs_on_sqlite()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/load.sqlite3", "PYTHONPATH": str(ROOT),
           "DJANGO_SETTINGS_MODULE": "config.settings",
           "KEYWORKER_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    done = subprocess.run(
        [sys.executable, "-m", "keyworker.core.tests.sqlite_load", "100"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(figures)
    assert figures["journal_mode"] == "wal"
    assert figures["posts"] == 200
    assert figures["failures"] == 0, figures
    assert figures["worker_errors"] == [] and figures["worker_cycles"] >= 1, figures


def _busy(*args, **kwargs):
    raise OperationalError("database is locked")


@pytest.mark.django_db
def test_a_busy_database_answers_a_try_again_page(world, client_for, monkeypatch):
    from keyworker.dashboard import views_week

    monkeypatch.setattr(views_week, "my_week", _busy)
    client = client_for(world.ta_a)
    client.raise_request_exception = False
    r = client.get("/my-week/")
    html = r.content.decode()
    assert r.status_code == 503 and "try again" in html.lower() and r["Retry-After"]
    assert "Traceback" not in html and "database is locked" not in html


@pytest.mark.django_db
def test_a_busy_database_answers_the_api_with_json(world, monkeypatch):
    from rest_framework.test import APIClient

    from keyworker.api import views

    monkeypatch.setattr(views.MeView, "get", _busy)
    api = APIClient()
    api.force_authenticate(world.ta_a.user)
    api.raise_request_exception = False
    r = api.get("/api/v1/me/")
    assert r.status_code == 503 and r.json()["code"] == "busy" and "try again" in r.json()["detail"]


def test_sqlite_takes_the_write_lock_at_begin_and_waits_for_it():
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]
