"""The list screens: View All Orders and one per stage screen of orders.states.STAGE_SCREENS,
each with the columns it adds to the common ones; the transitions say which of its bulk actions
come first (their `screens`).

One generic view (lifecycle.views.lists) is bound to every entry; nothing here is per-stage
code, only data.
"""

from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse

from orders.fsm import transition_specs
from orders.states import STAGE_SCREENS
from tools.operations.base import Operation
from tools.operations.registry import operations_for_screen

# Shown on every list unless the user hides them (the column chooser).
COMMON_COLUMNS = ("order_id", "placed_at", "customer", "total", "payment", "status", "age")
# Offered by the chooser on every list, hidden until chosen.
OPTIONAL_COLUMNS = ("stage", "company", "phone", "destination", "paid_at", "shipped_at", "fraud")

# What each stage screen shows beyond the common columns.
SCREEN_COLUMNS: dict[str, tuple[str, ...]] = {
    "quote-requests": ("stage", "quote_sent_at", "quote_expires"),
    "pre-orders": (),
    "accounts-receivable": (),
    "pending-clearance": ("provider",),
    "fraud-review": ("fraud",),
    "hold": ("hold_reason", "held_since", "hold_until"),
    "shipping": ("shipping_method", "destination"),
    "completed": ("shipped_at",),
    "rejected": ("reject_reason", "rejected_by", "rejected_at"),
}
ALL_ORDERS_KEY = "all"
# Who may open a list: every list needs view_order_lists, except the shipping clerk's two.
LIST_PERMISSION = "orders.view_order_lists"
SCREEN_PERMISSIONS: dict[str, str] = {
    "shipping": "orders.view_merchant_orders",
    "completed": "orders.view_merchant_orders",
}


@dataclass(frozen=True)
class ListScreen:
    slug: str | None  # None: View All Orders
    label: str
    stages: tuple[str, ...]
    columns: tuple[str, ...]
    permission: str = LIST_PERMISSION

    @property
    def key(self) -> str:
        """The screen's name in saved views."""
        return self.slug or ALL_ORDERS_KEY

    @property
    def url(self) -> str:
        if self.slug is None:
            return reverse("order-list")
        return reverse("stage-list", kwargs={"slug": self.slug})

    @property
    def default_columns(self) -> tuple[str, ...]:
        return (*COMMON_COLUMNS, *(c for c in self.columns if c not in COMMON_COLUMNS))

    @property
    def available_columns(self) -> tuple[str, ...]:
        extra = tuple(c for c in OPTIONAL_COLUMNS if c not in self.default_columns)
        return (*self.default_columns, *extra)

    def columns_chosen(self, names: list[str]) -> tuple[str, ...]:
        """The chooser's columns, in the screen's order; the order ID is always shown."""
        wanted = {name for name in names if name in self.available_columns}
        if not wanted:
            return self.default_columns
        return tuple(c for c in self.available_columns if c in wanted or c == "order_id")

    def operations(self, *, user, merchant) -> list[Operation]:
        """The bulk actions this user may run here, the screen's own first."""
        allowed = [
            op for op in operations_for_screen(self.slug) if user.has_perm(op.permission, merchant)
        ]
        return sorted(allowed, key=lambda op: _screen_position(op.name, self.slug))


def _screen_position(name: str, slug: str | None) -> int:
    """A transition names the screens that list it first (its `screens`); the rest follow."""
    spec = transition_specs().get(name)
    position = spec.screen_position(slug) if spec else None
    return 99 if position is None else position


ALL_ORDERS = ListScreen(slug=None, label="All orders", stages=(), columns=("stage",))
LIST_SCREENS: dict[str, ListScreen] = {
    screen.slug: ListScreen(
        slug=screen.slug,
        label=screen.label,
        stages=tuple(screen.stages),
        columns=SCREEN_COLUMNS.get(screen.slug, ()),
        permission=SCREEN_PERMISSIONS.get(screen.slug, LIST_PERMISSION),
    )
    for screen in STAGE_SCREENS
}


def screen_permissions(slug: str | None, operation: str) -> tuple[str, ...]:
    """What a bulk action on a list needs: the list's permission and, for an operation the
    list offers, the operation's own."""
    screen = list_screen_get(slug)
    offered = {op.name: op for op in operations_for_screen(screen.slug)}
    if operation in offered:
        return (screen.permission, offered[operation].permission)
    return (screen.permission,)


def list_screen_get(slug: str | None) -> ListScreen:
    """The screen bound to `slug` (View All Orders for None); Http404 for an unknown slug."""
    if slug is None or slug == ALL_ORDERS_KEY:
        return ALL_ORDERS
    try:
        return LIST_SCREENS[slug]
    except KeyError:
        raise Http404("No such stage screen.") from None
