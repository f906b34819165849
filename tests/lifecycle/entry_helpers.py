"""POST data for the back-end entry screen, as its form sends it."""

import uuid

from tests.factories import APPROVE_CARD


def entry_data(*, lines=None, token: str | None = None, **fields) -> dict:
    lines = lines if lines is not None else [{"description": "Widget", "unit_price": "20.00"}]
    data = {
        "form_token": token or uuid.uuid4().hex,
        "email": "ann@example.com",
        "first_name": "Ann",
        "last_name": "Lee",
        "phone": "555-0100",
        "billing_address1": "1 Main St",
        "billing_city": "Springfield",
        "billing_postal_code": "12345",
        "billing_country": "US",
        "same_as_billing": "on",
        "shipping_method": "Ground",
        "shipping_total": "5.00",
        "discount": "0.00",
        "tax": "",
        "payment_method": "credit_card",
        "card_mode": "charge_now",
        "card_number": APPROVE_CARD,
        "card_exp": "12/30",
        "card_cvv": "123",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "200",
    }
    for index, line in enumerate(lines):
        data[f"lines-{index}-quantity"] = "1"
        for key, value in line.items():
            data[f"lines-{index}-{key}"] = value
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}
