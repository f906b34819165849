"""Every role against every state-changing route and every file of the merchant site.

What each role may do is derived, never copied: from orders.permissions.ROLE_PERMISSIONS and
the permissions each view declares (MerchantRequiredMixin.required_permissions). A route that
changes state or serves a file and is missing here fails the coverage test, so a new one
cannot slip through unchecked.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import RequestFactory, TestCase
from django.urls import URLPattern, URLResolver, resolve
from django.utils import timezone

from backoffice.common.tenancy import SESSION_KEY, MerchantRequiredMixin
from lifecycle.models import ColumnChoice, SavedView
from lifecycle.screens import list_screen_get
from lifecycle.services import saved_view_save
from orders.models import (
    ApiToken,
    AutoOrder,
    Carrier,
    CaseAttachment,
    Chargeback,
    ChargebackEvidence,
    EndpointDelivery,
    Item,
    Membership,
    Merchant,
    MerchantEvent,
    Order,
    OrderEvent,
    OrderNote,
    OutboxMessage,
    Return,
    WebhookEndpoint,
)
from orders.models import (
    Case as CustomerCase,
)
from orders.permissions import ROLE_PERMISSIONS
from orders.services.api_tokens import api_token_create
from orders.services.carriers import carrier_create
from orders.services.cases import case_note_add
from orders.services.chargebacks import chargeback_evidence_add
from orders.services.deletion import order_delete
from orders.services.line_edits import order_lines_version
from orders.services.placement import CardMode
from orders.services.ship_part import order_ship_part
from orders.services.webhook_endpoints import webhook_endpoint_create
from orders.states import PaymentMethod, Stage
from tests.factories import ItemFactory, member, place, role_permissions
from tests.lifecycle.conftest import one_time
from tests.lifecycle.entry_helpers import entry_data
from tests.orders.auto_orders import subscribe
from tests.orders.builders import order_in_stage
from tests.orders.disputes import open_case, open_chargeback
from tests.orders.returns import authorized, opened, received, shipped_order
from tests.tools.costfiles import csv_bytes
from tools.exports.services import export_mapping_get, export_start
from tools.imports.services import cost_import_apply_start, cost_import_preview
from tools.job_runner import job_run
from tools.models import CostImport, ExportMapping, Job
from tools.operations.registry import operation_get, operation_job_create

pytestmark = pytest.mark.django_db

MERCHANT_URLCONFS = ("lifecycle.urls", "tools.urls", "orders.urls")
# Reached without a staff login: a signed customer link, a signed webhook.
PUBLIC = {
    "customer-case",
    "customer-case-attachment",
    "customer-return",
    "quote-customer",
    "payment-webhook",
}
# Read-only pages (GET only): they show the merchant's data and change nothing.
PAGES = {
    "home",
    "order-find",
    "order-detail",
    "chargeback-list",
    "chargeback-detail",
    "case-list",
    "case-detail",
    "item-list",
    "auto-order-list",
    "auto-order-forecast",
    "auto-order-detail",
    "order-bulk-form",
    "stage-bulk-form",
    "job-list",
    "job-detail",
    "tool-export-mappings",
    "cost-import-detail",
    "customer-detail",
    "return-list",
    "return-detail",
    "settings",
}
PDF = b"%PDF-1.7\n%%EOF\n"


class World:
    """The merchant's staff, one per role, and the objects the routes act on, made on first
    use (before the roles take turns, so that each turn's rollback keeps them)."""

    def __init__(self, merchant, tmp_path):
        self.merchant = merchant
        self.tmp_path = tmp_path
        self.users = {role: member(merchant, role) for role in ROLE_PERMISSIONS}
        self.manager = self.users["manager"]

    @cached_property
    def order(self) -> Order:
        """Charged, in Shipping, 45.00: everyone's everyday order."""
        return place(self.merchant, price=Decimal("40.00"))

    @cached_property
    def shipped(self) -> Order:
        order = place(self.merchant, price=Decimal("40.00"))
        order_ship_part(order=order, lines={order.lines.get().pk: 1}, carrier="UPS", notify=False)
        return order

    @cached_property
    def receivable(self) -> Order:
        return place(self.merchant, card_mode=CardMode.NO_CHARGE)

    @cached_property
    def owing(self) -> Order:
        """Paid in cash, then a line edit left 10.00 owed."""
        order = place(self.merchant, method=PaymentMethod.CASH, card=None)
        Order.objects.filter(pk=order.pk).update(balance_due=Decimal("10.00"))
        return order

    @cached_property
    def quote(self) -> Order:
        return order_in_stage(self.merchant, Stage.QUOTE_REQUEST)

    @cached_property
    def deleted(self) -> Order:
        order = place(self.merchant)
        order_delete(order=order, reason="duplicate", by=self.manager)
        return order

    @cached_property
    def preorder_item(self) -> Item:
        item = ItemFactory(merchant=self.merchant, sku="SOON", pre_order=True)
        place(self.merchant, item=item)
        return item

    @cached_property
    def auto_order(self) -> AutoOrder:
        item = ItemFactory(merchant=self.merchant, sku="BEANS", auto_order_schedules=["weekly"])
        on = timezone.localdate() - timedelta(days=2)
        return subscribe(self.merchant, schedule="weekly", on=on, item=item)

    @cached_property
    def chargeback(self) -> Chargeback:
        return open_chargeback(self.order)

    @cached_property
    def evidence(self) -> ChargebackEvidence:
        upload = SimpleUploadedFile("pod.pdf", PDF, content_type="application/pdf")
        return chargeback_evidence_add(chargeback=self.chargeback, upload=upload)

    @cached_property
    def case(self) -> CustomerCase:
        return open_case(self.order, self.manager)

    @cached_property
    def case_attachment(self) -> CaseAttachment:
        upload = SimpleUploadedFile("label.pdf", PDF, content_type="application/pdf")
        message = case_note_add(case=self.case, text="label", attachments=[upload])
        return message.attachments.get()

    @cached_property
    def returnable(self) -> Order:
        """Three widgets at 20.00, charged and shipped whole: what returns are made of."""
        return shipped_order(self.merchant)

    @cached_property
    def requested_return(self) -> Return:
        return opened(self.returnable, 1, by=self.manager)

    @cached_property
    def authorized_return(self) -> Return:
        return authorized(self.returnable, 1)

    @cached_property
    def received_return(self) -> Return:
        return received(self.returnable, 1)

    @cached_property
    def mapping(self) -> ExportMapping:
        return export_mapping_get(merchant=self.merchant)

    @cached_property
    def export_job(self) -> Job:
        """A manager's finished export: its result file is customer data."""
        self.order  # noqa: B018 — something to export
        job = export_start(merchant=self.merchant, mapping=self.mapping, by=self.manager)
        return job_run(job_id=job.pk)

    @cached_property
    def pending_export(self) -> Job:
        return export_start(merchant=self.merchant, mapping=self.mapping, by=self.manager)

    @cached_property
    def pending_note_job(self) -> Job:
        return operation_job_create(
            merchant=self.merchant,
            operation=operation_get("append_note"),
            inputs={"text": "x"},
            order_pks=[self.order.pk],
            by=self.manager,
        )

    @cached_property
    def cost_import(self) -> CostImport:
        content = csv_bytes([[self.order.order_id, "", "", "2.00"]])
        return cost_import_preview(
            merchant=self.merchant, name="costs.csv", content=content, by=self.manager
        )

    @cached_property
    def applied_import(self) -> CostImport:
        content = csv_bytes([[self.receivable.order_id, "1.00", "", ""]])
        cost_import = cost_import_preview(
            merchant=self.merchant, name="applied.csv", content=content, by=self.manager
        )
        job_run(job_id=cost_import_apply_start(cost_import=cost_import, by=self.manager).pk)
        return cost_import

    @cached_property
    def api_token(self) -> ApiToken:
        token, _ = api_token_create(merchant=self.merchant, name="shop", by=self.users["owner"])
        return token

    @cached_property
    def webhook_endpoint(self) -> WebhookEndpoint:
        return webhook_endpoint_create(
            merchant=self.merchant,
            url="https://erp.example.com/hooks",
            topics=["order.placed"],
            by=self.users["owner"],
        )

    @cached_property
    def webhook_delivery(self) -> EndpointDelivery:
        message = OutboxMessage.objects.create(
            merchant=self.merchant, topic="order.placed", order_pk=self.order.pk
        )
        return EndpointDelivery.objects.create(
            endpoint=self.webhook_endpoint,
            message=message,
            status=EndpointDelivery.Status.FAILED,
        )

    @cached_property
    def carrier(self) -> Carrier:
        return carrier_create(
            merchant=self.merchant,
            name="Fast Courier",
            tracking_url_pattern="https://fastcourier.example/t/{tracking}",
            by=self.users["owner"],
        )

    @cached_property
    def extra_staff(self) -> Membership:
        """Someone the owner may change or remove (nobody acts on their own membership)."""
        return Membership.objects.get(user=member(self.merchant, "shipping", username="extra"))

    @cached_property
    def saved_views(self) -> dict[int, SavedView]:
        """One saved view of each person's own: only its owner deletes it."""
        return {
            user.pk: saved_view_save(
                user=user,
                merchant=self.merchant,
                screen=list_screen_get("shipping"),
                name="Mine",
                query="q=x",
            )
            for user in self.users.values()
        }


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("receipt.pdf", PDF, content_type="application/pdf")


@dataclass
class Case:
    route: str
    url: Callable[[World, Any], str]
    data: Callable[[World], dict] = lambda w: {}
    # What the request should change when allowed (compared before and after); None: it
    # only computes or reads.
    state: Callable[[World, Any], Any] | None = None
    label: str = ""
    # Requests made first in the same turn (a batch run needs its preview).
    before: Callable[[Any, World], None] | None = None
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.route}{':' + self.label if self.label else ''}"


def _events(order_attr: str, type_: str):
    return lambda w, user: OrderEvent.objects.filter(
        order=getattr(w, order_attr), type=type_
    ).count()


def _jobs(w, user) -> int:
    return Job.objects.count()


def _order_field(attr: str, name: str):
    return lambda w, user: getattr(Order.objects.get(pk=getattr(w, attr).pk), name)


def _batch_preview(client, w) -> None:
    client.post("/tools/batch/", _batch_data(w, "preview"))


def _batch_data(w, action) -> dict:
    return {
        "kind": "ids",
        "order_ids": w.order.order_id,
        "operation": "add_tag",
        "op-name": "checked",
        "action": action,
    }


def _order(w) -> str:
    return w.order.order_id


def _lines_edit_data(order: Order, *, quantity: int) -> dict:
    line = order.lines.get()
    return {
        "version": order_lines_version(Order.objects.get(pk=order.pk)),
        f"line-{line.pk}-quantity": str(quantity),
        f"line-{line.pk}-unit_price": str(line.unit_price),
        "shipping_total": str(order.shipping_total),
        "action": "save",
    }


POST_CASES = [
    Case(
        "chargeback-import",
        lambda w, u: "/chargebacks/import/",
        lambda w: {
            "content": "case_number,order_id,reason_code,amount,date,deadline\n"
            f"C9,{w.order.order_id},13.1,5.00,2026-11-01,2030-11-30\n"
        },
        lambda w, u: Chargeback.objects.count(),
    ),
    Case(
        "chargeback-rebuttal",
        lambda w, u: f"/chargebacks/{w.chargeback.pk}/rebuttal/",
        lambda w: {"rebuttal": "Delivered.", "internal_notes": "", "save_as": ""},
        lambda w, u: Chargeback.objects.get(pk=w.chargeback.pk).rebuttal,
    ),
    Case(
        "chargeback-evidence-upload",
        lambda w, u: f"/chargebacks/{w.chargeback.pk}/evidence/",
        lambda w: {"file": _pdf()},
        lambda w, u: ChargebackEvidence.objects.count(),
    ),
    Case(
        "chargeback-transition",
        lambda w, u: f"/chargebacks/{w.chargeback.pk}/transition/accept/",
        state=lambda w, u: Chargeback.objects.get(pk=w.chargeback.pk).status,
    ),
    Case(
        "chargeback-open",
        lambda w, u: f"/orders/{_order(w)}/chargebacks/new/",
        lambda w: {
            "chargeback-case_number": "BANK-77",
            "chargeback-reason_code": "13.1",
            "chargeback-amount": "5.00",
            "chargeback-respond_by": "2030-01-31",
        },
        lambda w, u: Chargeback.objects.count(),
    ),
    Case(
        "case-action",
        lambda w, u: f"/cases/{w.case.pk}/reply/",
        lambda w: {"text": "It ships today."},
        _events("order", "order_case_changed"),
        label="reply",
    ),
    Case(
        "case-action",
        lambda w, u: f"/cases/{w.case.pk}/close/",
        state=lambda w, u: CustomerCase.objects.get(pk=w.case.pk).status,
        label="close",
    ),
    Case(
        "case-read",
        lambda w, u: f"/cases/{w.case.pk}/read/",
        state=lambda w, u: CustomerCase.objects.get(pk=w.case.pk).unread,
        before=lambda client, w: CustomerCase.objects.filter(pk=w.case.pk).update(unread=True),
    ),
    Case(
        "case-open",
        lambda w, u: f"/orders/{_order(w)}/cases/new/",
        lambda w: {"case-subject": "Late parcel"},
        lambda w, u: CustomerCase.objects.count(),
    ),
    Case(
        "return-open",
        lambda w, u: f"/orders/{w.returnable.order_id}/returns/new/",
        lambda w: {f"return-line_{w.returnable.lines.get().pk}": "1", "return-reason": "defective"},
        lambda w, u: Return.objects.count(),
    ),
    *(
        Case(
            "return-action",
            lambda w, u, action=action: f"/returns/{w.requested_return.pk}/{action}/",
            lambda w: {"why": "Past the return window"},
            lambda w, u: Return.objects.get(pk=w.requested_return.pk).status,
            label=action,
        )
        for action in ("authorize", "reject", "cancel")
    ),
    Case(
        "return-receive",
        lambda w, u: f"/returns/{w.authorized_return.pk}/receive/",
        lambda w: {f"line_{w.returnable.lines.get().pk}": "1", "condition": "new"},
        lambda w, u: Return.objects.get(pk=w.authorized_return.pk).status,
    ),
    Case(
        "return-refund",
        lambda w, u: f"/returns/{w.received_return.pk}/refund/",
        lambda w: {f"line_{w.returnable.lines.get().pk}": "1"},
        _order_field("returnable", "refunded_total"),
    ),
    Case(
        "return-link-email",
        lambda w, u: f"/orders/{w.returnable.order_id}/returns/link/",
        state=_events("returnable", "order_email_sent"),
    ),
    Case(
        "merchant-switch",
        lambda w, u: "/switch-merchant/",
        lambda w: {"merchant": w.merchant.code},
        extra={"session": True},
    ),
    Case(
        "preorder-release",
        lambda w, u: "/stages/pre-orders/release/",
        lambda w: {"item": w.preorder_item.pk},
        _jobs,
    ),
    Case(
        "ship-list",
        lambda w, u: "/stages/shipping/mark-shipped/",
        lambda w: {"carrier": "UPS", "rows": f"{w.order.order_id} 1Z999"},
        _jobs,
    ),
    Case(
        "order-edit-customer",
        lambda w, u: f"/orders/{_order(w)}/edit/customer/",
        lambda w: {"first_name": "Changed", "last_name": "Lee", "email": "ann@example.com"},
        _order_field("order", "first_name"),
    ),
    Case(
        "order-edit-addresses",
        lambda w, u: f"/orders/{_order(w)}/edit/addresses/",
        lambda w: {"billing_address1": "2 Elm St", "billing_country": "US"},
        _order_field("order", "billing_address1"),
    ),
    Case(
        "order-edit-custom-fields",
        lambda w, u: f"/orders/{_order(w)}/edit/custom-fields/",
        lambda w: {"custom_1": "rush"},
        lambda w, u: Order.objects.get(pk=w.order.pk).custom_field(1),
    ),
    Case(
        "order-edit-tags",
        lambda w, u: f"/orders/{_order(w)}/edit/tags/",
        lambda w: {"add": "vip"},
        lambda w, u: list(Order.objects.get(pk=w.order.pk).tags.values_list("name", flat=True)),
    ),
    Case(
        "order-lines-edit",
        lambda w, u: f"/orders/{w.receivable.order_id}/edit/lines/",
        lambda w: _lines_edit_data(w.receivable, quantity=2),
        _order_field("receivable", "total"),
    ),
    Case(
        "order-refund",
        lambda w, u: f"/orders/{_order(w)}/refund/",
        lambda w: {"amount": "5.00", "reason": ""},
        _order_field("order", "refunded_total"),
    ),
    Case(
        "order-balance-received",
        lambda w, u: f"/orders/{w.owing.order_id}/balance-received/",
        lambda w: {"amount": "4.00", "reference": "CHK 1"},
        _order_field("owing", "balance_due"),
    ),
    Case(
        "order-ship-part",
        lambda w, u: f"/orders/{_order(w)}/ship-part/",
        lambda w: {f"line_{w.order.lines.get().pk}": "1", "carrier": "UPS"},
        lambda w, u: Order.objects.get(pk=w.order.pk).shipments.count(),
    ),
    Case(
        "order-replacement",
        lambda w, u: f"/orders/{_order(w)}/replacement/",
        lambda w: {f"line_{w.order.lines.get().pk}": "1"},
        lambda w, u: Order.objects.filter(original_order=w.order).count(),
    ),
    Case(
        "order-email-resend",
        lambda w, u: f"/orders/{_order(w)}/email/receipt/",
        state=_events("order", "order_email_queued"),
    ),
    Case(
        "order-create",
        lambda w, u: "/orders/new/",
        lambda w: entry_data(payment_method="cash"),
        lambda w, u: Order.objects.count(),
    ),
    Case("order-entry-totals", lambda w, u: "/orders/new/totals/", lambda w: entry_data()),
    Case(
        "quote-edit",
        lambda w, u: f"/orders/{w.quote.order_id}/quote/",
        lambda w: entry_data(lines=[{"description": "Quoted", "unit_price": "99.00"}]),
        _order_field("quote", "total"),
    ),
    Case(
        "item-release",
        lambda w, u: f"/items/{w.preorder_item.sku}/release/",
        state=lambda w, u: Item.objects.get(pk=w.preorder_item.pk).pre_order,
    ),
    Case(
        "api-token-list",
        lambda w, u: "/settings/api-tokens/",
        lambda w: {"name": "storefront"},
        lambda w, u: ApiToken.objects.count(),
    ),
    Case(
        "api-token-revoke",
        lambda w, u: f"/settings/api-tokens/{w.api_token.pk}/revoke/",
        state=lambda w, u: ApiToken.objects.get(pk=w.api_token.pk).revoked_at,
    ),
    Case(
        "webhook-endpoint-list",
        lambda w, u: "/settings/webhooks/",
        lambda w: {"url": "https://wms.example.com/in", "topics": ["order.shipped"]},
        lambda w, u: WebhookEndpoint.objects.count(),
    ),
    Case(
        "webhook-endpoint-detail",
        lambda w, u: f"/settings/webhooks/{w.webhook_endpoint.pk}/",
        lambda w: {"url": "https://erp.example.com/moved", "topics": ["order.placed"]},
        lambda w, u: WebhookEndpoint.objects.get(pk=w.webhook_endpoint.pk).url,
    ),
    *(
        Case(
            "webhook-endpoint-action",
            lambda w, u, action=action: f"/settings/webhooks/{w.webhook_endpoint.pk}/{action}/",
            data,
            state,
            label=action,
        )
        for action, data, state in (
            (
                "pause",
                lambda w: {},
                lambda w, u: WebhookEndpoint.objects.get(pk=w.webhook_endpoint.pk).active,
            ),
            (
                "rotate",
                lambda w: {},
                lambda w, u: WebhookEndpoint.objects.get(pk=w.webhook_endpoint.pk).secret,
            ),
            (
                "replay",
                lambda w: {"since": "2020-01-01T00:00"},
                lambda w, u: MerchantEvent.objects.filter(type="webhook_endpoint_changed").count(),
            ),
            (
                "remove",
                lambda w: {},
                lambda w, u: WebhookEndpoint.objects.filter(pk=w.webhook_endpoint.pk).exists(),
            ),
        )
    ),
    Case(
        "carrier-list",
        lambda w, u: "/settings/carriers/",
        lambda w: {"name": "Van", "tracking_url_pattern": "https://van.example/{tracking}"},
        lambda w, u: Carrier.objects.count(),
    ),
    Case(
        "carrier-detail",
        lambda w, u: f"/settings/carriers/{w.carrier.pk}/",
        lambda w: {"name": "Slow Courier", "tracking_url_pattern": "https://sc.example/{tracking}"},
        lambda w, u: Carrier.objects.get(pk=w.carrier.pk).name,
    ),
    Case(
        "carrier-remove",
        lambda w, u: f"/settings/carriers/{w.carrier.pk}/remove/",
        state=lambda w, u: Carrier.objects.filter(pk=w.carrier.pk).exists(),
    ),
    Case(
        "webhook-delivery-resend",
        lambda w, u: (
            f"/settings/webhooks/{w.webhook_endpoint.pk}/deliveries/{w.webhook_delivery.pk}/resend/"
        ),
        state=lambda w, u: EndpointDelivery.objects.get(pk=w.webhook_delivery.pk).status,
    ),
    Case(
        "settings-group",
        lambda w, u: "/settings/tax/",
        lambda w: {"tax-tax_percent": "8.25"},
        lambda w, u: Merchant.objects.get(pk=w.merchant.pk).tax_rate,
    ),
    Case(
        "settings-staff",
        lambda w, u: "/settings/staff/",
        lambda w: {"email": "new.person@example.com", "role": "service"},
        lambda w, u: Membership.objects.count(),
    ),
    Case(
        "settings-staff-role",
        lambda w, u: f"/settings/staff/{w.extra_staff.pk}/role/",
        lambda w: {f"m{w.extra_staff.pk}-role": "bookkeeper"},
        lambda w, u: Membership.objects.get(pk=w.extra_staff.pk).role,
    ),
    Case(
        "settings-staff-remove",
        lambda w, u: f"/settings/staff/{w.extra_staff.pk}/remove/",
        state=lambda w, u: Membership.objects.filter(pk=w.extra_staff.pk).exists(),
    ),
    Case(
        "auto-order-postpone",
        lambda w, u: "/auto-orders/postpone/",
        lambda w: {
            "item": w.auto_order.items.get().item_id,
            "before": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "until": (timezone.localdate() + timedelta(days=20)).isoformat(),
        },
        _jobs,
    ),
    Case(
        "auto-order-action",
        lambda w, u: f"/auto-orders/{w.auto_order.code}/pause/",
        lambda w: {"until": (timezone.localdate() + timedelta(days=30)).isoformat()},
        lambda w, u: AutoOrder.objects.get(pk=w.auto_order.pk).status,
        label="pause",
    ),
    Case(
        "auto-order-action",
        lambda w, u: f"/auto-orders/{w.auto_order.code}/cancel/",
        lambda w: {"reason": "moved away"},
        lambda w, u: AutoOrder.objects.get(pk=w.auto_order.pk).status,
        label="cancel",
    ),
    Case(
        "auto-order-action",
        lambda w, u: f"/auto-orders/{w.auto_order.code}/update-card/",
        lambda w: {"card_number": "5555 5555 5555 4444", "card_exp": "11/30", "card_cvv": "123"},
        lambda w, u: AutoOrder.objects.get(pk=w.auto_order.pk).card_last4,
        label="update-card",
    ),
    Case(
        "auto-order-action",
        lambda w, u: f"/auto-orders/{w.auto_order.code}/rebill-now/",
        state=lambda w, u: Order.objects.count(),
        label="rebill-now",
    ),
    Case(
        "order-bulk",
        lambda w, u: "/orders/bulk/",
        lambda w: {"operation": "add_tag", "add_tag-name": "vip", "order": [w.order.pk]},
        _jobs,
        label="add_tag",
    ),
    Case(
        "order-bulk",
        lambda w, u: "/orders/bulk/",
        lambda w: {"operation": "export", "export-mapping": w.mapping.pk, "order": [w.order.pk]},
        _jobs,
        label="export",
    ),
    Case(
        "stage-bulk",
        lambda w, u: "/stages/shipping/bulk/",
        lambda w: {"operation": "hold", "hold-reason": "Stock count", "order": [w.order.pk]},
        _jobs,
        label="shipping:hold",
    ),
    Case(
        "stage-bulk",
        lambda w, u: "/stages/accounts-receivable/bulk/",
        lambda w: {"operation": "hold", "hold-reason": "Stock count", "order": [w.receivable.pk]},
        _jobs,
        label="accounts-receivable:hold",
    ),
    # Printing the selection changes nothing; it is a post for its many order pks.
    Case(
        "stage-print",
        lambda w, u: "/stages/shipping/print/packing-slips/",
        lambda w: {"order": [w.order.pk]},
        label="shipping:packing-slips",
    ),
    Case(
        "stage-print",
        lambda w, u: "/stages/accounts-receivable/print/invoices/",
        lambda w: {"order": [w.receivable.pk]},
        label="accounts-receivable:invoices",
    ),
    Case(
        "list-columns",
        lambda w, u: "/list-columns/",
        lambda w: {"screen": "shipping", "cols": ["order_id", "company"]},
        lambda w, u: ColumnChoice.objects.count(),
    ),
    Case(
        "saved-view-create",
        lambda w, u: "/saved-views/",
        lambda w: {"screen": "shipping", "name": "Mine", "query": "q=ann"},
        lambda w, u: SavedView.objects.count(),
    ),
    Case(
        "saved-view-delete",
        lambda w, u: f"/saved-views/{w.saved_views[u.pk].pk}/delete/",
        lambda w: {"screen": "shipping"},
        lambda w, u: SavedView.objects.filter(pk=w.saved_views[u.pk].pk).exists(),
    ),
    Case(
        "order-transition",
        lambda w, u: f"/orders/{_order(w)}/transition/hold/",
        lambda w: {"hold-reason": "Customer asked", "expected_stage": Stage.SHIPPING},
        _order_field("order", "stage"),
        label="hold",
    ),
    Case(
        "order-transition",
        lambda w, u: f"/orders/{_order(w)}/transition/mark_shipped/",
        lambda w: {"mark_shipped-carrier": "UPS", "expected_stage": Stage.SHIPPING},
        _order_field("order", "stage"),
        label="mark_shipped",
    ),
    Case(
        "order-transition",
        lambda w, u: f"/orders/{w.receivable.order_id}/transition/process_payment/",
        lambda w: {"expected_stage": Stage.ACCOUNTS_RECEIVABLE},
        _order_field("receivable", "stage"),
        label="process_payment",
    ),
    Case(
        "order-transition",
        lambda w, u: f"/orders/{w.receivable.order_id}/transition/charge_other_card/",
        lambda w: {
            "charge_other_card-card_number": "4242 4242 4242 4242",
            "charge_other_card-card_exp": "12/31",
            "expected_stage": Stage.ACCOUNTS_RECEIVABLE,
        },
        _order_field("receivable", "stage"),
        label="charge_other_card",
    ),
    Case(
        "order-transition",
        lambda w, u: f"/orders/{_order(w)}/transition/refund_and_reject/",
        lambda w: {
            "refund_and_reject-reason": (w.merchant.reject_reason_codes or [""])[0],
            "expected_stage": Stage.SHIPPING,
        },
        _order_field("order", "stage"),
        label="refund_and_reject",
    ),
    Case(
        "order-transition",
        lambda w, u: f"/orders/{w.quote.order_id}/transition/expire_quote/",
        state=_order_field("quote", "stage"),
        label="system-only",
    ),
    Case(
        "order-note-create",
        lambda w, u: f"/orders/{_order(w)}/notes/",
        lambda w: {"text": "Called the customer."},
        lambda w, u: OrderNote.objects.count(),
    ),
    Case(
        "order-delete",
        lambda w, u: f"/orders/{_order(w)}/delete/",
        lambda w: {"delete-reason": "duplicate"},
        _order_field("order", "deleted_at"),
    ),
    Case(
        "tool-batch",
        lambda w, u: "/tools/batch/",
        lambda w: _batch_data(w, "run"),
        _jobs,
        before=_batch_preview,
    ),
    Case(
        "tool-undelete",
        lambda w, u: "/tools/undelete/",
        lambda w: {"order": [w.deleted.pk]},
        _jobs,
    ),
    Case(
        "job-append-note",
        lambda w, u: "/tools/jobs/new/append-note/",
        lambda w: {"order_ids": w.order.order_id, "text": "Hello"},
        _jobs,
    ),
    Case(
        "job-cancel",
        lambda w, u: f"/tools/jobs/{w.pending_export.pk}/cancel/",
        state=lambda w, u: Job.objects.get(pk=w.pending_export.pk).status,
        label="export",
    ),
    Case(
        "job-cancel",
        lambda w, u: f"/tools/jobs/{w.pending_note_job.pk}/cancel/",
        state=lambda w, u: Job.objects.get(pk=w.pending_note_job.pk).status,
        label="append_note",
    ),
    Case(
        "tool-export",
        lambda w, u: "/tools/export/",
        lambda w: {"mapping": w.mapping.pk, "stage": "", "format": "csv"},
        _jobs,
    ),
    Case(
        "export-mapping-create",
        lambda w, u: "/tools/export/mappings/new/",
        lambda w: {
            "name": "Mine",
            "format": "csv",
            "granularity": "order",
            "columns": "order_id | Reference",
        },
        lambda w, u: ExportMapping.objects.count(),
    ),
    Case(
        "export-mapping-preview",
        lambda w, u: "/tools/export/mappings/preview/",
        lambda w: {
            "name": "Mine",
            "format": "csv",
            "granularity": "order",
            "columns": "order_id | Reference",
        },
    ),
    Case(
        "export-mapping-edit",
        lambda w, u: f"/tools/export/mappings/{w.mapping.pk}/",
        lambda w: {
            "name": "Renamed",
            "format": "csv",
            "granularity": "order",
            "columns": "order_id | Reference",
        },
        lambda w, u: ExportMapping.objects.get(pk=w.mapping.pk).name,
    ),
    Case(
        "tool-import-costs",
        lambda w, u: "/tools/import-costs/",
        lambda w: {
            "file": SimpleUploadedFile("c.csv", csv_bytes([[w.order.order_id, "", "", "1.00"]]))
        },
        lambda w, u: CostImport.objects.count(),
    ),
    Case(
        "cost-import-apply",
        lambda w, u: f"/tools/import-costs/{w.cost_import.pk}/apply/",
        state=_jobs,
    ),
    Case(
        "cost-import-undo",
        lambda w, u: f"/tools/import-costs/{w.applied_import.pk}/undo/",
        state=_jobs,
    ),
]

GET_CASES = [
    Case("chargeback-packet", lambda w, u: f"/chargebacks/{w.chargeback.pk}/packet/"),
    Case("chargeback-evidence-file", lambda w, u: f"/chargebacks/evidence/{w.evidence.pk}/"),
    Case("case-attachment", lambda w, u: f"/cases/attachments/{w.case_attachment.pk}/"),
    Case("packing-slips-print", lambda w, u: f"/orders/print/packing-slips/?ids={_order(w)}"),
    Case("invoices-print", lambda w, u: f"/orders/print/invoices/?ids={_order(w)}"),
    *(
        Case(
            "order-print", lambda w, u, kind=kind: f"/orders/{_order(w)}/print/{kind}/", label=kind
        )
        for kind in ("order", "invoice", "packing-slip")
    ),
    Case(
        "shipment-packing-slip",
        lambda w, u: (
            f"/orders/{w.shipped.order_id}/shipments/{w.shipped.shipments.get().pk}/packing-slip/"
        ),
    ),
    Case("job-result", lambda w, u: f"/tools/jobs/{w.export_job.pk}/result/"),
    Case("job-report", lambda w, u: f"/tools/jobs/{w.export_job.pk}/report.csv"),
    Case("cost-import-errors", lambda w, u: f"/tools/import-costs/{w.cost_import.pk}/errors.csv"),
    # Customer data for back-end entry: who ordered, and their saved cards.
    Case("order-entry-customers", lambda w, u: f"/orders/new/customers/?q={w.order.email}"),
    Case("order-entry-saved-cards", lambda w, u: f"/orders/new/saved-cards/?email={w.order.email}"),
    # The lists: the shipping clerk sees only the shipping and completed ones.
    Case("order-list", lambda w, u: "/orders/"),
    *(
        Case("stage-list", lambda w, u, slug=slug: f"/stages/{slug}/", label=slug)
        for slug in ("shipping", "completed", "accounts-receivable", "hold", "pre-orders")
    ),
    Case("preorder-items", lambda w, u: "/stages/pre-orders/items/"),
    Case(
        "webhook-delivery-detail",
        lambda w, u: (
            f"/settings/webhooks/{w.webhook_endpoint.pk}/deliveries/{w.webhook_delivery.pk}/"
        ),
    ),
]


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield pattern


def merchant_routes() -> dict[str, Any]:
    """Every named route of the merchant site: its name and its view (class or function)."""
    routes = {}
    for module in MERCHANT_URLCONFS:
        for pattern in _patterns(importlib.import_module(module).urlpatterns):
            routes[pattern.name] = getattr(pattern.callback, "view_class", pattern.callback)
    return routes


def _declares_its_permission(view_class) -> bool:
    for klass in view_class.__mro__:
        if klass is MerchantRequiredMixin:
            return False
        if "permission" in vars(klass) or "required_permissions" in vars(klass):
            return True
    return False


def test_every_state_changing_route_and_file_of_the_merchant_site_is_in_the_matrix():
    routes = merchant_routes()
    posted = {case.route for case in POST_CASES}
    read = {case.route for case in GET_CASES}
    unclassified, undeclared = [], []
    for name, view in routes.items():
        if name in PUBLIC:
            continue
        if not (isinstance(view, type) and issubclass(view, MerchantRequiredMixin)):
            unclassified.append(f"{name}: not a MerchantRequiredMixin view")
            continue
        changes_state = "post" in view.http_method_names and hasattr(view, "post")
        if changes_state and name not in posted:
            unclassified.append(f"{name}: takes POST but has no POST case")
        if not changes_state and name not in read | PAGES:
            unclassified.append(f"{name}: a GET route that is neither a page nor a download")
        if (name in posted or name in read) and not _declares_its_permission(view):
            undeclared.append(name)

    assert unclassified == []
    assert undeclared == []
    assert (posted | read | PAGES) <= set(routes)
    assert not (read & PAGES)


def declared_permissions(method: str, url: str, data: dict, user, merchant):
    """What the view declares this request needs; None when it refuses everyone."""
    match = resolve(url.split("?")[0])
    factory = RequestFactory()
    request = factory.post(url, data) if method == "post" else factory.get(url)
    request.user, request.merchant = user, merchant
    view = match.func.view_class(**match.func.view_initkwargs)
    view.setup(request, *match.args, **match.kwargs)
    try:
        return view.required_permissions()
    except PermissionDenied:
        return None


@pytest.fixture
def world(merchant, tmp_path, settings, eager_tasks):
    settings.MEDIA_ROOT = tmp_path
    merchant.custom_fields = {"1": {"label": "Priority"}}
    merchant.save()
    return World(merchant, tmp_path)


def _turn(client, world, case: Case, method: str, role: str) -> str | None:
    """One role's request; the reason it went wrong, or None."""
    user = world.users[role]
    client.force_login(user)
    url = case.url(world, user)
    declared = declared_permissions(method, url, case.data(world), user, world.merchant)
    allowed = declared is not None and set(declared) <= role_permissions(role)
    if case.before is not None:
        case.before(client, world)
    before = case.state(world, user) if case.state else None
    # Emails and jobs are queued after commit: run those callbacks, as a real commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        # Every post carries a fresh one-time token, as a rendered form does (money forms
        # refuse a post without one; the others ignore it).
        data = {**case.data(world), **one_time()}
        response = client.post(url, data) if method == "post" else client.get(url)
    after = case.state(world, user) if case.state else None
    status = response.status_code
    if not allowed:
        if status != 403 or before != after:
            return f"{role}: expected 403 and no change, got {status} ({before!r} → {after!r})"
        return None
    if status in (403, 404) or status >= 500:
        return f"{role}: expected to be allowed ({declared}), got {status}"
    if case.extra.get("session") and client.session.get(SESSION_KEY) != world.merchant.pk:
        return f"{role}: allowed, but the session did not change"
    if case.state and before == after:
        return f"{role}: allowed ({status}) but nothing changed ({before!r})"
    if method == "get" and status != 200:
        return f"{role}: allowed, expected 200, got {status}"
    return None


def _check_every_role(client, world, case: Case, method: str) -> None:
    # Make the objects the case needs once, outside the turns that are rolled back.
    case.url(world, world.manager)
    case.data(world)
    if case.state:
        case.state(world, world.manager)
    problems = []
    for role in ROLE_PERMISSIONS:
        with transaction.atomic():
            problem = _turn(client, world, case, method, role)
            transaction.set_rollback(True)
        if problem:
            problems.append(problem)
    assert problems == []


@pytest.mark.parametrize("case", POST_CASES, ids=lambda case: case.id)
def test_each_role_may_change_exactly_what_the_permission_table_allows(client, world, case):
    _check_every_role(client, world, case, "post")


@pytest.mark.parametrize("case", GET_CASES, ids=lambda case: case.id)
def test_each_role_gets_exactly_the_files_and_lists_the_permission_table_allows(
    client, world, case
):
    _check_every_role(client, world, case, "get")


# ---- the holes the matrix closes, spelled out ------------------------------------------------


def test_customer_service_cannot_place_a_cash_order_straight_into_shipping(client, merchant):
    client.force_login(member(merchant, "service"))

    response = client.post("/orders/new/", entry_data(payment_method="cash"))

    assert response.status_code == 403
    assert not Order.objects.exists()


def test_a_shipping_clerk_cannot_download_someone_else_s_export(client, world):
    job = world.export_job
    assert job.result_file
    client.force_login(world.users["shipping"])

    assert client.get(f"/tools/jobs/{job.pk}/result/").status_code == 403
    assert client.get(f"/tools/jobs/{job.pk}/report.csv").status_code == 403
    assert b"Download result file" not in client.get(f"/tools/jobs/{job.pk}/").content


def test_customer_service_cannot_download_an_export_but_a_bookkeeper_can(client, world):
    job = world.export_job
    client.force_login(world.users["service"])
    assert client.get(f"/tools/jobs/{job.pk}/result/").status_code == 403

    client.force_login(world.users["bookkeeper"])
    response = client.get(f"/tools/jobs/{job.pk}/result/")
    assert response.status_code == 200
    assert world.order.order_id in b"".join(response.streaming_content).decode("utf-8-sig")


def test_customer_service_refunds_within_its_limit_from_the_order_page(client, world):
    client.force_login(world.users["service"])

    response = client.post(f"/orders/{_order(world)}/refund/", {"amount": "5.00", **one_time()})

    assert response.status_code == 302
    assert Order.objects.get(pk=world.order.pk).refunded_total == Decimal("5.00")


def test_customer_service_over_its_limit_is_told_how_much_is_left(client, world):
    world.merchant.customer_service_refund_limit = Decimal("10.00")
    world.merchant.save()
    client.force_login(world.users["service"])
    client.post(f"/orders/{_order(world)}/refund/", {"amount": "6.00", **one_time()})

    response = client.post(
        f"/orders/{_order(world)}/refund/", {"amount": "5.00", **one_time()}, follow=True
    )

    assert [str(m) for m in response.context["messages"]][-1] == (
        f"{_order(world)}: Customer service may refund at most 10.00 on this order; 4.00 left."
    )
    assert Order.objects.get(pk=world.order.pk).refunded_total == Decimal("6.00")


def test_customer_service_cannot_edit_the_addresses(client, world):
    client.force_login(world.users["service"])
    page = client.get(f"/orders/{_order(world)}/").content.decode()

    response = client.post(
        f"/orders/{_order(world)}/edit/addresses/", {"billing_address1": "9 Elsewhere"}
    )

    assert response.status_code == 403
    assert Order.objects.get(pk=world.order.pk).billing_address1 == "1 Main St"
    assert "/edit/addresses/" not in page
    assert "Clone order" not in page
    assert "/notes/" in page  # a note it may add


def test_customer_service_cannot_pause_an_auto_order(client, world):
    auto_order = world.auto_order
    client.force_login(world.users["service"])
    until = (timezone.localdate() + timedelta(days=30)).isoformat()

    response = client.post(f"/auto-orders/{auto_order.code}/pause/", {"until": until})

    assert response.status_code == 403
    assert AutoOrder.objects.get(pk=auto_order.pk).status == AutoOrder.Status.ACTIVE
    assert "/pause/" not in client.get(f"/auto-orders/{auto_order.code}/").content.decode()


def test_a_shipping_clerk_sees_its_two_lists_and_reads_any_order(client, world):
    client.force_login(world.users["shipping"])
    held = order_in_stage(world.merchant, Stage.HOLD)

    assert client.get("/stages/shipping/").status_code == 200
    assert client.get("/stages/completed/").status_code == 200
    assert client.get("/stages/hold/").status_code == 403
    assert client.get("/orders/").status_code == 403
    assert client.get(f"/orders/{held.order_id}/").status_code == 200
    assert client.get("/find/?q=nobody").url == "/stages/shipping/?q=nobody"
