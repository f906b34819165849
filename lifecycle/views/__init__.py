"""The merchant screens. Each view parses input, calls one service or selector, and renders."""

from .actions import OrderNoteCreateView, OrderTransitionView
from .home import ComingSoonView, HomeView
from .lists import OrderBulkActionView, OrderListView, SavedViewCreateView, SavedViewDeleteView
from .orders import OrderDetailView, OrderFindView
from .session import MerchantSwitchView

__all__ = [
    "ComingSoonView",
    "HomeView",
    "MerchantSwitchView",
    "OrderBulkActionView",
    "OrderDetailView",
    "OrderFindView",
    "OrderListView",
    "OrderNoteCreateView",
    "OrderTransitionView",
    "SavedViewCreateView",
    "SavedViewDeleteView",
]
