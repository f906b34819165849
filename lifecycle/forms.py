"""Forms of the order page. The transition input forms live in orders.forms (the admin uses
them too)."""

import re
import uuid

from django import forms

from orders.exceptions import InvalidInput
from orders.selectors.fulfilment import order_line_numbers
from orders.services.edits import BILLING_FIELDS, SHIPPING_FIELDS
from orders.services.notes import MAX_NOTE_LENGTH
from orders.services.shipments import MAX_TRACKING_NUMBERS
from tools.operations.shipping import ShipList, ship_list_parse


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


FORM_TOKEN = re.compile(r"[0-9a-f]{32}")


class OneTimeTokenForm(forms.Form):
    """The token every form that moves money carries (orders.services.submissions): made fresh
    each time the form is rendered, so that the server does one submission of it once."""

    form_token = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This form has no one-time token: reload the page and submit it again."
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", False)  # many on a page: no clashing element IDs
        super().__init__(*args, **kwargs)
        self.fields["form_token"].initial = uuid.uuid4().hex

    def clean_form_token(self) -> str:
        token = self.cleaned_data["form_token"].strip()
        if not FORM_TOKEN.fullmatch(token):
            raise forms.ValidationError(
                "This form's one-time token is not valid: reload the page and submit it again."
            )
        return token


# ---- order page edits ---------------------------------------------------------------------


class CustomerForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=100, required=False)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    email = forms.EmailField(label="Email", max_length=254)
    company = forms.CharField(label="Company", max_length=200, required=False)
    phone = forms.CharField(label="Phone", max_length=40, required=False)

    @classmethod
    def initial_for(cls, order) -> dict:
        return {name: getattr(order, name) for name in cls.base_fields}

    def values(self) -> dict:
        return dict(self.cleaned_data)


def _address_fields(prefix: str, with_name: bool) -> dict[str, forms.Field]:
    fields = {}
    if with_name:
        fields[f"{prefix}_name"] = forms.CharField(label="Name", max_length=200, required=False)
    parts = [
        ("address1", "Address", 200),
        ("address2", "Address line 2", 200),
        ("city", "City", 100),
        ("region", "Region", 100),
        ("postal_code", "Postal code", 20),
        ("country", "Country (2 letters)", 2),
    ]
    for part, label, length in parts:
        fields[f"{prefix}_{part}"] = forms.CharField(label=label, max_length=length, required=False)
    return fields


class AddressesForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_address_fields("billing", False))
        self.fields.update(_address_fields("shipping", True))

    def values(self) -> dict:
        return dict(self.cleaned_data)

    @staticmethod
    def initial_for(order) -> dict:
        return {name: getattr(order, name) for name in (*BILLING_FIELDS, *SHIPPING_FIELDS)}


class CustomFieldsForm(forms.Form):
    """One field per custom field in use or configured; a select where values are configured."""

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        merchant = order.merchant
        configured = merchant.custom_fields or {}
        for number in range(1, 11):
            value = order.custom_field(number)
            if not value and str(number) not in configured:
                continue
            label = merchant.custom_field_label(number)
            choices = merchant.custom_field_values(number)
            name = f"custom_{number}"
            if choices:
                options = [("", "—"), *((c, c) for c in choices)]
                if value and value not in choices:
                    options.append((value, f"{value} (not a listed value)"))
                self.fields[name] = forms.ChoiceField(label=label, choices=options, required=False)
            else:
                self.fields[name] = forms.CharField(label=label, max_length=200, required=False)
            self.fields[name].initial = value

    def values(self) -> dict[int, str]:
        return {int(name.split("_")[1]): value for name, value in self.cleaned_data.items()}


class TagsForm(forms.Form):
    add = forms.CharField(
        label="Add tags", max_length=300, required=False, help_text="Comma-separated."
    )
    remove = forms.MultipleChoiceField(label="Remove", required=False)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove"].choices = [(t.name, t.name) for t in order.tags.all()]
        self.fields["remove"].widget = forms.CheckboxSelectMultiple(
            choices=self.fields["remove"].choices
        )

    def added(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["add"].split(",") if name.strip()]


# ---- completed orders: refunds and replacements ---------------------------------------------


def _line_quantity_fields(form: forms.Form, order, *, remaining: bool) -> None:
    for line in order.lines.all():
        most = line.quantity - line.refunded_quantity if remaining else line.quantity
        form.fields[f"line_{line.pk}"] = forms.IntegerField(
            label=f"{line.sku or line.description} (at most {most})",
            min_value=0,
            max_value=most,
            required=False,
            initial=0,
        )


def _line_quantities(form: forms.Form) -> dict[int, int]:
    return {
        int(name.removeprefix("line_")): value
        for name, value in form.cleaned_data.items()
        if name.startswith("line_") and value
    }


class RefundForm(forms.Form):
    full = forms.BooleanField(label="Refund everything that is left", required=False)
    amount = forms.DecimalField(
        label="Amount",
        min_value=0,
        decimal_places=2,
        max_digits=12,
        required=False,
        help_text="Empty: the price of the chosen quantities.",
    )
    external = forms.BooleanField(label="Refunded outside the gateway", required=False)
    reason = forms.ChoiceField(label="Reason code", required=False)
    do_not_notify = forms.BooleanField(label="Do not notify the customer", required=False)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        codes = order.merchant.refund_reason_codes or []
        self.fields["reason"].choices = [("", "—"), *((c, c.replace("_", " ")) for c in codes)]
        _line_quantity_fields(self, order, remaining=True)
        self.order_fields([name for name in self.fields if name.startswith("line_")])

    def clean(self):
        data = super().clean()
        if not data.get("full") and not data.get("amount") and not _line_quantities(self):
            raise forms.ValidationError("Choose quantities, an amount, or a full refund.")
        return data

    def inputs(self) -> dict:
        data = self.cleaned_data
        return {
            "full": data["full"],
            "amount": data.get("amount") or None,
            "line_quantities": _line_quantities(self) or None,
            "external": data["external"],
            "reason": data["reason"],
            "notify": not data["do_not_notify"],
        }


class BalanceReceivedForm(forms.Form):
    """What arrived of the balance a line edit left owing (a check, a wire …)."""

    amount = forms.DecimalField(
        label="Amount received",
        decimal_places=2,
        max_digits=12,
        error_messages={
            "required": "Enter the amount received.",
            "invalid": "Enter the amount received as a number, e.g. 12.50.",
        },
    )
    reference = forms.CharField(
        label="Payment reference",
        max_length=100,
        help_text="Check number, wire reference, money order number …",
        error_messages={"required": "A payment reference is required."},
    )
    note = forms.CharField(label="Note", max_length=200, required=False)

    def __init__(self, *args, owed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owed is not None:
            self.fields["amount"].initial = owed

    def inputs(self) -> dict:
        data = self.cleaned_data
        return {"amount": data["amount"], "reference": data["reference"], "note": data["note"]}


class ReplacementForm(forms.Form):
    free = forms.BooleanField(
        label="Free (no payment); otherwise the order goes to Accounts Receivable", required=False
    )
    reason = forms.CharField(label="Why", max_length=300, required=False)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        _line_quantity_fields(self, order, remaining=False)
        self.order_fields([name for name in self.fields if name.startswith("line_")])

    def clean(self):
        data = super().clean()
        if not _line_quantities(self):
            raise forms.ValidationError("Choose at least one line to replace.")
        return data

    def inputs(self) -> dict:
        return {
            "line_quantities": _line_quantities(self),
            "free": self.cleaned_data["free"],
            "reason": self.cleaned_data["reason"],
        }


# ---- shipping: a part of one order, or many orders from a pasted list -------------------------


class ShipPartForm(forms.Form):
    """Some of an order's lines: each line's quantity starts at what is left to ship."""

    carrier = forms.CharField(
        label="Carrier",
        max_length=50,
        widget=forms.TextInput(attrs={"list": "carriers"}),
        error_messages={"required": "Choose the carrier."},
    )
    method = forms.CharField(label="Shipping method", max_length=100, required=False)
    shipped_on = forms.DateField(
        label="Shipped on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: now.",
    )
    do_not_notify = forms.BooleanField(label="Do not notify the customer", required=False)

    def __init__(self, *args, order, unshipped: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].initial = order.shipping_method
        for number in range(1, MAX_TRACKING_NUMBERS + 1):
            self.fields[f"tracking_{number}"] = forms.CharField(
                label=f"Tracking number {number}", max_length=100, required=False
            )
        for number, line in order_line_numbers(order).items():
            left = unshipped.get(line.pk, 0)
            if left:
                self.fields[f"line_{line.pk}"] = forms.IntegerField(
                    label=f"#{number} {line.sku or line.description} (left to ship: {left})",
                    min_value=0,
                    max_value=left,
                    required=False,
                    initial=left,
                )
        self.fields["do_not_notify"] = self.fields.pop("do_not_notify")

    def line_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("line_")]

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("line_")]

    def inputs(self) -> dict:
        data = self.cleaned_data
        tracking = [data[f"tracking_{n}"] for n in range(1, MAX_TRACKING_NUMBERS + 1)]
        return {
            "lines": _line_quantities(self),
            "carrier": data["carrier"],
            "method": data["method"],
            "tracking_numbers": [number for number in tracking if number],
            "shipped_at": data["shipped_on"],
            "notify": not data["do_not_notify"],
        }


MAX_SHIP_ROWS = 5000


class ShipListForm(forms.Form):
    carrier = forms.CharField(
        label="Carrier",
        max_length=50,
        widget=forms.TextInput(attrs={"list": "carriers"}),
        error_messages={"required": "Choose the carrier."},
    )
    rows = forms.CharField(
        label="Order ID → tracking number",
        help_text=(
            "One order per line: its ID, then up to five tracking numbers; to ship part of an "
            "order, then line:quantity pairs, the line being its # on the order page "
            "(ORD-1001 1Z999 2:1,3:2)."
        ),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "autocomplete": "off"}),
    )
    do_not_notify = forms.BooleanField(label="Do not notify the customers", required=False)

    def clean_rows(self) -> ShipList:
        # The batch tool's "mark shipped from a list" reads the same lines: one parser.
        try:
            parsed = ship_list_parse(self.cleaned_data["rows"])
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from exc
        if len(parsed.tracking) > MAX_SHIP_ROWS:
            raise forms.ValidationError(f"At most {MAX_SHIP_ROWS:,} orders at a time.")
        return parsed
