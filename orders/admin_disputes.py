"""Admin for support staff: the editable reason-code table and saved rebuttals; chargebacks and
cases read-only (their changes go through the services so that every one is an event)."""

from django.contrib import admin

from .models import Case, CaseMessage, Chargeback, ChargebackReasonCode, RebuttalText


@admin.register(ChargebackReasonCode)
class ChargebackReasonCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "network", "description"]
    list_filter = ["network"]
    search_fields = ["code", "description"]


@admin.register(RebuttalText)
class RebuttalTextAdmin(admin.ModelAdmin):
    list_display = ["title", "merchant"]
    list_filter = ["merchant"]
    search_fields = ["title", "text"]


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Chargeback)
class ChargebackAdmin(_ReadOnly):
    list_display = ["case_number", "merchant", "order", "reason_code", "amount", "status"]
    list_filter = ["status", "merchant"]
    list_select_related = ["merchant", "order"]
    search_fields = ["=case_number", "=order__order_id"]


class CaseMessageInline(admin.TabularInline):
    model = CaseMessage
    fields = ["created_at", "kind", "author", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(_ReadOnly):
    list_display = ["pk", "merchant", "order", "subject", "status", "assigned_to", "unread"]
    list_filter = ["status", "merchant"]
    list_select_related = ["merchant", "order", "assigned_to"]
    search_fields = ["=order__order_id", "email", "subject"]
    exclude = ["link_nonce"]
    inlines = [CaseMessageInline]
