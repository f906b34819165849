from django.urls import path

from . import views
from .views.deletion import OrderDeleteView

# Screens that later issues build; until then their tiles lead to a "coming soon" page.
# The tools app routes its own screens under /tools/ first; these are reached only until then.
COMING_SOON = [
    ("tools/export/", "tool-export", "Export Orders"),
    ("tools/export/mappings/", "tool-export-mappings", "Export mappings"),
    ("tools/import-costs/", "tool-import-costs", "Import Actual Costs"),
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
    path("orders/", views.OrderListView.as_view(), name="order-list"),
    path("orders/bulk/", views.OrderBulkActionView.as_view(), name="order-bulk"),
    path("stages/<slug:slug>/", views.OrderListView.as_view(), name="stage-list"),
    path("stages/<slug:slug>/bulk/", views.OrderBulkActionView.as_view(), name="stage-bulk"),
    path("saved-views/", views.SavedViewCreateView.as_view(), name="saved-view-create"),
    path(
        "saved-views/<int:pk>/delete/",
        views.SavedViewDeleteView.as_view(),
        name="saved-view-delete",
    ),
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
    path("orders/<str:order_id>/delete/", OrderDeleteView.as_view(), name="order-delete"),
]
