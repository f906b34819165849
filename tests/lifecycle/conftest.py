import uuid

import pytest

from orders.models import Role
from orders.services.placement import CardMode
from tests.factories import member, place


def login(client, user) -> None:
    client.force_login(user)


def one_time(*, confirmed: bool = True) -> dict[str, str]:
    """The fresh one-time token a rendered money form carries, as post data; confirmed: as
    the confirmation step posts it (an action that moves money asks first, see
    backoffice/common/confirmation.py), else as the form's own first post."""
    data = {"form_token": uuid.uuid4().hex}
    return {**data, "confirmed": "1"} if confirmed else data


def ar_order(merchant, **kwargs):
    """An Accounts Receivable order whose approved card is on file (not charged yet)."""
    return place(merchant, card_mode=CardMode.NO_CHARGE, **kwargs)


@pytest.fixture
def clerk(merchant):
    return member(merchant, Role.SHIPPING_CLERK)


@pytest.fixture
def manager_client(client, manager):
    login(client, manager)
    return client
