"""Where an order goes after a payment attempt: one rule for placement and every later charge."""

from orders.states import Stage


def stage_after_payment(
    *,
    result: str,
    fraud_score: int,
    review_threshold: int,
    requires_shipping: bool,
    fraud_cleared: bool = False,
) -> str:
    if result in {"approved", "authorized", "processed"}:
        if fraud_score >= review_threshold and not fraud_cleared:
            return Stage.FRAUD_REVIEW
        return Stage.SHIPPING if requires_shipping else Stage.COMPLETED
    if result == "pending":
        return Stage.PENDING_CLEARANCE
    return Stage.ACCOUNTS_RECEIVABLE


def stage_after_settled_payment(*, requires_shipping: bool) -> str:
    return Stage.SHIPPING if requires_shipping else Stage.COMPLETED
