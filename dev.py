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


def demo(args: list[str]) -> None:
    install()
    kw = str(BIN / "keyworker")
    run(kw, "migrate", "--noinput", "-v", "0")
    run(kw, "demo", *args)
    port = os.environ.get("PORT", "8000")
    print(f"\nServing the demo at http://127.0.0.1:{port}/  (Ctrl+C to stop)\n", flush=True)
    env = {**os.environ, "KEYWORKER_DEBUG": os.environ.get("KEYWORKER_DEBUG", "1")}
    # The background loop (escalations, e-mails, digests) runs beside the server and stops with it.
    worker = subprocess.Popen([kw, "worker"], cwd=ROOT, env=env)
    try:
        run(kw, "runserver", f"127.0.0.1:{port}", env=env)
    except KeyboardInterrupt:
        pass
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


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
