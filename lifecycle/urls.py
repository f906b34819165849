from django.urls import path

from . import views

# Screens that later issues build; until then their tiles lead to a "coming soon" page.
# The tools app routes its own screens under /tools/ first; these are reached only until then.
COMING_SOON = [
    ("tools/batch/", "tool-batch", "Batch Order Operation"),
    ("tools/export/", "tool-export", "Export Orders"),
    ("tools/export/mappings/", "tool-export-mappings", "Export mappings"),
    ("tools/import-costs/", "tool-import-costs", "Import Actual Costs"),
    ("tools/undelete/", "tool-undelete", "Undelete Order"),
    ("orders/new/", "order-create", "Manually Add Order"),
    ("auto-orders/", "auto-order-list", "Auto Orders"),
    ("chargebacks/", "chargeback-list", "Chargeback Disputes"),
    ("cases/", "case-list", "Case Management"),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("switch-merchant/", views.MerchantSwitchView.as_view(), name="merchant-switch"),
    path("find/", views.OrderFindView.as_view(), name="order-find"),
    *(
        path(route, views.ComingSoonView.as_view(title=title), name=name)
        for route, name, title in COMING_SOON
    ),
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
            ("refund", views.OrderRefundView, "order-refund"),
            ("replacement", views.OrderReplacementView, "order-replacement"),
        ]
    ),
    path(
        "orders/<str:order_id>/email/<slug:template>/",
        views.OrderEmailResendView.as_view(),
        name="order-email-resend",
    ),
    path(
        "orders/<str:order_id>/print/<slug:kind>/",
        views.OrderPrintView.as_view(),
        name="order-print",
    ),
    path("orders/", views.OrderListView.as_view(), name="order-list"),
    path("stages/<slug:slug>/", views.OrderListView.as_view(), name="stage-list"),
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
]
