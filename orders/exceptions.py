"""Domain errors. Views, the admin, jobs and commands turn them into messages."""


class OrderError(Exception):
    """Base of the order domain's refusals; its message is shown to the person acting."""


class TransitionNotAvailable(OrderError):
    pass


class TransitionNotPermitted(OrderError):
    pass


class LimitExceeded(TransitionNotPermitted):
    """Allowed in kind but over the person's limit (customer service's refund limit): the
    screens show the message instead of refusing the page."""


class OrderChanged(OrderError):
    def __init__(self, message: str = "This order changed while you were looking at it.") -> None:
        super().__init__(message)


class InvalidInput(OrderError):
    pass


class InvalidSelection(InvalidInput):
    """A selection of orders that cannot be resolved: a bad range, date or filter."""


class SelectionTooLarge(InvalidSelection):
    """More orders than one action may take at a time (orders.selectors.selection's cap):
    nothing is started; the person narrows the selection."""

    def __init__(self, cap: int, *, hint: str = "narrow the selection") -> None:
        self.cap = cap
        super().__init__(f"At most {cap:,} orders at a time: {hint}.")


class PaymentFailed(OrderError):
    pass


class OrderRefused(OrderError):
    """Placement refused (fraud decline, invalid order): nothing was stored."""


class CostPlanOutdated(OrderError):
    """A plan of cost changes names an order that is gone, deleted or another merchant's."""

    def __init__(self, *, order_label: str) -> None:
        self.order_label = order_label
        super().__init__(f"order {order_label} was deleted meanwhile; nothing was changed.")


class WebhookRejected(Exception):
    """A webhook that is unsigned, badly signed, stale or replayed."""
