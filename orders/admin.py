"""The Django admin for support staff, across merchants.

Orders are never added or hard-deleted here, and their stage is read-only: the transition
buttons of the change page post to an admin URL that calls order_transition, the same service
as the merchant screens, so the admin cannot do what a merchant's staff could not. Every edit
of an order writes an order_edited event; events and payment transactions are read-only.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import ManyToManyField
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django_fsm import ConcurrentTransition

from backoffice.common.admin import ReadOnlyAdmin
from orders.events import order_edited_event
from orders.exceptions import InvalidInput, OrderChanged, OrderError
from orders.forms import transition_form_for
from orders.fsm import transition_label, transition_specs, transitions_for_user
from orders.models import (
    ApiRequest,
    BlockListEntry,
    Item,
    Membership,
    Merchant,
    Order,
    OrderEvent,
    OrderLine,
    PaymentTransaction,
    PurgeLog,
    Shipment,
    Tag,
)
from orders.models.order import CUSTOM_FIELD_NUMBERS
from orders.services.costs import order_costs_set
from orders.services.transitions import order_transition

VIA = "admin"
ACTUAL_COSTS = {"actual_shipping", "actual_fulfillment", "actual_payment"}


# ---- merchants, people, catalogue ----------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "currency", "gateway", "created_at"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "currency", "time_zone", "created_at"]}),
        ("Payments", {"fields": ["gateway", "capture_at_shipment", "tax_rate"]}),
        (
            "Fraud",
            {
                "fields": [
                    ("fraud_review_threshold", "fraud_decline_threshold"),
                    "fraud_review_action",
                    ("fraud_amount_multiple", "fraud_velocity_limit"),
                    "fraud_free_email_domains",
                ]
            },
        ),
        (
            "Life cycle",
            {
                "fields": [
                    ("ar_retry_days", "ar_reject_at_end"),
                    ("auto_order_retry_delay_days", "auto_order_max_attempts"),
                    "quote_expiry_days",
                    "stage_age_limits",
                    "retention_days",
                ]
            },
        ),
        (
            "Fields and reasons",
            {
                "fields": [
                    "custom_fields",
                    "refund_reason_codes",
                    "reject_reason_codes",
                    "reason_required",
                    "customer_service_refund_limit",
                ]
            },
        ),
        (
            "Chargebacks",
            {"fields": ["chargeback_filtered_reason_codes", "chargeback_never_dispute_codes"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The code is the prefix of every order ID already handed out.
        return ["code", "created_at"] if obj is not None else ["created_at"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "merchant", "role", "created_at"]
    list_filter = ["role", "merchant"]
    list_select_related = ["user", "merchant"]
    search_fields = ["user__username", "user__email", "merchant__code"]
    autocomplete_fields = ["user"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = [
        "sku",
        "description",
        "merchant",
        "price",
        "cost",
        "shippable",
        "pre_order",
        "expected_date",
        "active",
    ]
    list_filter = ["merchant", "shippable", "pre_order", "active"]
    list_select_related = ["merchant"]
    search_fields = ["sku", "description"]


@admin.register(BlockListEntry)
class BlockListEntryAdmin(admin.ModelAdmin):
    list_display = ["value", "kind", "merchant", "reason", "created_by", "created_at"]
    list_filter = ["kind", "merchant"]
    list_select_related = ["merchant", "created_by"]
    search_fields = ["value"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# ---- orders ---------------------------------------------------------------------------------


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Not deleted"), ("yes", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        return queryset


class ReadOnlyInline(admin.TabularInline):
    """Shown, never added, changed or deleted: these rows are written by the services."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = [
        "position",
        "sku",
        "description",
        "quantity",
        "unit_price",
        "unit_cost",
        "refunded_quantity",
        "pre_order",
        "shippable",
        "auto_order_schedule",
    ]


class PaymentTransactionInline(ReadOnlyInline):
    model = PaymentTransaction
    fields = [
        "created_at",
        "kind",
        "amount",
        "result",
        "gateway",
        "gateway_reference",
        "avs_result",
        "cvv_result",
        "message",
    ]


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = ["shipped_at", "carrier", "method", "tracking_numbers"]


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "type", "actor_display", "actor_label", "payload"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="actor")
    def actor_display(self, event: OrderEvent) -> str:
        return event.actor_display


ORDER_READ_ONLY = [
    "order_id",
    "merchant",
    "stage",
    "stage_entered_at",
    "source",
    "placed_at",
    "ip_address",
    "requires_shipping",
    "shipped_at",
    "subtotal",
    "shipping_total",
    "tax",
    "discount",
    "total",
    "refunded_total",
    "refunded_at",
    "chargeback_total",
    "cost_of_goods",
    "actual_profit",
    "payment_method",
    "payment_status",
    "payment_reference",
    "card_brand",
    "card_last4",
    "card_exp_month",
    "card_exp_year",
    "paid_at",
    "fraud_score",
    "fraud_reasons_list",
    "held_from_stage",
    "hold_reason",
    "hold_until",
    "reject_reason",
    "rejected_by",
    "rejected_at",
    "quote_sent_at",
    "auto_order_code",
    "original_order",
    "deleted_at",
    "deleted_by",
    "delete_reason",
    "updated_at",
]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["order_id", "merchant", "stage", "payment_status", "total", "placed_at"]
    list_filter = [
        "stage",
        "merchant",
        "payment_status",
        "placed_at",
        "paid_at",
        "shipped_at",
        "is_test",
        DeletedFilter,
    ]
    search_fields = ["=order_id", "email"]
    list_select_related = ["merchant"]
    show_full_result_count = False
    ordering = ["-id"]
    readonly_fields = ORDER_READ_ONLY
    inlines = [OrderLineInline, PaymentTransactionInline, ShipmentInline, OrderEventInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("order_id", "merchant"),
                    ("stage", "stage_entered_at"),
                    ("source", "placed_at"),
                    "is_test",
                ]
            },
        ),
        ("Customer", {"fields": ["email", ("first_name", "last_name"), "company", "phone"]}),
        (
            "Billing address",
            {
                "fields": [
                    "billing_address1",
                    "billing_address2",
                    ("billing_city", "billing_region"),
                    ("billing_postal_code", "billing_country"),
                ]
            },
        ),
        (
            "Shipping",
            {
                "fields": [
                    "shipping_name",
                    "shipping_address1",
                    "shipping_address2",
                    ("shipping_city", "shipping_region"),
                    ("shipping_postal_code", "shipping_country"),
                    ("shipping_method", "requires_shipping"),
                    "shipped_at",
                ]
            },
        ),
        (
            "Money",
            {
                "fields": [
                    ("subtotal", "shipping_total", "discount", "tax", "total"),
                    ("refunded_total", "refunded_at", "chargeback_total"),
                    ("cost_of_goods", "actual_shipping", "actual_fulfillment", "actual_payment"),
                    "actual_profit",
                ]
            },
        ),
        (
            "Payment",
            {
                "fields": [
                    ("payment_method", "payment_status", "paid_at"),
                    ("payment_reference", "purchase_order_number"),
                    ("card_brand", "card_last4", "card_exp_month", "card_exp_year"),
                ]
            },
        ),
        ("Fraud", {"fields": [("fraud_score", "ip_address"), "fraud_reasons_list"]}),
        (
            "Hold and rejection",
            {
                "fields": [
                    ("held_from_stage", "hold_reason", "hold_until"),
                    ("reject_reason", "rejected_by", "rejected_at"),
                    "quote_sent_at",
                ]
            },
        ),
        (
            "Custom fields and tags",
            {"fields": [*(f"custom_{n}" for n in CUSTOM_FIELD_NUMBERS), "tags"]},
        ),
        (
            "Links and deletion",
            {
                "classes": ["collapse"],
                "fields": [
                    ("auto_order_code", "original_order"),
                    ("deleted_at", "deleted_by", "delete_reason"),
                    "updated_at",
                ],
            },
        ),
    ]

    # Orders are placed through the placement service and soft-deleted through the deletion
    # service, which record their events; the admin does neither.
    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="fraud reasons")
    def fraud_reasons_list(self, order: Order) -> str:
        if not order.fraud_reasons:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>+{} {}</li>",
                ((hit.get("points", ""), hit.get("reason", "")) for hit in order.fraud_reasons),
            ),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            fields = form.base_fields
            for number in CUSTOM_FIELD_NUMBERS:
                if f"custom_{number}" in fields:
                    fields[f"custom_{number}"].label = obj.merchant.custom_field_label(number)
            if "tags" in fields:
                fields["tags"].queryset = Tag.objects.filter(merchant=obj.merchant)
        return form

    # ---- edits: only the changed fields are saved, and an order_edited event says what ----
    def save_model(self, request, obj: Order, form, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        changes = order_form_changes(form)
        costs = {name: changes.pop(name)[1] for name in ACTUAL_COSTS if name in changes}
        if costs:
            # The one writer of costs locks the order, recomputes profit and records this
            # edit's one order_edited event, the other fields' changes with the costs'.
            saved = order_costs_set(
                order=obj,
                by=request.user,
                via=VIA,
                edits=changes,
                shipping=costs.get("actual_shipping"),
                fulfillment=costs.get("actual_fulfillment"),
                payment=costs.get("actual_payment"),
            )
            obj.actual_profit, obj.updated_at = saved.actual_profit, saved.updated_at
        concrete = [name for name in changes if name != "tags"]
        if concrete:
            obj.save(update_fields=[*concrete, "updated_at"])
        if changes and not costs:
            order_edited_event(order=obj, changes=changes, by=request.user, via=VIA)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConcurrentTransition:
            # The stage moved between loading and saving: nothing was saved.
            self.message_user(request, str(OrderChanged()), messages.ERROR)
            return redirect(request.path)

    # ---- transitions --------------------------------------------------------------------
    def get_urls(self):
        meta = self.opts
        return [
            path(
                "<path:object_id>/transition/<slug:name>/",
                self.admin_site.admin_view(self.transition_view),
                name=f"{meta.app_label}_{meta.model_name}_transition",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "transition_buttons": self.transition_buttons(request, order) if order else [],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_buttons(self, request, order: Order) -> list[dict[str, Any]]:
        """The transitions this admin user may run on the order now (system ones excluded)."""
        if order.deleted_at is not None or not self.has_change_permission(request, order):
            return []
        return [
            {
                "name": spec.name,
                "label": spec.label,
                "needs_form": bool(spec.form),
                "danger": spec.danger,
                "url": reverse("admin:orders_order_transition", args=[order.pk, spec.name]),
            }
            for spec in transitions_for_user(order, request.user)
        ]

    def transition_view(self, request, object_id: str, name: str):
        """Run a transition through order_transition; a small form first if it needs inputs."""
        order = self.get_object(request, unquote(object_id))
        if order is None or name not in transition_specs():
            raise Http404("No such order or action.")
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        change_url = reverse("admin:orders_order_change", args=[order.pk])
        form = transition_form_for(name, order=order, data=request.POST or None)
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                result = order_transition(
                    order=order,
                    name=name,
                    by=request.user,
                    via=VIA,
                    expected_stage=request.POST.get("expected_stage") or None,
                    **(form.inputs() if form else {}),
                )
            except InvalidInput as exc:
                if form is None:
                    self.message_user(request, str(exc), messages.ERROR)
                    return redirect(change_url)
                form.add_error(None, str(exc))
            except OrderError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return redirect(change_url)
            else:
                moved = result.target != result.source
                self.message_user(
                    request, result.message, messages.SUCCESS if moved else messages.WARNING
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "order": order,
            "name": name,
            "label": transition_label(name),
            "form": form,
            "expected_stage": request.POST.get("expected_stage") or order.stage,
            "change_url": change_url,
            "title": f"{transition_label(name)}: {order.order_id}",
            "media": self.media + (form.media if form else forms.Media()),
        }
        return TemplateResponse(request, "admin/orders/order/transition_form.html", context)


def order_form_changes(form) -> dict[str, tuple[Any, Any]]:
    """{field: (before, after)} for the fields an admin form changed; tags by name."""
    changes = {}
    for name in form.changed_data:
        before, after = form.initial.get(name), form.cleaned_data.get(name)
        field = form.instance._meta.get_field(name)
        if isinstance(field, ManyToManyField):
            before = sorted(str(tag) for tag in before or [])
            after = sorted(str(tag) for tag in after or [])
        changes[name] = (before, after)
    return changes


# ---- payments: read-only (the audit trail is in admin_events) ------------------------------


@admin.register(PaymentTransaction)
class PaymentTransactionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "order", "kind", "amount", "result", "gateway_reference"]
    list_filter = ["kind", "result", "gateway"]
    list_select_related = ["order"]
    search_fields = ["=order__order_id", "=gateway_reference"]
    show_full_result_count = False
    ordering = ["-id"]


@admin.register(PurgeLog)
class PurgeLogAdmin(admin.ModelAdmin):
    """The retention purge's record of the deleted orders it removed for good; read-only."""

    list_display = ["purged_at", "merchant", "count", "retention_days"]
    list_filter = ["merchant"]
    readonly_fields = ["merchant", "purged_at", "retention_days", "count", "order_ids"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiRequest)
class ApiRequestAdmin(ReadOnlyAdmin):
    """The API's request log (kept API_REQUEST_KEEP_DAYS): who called what, and the answer."""

    list_display = ["created_at", "merchant", "token_prefix", "method", "path", "status"]
    list_filter = ["status", "method", "merchant"]
    list_select_related = ["merchant"]
    search_fields = ["=token_prefix", "path"]
    show_full_result_count = False
    ordering = ["-created_at", "-id"]


from . import admin_disputes, admin_events  # noqa: E402, F401  (disputes; the audit trail)
