from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    """The project package as an app, for its system checks (no models)."""

    name = "backoffice"
    verbose_name = "Back office"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
