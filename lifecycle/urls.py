from django.urls import path

from . import views
from .views import cases, chargebacks

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
]

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
    path("cases/<int:pk>/<slug:action>/", cases.CaseActionView.as_view(), name="case-action"),
    path("orders/<str:order_id>/cases/new/", cases.CaseOpenView.as_view(), name="case-open"),
    path("c/<str:token>/", cases.CustomerCaseView.as_view(), name="customer-case"),
]

urlpatterns = [
    *DISPUTE_URLS,
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
