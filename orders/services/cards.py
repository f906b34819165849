"""A card typed once (by staff or the customer): the gateway tokenizes it, and the order may
keep the token as its card on file. The number and CVV go only to the gateway."""

from orders.exceptions import InvalidInput
from orders.models import Order
from orders.payments import CardDetails, gateway_for
from orders.payments.base import CardToken
from orders.states import PaymentMethod


def card_tokenize(*, order: Order, card: CardDetails) -> CardToken:
    """The gateway's token for the card; InvalidInput for a number it refuses."""
    try:
        return gateway_for(order.merchant).tokenize(card)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


def card_on_file_keep(*, order: Order, token: CardToken) -> None:
    """The card becomes the order's card on file, so the customer's saved card; the caller
    saves the order."""
    order.payment_method = PaymentMethod.CREDIT_CARD
    order.card_brand, order.card_last4 = token.brand, token.last4
    order.card_exp_month, order.card_exp_year = token.exp_month, token.exp_year
    order.card_fingerprint, order.gateway_token = token.fingerprint, token.token
