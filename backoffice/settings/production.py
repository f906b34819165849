"""Production settings: the base settings with HTTPS-only cookies and strict transport."""

from .base import *  # noqa: F403

DEBUG = False
# Read again with DEBUG off: DEBUG=1 in the environment must not let production run on the
# public development secrets.
SECRET_KEY = env_secret("SECRET_KEY", debug=False)  # noqa: F405
PAYMENT_WEBHOOK_SECRET = env_secret("PAYMENT_WEBHOOK_SECRET", debug=False)  # noqa: F405
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)  # noqa: F405
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)  # noqa: F405
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
