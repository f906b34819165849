"""Forms of the order page: the inputs some transitions need, and a merchant note.

One form class per input kind (the transition's `form` custom key); each turns its cleaned
data into the keyword arguments order_transition passes to the transition's step.
"""

from typing import Any

from django import forms

from orders.models import Merchant
from orders.services.notes import MAX_NOTE_LENGTH
from orders.services.transition_steps import MAX_TRACKING_NUMBERS

CARRIERS = ["UPS", "USPS", "FedEx", "DHL", "Other"]


class TransitionForm(forms.Form):
    """Base of the transition input forms; built for the current merchant."""

    def __init__(self, *args: Any, merchant: Merchant, **kwargs: Any) -> None:
        self.merchant = merchant
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def inputs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class RecordPaymentForm(TransitionForm):
    reference = forms.CharField(
        label="Payment reference",
        max_length=100,
        help_text="Check number, wire reference …",
        error_messages={"required": "A payment reference is required."},
    )


class RejectForm(TransitionForm):
    reason = forms.ChoiceField(label="Reason code")

    def __init__(self, *args: Any, merchant: Merchant, **kwargs: Any) -> None:
        super().__init__(*args, merchant=merchant, **kwargs)
        codes = list(merchant.reject_reason_codes or [])
        field = self.fields["reason"]
        field.choices = [("", "—"), *((code, code.replace("_", " ")) for code in codes)]
        field.required = merchant.reason_required
        field.error_messages["required"] = "Choose a reason code."


class RejectAsFraudForm(TransitionForm):
    block = forms.BooleanField(label="Also block the email, address, card and IP", required=False)


class HoldForm(TransitionForm):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        error_messages={"required": "Give a reason for the hold."},
    )
    until = forms.DateField(
        label="Release on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: released automatically on this date.",
    )


class MarkShippedForm(TransitionForm):
    carrier = forms.CharField(
        label="Carrier",
        max_length=50,
        widget=forms.TextInput(attrs={"list": "carriers"}),
        error_messages={"required": "Choose the carrier."},
    )
    do_not_notify = forms.BooleanField(label="Do not notify the customer", required=False)

    def __init__(self, *args: Any, merchant: Merchant, **kwargs: Any) -> None:
        super().__init__(*args, merchant=merchant, **kwargs)
        for number in range(1, MAX_TRACKING_NUMBERS + 1):
            self.fields[f"tracking_{number}"] = forms.CharField(
                label=f"Tracking number {number}", max_length=100, required=False
            )

    def tracking_fields(self) -> list[forms.BoundField]:
        return [self[f"tracking_{n}"] for n in range(1, MAX_TRACKING_NUMBERS + 1)]

    def inputs(self) -> dict[str, Any]:
        data = self.cleaned_data
        tracking = [data[f"tracking_{n}"] for n in range(1, MAX_TRACKING_NUMBERS + 1)]
        return {
            "carrier": data["carrier"],
            "tracking_numbers": [number for number in tracking if number],
            "notify": not data["do_not_notify"],
        }


TRANSITION_FORMS: dict[str, type[TransitionForm]] = {
    "record_payment": RecordPaymentForm,
    "reject": RejectForm,
    "reject_as_fraud": RejectAsFraudForm,
    "hold": HoldForm,
    "mark_shipped": MarkShippedForm,
}


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "The note is empty."},
    )


def form_errors_text(form: forms.Form) -> str:
    """All of a form's errors as one sentence for a message."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
