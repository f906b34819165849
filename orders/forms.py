"""The inputs some transitions need, as forms shared by the order page and the admin.

A transition names its form by dotted path in its `form` custom key (orders.fsm reads it); the
form's inputs() are the keyword arguments order_transition passes to the transition's preparer,
and its `example` is what a person could submit for any order of a merchant with the default
settings, with which the check of every operation (tests/tools/test_every_operation.py) runs the
transition.
"""

from typing import Any, ClassVar

from django import forms

from orders.fsm import transition_spec
from orders.models import Order
from orders.payments import CardDetails
from orders.services.shipments import MAX_TRACKING_NUMBERS


class TransitionForm(forms.Form):
    """Base of the transition input forms; built for one order and transition."""

    example: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, order: Order, name: str, **kwargs: Any) -> None:
        self.order = order
        self.merchant = order.merchant
        self.transition_name = name
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def inputs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class RecordPaymentForm(TransitionForm):
    example: ClassVar[dict[str, str]] = {"reference": "W-1"}
    reference = forms.CharField(
        label="Payment reference",
        max_length=100,
        help_text="Check number, wire reference, money order number …",
        error_messages={"required": "A payment reference is required."},
    )
    do_not_notify = forms.BooleanField(label="Do not send the receipt", required=False)

    def inputs(self) -> dict[str, Any]:
        return {
            "reference": self.cleaned_data["reference"],
            "notify": not self.cleaned_data["do_not_notify"],
        }


class CardForm(forms.Form):
    """A card typed once: it goes to the gateway to be tokenized; neither it nor its CVV is
    kept."""

    card_number = forms.CharField(
        label="Card number",
        max_length=23,
        widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
        error_messages={"required": "Enter the card number."},
    )
    card_exp = forms.RegexField(
        label="Expiry (MM/YY)",
        regex=r"^\s*(0?[1-9]|1[0-2])\s*/\s*(\d{2}|\d{4})\s*$",
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp"}),
        error_messages={
            "required": "Enter the expiry as MM/YY.",
            "invalid": "Enter the expiry as MM/YY.",
        },
    )
    card_cvv = forms.CharField(
        label="CVV",
        max_length=4,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )
    postal_code = forms.CharField(label="Billing postal code", max_length=20, required=False)

    def clean_card_number(self) -> str:
        number = "".join(self.cleaned_data["card_number"].split()).replace("-", "")
        if not number.isdigit() or not 12 <= len(number) <= 19:
            raise forms.ValidationError("Enter the card number (12 to 19 digits).")
        return number

    def card(self) -> CardDetails:
        month, year = (part.strip() for part in self.cleaned_data["card_exp"].split("/"))
        return CardDetails(
            self.cleaned_data["card_number"],
            int(month),
            int(year) + 2000 if len(year) == 2 else int(year),
            cvv=self.cleaned_data["card_cvv"].strip(),
            postal_code=self.cleaned_data["postal_code"].strip(),
        )


class OtherCardForm(CardForm, TransitionForm):
    """Charge another card on an Accounts Receivable order, optionally keeping it on file."""

    example: ClassVar[dict[str, str]] = {
        "card_number": "4111111111111111",
        "card_exp": "12/30",
        "card_cvv": "123",
        "postal_code": "12345",
    }
    save_card = forms.BooleanField(
        label="Save it as the customer's card on file", required=False, initial=True
    )

    def inputs(self) -> dict[str, Any]:
        return {"card": self.card(), "save_card": self.cleaned_data["save_card"]}


class SubmitEcheckForm(TransitionForm):
    example: ClassVar[dict[str, str]] = {"bank_account": "021000021-1"}
    bank_account = forms.CharField(
        label="Bank account to debit",
        max_length=64,
        help_text="Routing and account number as the customer gave them.",
        error_messages={"required": "Enter the bank account to debit."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.order.payment_method == "echeck":
            self.fields["bank_account"].required = False
            self.fields["bank_account"].help_text = "Empty: the account given with the order."


class RejectForm(TransitionForm):
    example: ClassVar[dict[str, str]] = {"reason": "other"}
    reason = forms.ChoiceField(label="Reason code")
    notify = forms.BooleanField(
        label="Email the customer about the refund", required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = list(self.merchant.reject_reason_codes or [])
        field = self.fields["reason"]
        field.choices = [("", "—"), *((code, code.replace("_", " ")) for code in codes)]
        field.required = self.merchant.reason_required
        field.error_messages["required"] = "Choose a reason code."
        if self.transition_name != "refund_and_reject":
            del self.fields["notify"]


class RejectAsFraudForm(TransitionForm):
    block = forms.BooleanField(
        label="Also block the email, shipping address, card and IP address", required=False
    )


class HoldForm(TransitionForm):
    example: ClassVar[dict[str, str]] = {"reason": "Address check"}
    reason = forms.CharField(
        label="Reason", max_length=300, error_messages={"required": "Give a reason for the hold."}
    )
    until = forms.DateField(
        label="Release on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: released automatically on this date.",
    )


class MarkShippedForm(TransitionForm):
    example: ClassVar[dict[str, str]] = {"carrier": "UPS", "tracking_1": "1Z1"}
    carrier = forms.CharField(
        label="Carrier",
        max_length=50,
        widget=forms.TextInput(attrs={"list": "carriers"}),
        error_messages={"required": "Choose the carrier."},
    )
    method = forms.CharField(label="Shipping method", max_length=100, required=False)
    do_not_notify = forms.BooleanField(label="Do not notify the customer", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["method"].initial = self.order.shipping_method
        for number in range(1, MAX_TRACKING_NUMBERS + 1):
            self.fields[f"tracking_{number}"] = forms.CharField(
                label=f"Tracking number {number}", max_length=100, required=False
            )
        # Keep "do not notify" last, after the tracking numbers.
        self.fields["do_not_notify"] = self.fields.pop("do_not_notify")

    def tracking_fields(self) -> list[forms.BoundField]:
        return [self[f"tracking_{n}"] for n in range(1, MAX_TRACKING_NUMBERS + 1)]

    def inputs(self) -> dict[str, Any]:
        data = self.cleaned_data
        tracking = [data[f"tracking_{n}"] for n in range(1, MAX_TRACKING_NUMBERS + 1)]
        return {
            "carrier": data["carrier"],
            "method": data["method"],
            "tracking_numbers": [number for number in tracking if number],
            "notify": not data["do_not_notify"],
        }


def transition_form_for(name: str, *, order: Order, data=None, prefix: str | None = None):
    """The input form transition `name` needs on this order, or None when it needs none."""
    form_class = transition_spec(name).form_class
    if form_class is None:
        return None
    return form_class(data, order=order, name=name, prefix=prefix)
