"""Settings for the test suite: the base settings with fast hashing and a test email outbox."""

import os

# The suite's own secrets, set before the base settings read them: with DEBUG off they refuse
# to start without them. Subprocesses the tests start (Celery workers) inherit them.
os.environ.setdefault("SECRET_KEY", "test-suite-secret-key-not-for-any-real-site-0123456789")
os.environ.setdefault("PAYMENT_WEBHOOK_SECRET", "test-suite-payment-webhook-secret-0123456789")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
# Serve static files from the apps' and packages' folders: the suite never runs collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Jobs run where the tests put them (in place, or on a test's worker); the test of the demo's
# background threads turns them on for itself.
JOBS_IN_THREAD = False
# The suite's webhook receivers listen on loopback.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
