#!/usr/bin/env python3
"""The two set-up commands, with nothing but Python 3.11+ installed.

    python3 dev.py demo   create .venv, install, migrate, seed demo data, serve on :8000
    python3 dev.py test   create .venv, install, lint, type-check, run the whole test suite

Extra arguments after `test` go to pytest (e.g. `python3 dev.py test -m "not e2e"`).
"""

import hashlib
import os
import secrets
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("BACKOFFICE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".installed"


def run(*command, **kwargs) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], check=True, cwd=ROOT, **kwargs)  # noqa: S603


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("Python 3.11 or newer is required.")
    if not PYTHON.exists():
        print(f"Creating the virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(PYTHON, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
        STAMP.write_text(wanted)


ENV_FILE = ROOT / ".env"
# Secrets the settings refuse to start without (DEBUG off); the demo makes its own, once.
DEMO_SECRETS = ("SECRET_KEY", "PAYMENT_WEBHOOK_SECRET")


def ensure_secrets() -> None:
    """Give the local .env (git-ignored) a random value for each secret it lacks; values set
    in the environment or already in the file are kept."""
    text = ENV_FILE.read_text() if ENV_FILE.exists() else ""
    present = {line.split("=", 1)[0].strip() for line in text.splitlines() if "=" in line}
    missing = [name for name in DEMO_SECRETS if name not in present and name not in os.environ]
    if not missing:
        return
    lines = [f"{name}={secrets.token_urlsafe(50)}" for name in missing]
    if text and not text.endswith("\n"):
        text += "\n"
    ENV_FILE.write_text(text + "\n".join(lines) + "\n")
    ENV_FILE.chmod(0o600)
    print(f"Wrote random {', '.join(missing)} to {ENV_FILE.name}", flush=True)


def demo(args: list[str]) -> None:
    ensure_environment()
    ensure_secrets()
    manage = [PYTHON, "manage.py"]
    run(*manage, "migrate", "--no-input")
    run(*manage, "collectstatic", "--no-input", "--verbosity", "0")
    run(*manage, "seed_demo", "--orders", os.environ.get("DEMO_ORDERS", "2000"))
    print("\nServing on http://127.0.0.1:8000 — stop with Ctrl+C.", flush=True)
    run(*manage, "runserver", *(args or ["127.0.0.1:8000"]))


def test(args: list[str]) -> None:
    ensure_environment()
    run(PYTHON, "-m", "ruff", "check", ".")
    run(PYTHON, "-m", "ruff", "format", "--check", ".")
    # The type check (its files and settings: pyproject.toml's [tool.mypy]). The django-stubs
    # plugin imports the test settings, which need no database or Redis to import.
    run(PYTHON, "-m", "mypy")
    run(
        PYTHON,
        "manage.py",
        "makemigrations",
        "--check",
        "--dry-run",
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "backoffice.settings.test"},
    )
    run(PYTHON, "-m", "pytest", *args)


def main() -> None:
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    try:
        commands[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
