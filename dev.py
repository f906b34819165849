#!/usr/bin/env python3
"""The two set-up commands, with nothing but Python 3.11+ installed.

    python3 dev.py demo [ADDRESS]   create .venv, install, migrate, seed demo data (once), serve
                                    on ADDRESS (default 127.0.0.1:8000, or the next free port)
    python3 dev.py test   create .venv, install, lint, type-check, run the whole test suite

Extra arguments after `test` go to pytest (e.g. `python3 dev.py test -m "not e2e"`).
"""

import hashlib
import os
import secrets
import socket
import subprocess
import sys
import venv
from pathlib import Path
from urllib.parse import urlsplit

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


DEMO_HOST, DEMO_PORT = "127.0.0.1", 8000


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def demo_address(argument: str | None) -> tuple[str, int]:
    """Where the demo serves: ADDRESS as runserver takes it (PORT, HOST:PORT, [IPv6]:PORT), or
    127.0.0.1:8000, or the next free port after it when another program holds 8000."""
    if argument is None:
        port = next(p for p in range(DEMO_PORT, DEMO_PORT + 100) if port_is_free(DEMO_HOST, p))
        return DEMO_HOST, port
    host, _, port = argument.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        sys.exit(f"The address must be PORT or HOST:PORT (e.g. 127.0.0.1:8001), not “{argument}”.")
    return host.strip("[]") or DEMO_HOST, int(port)


def demo_site_url(host: str, port: int) -> str:
    """The address to open, and the one the customers' links (quotes, cases) start with."""
    if host in ("0.0.0.0", "::"):  # noqa: S104 - every interface: this machine's name reaches it
        host = socket.gethostname()
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def demo_allowed_hosts(site_url: str) -> str:
    """The settings' ALLOWED_HOSTS (from the environment, or the defaults) and the host of
    SITE_URL, which the demo is opened at."""
    name = urlsplit(site_url).hostname or DEMO_HOST
    hosts = os.environ.get("ALLOWED_HOSTS") or "localhost,127.0.0.1,[::1]"
    return f"{hosts},[{name}]" if ":" in name else f"{hosts},{name}"


def demo_environment(host: str, port: int) -> dict[str, str]:
    """The demo's processes' environment: SITE_URL is the address served on (unless set), so
    that quote and case emails link to this demo, and that address's host is allowed."""
    site_url = os.environ.get("SITE_URL") or demo_site_url(host, port)
    return {**os.environ, "SITE_URL": site_url, "ALLOWED_HOSTS": demo_allowed_hosts(site_url)}


def demo(args: list[str]) -> None:
    ensure_environment()
    ensure_secrets()
    host, port = demo_address(args[0] if args else None)
    env = demo_environment(host, port)
    site_url = env["SITE_URL"]
    manage = [PYTHON, "manage.py"]
    run(*manage, "migrate", "--no-input", env=env)
    run(*manage, "collectstatic", "--no-input", "--verbosity", "0", env=env)
    # Only an empty demo merchant is seeded: running the demo again keeps its data as it is.
    run(*manage, "seed_demo", "--orders", os.environ.get("DEMO_ORDERS", "2000"), env=env)
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    print(f"\nServing on {site_url} — stop with Ctrl+C.", flush=True)
    run(*manage, "runserver", address, *args[1:], env=env)


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
