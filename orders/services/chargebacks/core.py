"""Chargebacks: open one, move its status, save the rebuttal, expire overdue ones."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from orders.actors import Actor
from orders.events import order_chargeback_changed_event, order_chargeback_opened_event
from orders.exceptions import InvalidInput, TransitionNotAvailable, TransitionNotPermitted
from orders.fsm import RefusalKind, transition_refusal, transition_specs, transitions_for_user
from orders.models import Chargeback, ChargebackReasonCode, Merchant, Order, RebuttalText
from orders.models.order import ZERO
from orders.pricing import MAX_AMOUNT, AmountTooLarge

PERMISSION = "orders.manage_chargebacks"
MAX_REBUTTAL_LENGTH = 20_000


def _require(by, obj) -> None:
    if by is not None and not by.has_perm(PERMISSION, obj):
        raise TransitionNotPermitted("You may not work on chargebacks.")


def reason_description(code: str) -> str:
    row = ChargebackReasonCode.objects.filter(code=code).values_list("description", flat=True)
    return row.first() or ""


def chargeback_open(
    *,
    order: Order,
    case_number: str,
    reason_code: str,
    amount: Decimal,
    respond_by: date,
    received_on: date | None = None,
    by: Actor = None,
    via: str = "",
) -> Chargeback:
    """Record a chargeback against an order; a never-dispute reason code is not disputed.

    Side effect: an order_chargeback_opened event.
    """
    _require(by, order)
    merchant = order.merchant
    case_number = case_number.strip()
    if not case_number:
        raise InvalidInput("The case number is missing.")
    if amount <= ZERO:
        raise InvalidInput("The amount must be more than zero.")
    if amount > MAX_AMOUNT:
        raise AmountTooLarge("The amount")
    if Chargeback.objects.filter(merchant=merchant, case_number=case_number).exists():
        raise InvalidInput(f"Case number {case_number} is already recorded.")
    never = reason_code in (merchant.chargeback_never_dispute_codes or [])
    with transaction.atomic():
        chargeback = Chargeback(
            merchant=merchant,
            order=order,
            case_number=case_number,
            reason_code=reason_code,
            reason_description=reason_description(reason_code),
            amount=amount,
            currency=merchant.currency,
            received_on=received_on or timezone.localdate(),
            respond_by=respond_by,
            handled_by=by if by is not None and by.is_authenticated else None,
        )
        if never:
            chargeback.accept()
        chargeback.save()
        order_chargeback_opened_event(
            order=order,
            chargeback_id=chargeback.pk,
            case_number=case_number,
            amount=amount,
            status=chargeback.status,
            reason_code=reason_code,
            by=by,
            via=via,
        )
    return chargeback


def chargeback_transitions_for_user(*, chargeback: Chargeback, user: Actor) -> list:
    return transitions_for_user(chargeback, user)


def _order_chargeback_total_refresh(order_pk: int) -> Decimal:
    """The order's chargeback total is the sum of its lost chargebacks (a won one clears)."""
    total = Chargeback.objects.filter(order_id=order_pk, status=Chargeback.Status.LOST).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0.00")
    Order.objects.filter(pk=order_pk).update(chargeback_total=total)
    return total


def chargeback_transition(
    *, chargeback: Chargeback | int, name: str, by: Actor = None, via: str = ""
) -> Chargeback:
    """Move a chargeback's status; lost and won refresh the order's chargeback total.

    Side effect: an order_chargeback_changed event.
    """
    pk = chargeback.pk if isinstance(chargeback, Chargeback) else chargeback
    if name not in transition_specs(Chargeback):
        raise TransitionNotAvailable(f"Unknown action “{name}”.")
    with transaction.atomic():
        locked = Chargeback.objects.select_for_update().select_related("order").get(pk=pk)
        refusal = transition_refusal(locked, name, by)
        if refusal is not None and refusal.kind == RefusalKind.STATE:
            raise TransitionNotAvailable(
                f"Chargeback {locked.case_number} is {locked.get_status_display().lower()}: "
                f"cannot {name.replace('_', ' ')}."
            )
        if refusal is not None and refusal.kind == RefusalKind.CONDITIONS:
            raise TransitionNotAvailable(f"Chargeback {locked.case_number}: {refusal}.")
        if refusal is not None:
            raise TransitionNotPermitted("You may not do that to this chargeback.")
        source = locked.status
        getattr(locked, name)()
        if by is not None and by.is_authenticated:
            locked.handled_by = by
        locked.save()
        payload = {}
        if locked.status in (Chargeback.Status.LOST, Chargeback.Status.WON):
            payload["chargeback_total"] = _order_chargeback_total_refresh(locked.order_id)
        order_chargeback_changed_event(
            order=locked.order,
            chargeback_id=locked.pk,
            case_number=locked.case_number,
            change=name,
            source=source,
            target=locked.status,
            by=by,
            via=via,
            **payload,
        )
    return locked


def chargeback_rebuttal_save(
    *, chargeback: Chargeback, rebuttal: str, internal_notes: str, by: Actor = None
) -> Chargeback:
    """Save the rebuttal text and internal notes. Side effect: an order_chargeback_changed event."""
    _require(by, chargeback)
    if len(rebuttal) > MAX_REBUTTAL_LENGTH or len(internal_notes) > MAX_REBUTTAL_LENGTH:
        raise InvalidInput(f"At most {MAX_REBUTTAL_LENGTH} characters.")
    with transaction.atomic():
        locked = (
            Chargeback.objects.select_for_update().select_related("order").get(pk=chargeback.pk)
        )
        locked.rebuttal = rebuttal.strip()
        locked.internal_notes = internal_notes.strip()
        locked.save(update_fields=["rebuttal", "internal_notes", "updated_at"])
        order_chargeback_changed_event(
            order=locked.order,
            chargeback_id=locked.pk,
            case_number=locked.case_number,
            change="rebuttal_saved",
            by=by,
        )
    return locked


def rebuttal_text_save(
    *, merchant: Merchant, title: str, text: str, by: Actor = None
) -> RebuttalText:
    """Save (or replace by title) one of the merchant's reusable rebuttal texts."""
    _require(by, merchant)
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise InvalidInput("A saved rebuttal needs a title and a text.")
    saved, _ = RebuttalText.objects.update_or_create(
        merchant=merchant, title=title[:100], defaults={"text": text}
    )
    return saved


def chargeback_expire_due(*, today: date | None = None) -> int:
    """Expire open chargebacks whose response deadline has passed; returns how many."""
    today = today or timezone.localdate()
    due = Chargeback.objects.filter(status=Chargeback.Status.OPEN, respond_by__lt=today)
    expired = 0
    for pk in due.values_list("pk", flat=True).iterator():
        try:
            chargeback_transition(chargeback=pk, name="expire", by=None, via="beat")
        except TransitionNotAvailable:
            continue  # answered meanwhile
        expired += 1
    return expired
