"""Row locks on orders: every service that changes an order starts here.

One order is locked with order_lock; the orders of a job's chunk with orders_lock, in
primary-key order, which is the order every writer of many orders takes its locks in (the
set-based cost writer, orders.services.costs, locks its plan's orders in SQL the same way).
tests/test_reads_and_locks.py fails on a select_for_update of Order anywhere else in orders.
"""

from django.db import transaction
from django.db.models import QuerySet

from orders.exceptions import TransitionNotAvailable
from orders.models import Order


def order_lock(order: Order | int, *, lock_held: bool = False) -> Order:
    """The order, its row locked FOR UPDATE until the current transaction ends.

    lock_held=True means the caller has already locked this very instance in the current
    transaction (a job locks a whole chunk of orders in one query), so it is current and is
    returned as it is instead of being read again; the caller also rolls back to a savepoint
    of its own if the change raises (see order_change_atomic).
    """
    if lock_held and isinstance(order, Order):
        return order
    order_pk = order.pk if isinstance(order, Order) else order
    try:
        # of=self: lock the order's row only, not its merchant's, which every order shares.
        return (
            Order.objects.select_for_update(of=("self",))
            .select_related("merchant")
            .get(pk=order_pk)
        )
    except Order.DoesNotExist as exc:
        raise TransitionNotAvailable("There is no such order.") from exc


def orders_lock(orders: QuerySet[Order]) -> QuerySet[Order]:
    """These orders, to be locked FOR UPDATE in primary-key order when the query runs (the
    caller then passes lock_held=True to the services it calls for each of them)."""
    return orders.select_for_update(of=("self",)).order_by("pk")


def order_change_atomic(*, lock_held: bool = False) -> transaction.Atomic:
    """The transaction block of one change to an order.

    A caller that holds the order's lock (lock_held) runs the change inside a savepoint of its
    own and rolls back to it when the change raises, so the change needs no second savepoint.
    """
    return transaction.atomic(savepoint=not lock_held)
