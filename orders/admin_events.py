"""Admin for support staff: the audit trail, read-only (only orders.events writes it)."""

import json

from django.contrib import admin
from django.utils.html import format_html

from backoffice.common.admin import ReadOnlyAdmin

from .models import MerchantEvent, OrderEvent


class _EventAdmin(ReadOnlyAdmin):
    list_filter = ["type", "created_at"]
    show_full_result_count = False
    ordering = ["-id"]

    @admin.display(description="actor")
    def actor_display(self, event: OrderEvent | MerchantEvent) -> str:
        return event.actor_display

    @admin.display(description="payload")
    def payload_pretty(self, event: OrderEvent | MerchantEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(event.payload, indent=2, ensure_ascii=False))


@admin.register(OrderEvent)
class OrderEventAdmin(_EventAdmin):
    list_display = ["created_at", "order", "type", "actor_display", "actor_label"]
    list_select_related = ["order", "actor"]
    search_fields = ["=order__order_id"]
    fields = ["order", "type", "actor", "actor_label", "created_at", "payload_pretty"]
    readonly_fields = fields


@admin.register(MerchantEvent)
class MerchantEventAdmin(_EventAdmin):
    """Actions over many orders at once that change none of them (exports)."""

    list_display = ["created_at", "merchant", "type", "actor_display", "actor_label", "job_id"]
    list_filter = ["merchant", "type", "created_at"]
    list_select_related = ["merchant", "actor"]
    search_fields = ["=job_id"]
    fields = ["merchant", "type", "actor", "actor_label", "job_id", "created_at", "payload_pretty"]
    readonly_fields = fields
