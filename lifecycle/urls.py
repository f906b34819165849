from django.urls import path

from . import views

# Screens that later issues build; until then their tiles lead to a "coming soon" page.
# The tools app routes its own screens under /tools/ first; these are reached only until then.
COMING_SOON = [
    ("tools/batch/", "tool-batch", "Batch Order Operation"),
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
