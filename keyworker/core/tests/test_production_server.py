"""The production profile end to end: collectstatic, then gunicorn with deploy/gunicorn.conf.py and two processes
answers /health/ and serves a static file under its hashed name (whitenoise), logging JSON lines with request ids."""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, headers: dict[str, str] | None = None):
    """One GET, redirects not followed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


@pytest.mark.skipif(not (BIN / "gunicorn").exists(), reason="gunicorn is not installed in this environment")
def test_gunicorn_with_two_workers_serves_health_and_hashed_static_files(tmp_path):
    from keyworker.core.tests.test_database_busy import skip_unless_the_suite_runs_on_sqlite

    skip_unless_the_suite_runs_on_sqlite()  # its server has its own SQLite file
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEYWORKER_", "DJANGO_ALLOW_ASYNC"))}
    env.update({
        "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "config.settings",
        "KEYWORKER_ENV": "production", "KEYWORKER_SECRET_KEY": uuid.uuid4().hex * 2,
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "KEYWORKER_STATIC_ROOT": str(tmp_path / "static"),
        "KEYWORKER_MEDIA_ROOT": str(tmp_path / "media"), "KEYWORKER_BIND": f"127.0.0.1:{port}",
        "KEYWORKER_WEB_WORKERS": "2", "KEYWORKER_LOG_LEVEL": "INFO", "KEYWORKER_PROXY_COUNT": "1",
    })
    subprocess.run([sys.executable, "-m", "config.manage", "collectstatic", "--noinput"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=300)
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    hashed = manifest["core/keyworker.css"]
    assert hashed != "core/keyworker.css"

    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen([str(BIN / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py")],
                              cwd=tmp_path, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 120
        while True:  # wait for the server to listen (a process starting, not the clock of the code under test)
            try:
                status, headers, body = _get(port, "/health/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert status == 200, body
        assert json.loads(body)["checks"]["database"]["status"] == "ok"
        assert "no-store" in headers["Cache-Control"]

        given = uuid.uuid4().hex
        status, headers, body = _get(port, f"/static/{hashed}", {"Accept-Encoding": "gzip", "X-Request-ID": given,
                                                                  "X-Forwarded-Proto": "https"})  # as the TLS proxy sends
        assert status == 200 and body
        assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
        assert headers.get("Content-Encoding") == "gzip"

        # Plain HTTP is sent to HTTPS, except the health check.
        status, headers, _ = _get(port, "/accounts/sign-in/")
        assert status == 301 and headers["Location"].startswith("https://")
    finally:
        server.terminate()
        server.wait(timeout=60)
    log.seek(0)
    lines = [json.loads(line) for line in log.read().splitlines() if line.startswith("{")]
    booted = [line for line in lines if line.get("message", "").startswith("Booting worker")]
    assert len(booted) == 2
    access = [line for line in lines if line.get("logger") == "keyworker.access"]
    assert any(line["request_id"] == given and line["path"] == f"/static/{hashed}" for line in access)
    assert not [line for line in lines if line.get("logger") == "gunicorn.access"]
    shutil.rmtree(tmp_path / "static")
