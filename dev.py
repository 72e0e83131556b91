#!/usr/bin/env python3
"""Set up and run Keyworker with nothing but Python 3.11+.

    python3 dev.py demo    install into .venv, build the demo on SQLite, print the sign-ins, serve it on :8000
    python3 dev.py test    install into .venv and run the whole test suite (extra arguments go to pytest)
"""

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("KEYWORKER_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".installed"
EMAILS = ROOT / "demo-emails"  # the demo's e-mails, one .log file per batch the worker sends
WORKER_LOG = ROOT / "demo-worker.log"  # what the demo's background worker prints, cycle by cycle


def run(*args: str, **kw) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, cwd=ROOT, **kw)


def install() -> None:
    if sys.version_info < (3, 11):
        sys.exit("Keyworker needs Python 3.11 or newer.")
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    project = (ROOT / "pyproject.toml").stat().st_mtime
    if not STAMP.exists() or STAMP.stat().st_mtime < project:
        run(str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(str(PY), "-m", "pip", "install", "--quiet", "-e", ".[dev]")
        STAMP.touch()


def demo_environment(port: str) -> dict[str, str]:
    """The demo's environment: served at 127.0.0.1:PORT with debug off (Keyworker's own error pages), links in
    e-mails to that address, e-mails written to files rather than over the terminal. What the user set wins."""
    env = dict(os.environ)
    env.setdefault("KEYWORKER_BASE_URL", f"http://127.0.0.1:{port}")
    env.setdefault("KEYWORKER_WEBAUTHN_ORIGINS", f"http://localhost:{port}")  # passkeys: a host name, not an address
    if "KEYWORKER_EMAIL_BACKEND" not in env:
        env["KEYWORKER_EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
        env.setdefault("KEYWORKER_EMAIL_FILE_PATH", str(EMAILS))
    return env


def count_emails(folder: Path) -> int:
    """E-mails written by the file back end: each one ends with a line of 79 dashes."""
    if not folder.is_dir():
        return 0
    return sum(line.rstrip("\n") == "-" * 79 for f in folder.glob("*.log") for line in f.open(encoding="utf-8", errors="replace"))


def demo(args: list[str]) -> None:
    install()
    kw = str(BIN / "keyworker")
    port = os.environ.get("PORT", "8000")
    env = demo_environment(port)
    run(kw, "migrate", "--noinput", "-v", "0", env=env)
    run(kw, "demo", *args, env=env)
    # The worker's first pass (today's e-mails and digests) before serving, its lines kept in a log file, so the
    # sign-ins above stay in view; then the background loop runs beside the server and stops with it.
    before = count_emails(Path(env.get("KEYWORKER_EMAIL_FILE_PATH", EMAILS)))
    with WORKER_LOG.open("a", encoding="utf-8") as log:
        subprocess.run([kw, "worker", "--once"], cwd=ROOT, env=env, stdout=log, check=False)
    if env["KEYWORKER_EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
        folder = Path(env.get("KEYWORKER_EMAIL_FILE_PATH", EMAILS))
        print(f"The worker's first pass sent {count_emails(folder) - before} e-mail(s). E-mails are written to {folder}/,"
              f" one file per batch; the worker's log is {WORKER_LOG.name}.", flush=True)
    print(f"\nServing the demo at http://127.0.0.1:{port}/  (Ctrl+C to stop)\n", flush=True)
    log = WORKER_LOG.open("a", encoding="utf-8")
    worker = subprocess.Popen([kw, "worker"], cwd=ROOT, env=env, stdout=log)
    try:
        # Debug is off (unless KEYWORKER_DEBUG says otherwise): --insecure serves the static files all the same.
        run(kw, "runserver", "--insecure", f"127.0.0.1:{port}", env=env)
    except KeyboardInterrupt:
        pass
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


def test(args: list[str]) -> None:
    install()
    # Exit code 5 means "no tests ran": pytest already fails on it; never hide it.
    result = subprocess.run([str(PY), "-m", "pytest", *args], cwd=ROOT)
    sys.exit(result.returncode)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test"}:
        sys.exit(__doc__)
    command, rest = sys.argv[1], sys.argv[2:]
    demo(rest) if command == "demo" else test(rest)


if __name__ == "__main__":
    main()
