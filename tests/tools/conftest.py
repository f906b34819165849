import pytest

from orders.models import Order
from orders.services.deletion import order_delete
from tests.factories import place


def soft_delete(order: Order) -> None:
    order_delete(order=order, by=None, reason="test set-up")


@pytest.fixture
def orders(merchant):
    return [place(merchant, email=f"buyer{n}@example.com") for n in range(3)]


def login(client, user) -> None:
    client.force_login(user)
