"""The forms of returns: opening one (staff and customer), receiving it, refunding it."""

from django import forms

from orders.models import Return
from orders.pricing import MAX_QUANTITY

OPEN_PREFIX = "return"


def _quantity_fields(form: forms.Form, rows: list[tuple[int, str, int]], initial=0) -> None:
    """One whole-number field per (order line pk, label, most) row, named line_<pk>. The
    service checks the real limits; the form only keeps the input a number."""
    for pk, label, most in rows:
        form.fields[f"line_{pk}"] = forms.IntegerField(
            label=f"{label} (at most {most})",
            min_value=0,
            max_value=MAX_QUANTITY,
            required=False,
            initial=initial if initial != "most" else most,
        )


def line_quantities(form: forms.Form) -> dict[int, int]:
    return {
        int(name.removeprefix("line_")): value
        for name, value in form.cleaned_data.items()
        if name.startswith("line_") and value
    }


class ReturnOpenForm(forms.Form):
    """Which lines and how many come back, and why; `returnable` is line pk → most. On the
    order page it is prefixed "return", beside the refund form's own line fields."""

    reason = forms.ChoiceField(label="Reason", choices=[("", "—"), *Return.Reason.choices])
    reason_text = forms.CharField(label="Details", max_length=500, required=False)

    def __init__(self, *args, order, returnable: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        rows = [
            (line.pk, line.sku or line.description, returnable.get(line.pk, 0))
            for line in order.lines.all()
            if returnable.get(line.pk, 0) > 0
        ]
        _quantity_fields(self, rows)
        self.order_fields([name for name in self.fields if name.startswith("line_")])

    def clean(self):
        data = super().clean()
        if not line_quantities(self):
            raise forms.ValidationError("Choose at least one item to return.")
        return data


class CustomerReturnForm(ReturnOpenForm):
    reason_text = forms.CharField(
        label="Tell us more (optional)", max_length=500, required=False, widget=forms.Textarea
    )


class ReturnRejectForm(forms.Form):
    why = forms.CharField(label="Why it is rejected", max_length=500)


class ReturnReceiveForm(forms.Form):
    condition = forms.ChoiceField(label="Condition", choices=[("", "—"), *Return.Condition.choices])

    def __init__(self, *args, request: Return, **kwargs):
        super().__init__(*args, **kwargs)
        rows = [
            (line.order_line_id, line.order_line.sku or line.order_line.description, line.quantity)
            for line in request.lines.all()
        ]
        _quantity_fields(self, rows, initial="most")
        self.order_fields([name for name in self.fields if name.startswith("line_")])

    def received(self) -> dict[int, int]:
        return {
            int(name.removeprefix("line_")): value or 0
            for name, value in self.cleaned_data.items()
            if name.startswith("line_")
        }


class ReturnRefundForm(forms.Form):
    restocking_fee = forms.DecimalField(
        label="Restocking fee (amount)",
        min_value=0,
        decimal_places=2,
        max_digits=12,
        required=False,
    )
    restocking_percent = forms.DecimalField(
        label="or restocking fee (% of the goods)",
        min_value=0,
        max_value=100,
        decimal_places=2,
        max_digits=5,
        required=False,
    )
    refund_shipping = forms.BooleanField(label="Refund the order's shipping", required=False)
    external = forms.BooleanField(label="Refunded outside the gateway", required=False)

    def __init__(self, *args, request: Return, **kwargs):
        super().__init__(*args, **kwargs)
        rows = [
            (
                line.order_line_id,
                line.order_line.sku or line.order_line.description,
                line.received_quantity - line.refunded_quantity,
            )
            for line in request.lines.all()
            if line.received_quantity > line.refunded_quantity
        ]
        _quantity_fields(self, rows, initial="most")
        self.order_fields([name for name in self.fields if name.startswith("line_")])

    def inputs(self) -> dict:
        data = self.cleaned_data
        return {
            "line_quantities": line_quantities(self),
            "restocking_fee": data.get("restocking_fee"),
            "restocking_percent": data.get("restocking_percent"),
            "refund_shipping": data["refund_shipping"],
            "external": data["external"],
        }


class ReturnListFilter(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any"), *Return.Status.choices], required=False
    )
    q = forms.CharField(label="RMA number, order ID or email", max_length=254, required=False)
