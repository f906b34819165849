"""The complete order page: the base page plus its edit forms, stage panels and neighbours."""

from decimal import Decimal

from lifecycle.forms import (
    AddressesForm,
    BalanceReceivedForm,
    CustomerForm,
    CustomFieldsForm,
    RefundForm,
    ReplacementForm,
    ShipPartForm,
    TagsForm,
)
from orders.selectors.fulfilment import line_unshipped_quantities, order_shipments_list
from orders.selectors.linked import order_linked_list
from orders.selectors.order_page import (
    order_clearance_get,
    order_emails_resendable,
    order_refund_captured_limit,
    order_refundable,
    order_retry_status_get,
)
from orders.selectors.payments import (
    order_balance_owed,
    order_balance_receivable,
    order_payment_outcome_get,
)
from orders.services.line_edits import order_lines_edit_refusal
from orders.services.replacement import REPLACEABLE_STAGES
from orders.states import PaymentStatus, Stage

from .neighbours import order_neighbours_for_request
from .orders import OrderDetailView, may_open

PAYMENT_REFUSED = frozenset({PaymentStatus.DECLINED, PaymentStatus.CAPTURE_FAILED})


class OrderPageView(OrderDetailView):
    """Everything about one order; its related rows come in a fixed number of queries."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order, request = context["order"], self.request
        order_id = order.order_id
        live = order.deleted_at is None
        # Each button is offered when its route's own declared permissions allow it.
        can_edit = live and may_open(request, "order-edit-customer", order_id)
        can_refund = live and may_open(request, "order-refund", order_id)
        can_place = may_open(request, "order-create")
        can_edit_lines = live and may_open(request, "order-lines-edit", order_id)
        neighbours, list_url, from_query = order_neighbours_for_request(request, order)
        context.update(
            can_edit=can_edit,
            can_place=can_place,
            # Offered while the lines may change (not once shipped, closed or disputed).
            can_edit_lines=can_edit_lines and order_lines_edit_refusal(order) is None,
            balance_owed=order_balance_owed(order),
            can_edit_quote=may_open(request, "quote-edit", order_id),
            linked_orders=order_linked_list(order=order),
            retry_status=order_retry_status_get(order),
            clearance=order_clearance_get(order),
            capture_failed=order.payment_status == PaymentStatus.CAPTURE_FAILED,
            # Why the last charge did not go through, while the order waits for payment.
            payment_outcome=(
                order_payment_outcome_get(order=order)
                if order.payment_status in PAYMENT_REFUSED
                else None
            ),
            neighbours=neighbours,
            list_url=list_url,
            from_query=from_query,
        )
        if can_edit:
            context.update(
                customer_form=CustomerForm(initial=CustomerForm.initial_for(order)),
                addresses_form=AddressesForm(initial=AddressesForm.initial_for(order)),
                custom_fields_form=CustomFieldsForm(order=order),
                tags_form=TagsForm(order=order),
            )
        if live and may_open(request, "order-email-resend", order_id, "receipt"):
            context["emails"] = order_emails_resendable(order)
        replaceable = live and order.stage in REPLACEABLE_STAGES
        if replaceable and may_open(request, "order-replacement", order_id):
            context["replacement_form"] = ReplacementForm(order=order)
        context["shipment_rows"] = order_shipments_list(order)
        if (
            live
            and order.stage == Stage.SHIPPING
            and may_open(request, "order-ship-part", order_id)
        ):
            unshipped = line_unshipped_quantities(order)
            if unshipped:
                context["ship_part_form"] = ShipPartForm(order=order, unshipped=unshipped)
        owed = order_balance_receivable(order) if live else Decimal("0.00")
        if owed > 0 and may_open(request, "order-balance-received", order_id):
            context["balance_received_form"] = BalanceReceivedForm(owed=owed)
        if can_refund and order_refundable(order):
            context["refund_form"] = RefundForm(order=order)
            context["refund_captured_limit"] = order_refund_captured_limit(order)
        return context
