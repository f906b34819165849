"""Edits on the order page: customer, addresses, custom fields and tags.

Each edit locks the order, changes only the fields of its section, and writes one order_edited
event with each changed field's before and after; an edit that changes nothing writes nothing.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from orders.actors import Actor
from orders.events import order_edited_event
from orders.exceptions import InvalidInput, TransitionNotPermitted
from orders.models import Order, Tag
from orders.models.order import CUSTOM_FIELD_NUMBERS

from .locking import order_lock

CUSTOMER_FIELDS = ("first_name", "last_name", "email", "company", "phone")
ADDRESS_PARTS = ("address1", "address2", "city", "region", "postal_code", "country")
BILLING_FIELDS = tuple(f"billing_{part}" for part in ADDRESS_PARTS)
SHIPPING_FIELDS = ("shipping_name", *(f"shipping_{part}" for part in ADDRESS_PARTS))
CUSTOM_FIELDS = tuple(f"custom_{n}" for n in CUSTOM_FIELD_NUMBERS)
MAX_TAG_LENGTH = 50


def _locked_for_edit(order: Order | int, by) -> Order:
    locked = order_lock(order)
    if locked.deleted_at is not None:
        raise InvalidInput(f"{locked.order_id} is deleted.")
    if by is not None and not by.has_perm("orders.edit_order", locked):
        raise TransitionNotPermitted("You may not edit orders.")
    return locked


def _fields_edit(
    *, order: Order | int, values: dict[str, Any], allowed: tuple[str, ...], by, via: str
) -> dict[str, tuple[Any, Any]]:
    unknown = set(values) - set(allowed)
    if unknown:
        raise InvalidInput(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = _locked_for_edit(order, by)
        changes = {}
        for name, value in values.items():
            value = str(value or "").strip()
            max_length = Order._meta.get_field(name).max_length
            if max_length and len(value) > max_length:
                raise InvalidInput(f"{name.replace('_', ' ')}: at most {max_length} characters.")
            before = getattr(locked, name)
            if before != value:
                changes[name] = (before, value)
                setattr(locked, name, value)
        if changes:
            locked.save(update_fields=[*changes, "updated_at"])
            order_edited_event(order=locked, changes=changes, by=by, via=via)
    return changes


def order_customer_edit(
    *, order: Order | int, values: dict[str, Any], by: Actor = None, via: str = ""
) -> dict[str, tuple[Any, Any]]:
    """Change the customer's name, email, company or phone. Side effect: an order_edited event."""
    email = str(values.get("email", "")).strip()
    if "email" in values:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise InvalidInput(f"“{email}” is not an email address.") from exc
    return _fields_edit(order=order, values=values, allowed=CUSTOMER_FIELDS, by=by, via=via)


def order_addresses_edit(
    *, order: Order | int, values: dict[str, Any], by: Actor = None, via: str = ""
) -> dict[str, tuple[Any, Any]]:
    """Change the billing and/or shipping address. Side effect: an order_edited event."""
    values = {
        name: str(value or "").strip().upper() if name.endswith("_country") else value
        for name, value in values.items()
    }
    for name in ("billing_country", "shipping_country"):
        if values.get(name) and len(values[name]) != 2:
            raise InvalidInput("A country is its two-letter code (US, CA, DE …).")
    return _fields_edit(
        order=order, values=values, allowed=BILLING_FIELDS + SHIPPING_FIELDS, by=by, via=via
    )


def order_custom_fields_edit(
    *, order: Order | int, values: dict[int, str], by: Actor = None, via: str = ""
) -> dict[str, tuple[Any, Any]]:
    """Change custom fields; a field with merchant dropdown values accepts only those."""
    merchant_values = _merchant_of(order).custom_field_values
    by_name = {}
    for number, value in values.items():
        number = int(number)
        value = str(value or "").strip()
        choices = merchant_values(number)
        if value and choices and value not in choices:
            raise InvalidInput(f"“{value}” is not one of the values of custom field {number}.")
        by_name[f"custom_{number}"] = value
    return _fields_edit(order=order, values=by_name, allowed=CUSTOM_FIELDS, by=by, via=via)


def _merchant_of(order: Order | int):
    if isinstance(order, Order):
        return order.merchant
    return Order.objects.select_related("merchant").get(pk=order).merchant


def order_tags_edit(
    *,
    order: Order | int,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    by: Actor = None,
    via: str = "",
) -> tuple[list[str], list[str]]:
    """Add and remove tags (created per merchant on first use). Side effect: order_edited."""
    adding = sorted({" ".join(name.split()) for name in add if name and name.strip()})
    removing = {name.strip() for name in remove if name and name.strip()}
    for name in adding:
        if len(name) > MAX_TAG_LENGTH:
            raise InvalidInput(f"A tag has at most {MAX_TAG_LENGTH} characters.")
    with transaction.atomic():
        locked = _locked_for_edit(order, by)
        before = sorted(tag.name for tag in locked.tags.all())
        for name in adding:
            tag, _ = Tag.objects.get_or_create(merchant=locked.merchant, name=name)
            locked.tags.add(tag)
        if removing:
            locked.tags.remove(*locked.tags.filter(name__in=removing))
        after = sorted(tag.name for tag in locked.tags.all())
        if before != after:
            order_edited_event(
                order=locked,
                changes={"tags": (", ".join(before), ", ".join(after))},
                by=by,
                via=via,
            )
    return before, after
