"""Headers, cookies and sessions: a strict CSP, no caching of personal data, idle expiry, production defaults."""

import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def test_a_signed_in_page_has_a_strict_policy_and_is_never_cached(world, client_for):
    r = client_for(world.ta_a).get("/my-week/")
    assert r.status_code == 200
    policy = _policy(r)
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert "unsafe-inline" not in r["Content-Security-Policy"]
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]
    assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"


def test_an_api_answer_is_never_cached(world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.ta_a.user)
    r = api.get("/api/v1/me/")
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    assert _policy(r)["default-src"] == ["'self'"]


def test_the_sign_in_page_is_not_cached_either(client):
    r = client.get("/accounts/sign-in/")
    assert "no-store" in r["Cache-Control"] and "Content-Security-Policy" in r


def test_the_api_docs_still_render_with_inline_styles_only(client):
    for path in ("/api/v1/docs/", "/api/v1/redoc/"):
        r = client.get(path)
        assert r.status_code == 200, path
        policy = _policy(r)
        assert "'unsafe-inline'" in policy["style-src"] and "'unsafe-inline'" not in policy.get("script-src", [])
        assert "<script>" not in r.content.decode()
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_no_template_has_inline_scripts_or_styles():
    found = []
    for template in (ROOT / "keyworker").rglob("templates/**/*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"", text):
            found.append(str(template.relative_to(ROOT)))
    assert found == []


def test_a_session_ends_after_thirty_idle_minutes(world, client_for, clock):
    client = client_for(world.ta_a)
    assert client.get("/my-week/").status_code == 200
    clock.shift(dt.timedelta(minutes=25))
    assert client.get("/my-week/").status_code == 200  # activity keeps the session going
    clock.shift(dt.timedelta(minutes=25))
    assert client.get("/my-week/").status_code == 200
    clock.shift(dt.timedelta(minutes=31))
    r = client.get("/my-week/")
    assert r.status_code == 302 and r.url.startswith("/accounts/sign-in/")


def _clean_env() -> dict[str, str]:
    """This process's environment without our settings (and the test run's async switch, which the deploy check refuses)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("KEYWORKER_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _settings_in(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    clean = _clean_env()
    return subprocess.run(
        [sys.executable, "-c", f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; {code}"],
        cwd=ROOT, env={**clean, "PYTHONPATH": str(ROOT), **env}, capture_output=True, text=True, timeout=120, check=False,
    )


def test_production_without_a_secret_key_refuses_to_start_even_in_debug_mode():
    done = _settings_in({"KEYWORKER_ENV": "production", "KEYWORKER_DEBUG": "1"}, "import config.settings")
    assert done.returncode != 0 and "KEYWORKER_SECRET_KEY must be set" in done.stderr


def test_production_turns_on_secure_cookies_hsts_and_https_and_passes_the_deploy_check():
    key = secrets.token_urlsafe(50)
    show = ("import config.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
            "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)")
    done = _settings_in({"KEYWORKER_ENV": "production", "KEYWORKER_SECRET_KEY": key}, show)
    assert done.stdout.split() == ["True", "True", "True", "True", "True", "False"], done.stderr
    done = _settings_in({"KEYWORKER_ENV": "production", "KEYWORKER_SECRET_KEY": key, "KEYWORKER_SECURE_COOKIES": "0"}, show)
    assert done.stdout.split()[:2] == ["False", "False"]
    check = subprocess.run(
        [sys.executable, "-m", "config.manage", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
        env={**_clean_env(), "PYTHONPATH": str(ROOT),
             "KEYWORKER_ENV": "production", "KEYWORKER_SECRET_KEY": key},
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_demo_profile_keeps_plain_http_working():
    done = _settings_in({}, "import config.settings as s; print(s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)")
    assert done.stdout.split() == ["False", "False", "0"]


def test_the_readme_documents_every_keyworker_setting_the_code_reads():
    names: set[str] = set()
    sources = [*ROOT.joinpath("config").rglob("*.py"), *ROOT.joinpath("keyworker").rglob("*.py"),
               *ROOT.joinpath("browser_tests").rglob("*.py"), *ROOT.joinpath("deploy").rglob("*.py"),
               ROOT / "dev.py", ROOT / "conftest.py", ROOT / ".ci" / "run"]
    for path in sources:
        if ("tests" in path.parts and path.parent.name != "browser_tests") or "migrations" in path.parts:
            continue
        names |= set(re.findall(r"\bKEYWORKER_[A-Z0-9_]+\b", path.read_text()))
    readme = ROOT.joinpath("README.md").read_text()
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    assert missing == []
