"""Custom fields and tags: small edits to an order, each with an order_edited event."""

from orders.actors import Actor
from orders.events import order_edited_event
from orders.exceptions import InvalidInput, TransitionNotAvailable, TransitionNotPermitted
from orders.models import Merchant, Order, Tag
from orders.models.order import CUSTOM_FIELD_NUMBERS

from .locking import order_change_atomic, order_lock

MAX_CUSTOM_VALUE = 200
MAX_TAG_LENGTH = 50


def custom_field_value_clean(*, merchant: Merchant, number: int, value: str) -> str:
    """The value to store in custom field `number`; InvalidInput when it is not allowed."""
    if number not in CUSTOM_FIELD_NUMBERS:
        raise InvalidInput("Custom fields are numbered 1 to 10.")
    value = (value or "").strip()
    if len(value) > MAX_CUSTOM_VALUE:
        raise InvalidInput(f"A custom field holds at most {MAX_CUSTOM_VALUE} characters.")
    allowed = merchant.custom_field_values(number)
    if allowed and value and value not in allowed:
        label = merchant.custom_field_label(number)
        raise InvalidInput(f"“{value}” is not one of the values of {label}: {', '.join(allowed)}.")
    return value


def tag_name_clean(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Give the tag's name.")
    if len(name) > MAX_TAG_LENGTH:
        raise InvalidInput(f"A tag has at most {MAX_TAG_LENGTH} characters.")
    return name


def _locked_live(order: Order | int, by, lock_held: bool) -> Order:
    locked = order_lock(order, lock_held=lock_held)
    if locked.deleted_at is not None:
        raise TransitionNotAvailable(f"{locked.order_id} is deleted.")
    if by is not None and not by.has_perm("orders.edit_order", locked):
        raise TransitionNotPermitted("You may not edit orders.")
    return locked


def order_custom_field_set(
    *,
    order: Order | int,
    number: int,
    value: str,
    by: Actor = None,
    via: str = "",
    job_id: int | None = None,
    lock_held: bool = False,
) -> bool:
    """Set custom field `number`; False when it already held the value. Side effect: event."""
    with order_change_atomic(lock_held=lock_held):
        locked = _locked_live(order, by, lock_held)
        value = custom_field_value_clean(merchant=locked.merchant, number=number, value=value)
        field = f"custom_{number}"
        before = getattr(locked, field)
        if before == value:
            return False
        setattr(locked, field, value)
        locked.save(update_fields=[field, "updated_at"])
        order_edited_event(
            order=locked, changes={field: (before, value)}, by=by, via=via, job_id=job_id
        )
    return True


def order_tag_change(
    *,
    order: Order | int,
    name: str,
    add: bool,
    by: Actor = None,
    via: str = "",
    job_id: int | None = None,
    lock_held: bool = False,
) -> bool:
    """Add (or remove) a tag; False when there was nothing to change. Side effect: event."""
    name = tag_name_clean(name)
    with order_change_atomic(lock_held=lock_held):
        locked = _locked_live(order, by, lock_held)
        tags = sorted(locked.tags.values_list("name", flat=True))
        if (name in tags) == add:
            return False
        if add:
            tag, _ = Tag.objects.get_or_create(merchant_id=locked.merchant_id, name=name)
            locked.tags.add(tag)
            after = sorted([*tags, name])
        else:
            locked.tags.remove(*Tag.objects.filter(merchant_id=locked.merchant_id, name=name))
            after = [tag for tag in tags if tag != name]
        order_edited_event(
            order=locked, changes={"tags": (tags, after)}, by=by, via=via, job_id=job_id
        )
    return True
