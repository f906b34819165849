from django.utils import timezone

from orders.exceptions import OrderError
from orders.models import Order
from orders.states import Stage

from .transitions import order_transition


def hold_release_due() -> int:
    """Release every held order whose release date has come (run by beat); returns the count."""
    released = 0
    due = (
        Order.objects.live()
        .filter(stage=Stage.HOLD, hold_until__isnull=False, hold_until__lte=timezone.localdate())
        .values_list("pk", flat=True)
    )
    for order_pk in due.iterator():
        try:
            order_transition(
                order=order_pk, name="release_hold", by=None, via="beat", expected_stage=Stage.HOLD
            )
        except OrderError:
            continue
        released += 1
    return released
