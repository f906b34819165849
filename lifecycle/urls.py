from django.urls import path

from . import views
from .views.api_tokens import ApiTokenListView, ApiTokenRevokeView
from .views.entry import CustomerSearchView, OrderEntryTotalsView, OrderEntryView
from .views.items import ItemListView, ItemReleaseView
from .views.quotes import QuoteCustomerView, QuoteEditView

# Screens that later issues build; until then their tiles lead to a "coming soon" page.
# The tools app routes its own screens under /tools/ first; these are reached only until then.
COMING_SOON = [
    ("tools/batch/", "tool-batch", "Batch Order Operation"),
    ("tools/export/", "tool-export", "Export Orders"),
    ("tools/export/mappings/", "tool-export-mappings", "Export mappings"),
    ("tools/import-costs/", "tool-import-costs", "Import Actual Costs"),
    ("tools/undelete/", "tool-undelete", "Undelete Order"),
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
    path("orders/new/", OrderEntryView.as_view(), name="order-create"),
    path("orders/new/totals/", OrderEntryTotalsView.as_view(), name="order-entry-totals"),
    path("orders/new/customers/", CustomerSearchView.as_view(), name="order-entry-customers"),
    path("orders/<str:order_id>/quote/", QuoteEditView.as_view(), name="quote-edit"),
    path("q/<str:token>/", QuoteCustomerView.as_view(), name="quote-customer"),
    path("items/", ItemListView.as_view(), name="item-list"),
    path("items/<str:sku>/release/", ItemReleaseView.as_view(), name="item-release"),
    path("settings/api-tokens/", ApiTokenListView.as_view(), name="api-token-list"),
    path(
        "settings/api-tokens/<int:pk>/revoke/",
        ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
    path("orders/", views.OrderListView.as_view(), name="order-list"),
    path("stages/<slug:slug>/", views.OrderListView.as_view(), name="stage-list"),
    path("orders/<str:order_id>/", views.OrderDetailView.as_view(), name="order-detail"),
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
