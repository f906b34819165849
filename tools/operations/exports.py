"""Export with a mapping, as an operation: a whole-job operation whose run is one export job
(one file) over the orders that apply, not work done order by order."""

from typing import Any, cast

from django import forms

from orders.models import Merchant, Order
from tools.export_forms import FORMAT_CHOICES, MappingChoiceField
from tools.exports.services import PERMISSION, export_mapping_list, export_selection_start

from .base import MerchantForm, Operation, simple_form


class ExportForm(MerchantForm):
    mapping = MappingChoiceField()
    format = forms.ChoiceField(label="Format", required=False, choices=FORMAT_CHOICES)

    def __init__(self, *args: Any, merchant: Merchant, **kwargs: Any) -> None:
        super().__init__(*args, merchant=merchant, **kwargs)
        cast(MappingChoiceField, self.fields["mapping"]).mappings_set(
            export_mapping_list(merchant=merchant)
        )

    def inputs(self) -> dict[str, Any]:
        return {"mapping": self.cleaned_data["mapping"].pk, "format": self.cleaned_data["format"]}


def _export_check(order: Order, inputs: dict[str, Any], user) -> str | None:
    if order.deleted_at is not None:
        return "deleted"
    if user is not None and not user.has_perm(PERMISSION, order):
        return "not permitted"
    return None


def _export_start(
    *,
    merchant: Merchant,
    inputs: dict[str, Any],
    order_pks: list[int],
    skipped: list[tuple[int, str, str]],
    by,
    selection: dict[str, Any],
):
    return export_selection_start(
        merchant=merchant,
        mapping_pk=inputs.get("mapping"),
        format=inputs.get("format") or "",
        order_pks=order_pks,
        skipped=skipped,
        by=by,
        selection=selection,
    )


OPERATIONS = [
    Operation(
        name="export",
        label="Export with a mapping",
        permission=PERMISSION,
        check=_export_check,
        form=simple_form(ExportForm),
        whole_job=_export_start,
        check_fields=("merchant", "deleted_at"),
    ),
]
