import pytest
from django.utils import timezone

from orders.models import Order
from tests.factories import place


def soft_delete(order: Order) -> None:
    # Test set-up only: the soft-delete service lands with the Undelete tool.
    Order.objects.filter(pk=order.pk).update(deleted_at=timezone.now())


@pytest.fixture
def orders(merchant):
    return [place(merchant, email=f"buyer{n}@example.com") for n in range(3)]


def login(client, user) -> None:
    client.force_login(user)
