"""The payment gateway interface, chosen per merchant."""

from .base import CardDetails, Gateway, GatewayResult, PaymentReason
from .test_gateway import TestGateway


def gateway_for(merchant) -> Gateway:
    """The gateway a merchant uses. Real gateways plug in here by the merchant's setting."""
    return TestGateway(live=merchant.gateway == "test_live")


__all__ = [
    "CardDetails",
    "Gateway",
    "GatewayResult",
    "PaymentReason",
    "TestGateway",
    "gateway_for",
]
