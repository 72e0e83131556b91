"""Structured logs: JSON lines in production, each with the request id (taken from X-Request-ID when it is a UUID,
else made, and sent back) or the background task's id."""

import io
import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from pythonjsonlogger.json import JsonFormatter

from keyworker.core import logs

ROOT = Path(__file__).resolve().parents[3]


def _json_handler() -> tuple[logging.Handler, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    options = {k: v for k, v in django_settings.LOGGING["formatters"]["json"].items() if k != "()"}
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(logs.IdsFilter())
    return handler, stream


@pytest.fixture
def access_lines():
    handler, stream = _json_handler()
    logger = logging.getLogger("keyworker.access")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


@pytest.mark.django_db
def test_a_well_formed_request_id_is_kept_and_logged(client, access_lines):
    given = uuid.uuid4().hex
    r = client.get("/accounts/sign-in/?q=Ada", HTTP_X_REQUEST_ID=given)
    assert r["X-Request-ID"] == given
    [line] = access_lines()
    assert line["request_id"] == given and line["task_id"] is None
    assert line["logger"] == "keyworker.access" and line["level"] == "INFO"
    assert line["method"] == "GET" and line["path"] == "/accounts/sign-in/" and line["status"] == 200
    assert "Ada" not in json.dumps(line)  # the query string is never logged
    assert line["time"]


@pytest.mark.django_db
def test_a_malformed_request_id_is_replaced_by_a_new_one(client, access_lines):
    r = client.get("/accounts/sign-in/", HTTP_X_REQUEST_ID="<script>\nforged line")
    made = r["X-Request-ID"]
    assert uuid.UUID(made) and "script" not in made
    assert access_lines()[0]["request_id"] == made


@pytest.mark.django_db
def test_without_one_each_request_gets_its_own(client, access_lines):
    first = client.get("/accounts/sign-in/")["X-Request-ID"]
    second = client.get("/accounts/sign-in/")["X-Request-ID"]
    assert first != second
    assert [line["request_id"] for line in access_lines()] == [first, second]


def test_background_work_logs_with_its_task_id():
    handler, stream = _json_handler()
    logger = logging.getLogger("keyworker.tests.worker")
    logger.addHandler(handler)
    try:
        with logs.task_context("cycle-7") as task_id:
            logger.warning("organisation %s failed", 3)
        logger.warning("after")
    finally:
        logger.removeHandler(handler)
    inside, after = (json.loads(line) for line in stream.getvalue().splitlines())
    assert task_id == "cycle-7"
    assert inside["task_id"] == "cycle-7" and inside["message"] == "organisation 3 failed"
    assert after["task_id"] is None


def test_a_cycle_logs_with_its_cycle_id_and_a_run_inside_keeps_it():
    handler, stream = _json_handler()
    logger = logging.getLogger("keyworker.tests.worker")
    logger.addHandler(handler)
    try:
        with logs.cycle_context("c-1") as outer:
            with logs.cycle_context() as inner:  # an organisation's run inside the pass keeps the pass's id
                logger.warning("recomputed")
        with logs.cycle_context() as fresh:
            logger.warning("another")
        logger.warning("after")
    finally:
        logger.removeHandler(handler)
    first, second, after = (json.loads(line) for line in stream.getvalue().splitlines())
    assert outer == inner == "c-1" and first["cycle_id"] == "c-1"
    assert second["cycle_id"] == fresh and fresh != "c-1"
    assert after["cycle_id"] is None


def test_a_django_tasks_task_logs_with_its_result_id():
    class Result:
        id = "3b1f0c"

    logs._task_started(sender=None, task_result=Result())
    try:
        assert logs.current_task_id() == "3b1f0c"
    finally:
        logs._task_finished(sender=None)
    assert logs.current_task_id() is None


def test_the_text_format_shows_the_ids_only_when_there_are_some():
    formatter = logs.TextFormatter()
    record = logging.LogRecord("keyworker.x", logging.WARNING, __file__, 1, "hello", None, None)
    logs.IdsFilter().filter(record)
    assert formatter.format(record).endswith("WARNING keyworker.x hello")
    with logs.task_context("abc"):
        logs.IdsFilter().filter(record)
    assert formatter.format(record).endswith("WARNING keyworker.x [task abc] hello")
    with logs.task_context("abc"), logs.cycle_context("c9"):
        logs.IdsFilter().filter(record)
    assert formatter.format(record).endswith("WARNING keyworker.x [task abc, cycle c9] hello")


def _log_in_a_process(extra_env: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYWORKER_")}
    env.update({"PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "config.settings", **extra_env})
    code = "import django, logging; django.setup(); logging.getLogger('keyworker.worker').warning('cycle failed: %s', 'x')"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stderr.strip()


def test_production_logs_json_lines_and_development_text():
    line = _log_in_a_process({"KEYWORKER_ENV": "production", "KEYWORKER_SECRET_KEY": "x" * 60})
    record = json.loads(line)
    assert record["message"] == "cycle failed: x" and record["level"] == "WARNING" and record["logger"] == "keyworker.worker"
    assert "request_id" in record and "task_id" in record and "cycle_id" in record
    text = _log_in_a_process({})
    assert text.endswith("WARNING keyworker.worker cycle failed: x")
    assert json.loads(_log_in_a_process({"KEYWORKER_LOG_FORMAT": "json"}))["message"] == "cycle failed: x"


@pytest.mark.django_db
def test_a_passing_health_check_is_not_logged_a_failing_one_is(client, access_lines, monkeypatch):
    from keyworker.core import health

    assert client.get("/health/").status_code == 200
    monkeypatch.setattr(health, "check_database", lambda alias="default": {"status": "error"})
    assert client.get("/health/").status_code == 503
    assert [(line["path"], line["status"]) for line in access_lines()] == [("/health/", 503)]
