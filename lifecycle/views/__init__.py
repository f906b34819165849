"""The merchant screens. Each view parses input, calls one service or selector, and renders."""

from .actions import OrderNoteCreateView, OrderTransitionView
from .home import ComingSoonView, HomeView
from .orders import OrderDetailView, OrderFindView, OrderListView
from .session import MerchantSwitchView

__all__ = [
    "ComingSoonView",
    "HomeView",
    "MerchantSwitchView",
    "OrderDetailView",
    "OrderFindView",
    "OrderListView",
    "OrderNoteCreateView",
    "OrderTransitionView",
]
