"""Staff actions on an auto order. Each locks its row, checks the status and the permission,
changes it, and writes an auto_order_changed event on the original order. None of them
touches an order already placed."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from orders.actors import Actor
from orders.events import order_auto_order_changed_event
from orders.exceptions import InvalidInput, TransitionNotAvailable, TransitionNotPermitted
from orders.models import AutoOrder, Merchant
from orders.payments import CardDetails, gateway_for
from orders.payments.outcome import card_label

from .rebill import RebillOutcome, auto_order_rebill
from .schedules import schedule_parse
from .settle import item_advance, items_skip_before, next_dates_refresh

Status = AutoOrder.Status
EDIT = "orders.manage_auto_orders"
CHARGE = "orders.process_payment"
LIVE = (Status.ACTIVE, Status.PAUSED)
ENDED = (Status.DISABLED, Status.CANCELLED_BY_CUSTOMER, Status.CANCELLED_BY_MERCHANT)
# A new card helps an auto order that runs, or one disabled after failed payments.
CARD_UPDATABLE = (*LIVE, Status.DISABLED)


def _change(
    auto_order: AutoOrder | int,
    *,
    action: str,
    by,
    via: str,
    allowed: tuple[str, ...],
    apply: Callable[[AutoOrder], dict[str, Any]],
    permission: str = EDIT,
) -> AutoOrder:
    pk = auto_order.pk if isinstance(auto_order, AutoOrder) else auto_order
    with transaction.atomic():
        locked = (
            AutoOrder.objects.select_for_update(of=("self",))
            .select_related("merchant", "original_order")
            .get(pk=pk)
        )
        if by is not None and not by.has_perm(permission, locked):
            raise TransitionNotPermitted("You may not change this auto order.")
        if locked.status not in allowed:
            raise TransitionNotAvailable(
                f"{locked.code} is {locked.get_status_display().lower()}: it cannot be {action}."
            )
        payload = apply(locked)
        locked.save()
        order_auto_order_changed_event(
            order=locked.original_order,
            code=locked.code,
            action=action,
            by=by,
            via=via,
            status=locked.status,
            **payload,
        )
    return locked


def auto_order_pause(
    *, auto_order: AutoOrder | int, until: date, today: date, by: Actor = None, via: str = ""
) -> AutoOrder:
    """Pause until a date: rebills falling before it are skipped when it resumes."""
    if until <= today:
        raise InvalidInput("Pause until a date after today.")

    def apply(ao: AutoOrder) -> dict[str, Any]:
        ao.status, ao.paused_until = Status.PAUSED, until
        return {"until": until}

    return _change(auto_order, action="paused", by=by, via=via, allowed=LIVE, apply=apply)


def auto_order_resume(
    *, auto_order: AutoOrder | int, today: date, by: Actor = None, via: str = ""
) -> AutoOrder:
    """Active again now; periods that fell during the pause are skipped, not billed."""

    def apply(ao: AutoOrder) -> dict[str, Any]:
        skipped = items_skip_before(ao, today)
        ao.status, ao.paused_until = Status.ACTIVE, None
        next_dates_refresh(ao)
        return {"skipped_periods": skipped, "next_rebill_on": ao.next_rebill_on}

    return _change(
        auto_order, action="resumed", by=by, via=via, allowed=(Status.PAUSED,), apply=apply
    )


def auto_order_skip_next(
    *, auto_order: AutoOrder | int, by: Actor = None, via: str = ""
) -> AutoOrder:
    """Skip the next rebill: its items move one period on, without billing or counting it."""

    def apply(ao: AutoOrder) -> dict[str, Any]:
        skipped_on = ao.next_rebill_on
        for item in ao.items.filter(finished=False, next_rebill_on__lte=skipped_on):
            item_advance(item, consume=False)
            item.save()
        ao.failed_attempts = 0
        next_dates_refresh(ao)
        return {"skipped_on": skipped_on, "next_rebill_on": ao.next_rebill_on}

    return _change(auto_order, action="skipped", by=by, via=via, allowed=LIVE, apply=apply)


def auto_order_next_date_change(
    *, auto_order: AutoOrder | int, day: date, today: date, by: Actor = None, via: str = ""
) -> AutoOrder:
    """Bill next on `day`; the schedule continues from there (its day of the month too)."""
    if day < today:
        raise InvalidInput("The next rebill date cannot be in the past.")

    def apply(ao: AutoOrder) -> dict[str, Any]:
        before = ao.next_rebill_on
        ao.items.filter(finished=False).update(next_rebill_on=day, anchor_day=day.day)
        ao.failed_attempts = 0
        next_dates_refresh(ao)
        return {"before": before, "after": day}

    return _change(
        auto_order, action="next_date_changed", by=by, via=via, allowed=LIVE, apply=apply
    )


def auto_order_cancel(
    *,
    auto_order: AutoOrder | int,
    reason: str,
    by_customer: bool = False,
    by: Actor = None,
    via: str = "",
    job_id: int | None = None,
) -> AutoOrder:
    """Cancel with a reason. Orders it already placed stay as they are."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason for cancelling.")

    def apply(ao: AutoOrder) -> dict[str, Any]:
        ao.status = Status.CANCELLED_BY_CUSTOMER if by_customer else Status.CANCELLED_BY_MERCHANT
        ao.status_reason = reason[:300]
        ao.cancelled_at = timezone.now()
        ao.cancelled_by = by if by is not None and by.is_authenticated else None
        ao.next_attempt_on = None
        return {"reason": reason, "by_customer": by_customer, "job_id": job_id}

    return _change(auto_order, action="cancelled", by=by, via=via, allowed=LIVE, apply=apply)


def auto_order_card_update(
    *, auto_order: AutoOrder | int, card: CardDetails, by: Actor = None, via: str = ""
) -> AutoOrder:
    """The card the rebills charge from now on, typed once and tokenized by the gateway (the
    CVV goes only there). Side effects: an auto_order_changed event naming both cards."""

    def apply(ao: AutoOrder) -> dict[str, Any]:
        try:
            token = gateway_for(ao.merchant).tokenize(card)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        before = card_label(ao.card_brand, ao.card_last4) or "none"
        ao.gateway_token, ao.card_brand, ao.card_last4 = token.token, token.brand, token.last4
        ao.card_exp_month, ao.card_exp_year = token.exp_month, token.exp_year
        return {"card": card_label(token.brand, token.last4), "card_before": before}

    return _change(
        auto_order,
        action="card_updated",
        by=by,
        via=via,
        allowed=CARD_UPDATABLE,
        apply=apply,
    )


def auto_order_reenable(
    *,
    auto_order: AutoOrder | int,
    today: date,
    bill_missed: bool = True,
    by: Actor = None,
    via: str = "",
) -> AutoOrder:
    """Active again after being disabled or cancelled; optionally skip the missed periods."""

    def apply(ao: AutoOrder) -> dict[str, Any]:
        skipped = 0 if bill_missed else items_skip_before(ao, today)
        ao.status, ao.status_reason, ao.failed_attempts = Status.ACTIVE, "", 0
        ao.cancelled_at, ao.cancelled_by = None, None
        next_dates_refresh(ao)
        return {"bill_missed": bill_missed, "skipped_periods": skipped}

    return _change(auto_order, action="re_enabled", by=by, via=via, allowed=ENDED, apply=apply)


def auto_order_rebill_now(
    *, auto_order: AutoOrder, today: date, by: Actor = None, via: str = ""
) -> RebillOutcome:
    """Bill the next period at once, by the sweep's own exactly-once path."""
    if by is not None and not by.has_perm(CHARGE, auto_order):
        raise TransitionNotPermitted("You may not charge this auto order.")
    if auto_order.status != Status.ACTIVE:
        raise TransitionNotAvailable(f"{auto_order.code} is not active: resume it first.")
    outcome = auto_order_rebill(
        auto_order_pk=auto_order.pk, today=today, now=True, by=by, via=via or "rebill now"
    )
    if outcome.result == "skipped":
        raise TransitionNotAvailable(f"{auto_order.code} is being billed right now; try again.")
    return outcome


def auto_orders_to_postpone(
    *, merchant: Merchant, item_pk: int, before: date, original_order_ids: list[str] | None = None
) -> list[int]:
    """The Postpone tool's selection: the original orders (one per auto order) of the active
    auto orders of this item whose next rebill is before `before`."""
    queryset = AutoOrder.objects.for_merchant(merchant).filter(
        status=Status.ACTIVE,
        items__item_id=item_pk,
        items__finished=False,
        items__next_rebill_on__lt=before,
    )
    if original_order_ids:
        queryset = queryset.filter(original_order__order_id__in=original_order_ids)
    return list(queryset.distinct().order_by("pk").values_list("original_order_id", flat=True))


def auto_order_postpone(
    *,
    original_order_pk: int,
    item_pk: int,
    before: date,
    until: date,
    by: Actor = None,
    via: str = "",
    job_id: int | None = None,
) -> tuple[AutoOrder, int]:
    """Move the item's rebills due before `before` to `until`; the auto order and how many
    of its items moved (0: nothing was due before then any more)."""
    auto_order = AutoOrder.objects.get(original_order_id=original_order_pk)
    moved: list[int] = []

    def apply(ao: AutoOrder) -> dict[str, Any]:
        items = ao.items.filter(finished=False, item_id=item_pk, next_rebill_on__lt=before)
        moved.append(items.update(next_rebill_on=until))
        if moved[0]:
            ao.failed_attempts = 0
            next_dates_refresh(ao)
        return {"before": before, "until": until, "items": moved[0], "job_id": job_id}

    auto_order = _change(
        auto_order, action="postponed", by=by, via=via, allowed=(Status.ACTIVE,), apply=apply
    )
    return auto_order, moved[0]


def auto_order_item_change(
    *,
    auto_order: AutoOrder | int,
    item_pk: int,
    quantity: int,
    unit_price: Decimal | None,
    schedule: str,
    by: Actor = None,
    via: str = "",
) -> AutoOrder:
    """Change what one item rebills: quantity, unit price, schedule (from its next date on)."""
    if quantity < 1:
        raise InvalidInput("The quantity must be at least 1.")
    if unit_price is None or unit_price < 0:
        raise InvalidInput("The unit price must be zero or more.")
    schedule = schedule_parse(schedule).name

    def apply(ao: AutoOrder) -> dict[str, Any]:
        item = ao.items.filter(pk=item_pk, finished=False).first()
        if item is None:
            raise InvalidInput("No such item on this auto order.")
        new = {"quantity": quantity, "unit_price": unit_price, "schedule": schedule}
        changes = {
            name: {"before": getattr(item, name), "after": value}
            for name, value in new.items()
            if getattr(item, name) != value
        }
        for name, value in new.items():
            setattr(item, name, value)
        item.save(update_fields=list(new))
        return {"sku": item.sku or item.description, "changes": changes}

    return _change(auto_order, action="item_changed", by=by, via=via, allowed=LIVE, apply=apply)
