"""Deployment checks (`manage.py check --deploy`): secrets that anyone could know or guess."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Shorter than this, a secret is reported: 32 random characters is the least we accept.
SECRET_MIN_LENGTH = 32
SECRETS = {
    "SECRET_KEY": "backoffice.W001",
    "PAYMENT_WEBHOOK_SECRET": "backoffice.W002",
}


@register(Tags.security, deploy=True)
def secrets_check(app_configs=None, **kwargs) -> list[Warning]:
    """A secret left at its public development value, or too short to resist guessing."""
    problems = []
    for name, check_id in SECRETS.items():
        value = getattr(settings, name, "") or ""
        if value == settings.DEVELOPMENT_SECRETS.get(name):
            reason = "is the public development default"
        elif len(value) < SECRET_MIN_LENGTH:
            reason = f"is shorter than {SECRET_MIN_LENGTH} characters"
        else:
            continue
        problems.append(
            Warning(
                f"{name} {reason}: anyone who knows or guesses it can forge what it signs.",
                hint=f"Set {name} to a long random value, e.g. "
                "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
                id=check_id,
            )
        )
    return problems
