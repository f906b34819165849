from django.urls import path

from . import views
from .auto_orders import views as auto_order_views
from .views import carriers as carrier_views
from .views import cases, chargebacks, returns
from .views import webhooks as webhook_views
from .views.api_tokens import ApiTokenListView, ApiTokenRevokeView
from .views.customers import CustomerDetailView
from .views.deletion import OrderDeleteView
from .views.entry import (
    CustomerSavedCardsView,
    CustomerSearchView,
    OrderEntryTotalsView,
    OrderEntryView,
)
from .views.items import ItemListView, ItemReleaseView
from .views.lists import ListColumnsSaveView
from .views.printing import SelectionPrintView
from .views.quotes import QuoteCustomerView, QuoteEditView
from .views.settings import (
    SettingsGroupView,
    SettingsView,
    StaffRemoveView,
    StaffRoleView,
    StaffView,
)

DISPUTE_URLS = [
    path("chargebacks/", chargebacks.ChargebackListView.as_view(), name="chargeback-list"),
    path(
        "chargebacks/import/", chargebacks.ChargebackImportView.as_view(), name="chargeback-import"
    ),
    path(
        "chargebacks/<int:pk>/",
        chargebacks.ChargebackDetailView.as_view(),
        name="chargeback-detail",
    ),
    path(
        "chargebacks/<int:pk>/rebuttal/",
        chargebacks.ChargebackRebuttalView.as_view(),
        name="chargeback-rebuttal",
    ),
    path(
        "chargebacks/<int:pk>/evidence/",
        chargebacks.ChargebackEvidenceUploadView.as_view(),
        name="chargeback-evidence-upload",
    ),
    path(
        "chargebacks/<int:pk>/packet/",
        chargebacks.ChargebackPacketView.as_view(),
        name="chargeback-packet",
    ),
    path(
        "chargebacks/<int:pk>/transition/<slug:name>/",
        chargebacks.ChargebackTransitionView.as_view(),
        name="chargeback-transition",
    ),
    path(
        "chargebacks/evidence/<int:pk>/",
        chargebacks.ChargebackEvidenceFileView.as_view(),
        name="chargeback-evidence-file",
    ),
    path(
        "orders/<str:order_id>/chargebacks/new/",
        chargebacks.ChargebackOpenView.as_view(),
        name="chargeback-open",
    ),
    path("cases/", cases.CaseListView.as_view(), name="case-list"),
    path("cases/<int:pk>/", cases.CaseDetailView.as_view(), name="case-detail"),
    path("cases/attachments/<int:pk>/", cases.CaseAttachmentView.as_view(), name="case-attachment"),
    path("cases/<int:pk>/read/", cases.CaseReadView.as_view(), name="case-read"),
    path("cases/<int:pk>/<slug:action>/", cases.CaseActionView.as_view(), name="case-action"),
    path("orders/<str:order_id>/cases/new/", cases.CaseOpenView.as_view(), name="case-open"),
    path("c/<str:token>/", cases.CustomerCaseView.as_view(), name="customer-case"),
    path(
        "c/<str:token>/files/<int:pk>/",
        cases.CustomerCaseAttachmentView.as_view(),
        name="customer-case-attachment",
    ),
]

RETURN_URLS = [
    path("returns/", returns.ReturnListView.as_view(), name="return-list"),
    path("returns/<int:pk>/", returns.ReturnDetailView.as_view(), name="return-detail"),
    path("returns/<int:pk>/receive/", returns.ReturnReceiveView.as_view(), name="return-receive"),
    path("returns/<int:pk>/refund/", returns.ReturnRefundView.as_view(), name="return-refund"),
    path(
        "returns/<int:pk>/<slug:action>/", returns.ReturnActionView.as_view(), name="return-action"
    ),
    path(
        "orders/<str:order_id>/returns/new/", returns.ReturnOpenView.as_view(), name="return-open"
    ),
    path(
        "orders/<str:order_id>/returns/link/",
        returns.ReturnLinkEmailView.as_view(),
        name="return-link-email",
    ),
    path("r/<str:token>/", returns.CustomerReturnView.as_view(), name="customer-return"),
]

urlpatterns = [
    *DISPUTE_URLS,
    *RETURN_URLS,
    path("", views.HomeView.as_view(), name="home"),
    path("switch-merchant/", views.MerchantSwitchView.as_view(), name="merchant-switch"),
    path("find/", views.OrderFindView.as_view(), name="order-find"),
    # The order page's own actions and print views, and the stage screens beyond the lists.
    path(
        "orders/print/packing-slips/",
        views.ManyOrdersPrintView.as_view(),
        name="packing-slips-print",
    ),
    path(
        "orders/print/invoices/",
        views.ManyOrdersPrintView.as_view(template_name="lifecycle/print/invoice.html"),
        name="invoices-print",
    ),
    path("stages/pre-orders/items/", views.PreorderItemsView.as_view(), name="preorder-items"),
    path(
        "stages/pre-orders/release/", views.PreorderReleaseView.as_view(), name="preorder-release"
    ),
    path("stages/shipping/mark-shipped/", views.ShipListView.as_view(), name="ship-list"),
    *(
        path(f"orders/<str:order_id>/{route}/", view.as_view(), name=name)
        for route, view, name in [
            ("edit/customer", views.OrderCustomerEditView, "order-edit-customer"),
            ("edit/addresses", views.OrderAddressesEditView, "order-edit-addresses"),
            ("edit/custom-fields", views.OrderCustomFieldsEditView, "order-edit-custom-fields"),
            ("edit/tags", views.OrderTagsEditView, "order-edit-tags"),
            ("edit/lines", views.OrderLinesEditView, "order-lines-edit"),
            ("refund", views.OrderRefundView, "order-refund"),
            ("balance-received", views.OrderBalanceReceivedView, "order-balance-received"),
            ("replacement", views.OrderReplacementView, "order-replacement"),
            ("ship-part", views.OrderShipPartView, "order-ship-part"),
        ]
    ),
    path(
        "orders/<str:order_id>/email/<slug:template>/",
        views.OrderEmailResendView.as_view(),
        name="order-email-resend",
    ),
    path(
        "orders/<str:order_id>/shipments/<int:shipment_id>/packing-slip/",
        views.ShipmentPackingSlipView.as_view(),
        name="shipment-packing-slip",
    ),
    path(
        "orders/<str:order_id>/print/<slug:kind>/",
        views.OrderPrintView.as_view(),
        name="order-print",
    ),
    path("orders/new/", OrderEntryView.as_view(), name="order-create"),
    path("orders/new/totals/", OrderEntryTotalsView.as_view(), name="order-entry-totals"),
    path("orders/new/customers/", CustomerSearchView.as_view(), name="order-entry-customers"),
    path(
        "orders/new/saved-cards/", CustomerSavedCardsView.as_view(), name="order-entry-saved-cards"
    ),
    path("orders/<str:order_id>/quote/", QuoteEditView.as_view(), name="quote-edit"),
    path("q/<str:token>/", QuoteCustomerView.as_view(), name="quote-customer"),
    path("customers/", CustomerDetailView.as_view(), name="customer-detail"),
    path("items/", ItemListView.as_view(), name="item-list"),
    path("items/<str:sku>/release/", ItemReleaseView.as_view(), name="item-release"),
    path("settings/", SettingsView.as_view(), name="settings"),
    path("settings/staff/", StaffView.as_view(), name="settings-staff"),
    path("settings/staff/<int:pk>/role/", StaffRoleView.as_view(), name="settings-staff-role"),
    path(
        "settings/staff/<int:pk>/remove/", StaffRemoveView.as_view(), name="settings-staff-remove"
    ),
    path("settings/api-tokens/", ApiTokenListView.as_view(), name="api-token-list"),
    path(
        "settings/api-tokens/<int:pk>/revoke/",
        ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
    path(
        "settings/webhooks/",
        webhook_views.WebhookEndpointListView.as_view(),
        name="webhook-endpoint-list",
    ),
    path(
        "settings/webhooks/<int:pk>/",
        webhook_views.WebhookEndpointDetailView.as_view(),
        name="webhook-endpoint-detail",
    ),
    path(
        "settings/webhooks/<int:pk>/<slug:action>/",
        webhook_views.WebhookEndpointActionView.as_view(),
        name="webhook-endpoint-action",
    ),
    path(
        "settings/webhooks/<int:pk>/deliveries/<int:delivery_pk>/",
        webhook_views.WebhookDeliveryView.as_view(),
        name="webhook-delivery-detail",
    ),
    path(
        "settings/webhooks/<int:pk>/deliveries/<int:delivery_pk>/resend/",
        webhook_views.WebhookDeliveryResendView.as_view(),
        name="webhook-delivery-resend",
    ),
    path("settings/carriers/", carrier_views.CarrierListView.as_view(), name="carrier-list"),
    path(
        "settings/carriers/<int:pk>/",
        carrier_views.CarrierDetailView.as_view(),
        name="carrier-detail",
    ),
    path(
        "settings/carriers/<int:pk>/remove/",
        carrier_views.CarrierRemoveView.as_view(),
        name="carrier-remove",
    ),
    # After the fixed settings URLs: a group is any other word.
    path("settings/<slug:group>/", SettingsGroupView.as_view(), name="settings-group"),
    path("auto-orders/", auto_order_views.AutoOrderListView.as_view(), name="auto-order-list"),
    path(
        "auto-orders/forecast/",
        auto_order_views.AutoOrderForecastView.as_view(),
        name="auto-order-forecast",
    ),
    path(
        "auto-orders/postpone/",
        auto_order_views.AutoOrderPostponeView.as_view(),
        name="auto-order-postpone",
    ),
    path(
        "auto-orders/<str:code>/",
        auto_order_views.AutoOrderDetailView.as_view(),
        name="auto-order-detail",
    ),
    path(
        "auto-orders/<str:code>/<slug:action>/",
        auto_order_views.AutoOrderActionView.as_view(),
        name="auto-order-action",
    ),
    path("orders/", views.OrderListView.as_view(), name="order-list"),
    path("orders/bulk/", views.OrderBulkActionView.as_view(), name="order-bulk"),
    path("stages/<slug:slug>/", views.OrderListView.as_view(), name="stage-list"),
    path("stages/<slug:slug>/bulk/", views.OrderBulkActionView.as_view(), name="stage-bulk"),
    path(
        "orders/bulk/form/<str:operation>/",
        views.OrderBulkFormView.as_view(),
        name="order-bulk-form",
    ),
    path(
        "stages/<slug:slug>/bulk/form/<str:operation>/",
        views.OrderBulkFormView.as_view(),
        name="stage-bulk-form",
    ),
    path(
        "stages/<slug:slug>/print/<slug:kind>/",
        SelectionPrintView.as_view(),
        name="stage-print",
    ),
    path("list-columns/", ListColumnsSaveView.as_view(), name="list-columns"),
    path("saved-views/", views.SavedViewCreateView.as_view(), name="saved-view-create"),
    path(
        "saved-views/<int:pk>/delete/",
        views.SavedViewDeleteView.as_view(),
        name="saved-view-delete",
    ),
    path("orders/<str:order_id>/", views.OrderPageView.as_view(), name="order-detail"),
    path(
        "orders/<str:order_id>/transition/<slug:name>/",
        views.OrderTransitionView.as_view(),
        name="order-transition",
    ),
    path(
        "orders/<str:order_id>/notes/",
        views.OrderNoteCreateView.as_view(),
        name="order-note-create",
    ),
    path("orders/<str:order_id>/delete/", OrderDeleteView.as_view(), name="order-delete"),
]
