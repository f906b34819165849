from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_sync_role_groups, sender=self)


def _sync_role_groups(**kwargs) -> None:
    from .permissions import role_groups_sync

    role_groups_sync()
