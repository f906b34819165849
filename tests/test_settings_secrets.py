"""Secrets have no public default: with DEBUG off the settings refuse to start without
SECRET_KEY and PAYMENT_WEBHOOK_SECRET, and `check --deploy` reports a default or short one."""

import os
import subprocess
import sys

from django.conf import settings

SHOW = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
LONG_KEY = "k" * 50
LONG_WEBHOOK = "w" * 40


def run(*args: str, settings_module: str = "backoffice.settings.base", **env: str):
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "PAYMENT_WEBHOOK_SECRET", "DEBUG"}
    }
    # No .env either: a developer's local one must not make the test pass.
    clean |= {"DJANGO_SETTINGS_MODULE": settings_module, "ENV_FILE": "/nonexistent/.env"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_with_debug_off_and_no_secret_key_the_settings_refuse_to_start():
    result = run("-c", SHOW, PAYMENT_WEBHOOK_SECRET=LONG_WEBHOOK)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_with_debug_off_and_no_webhook_secret_the_settings_refuse_to_start():
    result = run("-c", SHOW, SECRET_KEY=LONG_KEY)

    assert result.returncode != 0
    assert "ImproperlyConfigured: PAYMENT_WEBHOOK_SECRET is not set" in result.stderr


def test_production_settings_refuse_to_start_without_secrets_even_with_debug_on():
    result = run(
        "-c",
        SHOW,
        settings_module="backoffice.settings.production",
        DEBUG="1",
        PAYMENT_WEBHOOK_SECRET=LONG_WEBHOOK,
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_with_both_secrets_set_the_settings_start():
    result = run("-c", SHOW, SECRET_KEY=LONG_KEY, PAYMENT_WEBHOOK_SECRET=LONG_WEBHOOK)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_check_deploy_reports_a_short_webhook_secret():
    result = run(
        "manage.py",
        "check",
        "--deploy",
        settings_module="backoffice.settings.production",
        SECRET_KEY=LONG_KEY,
        PAYMENT_WEBHOOK_SECRET="short",
    )

    assert "backoffice.W002" in result.stderr
    assert "PAYMENT_WEBHOOK_SECRET is shorter than 32 characters" in result.stderr
    assert "backoffice.W001" not in result.stderr


def test_check_deploy_reports_the_development_defaults():
    result = run("manage.py", "check", "--deploy", DEBUG="1")

    assert "backoffice.W001" in result.stderr
    assert "SECRET_KEY is the public development default" in result.stderr
    assert "PAYMENT_WEBHOOK_SECRET is the public development default" in result.stderr


def test_the_demo_writes_its_own_random_secrets_once_and_the_settings_start_with_them(
    tmp_path, monkeypatch
):
    import dev

    env_file = tmp_path / ".env"
    env_file.write_text("DEMO_ORDERS=10")  # the developer's own line, kept
    monkeypatch.setattr(dev, "ENV_FILE", env_file)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PAYMENT_WEBHOOK_SECRET", raising=False)

    dev.ensure_secrets()
    written = env_file.read_text()
    dev.ensure_secrets()

    assert env_file.read_text() == written
    values = dict(line.split("=", 1) for line in written.splitlines())
    assert values["DEMO_ORDERS"] == "10"
    assert len(values["SECRET_KEY"]) >= 50
    assert len(values["PAYMENT_WEBHOOK_SECRET"]) >= 50
    assert values["SECRET_KEY"] != values["PAYMENT_WEBHOOK_SECRET"]
    result = run("-c", SHOW, ENV_FILE=str(env_file))
    assert result.returncode == 0, result.stderr
