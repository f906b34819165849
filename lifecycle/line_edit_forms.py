"""The order's line edit form: each line's quantity, price and removal, catalogue items and
free-text lines to add, shipping, the reason for a price change, and the order's version."""

import re
from decimal import Decimal

from django import forms

from orders.models import Order
from orders.selectors.items import item_catalogue_list
from orders.services.line_edits import LineChange, LinesEdit, NewLine

CATALOGUE_LIMIT = 500
ITEM_ROWS = 2
TEXT_ROWS = 1
# A posted line that is not one of the order's (a stale or forged form): carried to the
# service, which refuses it with its own message.
LINE_FIELD = re.compile(r"^line-(\d+)-(quantity|unit_price|remove)$")


def _number(label: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, widget=forms.NumberInput(attrs={"size": 5, "inputmode": "numeric"}), **kwargs
    )


def _amount(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"size": 8, "inputmode": "decimal"}),
        **kwargs,
    )


class LinesEditForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput)
    shipping_total = _amount("Shipping cost")
    shipping_method = forms.CharField(label="Shipping method", max_length=100, required=False)
    price_reason = forms.CharField(
        label="Why the price changes",
        max_length=300,
        required=False,
        help_text="Required when a unit price changes.",
    )

    def __init__(self, *args, order: Order, version: str, rebills: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.order = order
        self.lines = list(order.lines.all())
        self.fields["version"].initial = version
        self.fields["shipping_total"].initial = order.shipping_total
        self.fields["shipping_method"].initial = order.shipping_method
        for line in self.lines:
            what = line.sku or line.description
            self.fields[f"line-{line.pk}-quantity"] = _number(
                f"Quantity of {what}", initial=line.quantity
            )
            self.fields[f"line-{line.pk}-unit_price"] = _amount(
                f"Unit price of {what}", initial=line.unit_price
            )
            self.fields[f"line-{line.pk}-remove"] = forms.BooleanField(
                label=f"Remove {what}", required=False
            )
        choices = [("", "—")] + [
            (item.sku, f"{item.sku} · {item.description} ({item.price})")
            for item in item_catalogue_list(merchant=order.merchant, limit=CATALOGUE_LIMIT)
        ]
        for n in range(1, ITEM_ROWS + 1):
            self.fields[f"add-{n}-sku"] = forms.ChoiceField(
                label=f"Add item {n}", choices=choices, required=False
            )
            self.fields[f"add-{n}-quantity"] = _number(f"Quantity of item {n}", required=False)
        for n in range(1, TEXT_ROWS + 1):
            self.fields[f"text-{n}-description"] = forms.CharField(
                label="Free-text line", max_length=300, required=False
            )
            self.fields[f"text-{n}-quantity"] = _number("Its quantity", required=False)
            self.fields[f"text-{n}-unit_price"] = _amount("Its unit price", required=False)
        if rebills:
            self.fields["rebills_too"] = forms.BooleanField(
                label="Also change future rebills of the auto order", required=False
            )

    def line_rows(self):
        for line in self.lines:
            yield (
                line,
                self[f"line-{line.pk}-quantity"],
                self[f"line-{line.pk}-unit_price"],
                self[f"line-{line.pk}-remove"],
            )

    def add_rows(self):
        for n in range(1, ITEM_ROWS + 1):
            yield self[f"add-{n}-sku"], self[f"add-{n}-quantity"]

    def text_rows(self):
        for n in range(1, TEXT_ROWS + 1):
            yield (
                self[f"text-{n}-description"],
                self[f"text-{n}-quantity"],
                self[f"text-{n}-unit_price"],
            )

    def errors_text(self) -> str:
        """Every error once, named by its field's label (the page shows them above the form)."""
        return " ".join(
            f"{self.fields[name].label}: {error}" if name in self.fields else str(error)
            for name, errors in self.errors.items()
            for error in errors
        )

    def clean(self):
        cleaned = super().clean()
        known = {line.pk for line in self.lines}
        self.foreign_changes = []
        for name in self.data:
            match = LINE_FIELD.match(name)
            if match and int(match.group(1)) not in known:
                self.foreign_changes.append(int(match.group(1)))
        return cleaned

    def edit(self) -> LinesEdit:
        data = self.cleaned_data
        changes = [
            LineChange(
                line_pk=line.pk,
                quantity=data[f"line-{line.pk}-quantity"],
                unit_price=data[f"line-{line.pk}-unit_price"],
                remove=data[f"line-{line.pk}-remove"],
            )
            for line in self.lines
        ]
        changes += [
            LineChange(line_pk=pk, quantity=1, unit_price=Decimal("0"))
            for pk in sorted(set(self.foreign_changes))
        ]
        added = [
            NewLine(sku=data[f"add-{n}-sku"], quantity=data[f"add-{n}-quantity"] or 1)
            for n in range(1, ITEM_ROWS + 1)
            if data[f"add-{n}-sku"]
        ]
        added += [
            NewLine(
                description=data[f"text-{n}-description"].strip(),
                quantity=data[f"text-{n}-quantity"] or 1,
                unit_price=data[f"text-{n}-unit_price"],
            )
            for n in range(1, TEXT_ROWS + 1)
            if data[f"text-{n}-description"].strip()
        ]
        return LinesEdit(
            changes=changes,
            added=added,
            shipping_total=data["shipping_total"],
            shipping_method=data["shipping_method"],
            price_reason=data["price_reason"],
            rebills_too=data.get("rebills_too", False),
        )
