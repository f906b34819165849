"""The email settings come from one EMAIL_URL, each assigned by name; and the test settings
import with no service configured, as the type check (django-stubs loads them) needs."""

import json
import os
import subprocess
import sys

from django.conf import settings

SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps("
    "[s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD,"
    " s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.SITE_URL, s.DATABASES['default']['ENGINE']]))"
)
SERVICES = {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SITE_URL"}


def settings_shown(settings_module: str = "backoffice.settings.test", **env: str) -> list:
    clean = {key: value for key, value in os.environ.items() if key not in SERVICES}
    clean |= {"DJANGO_SETTINGS_MODULE": settings_module, "ENV_FILE": "/nonexistent/.env"}
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=settings.BASE_DIR,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_an_smtp_url_sets_each_email_setting():
    shown = settings_shown(
        "backoffice.settings.base",
        EMAIL_URL="smtp+tls://mailer:p%40ss@mail.example.com:587",
        SECRET_KEY="k" * 50,
        PAYMENT_WEBHOOK_SECRET="w" * 40,
        SITE_URL="https://shop.example.com",
    )

    assert shown[:8] == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.com",
        587,
        "mailer",
        "p@ss",
        True,
        False,
        "https://shop.example.com",
    ]


def test_the_test_settings_import_without_any_service_configured():
    shown = settings_shown()

    assert shown[0] == "django.core.mail.backends.locmem.EmailBackend"
    assert shown[7] == "http://localhost:8000"
    assert shown[8] == "django.db.backends.sqlite3"
