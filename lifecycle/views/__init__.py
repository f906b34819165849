"""The merchant screens. Each view parses input, calls one service or selector, and renders."""

from .actions import OrderNoteCreateView, OrderTransitionView
from .edits import (
    OrderAddressesEditView,
    OrderBalanceReceivedView,
    OrderCustomerEditView,
    OrderCustomFieldsEditView,
    OrderEmailResendView,
    OrderRefundView,
    OrderReplacementView,
    OrderShipPartView,
    OrderTagsEditView,
)
from .home import HomeView
from .line_edits import OrderLinesEditView
from .lists import (
    OrderBulkActionView,
    OrderBulkFormView,
    OrderListView,
    SavedViewCreateView,
    SavedViewDeleteView,
)
from .order_page import OrderPageView
from .orders import OrderDetailView, OrderFindView
from .printing import ManyOrdersPrintView, OrderPrintView, ShipmentPackingSlipView
from .session import MerchantSwitchView
from .stages import PreorderItemsView, PreorderReleaseView, ShipListView

__all__ = [
    "HomeView",
    "ManyOrdersPrintView",
    "MerchantSwitchView",
    "OrderAddressesEditView",
    "OrderBalanceReceivedView",
    "OrderBulkActionView",
    "OrderBulkFormView",
    "OrderCustomFieldsEditView",
    "OrderCustomerEditView",
    "OrderDetailView",
    "OrderEmailResendView",
    "OrderFindView",
    "OrderLinesEditView",
    "OrderListView",
    "OrderNoteCreateView",
    "OrderPageView",
    "OrderPrintView",
    "OrderRefundView",
    "OrderReplacementView",
    "OrderShipPartView",
    "OrderTagsEditView",
    "OrderTransitionView",
    "PreorderItemsView",
    "PreorderReleaseView",
    "SavedViewCreateView",
    "SavedViewDeleteView",
    "ShipListView",
    "ShipmentPackingSlipView",
]
