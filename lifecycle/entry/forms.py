"""The back-end entry form: customer, addresses, lines, shipping, money and payment."""

import re
from decimal import Decimal

from django import forms

from orders.models import Item, Merchant
from orders.pricing import MAX_AMOUNT, MAX_QUANTITY
from orders.selectors.customers import customer_saved_card_get
from orders.services.placement import CardMode
from orders.states import PaymentMethod

SAVED_CARD = "saved_card"
PAYMENT_CHOICES = [
    (PaymentMethod.CREDIT_CARD, "Card"),
    (SAVED_CARD, "Saved card"),
    (PaymentMethod.ECHECK, "E-check"),
    (PaymentMethod.CHECK, "Check"),
    (PaymentMethod.MONEY_ORDER, "Money order"),
    (PaymentMethod.PURCHASE_ORDER, "Purchase order"),
    (PaymentMethod.WIRE, "Wire"),
    (PaymentMethod.COD, "COD"),
    (PaymentMethod.CASH, "Cash"),
    (PaymentMethod.QUOTE_REQUEST, "Quote request"),
]
CARD_MODES = [
    (CardMode.CHARGE_NOW, "Charge now"),
    (CardMode.NO_CHARGE, "No real-time charge"),
    (CardMode.SKIP, "Skip processing"),
]
ADDRESS = ("address1", "address2", "city", "region", "postal_code", "country")
EXPIRY = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*$")
MONEY_FIELD = {
    "max_digits": 12,
    "decimal_places": 2,
    "min_value": Decimal("0"),
    "max_value": MAX_AMOUNT,
}


def _money(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        **MONEY_FIELD, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}), **kwargs
    )


def _text(label: str, max_length: int = 200, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


class PricingForm(forms.Form):
    """The money a quote editor and the entry screen share."""

    shipping_method = _text("Shipping method", 100)
    shipping_total = _money(label="Shipping cost", initial=Decimal("0.00"))
    discount = _money(label="Discount", initial=Decimal("0.00"))
    tax = _money(label="Tax", required=False, help_text="Empty: the merchant's rate.")


class OrderEntryForm(PricingForm):
    form_token = forms.CharField(widget=forms.HiddenInput)
    email = forms.EmailField(label="Email", max_length=254)
    first_name = _text("First name", 100)
    last_name = _text("Last name", 100)
    company = _text("Company")
    phone = _text("Phone", 40)
    billing_address1 = _text("Address")
    billing_address2 = _text("Address 2")
    billing_city = _text("City", 100)
    billing_region = _text("Region", 100)
    billing_postal_code = _text("Postal code", 20)
    billing_country = _text("Country", 2, initial="US")
    same_as_billing = forms.BooleanField(label="Ship to the billing address", required=False)
    shipping_name = _text("Ship to name")
    shipping_address1 = _text("Address")
    shipping_address2 = _text("Address 2")
    shipping_city = _text("City", 100)
    shipping_region = _text("Region", 100)
    shipping_postal_code = _text("Postal code", 20)
    shipping_country = _text("Country", 2)
    payment_method = forms.ChoiceField(
        label="Payment",
        choices=PAYMENT_CHOICES,
        widget=forms.RadioSelect,
        initial=PaymentMethod.CREDIT_CARD,
    )
    card_number = _text("Card number", 23, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    card_exp = _text("Expiry (MM/YY)", 7)
    card_cvv = _text("CVV", 4, widget=forms.TextInput(attrs={"autocomplete": "off", "size": 4}))
    card_mode = forms.ChoiceField(
        label="Card", choices=CARD_MODES, widget=forms.RadioSelect, initial=CardMode.CHARGE_NOW
    )
    saved_card = _text("Saved card", 32)
    purchase_order_number = _text("PO number", 64)
    bank_account = _text("Bank account", 64)
    skip_fraud_score = forms.BooleanField(label="Skip fraud score", required=False)

    def __init__(self, *args, merchant: Merchant, may_skip_fraud: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.merchant = merchant
        self.saved_card_token = ""
        if not may_skip_fraud:
            del self.fields["skip_fraud_score"]

    def clean(self):
        data = super().clean()
        method = data.get("payment_method")
        if method == PaymentMethod.CREDIT_CARD:
            self._clean_card(data)
        elif method == SAVED_CARD:
            # Only a card saved by this very customer (the order's email): never another's.
            order = customer_saved_card_get(
                merchant=self.merchant,
                email=data.get("email", ""),
                order_id=data.get("saved_card", ""),
            )
            if order is None:
                self.add_error("saved_card", "Choose a saved card of this customer.")
            else:
                self.saved_card_token = order.gateway_token
        elif method == PaymentMethod.PURCHASE_ORDER and not data.get("purchase_order_number"):
            self.add_error("purchase_order_number", "Enter the purchase order number.")
        if data.get("same_as_billing"):
            for name in ADDRESS:
                data[f"shipping_{name}"] = data.get(f"billing_{name}", "")
        for prefix in ("billing", "shipping"):
            country = data.get(f"{prefix}_country", "")
            data[f"{prefix}_country"] = country.upper()
            if country and len(country) != 2:
                self.add_error(f"{prefix}_country", "Use the two-letter country code.")
        return data

    def _clean_card(self, data) -> None:
        number = re.sub(r"[\s-]", "", data.get("card_number", ""))
        data["card_number"] = number
        if not number:
            if data.get("card_mode") == CardMode.CHARGE_NOW:
                self.add_error("card_number", "Enter the card number to charge it now.")
            return
        if not number.isdigit() or not 12 <= len(number) <= 19:
            self.add_error("card_number", "A card number is 12 to 19 digits.")
        match = EXPIRY.match(data.get("card_exp", ""))
        if match is None or not 1 <= int(match.group(1)) <= 12:
            self.add_error("card_exp", "Enter the expiry as MM/YY.")
            return
        year = int(match.group(2))
        data["card_exp_month"] = int(match.group(1))
        data["card_exp_year"] = year + 2000 if year < 100 else year


class LineForm(forms.Form):
    sku = _text(
        "SKU",
        64,
        widget=forms.TextInput(attrs={"list": "catalogue", "size": 10, "aria-label": "SKU"}),
    )
    description = _text(
        "Description", 300, widget=forms.TextInput(attrs={"aria-label": "Description"})
    )
    quantity = forms.IntegerField(
        label="Qty",
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        widget=forms.NumberInput(attrs={"size": 4, "min": 1, "aria-label": "Quantity"}),
    )
    unit_price = forms.DecimalField(
        **MONEY_FIELD,
        required=False,
        label="Unit price",
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "size": 8, "aria-label": "Unit price"}
        ),
    )

    def __init__(self, *args, merchant: Merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.merchant = merchant
        self.item: Item | None = None

    def clean(self):
        data = super().clean()
        sku = data.get("sku", "").strip()
        if sku:
            self.item = Item.objects.filter(merchant=self.merchant, sku=sku).first()
            if self.item is None and not data.get("description"):
                self.add_error("sku", f"No item with SKU {sku}; add a description for free text.")
        elif not data.get("description"):
            self.add_error("description", "Choose an item by SKU or describe the line.")
        if data.get("unit_price") is None and self.item is None and "sku" not in self.errors:
            self.add_error("unit_price", "Enter the unit price.")
        return data


class BaseLineFormSet(forms.BaseFormSet):
    # Django's own words ("Please submit at least 1 form.") speak of forms, not lines.
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_few_forms": "Add at least one line to the order.",
        "too_many_forms": "An order has at most %(num)d lines.",
    }


LineFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=200,
    validate_max=True,
)
