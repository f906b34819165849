"""The Batch Order Operation form: how to choose the orders, and which operation."""

from typing import Any, cast

from django import forms

from orders.exceptions import InvalidInput
from orders.selectors.selection import DATE_FIELDS, ResolvedSelection
from tools.batch import batch_selection_resolve
from tools.operations.base import Operation
from tools.operations.registry import operation_get, operations_for_batch

KIND_CHOICES = [
    ("ids", "A list of order IDs"),
    ("range", "An order ID range"),
    ("dates", "A date range"),
]


class BatchSelectionForm(forms.Form):
    kind = forms.ChoiceField(label="Choose orders by", widget=forms.RadioSelect)
    order_ids = forms.CharField(
        label="Order IDs",
        required=False,
        help_text="Separated by spaces, commas or new lines.",
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false", "autocomplete": "off"}),
    )
    range_from = forms.CharField(label="From order", required=False, max_length=40)
    range_to = forms.CharField(label="To order", required=False, max_length=40)
    date_field = forms.ChoiceField(
        label="Date", required=False, choices=[(name, name.title()) for name in DATE_FIELDS]
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    filter = forms.CharField(required=False, widget=forms.HiddenInput)
    operation = forms.ChoiceField(label="Operation")

    def __init__(self, *args: Any, merchant, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.merchant = merchant
        kinds = list(KIND_CHOICES)
        if self.data.get("filter") or self.initial.get("filter"):
            kinds.append(("filter", "All orders matching the list's filter"))
        cast(forms.ChoiceField, self.fields["kind"]).choices = kinds
        cast(forms.ChoiceField, self.fields["operation"]).choices = [
            (op.name, op.label) for op in operations_for_batch()
        ]
        self.selection: dict[str, Any] = {}
        self.resolved: ResolvedSelection | None = None

    @property
    def chosen_operation(self) -> Operation:
        name = self.data.get("operation") or self.initial.get("operation") or "append_note"
        try:
            return operation_get(name)
        except Exception:  # an unknown name falls back; the field's own check reports it
            return operation_get("append_note")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        self.selection = self._selection(data)
        operation = operation_get(data["operation"])
        if operation.explicit_ids_only and self.selection["kind"] != "ids":
            raise forms.ValidationError(
                f"“{operation.label}” takes a list of order IDs only, never a range or dates."
            )
        try:
            self.resolved = batch_selection_resolve(
                merchant=self.merchant, selection=self.selection
            )
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from exc
        if not self.resolved.order_pks:
            raise forms.ValidationError("No live order of this merchant matches the selection.")
        return data

    def _selection(self, data: dict[str, Any]) -> dict[str, Any]:
        kind = data["kind"]
        if kind == "ids":
            if not data["order_ids"].strip():
                raise forms.ValidationError("Paste the order IDs.")
            return {"kind": "ids", "text": data["order_ids"]}
        if kind == "range":
            if not data["range_from"] or not data["range_to"]:
                raise forms.ValidationError("Give the first and the last order of the range.")
            return {"kind": "range", "from": data["range_from"], "to": data["range_to"]}
        if kind == "dates":
            if not (data["date_field"] and data["date_from"] and data["date_to"]):
                raise forms.ValidationError("Choose the date and give the first and last day.")
            return {
                "kind": "dates",
                "field": data["date_field"],
                "from": data["date_from"].isoformat(),
                "to": data["date_to"].isoformat(),
            }
        return {"kind": "filter", "query": data["filter"]}
