"""Settings read from the environment.

With no DATABASE_URL the app uses a SQLite file, and with no REDIS_URL Celery runs tasks in
process and the cache is local memory: the embedded default, complete for one person trying it.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    REDIS_URL=(str, ""),
    SECURE_COOKIES=(bool, False),
)
# The environment wins over the file; ENV_FILE names another file (or a missing one: none).
environ.Env.read_env(os.environ.get("ENV_FILE", BASE_DIR / ".env"), overwrite=False)

DEBUG = env("DEBUG")

# Stand-ins for the secrets while DEBUG is on; `check --deploy` reports them (backoffice.checks).
DEVELOPMENT_SECRETS = {
    "SECRET_KEY": "insecure-development-key-change-me-in-production-0123456789",
    "PAYMENT_WEBHOOK_SECRET": "test-gateway-webhook-secret",
}


def env_secret(name: str, *, debug: bool) -> str:
    """A secret from the environment (or .env). Only with DEBUG on may it fall back to its
    public development value: anyone who knows that value can sign sessions or webhooks."""
    value = env.str(name, default="")
    if value:
        return value
    if debug:
        return DEVELOPMENT_SECRETS[name]
    raise ImproperlyConfigured(
        f"{name} is not set. With DEBUG off it must come from the environment or the .env "
        f"file (see .env.example; `python3 dev.py demo` writes a .env with random values)."
    )


SECRET_KEY = env_secret("SECRET_KEY", debug=DEBUG)
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "csp",
    "django_tables2",
    "template_partials",
    "js_lib_htmx",
    "axes",
    "ninja",
    "backoffice",
    "orders",
    "lifecycle",
    "tools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "backoffice.common.inputs.RefuseNulMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backoffice.common.caching.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "backoffice.common.tenancy.CurrentMerchantMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backoffice.urls"
WSGI_APPLICATION = "backoffice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backoffice.common.tenancy.merchant_context",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; a busy timeout lets the jobs' threads and the web requests
    # take turns instead of failing with "database is locked". Write-ahead logging lets pages
    # (a job's progress) read while a job writes; IMMEDIATE takes the write lock when a
    # transaction starts, so two writers wait for each other rather than fail mid-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20, init_command="PRAGMA journal_mode=WAL;", transaction_mode="IMMEDIATE"
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Axes first: it refuses a locked-out sign-in before any password is checked (and needs the
# request passed to authenticate()). ModelBackend signs users in (and answers for support
# staff); the role backend only answers permissions asked about an object of a merchant.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "orders.permissions.MerchantRoleBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# Sign-in throttling (django-axes, staff sign-in and admin): after AXES_FAILURE_LIMIT failures
# a username is locked, and so, separately, is the address they came from, until
# AXES_COOLOFF_MINUTES have passed without another failure. Support staff unlock in the admin
# (Axes → Access attempts: delete the rows).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "backoffice.common.lockout.sign_in_lockout_response"
# Every failed sign-in is also kept as its own row (who, when, from where), for the audit trail;
# the attempt rows above only count towards a lock and are deleted by an unlock.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (/favicon.ico), on every page including the admin's.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Import Actual Costs: the largest upload, and the most an .xlsx archive may expand to.
COST_IMPORT_MAX_UPLOAD_BYTES = env.int("COST_IMPORT_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
COST_IMPORT_MAX_EXPANDED_BYTES = env.int(
    "COST_IMPORT_MAX_EXPANDED_BYTES", default=300 * 1024 * 1024
)
# The last row a cost file may use (by its row number, so a sheet with one cell far down is
# refused at once rather than read row by empty row): twice the size the spec is sized for.
COST_IMPORT_MAX_ROWS = env.int("COST_IMPORT_MAX_ROWS", default=200_000)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REDIS_URL = env("REDIS_URL")
# Sessions live in the database only: with them in Redis's cache, an unreachable Redis
# answered every page with a 500. No page reads Django's cache (sign-in throttling keeps its
# counts in the database too), so pages keep working with Redis down; anything that comes to
# use the cache must treat its errors as a miss.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: a real broker when REDIS_URL is set; otherwise tasks run in this process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Longer than the longest chunk of any job, so a slow chunk is not redelivered while running.
# A worker killed mid-job (SIGKILL, OOM, power) never acks its message: with acks_late the
# message stays in Redis's unacked set and the next worker to start redelivers it once it is
# older than this, and the job resumes from its first item without an outcome.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Jobs no worker is on (tools.jobs.job_requeue_stalled, beat's "requeue-stalled-jobs"): a
# running job's worker renews its heartbeat every JOB_HEARTBEAT_SECONDS; one whose heartbeat
# is older than JOB_HEARTBEAT_STALE_SECONDS lost its worker and is queued again, as is a job
# still pending after JOB_PENDING_REQUEUE_SECONDS (the broker was down when it was created).
JOB_HEARTBEAT_SECONDS = env.float("JOB_HEARTBEAT_SECONDS", default=10)
JOB_HEARTBEAT_STALE_SECONDS = env.float("JOB_HEARTBEAT_STALE_SECONDS", default=60)
JOB_PENDING_REQUEUE_SECONDS = env.float("JOB_PENDING_REQUEUE_SECONDS", default=60)
# With no broker (the embedded demo), jobs run in background threads of the web process
# (tools.job_threads) rather than inside the request that starts them: the request returns at
# once and the job's progress bar moves. Other tasks still run in place.
JOBS_IN_THREAD = env.bool("JOBS_IN_THREAD", default=not REDIS_URL)

# EMAIL_URL names the backend and its server in one value (smtp+tls://user:password@host:587,
# consolemail://); Django's unset defaults stand where the address leaves a part out.
email_config = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = email_config["EMAIL_BACKEND"]
EMAIL_HOST = email_config["EMAIL_HOST"] or "localhost"
EMAIL_PORT = email_config["EMAIL_PORT"] or 25
EMAIL_HOST_USER = email_config["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = email_config["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = email_config.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = email_config.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = email_config["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Backoffice <no-reply@localhost>")
# The site's address as customers reach it: the links customers get (quote pages, case pages
# in emails) start with it.
SITE_URL = env("SITE_URL", default="http://localhost:8000")
# Customer case links stop working after this many days.
CASE_LINK_MAX_AGE_DAYS = env.int("CASE_LINK_MAX_AGE_DAYS", default=60)
# How long a customer return link opens the return form.
RETURN_LINK_MAX_AGE_DAYS = env.int("RETURN_LINK_MAX_AGE_DAYS", default=60)
# Uploads (chargeback evidence, case attachments): PDF and images up to this size each.
UPLOAD_MAX_BYTES = env.int(
    "UPLOAD_MAX_BYTES", default=env.int("CHARGEBACK_EVIDENCE_MAX_BYTES", default=5 * 1024 * 1024)
)
# A case message carries at most this many attachments.
CASE_MESSAGE_MAX_ATTACHMENTS = 5
# The processor's chargeback report: refused above this size before it is read (5,000 rows
# of a report take about 300 KB), so it is checked within the request in milliseconds.
CHARGEBACK_IMPORT_MAX_BYTES = env.int("CHARGEBACK_IMPORT_MAX_BYTES", default=1024 * 1024)
# A money form's one-time token is remembered this long (a resubmission after that runs anew).
FORM_SUBMISSION_KEEP_DAYS = env.int("FORM_SUBMISSION_KEEP_DAYS", default=30)

# The read and intake API (orders/api): each token may make API_RATE_BURST requests at once
# and API_RATE_PER_SECOND sustained (429 with Retry-After past that); every request is logged
# and the log kept API_REQUEST_KEEP_DAYS.
API_RATE_PER_SECOND = env.float("API_RATE_PER_SECOND", default=10)
API_RATE_BURST = env.int("API_RATE_BURST", default=40)
API_REQUEST_KEEP_DAYS = env.int("API_REQUEST_KEEP_DAYS", default=30)

# Payment provider webhooks are signed with this secret (HMAC-SHA256).
PAYMENT_WEBHOOK_SECRET = env_secret("PAYMENT_WEBHOOK_SECRET", debug=DEBUG)
# A webhook older than this (seconds) is refused as a replay.
PAYMENT_WEBHOOK_TOLERANCE = 300

# Outgoing webhooks go to public https addresses only; DEBUG (local development) and the suite,
# whose receivers listen on loopback, may also reach private ones.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
# Deliveries are retried for a day; an endpoint failing that long is paused.
WEBHOOK_RETRY_HOURS = 24
# Outbox messages (and their deliveries) kept for the delivery log and "replay since".
WEBHOOK_KEEP_DAYS = env.int("WEBHOOK_KEEP_DAYS", default=30)

SECURE_COOKIES = env("SECURE_COOKIES")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Only the app's own files: no inline script, style or event handler (tests/test_csp.py scans
# templates/ and static/ for them), and htmx told not to eval or inject styles (base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
