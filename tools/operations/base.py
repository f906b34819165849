"""What an operation is, and the small helpers the operation modules share."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms

from orders.models import Merchant, Order

if TYPE_CHECKING:
    from tools.models import Job

# check(order, inputs, user) -> None when the operation applies, else the reason it skips.
Check = Callable[[Order, dict[str, Any], Any], str | None]
# apply(order, inputs, job) -> ItemResult; may raise OrderError (the item then fails).
Apply = Callable[[Order, dict[str, Any], "Job"], Any]
# start(merchant=, inputs=, order_pks=, skipped=, by=, selection=) -> Job: a whole-job
# operation's run over the orders that apply; `skipped` is (pk, order ID, reason) of the rest.
WholeJobStart = Callable[..., "Job"]


@dataclass(frozen=True)
class Operation:
    name: str
    label: str
    permission: str
    check: Check
    # Does the operation to one order: the per-item job runs it on each order that applies.
    apply: Apply | None = None
    # Builds the operation's input form: (data, merchant) -> Form, or None when it needs none.
    form: Callable[..., forms.Form] | None = None
    # Some operations refuse ranges and date selections (full refund: explicit IDs only).
    explicit_ids_only: bool = False
    # Works on deleted orders (undelete) instead of live ones; not offered by the batch tool.
    on_deleted: bool = False
    # Offered by the batch tool and the lists' bulk actions; False for one that only its own
    # screen starts, from a selection of its own (postpone auto orders).
    offered: bool = True
    # Charges, captures, voids or refunds at the gateway: its items always commit durably.
    moves_money: bool = False
    # Cannot be undone (a rejection, a deletion, a cancellation): like one that moves money,
    # it is confirmed, with the number of orders and their total, before its job starts.
    danger: bool = False
    # A whole-job operation (an export: one file, not work per order): the run checks every
    # order, then hands the ones that apply to this instead of applying it order by order.
    whole_job: WholeJobStart | None = None
    # The order fields `check` reads: the dry run then loads only those (and what the preview
    # shows), not whole orders with their merchant and tags.
    check_fields: tuple[str, ...] | None = None
    # The stages where it can apply (a transition's sources); None: any stage. A list screen
    # offers it only if it shows one of them.
    stages: tuple[str, ...] | None = None

    @property
    def needs_confirmation(self) -> bool:
        return self.moves_money or self.danger


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


def job_via(job: "Job") -> str:
    return f"job {job.pk}"


def live_check(check: Check) -> Check:
    """A check that first skips deleted orders."""

    def checked(order: Order, inputs: dict[str, Any], user) -> str | None:
        if order.deleted_at is not None:
            return "deleted"
        return check(order, inputs, user)

    return checked


def simple_form(form_class: Callable[..., forms.Form]):
    """A form builder for operation forms that take the merchant as a keyword."""

    def build(data, *, merchant: Merchant, order: Order | None = None, prefix=None):
        return form_class(data, merchant=merchant, prefix=prefix)

    return build


class MerchantForm(forms.Form):
    """An operation's input form: built for one merchant; inputs() are the job's inputs."""

    def __init__(self, *args: Any, merchant: Merchant, **kwargs: Any) -> None:
        self.merchant = merchant
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def inputs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
