from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms

from orders.exceptions import OrderError
from orders.forms import TRANSITION_FORMS
from orders.models import Merchant, Order
from orders.services.notes import MAX_NOTE_LENGTH, order_note_append
from orders.services.notifications import order_email_resend, order_email_resend_reason
from orders.services.transitions import order_transition, transition_label, transition_names
from orders.states import SCREEN_BY_SLUG
from tools.kinds import ItemResult

if TYPE_CHECKING:
    from tools.models import Job

PREVIEW_ROWS = 100

# check(order, inputs, user) -> None when the operation applies, else the reason it skips.
Check = Callable[[Order, dict[str, Any], Any], str | None]
# apply(order, inputs, job) -> ItemResult; may raise OrderError (the item then fails).
Apply = Callable[[Order, dict[str, Any], "Job"], ItemResult]


@dataclass(frozen=True)
class Operation:
    name: str
    label: str
    permission: str
    check: Check
    apply: Apply
    # Builds the operation's input form: (data, merchant) -> Form, or None when it needs none.
    form: Callable[..., forms.Form] | None = None
    # Some operations refuse ranges and date selections (full refund: explicit IDs only).
    explicit_ids_only: bool = False


@dataclass(frozen=True)
class PreviewRow:
    order_id: str
    will_apply: bool
    reason: str = ""


@dataclass
class OperationPreview:
    operation: Operation
    count: int = 0
    applies: int = 0
    skips: int = 0
    total: Decimal = Decimal("0.00")
    rows: list[PreviewRow] = field(default_factory=list)
    skip_reasons: dict[str, int] = field(default_factory=dict)


# ---- transitions as operations ---------------------------------------------------------------


def _transition_check(name: str) -> Check:
    def check(order: Order, inputs: dict[str, Any], user) -> str | None:
        if order.deleted_at is not None:
            return "deleted"
        available = {t.name for t in order.get_available_stage_transitions()}
        if name not in available:
            return f"not possible in {order.get_stage_display()}"
        if user is not None and name not in {
            t.name for t in order.get_available_user_stage_transitions(user)
        }:
            return "not permitted"
        return None

    return check


def _transition_apply(name: str) -> Apply:
    def apply(order: Order, inputs: dict[str, Any], job: "Job") -> ItemResult:
        result = order_transition(
            order=order, name=name, by=job.created_by, via=f"job {job.pk}", job_id=job.pk,
            expected_stage=order.stage, **inputs,
        )  # fmt: skip
        if result.target == result.source:
            return ItemResult.skipped(result.message)
        return ItemResult.succeeded(result.message)

    return apply


def _transition_form(name: str):
    kind = None
    for item in getattr(Order, name)._django_fsm.transitions.values():
        kind = item.custom.get("form")
        break
    form_class = TRANSITION_FORMS.get(kind or "")
    if form_class is None:
        return None

    def build(data, *, merchant: Merchant, order: Order | None = None, prefix=None):
        # Transition forms are built per order; for many orders any order of the merchant
        # serves, as the inputs depend only on the merchant's settings.
        order = order or Order(merchant=merchant)
        return form_class(data, order=order, name=name, prefix=prefix)

    return build


def _transition_operations() -> dict[str, Operation]:
    operations = {}
    for name in transition_names():
        meta = next(iter(getattr(Order, name)._django_fsm.transitions.values()))
        if meta.custom.get("system"):
            continue
        permission = meta.permission if isinstance(meta.permission, str) else "orders.run_tools"
        operations[name] = Operation(
            name=name,
            label=transition_label(name),
            permission=permission,
            check=_transition_check(name),
            apply=_transition_apply(name),
            form=_transition_form(name),
        )
    return operations


# ---- other operations ---------------------------------------------------------------------------


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", max_length=MAX_NOTE_LENGTH, widget=forms.Textarea)


def _note_form(data, *, merchant: Merchant, order: Order | None = None, prefix=None):
    return NoteForm(data, prefix=prefix)


def _note_check(order: Order, inputs: dict[str, Any], user) -> str | None:
    return "deleted" if order.deleted_at is not None else None


def _note_apply(order: Order, inputs: dict[str, Any], job: "Job") -> ItemResult:
    order_note_append(
        order=order, text=inputs.get("text", ""), by=job.created_by, via=f"job {job.pk}",
        job_id=job.pk,
    )  # fmt: skip
    return ItemResult.succeeded()


# ---- mark shipped from a pasted list: each order with its own tracking numbers ---------------

_ship_check_transition = _transition_check("mark_shipped")


def _ship_list_check(order: Order, inputs: dict[str, Any], user) -> str | None:
    if order.order_id not in (inputs.get("tracking") or {}):
        return "no tracking number given for it"
    return _ship_check_transition(order, inputs, user)


def _ship_list_apply(order: Order, inputs: dict[str, Any], job: "Job") -> ItemResult:
    return _transition_apply("mark_shipped")(
        order,
        {
            "carrier": inputs.get("carrier", ""),
            "method": inputs.get("method", ""),
            "tracking_numbers": inputs["tracking"][order.order_id],
            "notify": inputs.get("notify", True),
        },
        job,
    )


# ---- resend customer emails -------------------------------------------------------------------


def _resend_check(template: str) -> Check:
    def check(order: Order, inputs: dict[str, Any], user) -> str | None:
        if order.deleted_at is not None:
            return "deleted"
        return order_email_resend_reason(order, template)

    return check


def _resend_apply(template: str) -> Apply:
    def apply(order: Order, inputs: dict[str, Any], job: "Job") -> ItemResult:
        order_email_resend(order=order, template=template, by=job.created_by, via=f"job {job.pk}")
        return ItemResult.succeeded()

    return apply


def _resend_operation(template: str, label: str) -> Operation:
    return Operation(
        name=f"resend_{template}",
        label=label,
        permission="orders.edit_order",
        check=_resend_check(template),
        apply=_resend_apply(template),
    )


OPERATIONS: dict[str, Operation] = {
    "resend_receipt": _resend_operation("receipt", "Resend receipt"),
    "resend_shipment_confirmation": _resend_operation(
        "shipment_confirmation", "Resend shipment confirmation"
    ),
    "mark_shipped_list": Operation(
        name="mark_shipped_list",
        label="Mark shipped with each order's tracking numbers",
        permission="orders.ship_order",
        check=_ship_list_check,
        apply=_ship_list_apply,
        explicit_ids_only=True,
    ),
    "append_note": Operation(
        name="append_note",
        label="Append a merchant note",
        permission="orders.edit_order",
        check=_note_check,
        apply=_note_apply,
        form=_note_form,
    ),
    **_transition_operations(),
}


def operation_inputs(form: forms.Form | None) -> dict[str, Any]:
    """A valid input form's values as job parameters (JSON: dates and amounts as text)."""
    if form is None:
        return {}
    values = form.inputs() if hasattr(form, "inputs") else dict(form.cleaned_data)
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else
        str(value) if isinstance(value, Decimal) else value
        for key, value in values.items()
    }  # fmt: skip


def operation_get(name: str) -> Operation:
    try:
        return OPERATIONS[name]
    except KeyError as exc:
        raise OrderError(f"Unknown operation “{name}”.") from exc


def operations_for_screen(slug: str | None) -> list[Operation]:
    """The operations that can apply to some order on a stage screen (all, for View All)."""
    if slug is None:
        return list(OPERATIONS.values())
    stages = set(SCREEN_BY_SLUG[slug].stages)
    result = []
    for operation in OPERATIONS.values():
        meta = getattr(getattr(Order, operation.name, None), "_django_fsm", None)
        if meta is None or stages & set(meta.transitions):
            result.append(operation)
    return result


# ---- preview and run ------------------------------------------------------------------------


def operation_preview(
    *, merchant: Merchant, operation: Operation, inputs: dict[str, Any],
    order_pks: Iterable[int], by=None,
) -> OperationPreview:  # fmt: skip
    """The dry run: for each order, whether the operation will apply or why it will skip."""
    preview = OperationPreview(operation=operation)
    pks = list(order_pks)
    for start in range(0, len(pks), 1000):
        chunk = Order.objects.filter(merchant=merchant, pk__in=pks[start : start + 1000])
        for order in chunk.select_related("merchant").order_by("order_number"):
            reason = operation.check(order, inputs, by)
            preview.count += 1
            if reason is None:
                preview.applies += 1
                preview.total += order.total
            else:
                preview.skips += 1
                preview.skip_reasons[reason] = preview.skip_reasons.get(reason, 0) + 1
            if len(preview.rows) < PREVIEW_ROWS:
                preview.rows.append(PreviewRow(order.order_id, reason is None, reason or ""))
    return preview


def operation_item_run(order_pk: int, params: dict[str, Any], job: "Job") -> ItemResult:
    """The job kind "operation": re-check one order (it may have changed), then apply."""
    operation = operation_get(params["operation"])
    order = Order.objects.select_related("merchant").get(pk=order_pk)
    reason = operation.check(order, params.get("inputs", {}), job.created_by)
    if reason is not None:
        return ItemResult.skipped(reason)
    return operation.apply(order, params.get("inputs", {}), job)


def operation_job_create(
    *, merchant: Merchant, operation: Operation, inputs: dict[str, Any],
    order_pks: Iterable[int], by=None, selection: dict[str, Any] | None = None,
) -> "Job":  # fmt: skip
    """Run an operation over orders as a job. Side effect: the job's task is queued on commit."""
    from tools.jobs import job_create

    if by is not None and not by.has_perm(operation.permission, merchant):
        raise OrderError(f"You may not “{operation.label}”.")
    return job_create(
        merchant=merchant,
        kind="operation",
        params={"operation": operation.name, "inputs": inputs, "selection": selection or {}},
        order_pks=order_pks,
        by=by,
    )
