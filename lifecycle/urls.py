from django.urls import path

from . import views
from .auto_orders import views as auto_order_views

# Screens that later issues build; until then their tiles lead to a "coming soon" page.
# The tools app routes its own screens under /tools/ first; these are reached only until then.
COMING_SOON = [
    ("tools/batch/", "tool-batch", "Batch Order Operation"),
    ("tools/export/", "tool-export", "Export Orders"),
    ("tools/export/mappings/", "tool-export-mappings", "Export mappings"),
    ("tools/import-costs/", "tool-import-costs", "Import Actual Costs"),
    ("tools/undelete/", "tool-undelete", "Undelete Order"),
    ("orders/new/", "order-create", "Manually Add Order"),
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
