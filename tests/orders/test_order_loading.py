"""Orders loaded with some fields deferred (every list) hold what a whole load holds, and the
deferred fields stay deferred (Order.from_db places each loaded value once per set of names)."""

import pytest

from orders.models import Order
from orders.selectors.lists import LIST_FIELDS
from orders.states import Stage
from tests.factories import place

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fields",
    [
        # The stage is always asked: ConcurrentTransitionMixin reads it as each order is made.
        ["order_id", "stage", "email", "total"],
        ["total", "email", "stage", "order_id"],  # in another order than the model's
        [name for name in LIST_FIELDS if "__" not in name],
    ],
)
def test_a_deferred_load_holds_the_whole_loads_values(merchant, fields):
    place(merchant, email="ann@example.com")
    place(merchant, email="bob@example.com")
    whole = {order.pk: order for order in Order.objects.all()}

    loaded = list(Order.objects.only(*fields).order_by("pk"))

    assert len(loaded) == 2
    for order in loaded:
        model_fields = {Order._meta.get_field(name).attname for name in fields if name != "pk"}
        concrete = {field.attname for field in Order._meta.concrete_fields}
        assert order.get_deferred_fields() == concrete - model_fields - {"id"}
        for attname in model_fields | {"id"}:
            assert getattr(order, attname) == getattr(whole[order.pk], attname)
        assert not order._state.adding
        assert order._state.db == "default"


def test_a_deferred_order_still_takes_transitions_and_saves(merchant):
    order = place(merchant)
    loaded = Order.objects.only("order_id", "stage", "merchant").get(pk=order.pk)

    assert loaded.stage == Order.objects.get(pk=order.pk).stage
    assert loaded.email == order.email  # a deferred field, read on demand
    assert loaded.stage in Stage.values
