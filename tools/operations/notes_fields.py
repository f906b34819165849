"""Notes, custom fields and tags as operations."""

from typing import Any, cast

from django import forms

from orders.exceptions import InvalidInput
from orders.models import Order
from orders.models.order import CUSTOM_FIELD_NUMBERS
from orders.services.fields import (
    MAX_CUSTOM_VALUE,
    MAX_TAG_LENGTH,
    custom_field_value_clean,
    order_custom_field_set,
    order_tag_change,
    tag_name_clean,
)
from orders.services.notes import MAX_NOTE_LENGTH, order_note_append
from tools.job_types import ItemResult

from .base import MerchantForm, Operation, job_via, live_check, simple_form


class NoteForm(MerchantForm):
    text = forms.CharField(label="Note", max_length=MAX_NOTE_LENGTH, widget=forms.Textarea)


def _note_apply(order: Order, inputs: dict[str, Any], job) -> ItemResult:
    order_note_append(
        order=order,
        text=inputs.get("text", ""),
        by=job.created_by,
        via=job_via(job),
        job_id=job.pk,
        lock_held=True,
    )
    return ItemResult.succeeded()


class CustomFieldForm(MerchantForm):
    number = forms.TypedChoiceField(label="Custom field", coerce=int)
    value = forms.CharField(
        label="Value",
        max_length=MAX_CUSTOM_VALUE,
        required=False,
        help_text="Empty clears the field. A field with a list of values takes one of them.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["number"]).choices = [
            (n, f"{n} · {self.merchant.custom_field_label(n)}") for n in CUSTOM_FIELD_NUMBERS
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "number" in data:
            try:
                data["value"] = custom_field_value_clean(
                    merchant=self.merchant, number=data["number"], value=data.get("value", "")
                )
            except InvalidInput as exc:
                self.add_error("value", str(exc))
        return data


def _custom_field_check(order: Order, inputs: dict[str, Any], user) -> str | None:
    number = int(inputs["number"])
    if order.custom_field(number) == inputs.get("value", ""):
        return "already has that value"
    return None


def _custom_field_apply(order: Order, inputs: dict[str, Any], job) -> ItemResult:
    changed = order_custom_field_set(
        order=order,
        number=int(inputs["number"]),
        value=inputs.get("value", ""),
        by=job.created_by,
        via=job_via(job),
        job_id=job.pk,
        lock_held=True,
    )
    return ItemResult.succeeded() if changed else ItemResult.skipped("already has that value")


class TagForm(MerchantForm):
    name = forms.CharField(label="Tag", max_length=MAX_TAG_LENGTH)

    def clean_name(self) -> str:
        try:
            return tag_name_clean(self.cleaned_data["name"])
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from exc


def _has_tag(order: Order, name: str) -> bool:
    return any(tag.name == name for tag in order.tags.all())


def _tag_check(add: bool):
    def check(order: Order, inputs: dict[str, Any], user) -> str | None:
        if _has_tag(order, inputs["name"]) == add:
            return "already tagged" if add else "does not have that tag"
        return None

    return check


def _tag_apply(add: bool):
    def apply(order: Order, inputs: dict[str, Any], job) -> ItemResult:
        changed = order_tag_change(
            order=order,
            name=inputs["name"],
            add=add,
            by=job.created_by,
            via=job_via(job),
            job_id=job.pk,
            lock_held=True,
        )
        if changed:
            return ItemResult.succeeded()
        return ItemResult.skipped("already tagged" if add else "does not have that tag")

    return apply


OPERATIONS = [
    Operation(
        name="append_note",
        label="Append a merchant note",
        permission="orders.add_note",
        check=live_check(lambda order, inputs, user: None),
        apply=_note_apply,
        form=simple_form(NoteForm),
    ),
    Operation(
        name="set_custom_field",
        label="Set a custom field",
        permission="orders.edit_order",
        check=live_check(_custom_field_check),
        apply=_custom_field_apply,
        form=simple_form(CustomFieldForm),
    ),
    Operation(
        name="add_tag",
        label="Add a tag",
        permission="orders.edit_order",
        check=live_check(_tag_check(add=True)),
        apply=_tag_apply(add=True),
        form=simple_form(TagForm),
    ),
    Operation(
        name="remove_tag",
        label="Remove a tag",
        permission="orders.edit_order",
        check=live_check(_tag_check(add=False)),
        apply=_tag_apply(add=False),
        form=simple_form(TagForm),
    ),
]
